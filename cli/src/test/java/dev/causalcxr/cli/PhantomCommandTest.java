package dev.causalcxr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PhantomCommandTest {

    @Test
    void siteBWritesAnotherHospitalsExportWithItsOwnIdsAndTemplate(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("site-b");
        assertEquals(
                ExitCodes.OK,
                Main.execute("phantom", "--out", out.toString(), "--studies", "6", "--size", "64", "--site", "b"));
        try (Stream<Path> files = Files.walk(out.resolve("files"))) {
            var reports = files.filter(p -> p.toString().endsWith(".txt")).toList();
            assertEquals(6, reports.size());
            for (Path r : reports) {
                assertTrue(r.getFileName().toString().startsWith("s6"), r.toString());
                assertTrue(r.getParent().getParent().getFileName().toString().startsWith("p2"), r.toString());
                String text = Files.readString(r);
                assertTrue(text.contains("CONCLUSION:") && !text.contains("IMPRESSION:"), text);
            }
        }
    }

    @Test
    void anUnknownSiteIsAUsageErrorThatWritesNothing(@TempDir Path dir) {
        Path out = dir.resolve("x");
        assertEquals(
                ExitCodes.USAGE, Main.execute("phantom", "--out", out.toString(), "--studies", "6", "--site", "c"));
        assertFalse(Files.exists(out));
    }
}
