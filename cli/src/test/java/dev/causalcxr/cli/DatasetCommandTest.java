package dev.causalcxr.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dataset import}, {@code list} and {@code show} as a user runs them on a MIMIC-style folder. */
class DatasetCommandTest {
    @TempDir
    static Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    @BeforeAll
    static void keys() {
        System.setProperty("CAUSALCXR_MLFLOW", "off");
    }

    @AfterAll
    static void clear() {
        System.clearProperty("CAUSALCXR_MLFLOW");
    }

    private int cli(String... args) {
        out.reset();
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        PrintStream capture = new PrintStream(out, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        System.setErr(capture);
        try {
            return Main.execute(args);
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
    }

    @Test
    void aSiteFolderBecomesAVersionOnceAndBadInputIsRefused() throws Exception {
        Path site = dir.resolve("site");
        Path data = dir.resolve("data");
        assertEquals(0, cli("phantom", "--out", site.toString(), "--studies", "24", "--size", "64"), out.toString(UTF_8));

        assertEquals(0, cli("dataset", "import", "--data-dir", data.toString(), "--format", "mimic", site.toString(),
                "--name", "site-a"), out.toString(UTF_8));
        assertTrue(out.toString(UTF_8).contains("site-a@") && out.toString(UTF_8).contains("new version"), out.toString(UTF_8));
        assertEquals(0, cli("dataset", "import", "--data-dir", data.toString(), "--format", "mimic", site.toString(),
                "--name", "site-a"), out.toString(UTF_8));
        assertTrue(out.toString(UTF_8).contains("unchanged"), "the same files are the same version: " + out);

        assertEquals(0, cli("dataset", "list", "--data-dir", data.toString()));
        assertTrue(out.toString(UTF_8).contains("site-a"), out.toString(UTF_8));
        assertEquals(0, cli("dataset", "show", "--data-dir", data.toString(), "site-a"), out.toString(UTF_8));

        Path empty = Files.createDirectories(dir.resolve("empty/files"));
        assertEquals(1, cli("dataset", "import", "--data-dir", data.toString(), "--format", "mimic",
                empty.getParent().toString(), "--name", "empty"), out.toString(UTF_8));
        assertTrue(out.toString(UTF_8).contains("nothing to import"), out.toString(UTF_8));
        assertEquals(2, cli("dataset", "import", "--data-dir", data.toString(), "--format", "dicom", site.toString(),
                "--name", "x"));
        assertEquals(2, cli("dataset", "import", "--data-dir", data.toString(), "--format", "mimic",
                dir.resolve("missing").toString(), "--name", "x"));
    }
}
