package dev.causalcxr.core.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The site-local log: the full detail of errors and import problems (source paths, file names, exception
 * messages and stack traces) that must not cross a process boundary. What does cross — the journal,
 * MLflow's {@code causalcxr.error} tag, Temporal failure messages, the console — carries a category, a
 * count and the reference under which the detail is found here.
 *
 * <p>It lives in the data folder ({@value #RELATIVE_PATH}), readable by its owner only (file 0600, folder
 * 0700, set again on every write in case someone widened them); several processes may append at once
 * (an exclusive file lock per record).
 */
public final class SiteLog {
    public static final String RELATIVE_PATH = "logs/site-detail.log";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");

    private final Path file;

    private SiteLog(Path file) {
        this.file = file;
    }

    /** The site log of the data folder {@code dataDir}. */
    public static SiteLog inDataDir(Path dataDir) {
        return new SiteLog(dataDir.toAbsolutePath().normalize().resolve(RELATIVE_PATH));
    }

    public Path file() {
        return file;
    }

    /** A fresh reference for one failure: {@code E} + 12 hex digits, random (it says nothing about the data). */
    public static String newReference() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        return "E" + HexFormat.of().formatHex(b);
    }

    /** Appends one record: a time-stamped header line, then {@code lines} indented. */
    public void append(String header, List<String> lines) {
        StringBuilder text = new StringBuilder();
        text.append(Instant.now()).append(' ').append(header).append('\n');
        for (String l : lines) {
            text.append("    ").append(l.replace("\n", "\n    ")).append('\n');
        }
        try {
            Path dir = file.getParent();
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
            }
            Files.setPosixFilePermissions(dir, DIR_MODE);
            if (!Files.exists(file)) {
                try {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE_MODE));
                } catch (java.nio.file.FileAlreadyExistsException raced) {
                    // another process created it first
                }
            }
            Files.setPosixFilePermissions(file, FILE_MODE);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
                    FileLock ignored = ch.lock()) {
                ByteBuffer buf = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
        } catch (IOException e) {
            // the message of this failure names only the log file, never the detail
            throw new UncheckedIOException("cannot write the site log " + file, e);
        }
    }
}
