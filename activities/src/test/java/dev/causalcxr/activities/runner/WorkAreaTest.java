package dev.causalcxr.activities.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkAreaTest {

    /** Run in a child JVM: claims a work area, writes a report file into an attempt folder, waits to be killed. */
    public static void main(String[] args) throws Exception {
        WorkArea area = WorkArea.claim(Path.of(args[0]));
        Path attempt = Files.createDirectories(area.dir().resolve("0123456789abcdef/attempt-1"));
        Files.writeString(attempt.resolve("reports.csv"), "study_id,report\r\n\"s1\",\"small left effusion\"\r\n");
        System.out.println(area.dir());
        System.out.flush();
        Thread.sleep(600_000);
    }

    @Test
    void reportsLeftByAWorkerKilledMidAttemptAreRemovedWhenTheNextWorkerStarts(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("work");
        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        WorkAreaTest.class.getName(),
                        root.toString())
                .redirectErrorStream(true)
                .start();
        Path childDir;
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            do {
                line = out.readLine();
            } while (line != null && !line.startsWith(root.toString()));
            childDir = Path.of(line);
            assertTrue(Files.exists(childDir.resolve("0123456789abcdef/attempt-1/reports.csv")));

            WorkArea whileAlive = WorkArea.claim(root);
            assertTrue(
                    Files.exists(childDir.resolve("0123456789abcdef/attempt-1/reports.csv")),
                    "a live worker's attempt is left alone");
            assertNotEquals(childDir, whileAlive.dir());

            child.destroyForcibly(); // SIGKILL: no finally block runs
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
        WorkArea next = WorkArea.claim(root);
        assertFalse(Files.exists(childDir), "the killed worker's folder, with its report text, is gone");
        assertTrue(Files.isDirectory(next.dir()));
    }

    @Test
    void runnersInOneProcessKeepTheirOwnFoldersAndOldLayoutFoldersAreRemoved(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("work");
        Path legacy = Files.createDirectories(root.resolve("0123456789abcdef/attempt-1"));
        Files.writeString(legacy.resolve("reports.csv"), "study_id,report\r\n");
        WorkArea first = WorkArea.claim(root);
        assertFalse(
                Files.exists(root.resolve("0123456789abcdef")), "a folder of the layout without locks is a leftover");
        Files.writeString(first.dir().resolve("in-use"), "x");
        WorkArea second = WorkArea.claim(root);
        assertTrue(Files.exists(first.dir().resolve("in-use")), "a runner of this process keeps its folder");
        assertNotEquals(first.dir(), second.dir());
        assertEquals(root, second.dir().getParent());
    }
}
