package dev.causalcxr.core.provenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CodeFingerprintTest {
    @TempDir
    Path dir;

    private static final String STAGE = """
            package dev.causalcxr.fp;
            public class Stage {
                public double run(double x) {
                    return new Model().apply(x);
                }
            }
            """;
    private static final String MODEL = """
            package dev.causalcxr.fp;
            public class Model {
                public double apply(double x) {
                    return x * 2 + 1;
                }
            }
            """;
    private static final String OTHER = """
            package dev.causalcxr.fp;
            public class Other {
                public int unrelated() {
                    return 7;
                }
            }
            """;

    /** Compiles the sources (with full debug information, as Maven does) and fingerprints from their folder. */
    private CodeFingerprint compiled(String name, Map<String, String> sources) throws IOException {
        Path src = Files.createDirectories(dir.resolve(name + "-src/dev/causalcxr/fp"));
        Path out = Files.createDirectories(dir.resolve(name + "-classes"));
        List<String> args = new java.util.ArrayList<>(
                List.of("-g", "-d", out.toString(), "-cp", System.getProperty("java.class.path")));
        for (Map.Entry<String, String> s : sources.entrySet()) {
            Path file = src.resolve(s.getKey() + ".java");
            Files.writeString(file, s.getValue());
            args.add(file.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertEquals(0, javac.run(null, null, null, args.toArray(String[]::new)), "test sources compile");
        return new CodeFingerprint(name2 -> {
            Path f = out.resolve(name2 + ".class");
            return Files.exists(f) ? Files.readAllBytes(f) : null;
        });
    }

    @Test
    void aOneLineChangeInReachableCodeChangesTheFingerprintAndAChangeElsewhereDoesNot() throws IOException {
        CodeFingerprint base = compiled("base", Map.of("Stage", STAGE, "Model", MODEL, "Other", OTHER));
        CodeFingerprint.Identity stage = base.of("dev/causalcxr/fp/Stage");
        assertEquals(2, stage.classes(), "Stage reaches Model, not Other");
        assertFalse(stage.usesEngine());

        CodeFingerprint modelChanged = compiled(
                "model-changed",
                Map.of("Stage", STAGE, "Model", MODEL.replace("x * 2 + 1", "x * 2 + 2"), "Other", OTHER));
        assertNotEquals(
                stage.digest(),
                modelChanged.of("dev/causalcxr/fp/Stage").digest(),
                "a changed method of a class the stage reaches");

        CodeFingerprint otherChanged = compiled(
                "other-changed",
                Map.of("Stage", STAGE, "Model", MODEL, "Other", OTHER.replace("return 7;", "return 8;")));
        assertEquals(
                stage.digest(), otherChanged.of("dev/causalcxr/fp/Stage").digest(), "a class the stage cannot reach");
        assertNotEquals(
                base.of("dev/causalcxr/fp/Other").digest(),
                otherChanged.of("dev/causalcxr/fp/Other").digest());
    }

    @Test
    void commentsAndMovedLinesDoNotChangeTheFingerprint() throws IOException {
        CodeFingerprint base = compiled("base", Map.of("Stage", STAGE, "Model", MODEL));
        String commented = MODEL.replace("    public double apply", """
                    // a comment that moves every line below it
                    /** and a Javadoc block. */
                    public double apply""");
        CodeFingerprint moved = compiled("moved", Map.of("Stage", STAGE, "Model", commented));
        assertEquals(
                base.of("dev/causalcxr/fp/Stage").digest(),
                moved.of("dev/causalcxr/fp/Stage").digest());
    }

    @Test
    void aStageThatReachesTheTensorEngineSaysSo() throws IOException {
        String engineStage = """
                package dev.causalcxr.fp;
                public class EngineStage {
                    public String engine() {
                        return ai.djl.engine.Engine.getDjlVersion();
                    }
                }
                """;
        CodeFingerprint fp = compiled("engine", Map.of("EngineStage", engineStage));
        assertTrue(fp.of("dev/causalcxr/fp/EngineStage").usesEngine());
    }

    @Test
    void theStrippedClassIsStillAValidClassFile() throws Exception {
        byte[] original = Files.readAllBytes(Path.of(CodeFingerprint.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                .resolve("dev/causalcxr/core/provenance/ClassFile.class"));
        byte[] stripped = ClassFile.parse(original).withoutDebug();
        assertTrue(stripped.length < original.length, "debug attributes were removed");
        ClassLoader loader = new ClassLoader(null) {
            @Override
            protected Class<?> findClass(String name) {
                return defineClass(name, stripped, 0, stripped.length);
            }
        };
        // defining and linking the class runs the JVM's class-file checks
        Class<?> cls = Class.forName("dev.causalcxr.core.provenance.ClassFile", false, loader);
        assertEquals("dev.causalcxr.core.provenance.ClassFile", cls.getName());
        assertTrue(ClassFile.parse(original).referencedClasses().contains("java/util/regex/Pattern"));
    }

    @Test
    void theRunningCodeHasAFingerprintPerStageEntryAndAMissingClassIsAnError() {
        CodeFingerprint.Identity self = CodeFingerprint.running().of(CodeFingerprint.class);
        assertEquals(64, self.digest().length());
        assertEquals(self, CodeFingerprint.running().of(CodeFingerprint.class), "computed once, the same");
        assertThrows(
                IllegalArgumentException.class, () -> CodeFingerprint.running().of("dev/causalcxr/NoSuchClass"));
    }
}
