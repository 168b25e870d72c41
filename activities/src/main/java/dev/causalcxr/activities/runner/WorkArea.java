package dev.causalcxr.activities.runner;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker process's own folder for stage attempts, under a root that several workers on one machine
 * may share.
 *
 * <p>An attempt's folder holds what the stage unpacked — a dataset's images and report texts among it —
 * and is deleted when the attempt ends; but a process killed mid-attempt ({@code kill -9}, a power cut)
 * deletes nothing. So each process claims a folder of its own, holding an exclusive lock on a file in it
 * for as long as it lives, and deletes every sibling whose lock nobody holds — the leftovers of processes
 * that are gone (and folders of the layout before this one, which had no lock) — when it claims its folder
 * and again before each attempt ({@link #purgeAbandoned()}): a worker that survives the one that was killed
 * removes the dead one's files when it takes the next attempt over, without waiting for a restart.
 *
 * <p>A folder is locked before it gets its name: it is made and locked as {@code .claim-…}, then renamed
 * (the lock follows the file), so a sweep in another process never sees a named folder without its lock.
 */
public final class WorkArea {
    private static final Logger log = LoggerFactory.getLogger(WorkArea.class);
    static final String LOCK_FILE = ".owner.lock";

    private static final String CLAIMING = ".claim-";
    /**
     * The folders this process holds. Their locks are never probed by opening the lock file again: closing any
     * channel to a file releases every POSIX lock the process has on it, which would hand the folder to a
     * sweep in another process.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path root;
    private final Path dir;
    // held, never released explicitly: the operating system frees the lock when the process ends
    @SuppressWarnings("unused")
    private final FileChannel lockChannel;

    @SuppressWarnings("unused")
    private final FileLock lock;

    private WorkArea(Path root, Path dir, FileChannel lockChannel, FileLock lock) {
        this.root = root;
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** Claims a new folder under {@code root} for this process, then purges abandoned siblings. */
    public static WorkArea claim(Path root) {
        try {
            Files.createDirectories(root);
            String id = UUID.randomUUID().toString();
            Path staging = Files.createDirectories(root.resolve(CLAIMING + id));
            FileChannel channel =
                    FileChannel.open(staging.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                throw new IllegalStateException("cannot lock a new work folder under " + root);
            }
            Path dir = Files.move(staging, root.resolve("w-" + id), StandardCopyOption.ATOMIC_MOVE);
            HELD.add(dir.toAbsolutePath().normalize());
            WorkArea area = new WorkArea(root, dir, channel, lock);
            area.purgeAbandoned();
            return area;
        } catch (IOException e) {
            throw new IllegalStateException("cannot prepare the work folder under " + root + ": " + e.getMessage(), e);
        }
    }

    public Path dir() {
        return dir;
    }

    /**
     * Deletes every folder beside this one whose owner is gone.
     *
     * @return how many were deleted
     */
    public int purgeAbandoned() {
        int purged = 0;
        try (DirectoryStream<Path> children = Files.newDirectoryStream(root)) {
            for (Path child : children) {
                // a folder being claimed holds nothing yet, and its lock may not be taken yet
                if (Files.isDirectory(child)
                        && !child.getFileName().toString().startsWith(CLAIMING)
                        && !ownedByALiveProcess(child)) {
                    StageRunner.deleteTree(child);
                    purged++;
                }
            }
        } catch (IOException e) {
            // the next sweep tries again; the attempt itself does not depend on it
            log.warn(
                    "could not sweep the work folders under {}: {}",
                    root,
                    e.getClass().getSimpleName());
        }
        if (purged > 0) {
            log.info("removed {} work folder(s) left by stage attempts of processes that ended abruptly", purged);
        }
        return purged;
    }

    private static boolean ownedByALiveProcess(Path child) {
        if (HELD.contains(child.toAbsolutePath().normalize())) {
            return true; // this process holds it (this runner, or another in the same JVM)
        }
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
