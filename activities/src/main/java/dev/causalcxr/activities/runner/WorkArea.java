package dev.causalcxr.activities.runner;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker process's own folder for stage attempts, under a root that several workers on one machine
 * may share.
 *
 * <p>An attempt's folder holds what the stage unpacked — a dataset's images and report texts among it —
 * and is deleted when the attempt ends; but a process killed mid-attempt ({@code kill -9}, a power cut)
 * deletes nothing. So each process claims a folder of its own, holding an exclusive lock on a file in it
 * for as long as it lives, and on claiming, deletes every sibling whose lock nobody holds: the leftovers
 * of processes that are gone (and folders of the layout before this one, which had no lock).
 */
public final class WorkArea {
    private static final Logger log = LoggerFactory.getLogger(WorkArea.class);
    static final String LOCK_FILE = ".owner.lock";

    private final Path dir;
    // held, never released explicitly: the operating system frees the lock when the process ends
    @SuppressWarnings("unused")
    private final FileChannel lockChannel;

    @SuppressWarnings("unused")
    private final FileLock lock;

    private WorkArea(Path dir, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** Purges abandoned siblings under {@code root}, then claims a new folder there for this process. */
    public static WorkArea claim(Path root) {
        try {
            Files.createDirectories(root);
            int purged = purgeAbandoned(root);
            if (purged > 0) {
                log.info("removed {} work folder(s) left by stage attempts of processes that ended abruptly", purged);
            }
            Path dir = root.resolve("w-" + UUID.randomUUID());
            Files.createDirectories(dir);
            FileChannel channel =
                    FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                throw new IllegalStateException("cannot lock a new work folder under " + root);
            }
            return new WorkArea(dir, channel, lock);
        } catch (IOException e) {
            throw new IllegalStateException("cannot prepare the work folder under " + root + ": " + e.getMessage(), e);
        }
    }

    public Path dir() {
        return dir;
    }

    private static int purgeAbandoned(Path root) throws IOException {
        int purged = 0;
        try (DirectoryStream<Path> children = Files.newDirectoryStream(root)) {
            for (Path child : children) {
                if (Files.isDirectory(child) && !ownedByALiveProcess(child)) {
                    StageRunner.deleteTree(child);
                    purged++;
                }
            }
        }
        return purged;
    }

    private static boolean ownedByALiveProcess(Path child) {
        Path lockFile = child.resolve(LOCK_FILE);
        if (!Files.exists(lockFile)) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock probe = channel.tryLock();
            if (probe == null) {
                return true; // another process holds it
            }
            probe.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true; // this process holds it (another runner in the same JVM)
        } catch (IOException e) {
            return true; // cannot tell: keep it
        }
    }
}
