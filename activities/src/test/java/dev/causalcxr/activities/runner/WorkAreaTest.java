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

    /** Another worker process ({@link #main}) that claims a folder under {@code root} and then waits. */
    private static Process childWorker(Path root) throws java.io.IOException {
        return new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        WorkAreaTest.class.getName(),
                        root.toString())
                .redirectErrorStream(true)
                .start();
    }

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
        Process child = childWorker(root);
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
    void aSurvivingWorkerRemovesTheKilledWorkersFolderBeforeItsNextAttempt(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("work");
        WorkArea survivor = WorkArea.claim(root);
        Process child = childWorker(root);
        Path childDir;
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            do {
                line = out.readLine();
            } while (line != null && !line.startsWith(root.toString()));
            childDir = Path.of(line);
            assertEquals(0, survivor.purgeAbandoned(), "a live worker's folder is left alone");
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
        // a folder another process is claiming right now: not yet named, maybe not yet locked, never touched
        Path claiming = Files.createDirectories(root.resolve(".claim-in-progress"));
        assertEquals(1, survivor.purgeAbandoned());
        assertFalse(Files.exists(childDir), "the killed worker's report text is gone without any worker restarting");
        assertTrue(Files.isDirectory(survivor.dir()), "the survivor keeps its own folder");
        assertTrue(Files.isDirectory(claiming));
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
        // the second claim's sweep must not have let go of the first's lock (closing any channel to a file
        // drops the process's POSIX locks on it): a worker in another process leaves both folders alone
        Process other = childWorker(root);
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            do {
                line = out.readLine();
            } while (line != null && !line.startsWith(root.toString()));
            assertTrue(line != null, "the other worker claimed its folder");
        } finally {
            other.destroyForcibly();
            other.waitFor(30, TimeUnit.SECONDS);
        }
        assertTrue(Files.exists(first.dir().resolve("in-use")), "another process's sweep keeps this one's folders");
        assertTrue(Files.isDirectory(second.dir()));
    }
}
