package dev.causalcxr.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.core.dataset.DatasetBundle;
import dev.causalcxr.core.dataset.DatasetEntry;
import dev.causalcxr.core.dataset.DatasetManifest;
import dev.causalcxr.core.dataset.Pseudonymizer;
import dev.causalcxr.core.dataset.SourceIds;
import dev.causalcxr.core.dataset.Split;
import dev.causalcxr.core.files.SiteLog;
import dev.causalcxr.infra.datasets.DatasetCatalog;
import dev.causalcxr.infra.stack.PlatformStack;
import dev.causalcxr.infra.stack.StackConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dataset import}, {@code list}, {@code show} and {@code resolve-id} as a user runs them on a MIMIC-style folder. */
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
        assertEquals(
                0, cli("phantom", "--out", site.toString(), "--studies", "24", "--size", "64"), out.toString(UTF_8));

        assertEquals(
                0,
                cli(
                        "dataset",
                        "import",
                        "--data-dir",
                        data.toString(),
                        "--format",
                        "mimic",
                        site.toString(),
                        "--name",
                        "site-a"),
                out.toString(UTF_8));
        assertTrue(
                out.toString(UTF_8).contains("site-a@") && out.toString(UTF_8).contains("new version"),
                out.toString(UTF_8));
        assertEquals(
                0,
                cli(
                        "dataset",
                        "import",
                        "--data-dir",
                        data.toString(),
                        "--format",
                        "mimic",
                        site.toString(),
                        "--name",
                        "site-a"),
                out.toString(UTF_8));
        assertTrue(out.toString(UTF_8).contains("unchanged"), "the same files are the same version: " + out);

        assertEquals(0, cli("dataset", "list", "--data-dir", data.toString()));
        assertTrue(out.toString(UTF_8).contains("site-a"), out.toString(UTF_8));
        assertEquals(0, cli("dataset", "show", "--data-dir", data.toString(), "site-a"), out.toString(UTF_8));

        Path empty = Files.createDirectories(dir.resolve("empty/files"));
        assertEquals(
                1,
                cli(
                        "dataset",
                        "import",
                        "--data-dir",
                        data.toString(),
                        "--format",
                        "mimic",
                        empty.getParent().toString(),
                        "--name",
                        "empty"),
                out.toString(UTF_8));
        assertTrue(out.toString(UTF_8).contains("nothing to import"), out.toString(UTF_8));
        assertEquals(
                2,
                cli(
                        "dataset",
                        "import",
                        "--data-dir",
                        data.toString(),
                        "--format",
                        "dicom",
                        site.toString(),
                        "--name",
                        "x"));
        assertEquals(
                2,
                cli(
                        "dataset",
                        "import",
                        "--data-dir",
                        data.toString(),
                        "--format",
                        "mimic",
                        dir.resolve("missing").toString(),
                        "--name",
                        "x"));
    }

    /** The study folders, patient folders and image name stems of a MIMIC-style folder: the source's own ids. */
    private static List<String> rawIds(Path site) throws Exception {
        try (Stream<Path> files = Files.walk(site.resolve("files"))) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> n.matches("[ps]\\d+") || n.endsWith(".png"))
                    .map(n -> n.replace(".png", ""))
                    .distinct()
                    .toList();
        }
    }

    @Test
    void noRawStudyIdLeavesTheImportAndResolveIdMapsAPseudonymBackOnlyWithTheSitesKey() throws Exception {
        Path site = dir.resolve("ids-site");
        Path data = dir.resolve("ids-data");
        assertEquals(
                0,
                cli("phantom", "--out", site.toString(), "--studies", "12", "--size", "64", "--without-truth"),
                out.toString(UTF_8));
        List<String> raw = rawIds(site);
        Path studyDir;
        try (Stream<Path> dirs = Files.walk(site.resolve("files"))) {
            studyDir = dirs.filter(d -> d.getFileName().toString().matches("s\\d+"))
                    .sorted()
                    .findFirst()
                    .orElseThrow();
        }
        String rawStudy = studyDir.getFileName().toString();
        // one unreadable image: a problem, reported by reference
        try (Stream<Path> images = Files.list(studyDir)) {
            Files.writeString(images.findFirst().orElseThrow(), "not a picture");
        }
        String key = "resolve-id-test-site-key-0123456789";
        Pseudonymizer pseudonyms = new Pseudonymizer(key.getBytes(StandardCharsets.UTF_8));
        String otherStudy;
        try (Stream<Path> dirs = Files.walk(site.resolve("files"))) {
            otherStudy = dirs.map(d -> d.getFileName().toString())
                    .filter(n -> n.matches("s\\d+") && !n.equals(rawStudy))
                    .sorted()
                    .findFirst()
                    .orElseThrow();
        }
        String pseudonym = pseudonyms.study(otherStudy);
        System.setProperty("CAUSALCXR_PSEUDONYM_KEY", key);
        try {
            assertEquals(
                    0,
                    cli(
                            "dataset",
                            "import",
                            "--data-dir",
                            data.toString(),
                            "--format",
                            "mimic",
                            site.toString(),
                            "--name",
                            "ids"),
                    out.toString(UTF_8));
            String console = out.toString(UTF_8);
            assertTrue(console.matches("(?s).*R[0-9a-f]{16}: unreadable image.*"), console);
            assertTrue(console.contains("1 problem(s): 1 × unreadable image"), console);
            assertEquals(
                    0,
                    cli("dataset", "show", "--data-dir", data.toString(), "ids", "--studies", "20"),
                    out.toString(UTF_8));
            console += out.toString(UTF_8);
            assertTrue(console.contains(pseudonym), "show lists the pseudonyms: " + console);
            for (String id : raw) {
                assertFalse(console.contains(id), "the console names " + id + ": " + console);
            }
            // the site log has what the console left out, and only its owner reads it
            Path siteLog = data.resolve(SiteLog.RELATIVE_PATH);
            assertTrue(Files.readString(siteLog).contains(rawStudy), Files.readString(siteLog));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(siteLog)));

            // the catalogue's studies table and the stored bundle's manifest hold pseudonyms only
            try (PlatformStack stack =
                    PlatformStack.start(StackConfig.fromEnvironment(data, Map.of("CAUSALCXR_MLFLOW", "off")), false)) {
                DatasetCatalog catalog = new DatasetCatalog(stack.db());
                DatasetCatalog.VersionRow v = catalog.resolve("ids").orElseThrow();
                assertEquals(11, catalog.studyKeys("ids", v.version()).size());
                assertTrue(catalog.studyKeys("ids", v.version()).keySet().stream()
                        .allMatch(
                                id -> Pseudonymizer.STUDY_PSEUDONYM.matcher(id).matches()));
                Path bundle = dir.resolve("ids-bundle.zip");
                stack.objectStore().getToFile(v.bundleDigest(), bundle);
                String manifest = new String(
                        DatasetBundle.readFile(bundle, "manifest.json").orElseThrow(), StandardCharsets.UTF_8);
                String sourceIds = new String(
                        DatasetBundle.readFile(bundle, SourceIds.FILE_NAME).orElseThrow(), StandardCharsets.UTF_8);
                for (String id : raw) {
                    assertFalse(manifest.contains(id) || sourceIds.contains(id), "the bundle names " + id);
                }
            }

            assertEquals(
                    0,
                    cli("dataset", "resolve-id", "--data-dir", data.toString(), "ids", pseudonym),
                    out.toString(UTF_8));
            assertEquals(otherStudy, out.toString(UTF_8).trim());
            assertEquals(
                    1,
                    cli("dataset", "resolve-id", "--data-dir", data.toString(), "ids", pseudonyms.study("s99999999")),
                    out.toString(UTF_8));
            assertTrue(out.toString(UTF_8).contains("no pseudonym"), out.toString(UTF_8));
            assertEquals(2, cli("dataset", "resolve-id", "--data-dir", data.toString(), "ids", otherStudy));

            System.setProperty("CAUSALCXR_PSEUDONYM_KEY", "another-site-key-0123456789abcdef");
            assertEquals(
                    1,
                    cli("dataset", "resolve-id", "--data-dir", data.toString(), "ids", pseudonym),
                    out.toString(UTF_8));
            assertTrue(
                    out.toString(UTF_8).contains("not the one this data set was imported with"), out.toString(UTF_8));
            assertFalse(out.toString(UTF_8).contains(otherStudy), out.toString(UTF_8));
        } finally {
            System.clearProperty("CAUSALCXR_PSEUDONYM_KEY");
        }

        // no key here at all: a clear refusal, and no key is created by asking
        Assumptions.assumeTrue(
                System.getenv("CAUSALCXR_PSEUDONYM_KEY") == null && System.getenv("XDG_CONFIG_HOME") == null,
                "the machine's own key configuration would answer");
        String home = System.getProperty("user.home");
        Path emptyHome = Files.createDirectories(dir.resolve("empty-home"));
        System.setProperty("user.home", emptyHome.toString());
        try {
            assertEquals(
                    1,
                    cli("dataset", "resolve-id", "--data-dir", data.toString(), "ids", pseudonym),
                    out.toString(UTF_8));
            assertTrue(out.toString(UTF_8).contains("pseudonymization key is not present here"), out.toString(UTF_8));
            assertFalse(Files.exists(emptyHome.resolve(".config/causalcxr/pseudonym.key")), "resolve-id created a key");
        } finally {
            System.setProperty("user.home", home);
        }
    }

    @Test
    void aVersionImportedBeforeStudyIdsWerePseudonymizedIsNamedAsSuchAndHasNothingToResolve() throws Exception {
        Path data = dir.resolve("legacy-data");
        // the shape such a version has: the source's study ids in the manifest, no source-id map in the bundle
        Path folder = Files.createDirectories(dir.resolve("legacy/dataset/images"));
        Files.write(
                folder.resolve("a.png"),
                dev.causalcxr.core.imaging.ImageCodec.encodePng16(
                        dev.causalcxr.core.imaging.GrayImage.of(64, 64, new short[64 * 64])));
        DatasetManifest manifest = new DatasetManifest(
                "legacy",
                64,
                List.of(new DatasetEntry(
                        "s50000001",
                        new Pseudonymizer("legacy-key-0123456789".getBytes(StandardCharsets.UTF_8))
                                .patient("p10000001"),
                        "a".repeat(64),
                        "b".repeat(64),
                        "images/a.png",
                        null,
                        null,
                        Split.TRAIN,
                        Map.of(),
                        64,
                        64)));
        manifest.write(folder.getParent().resolve("manifest.json"));
        Path bundle = dir.resolve("legacy/dataset.zip");
        DatasetBundle.pack(folder.getParent(), bundle);
        try (PlatformStack stack =
                PlatformStack.start(StackConfig.fromEnvironment(data, Map.of("CAUSALCXR_MLFLOW", "off")), false)) {
            new DatasetCatalog(stack.db())
                    .record(manifest, stack.objectStore().putFile(bundle).digest(), "mimic");
        }
        assertFalse(manifest.studyIdsPseudonymized());
        assertEquals(0, cli("dataset", "show", "--data-dir", data.toString(), "legacy"), out.toString(UTF_8));
        assertTrue(out.toString(UTF_8).contains("imported before study ids were pseudonymized"), out.toString(UTF_8));
        System.setProperty("CAUSALCXR_PSEUDONYM_KEY", "legacy-key-0123456789");
        try {
            assertEquals(
                    1,
                    cli(
                            "dataset",
                            "resolve-id",
                            "--data-dir",
                            data.toString(),
                            "legacy",
                            manifest.entries().get(0).patientId()),
                    out.toString(UTF_8));
            assertTrue(
                    out.toString(UTF_8).contains("imported before study ids were pseudonymized")
                            && out.toString(UTF_8).contains("Import the source again"),
                    out.toString(UTF_8));
        } finally {
            System.clearProperty("CAUSALCXR_PSEUDONYM_KEY");
        }
    }
}
