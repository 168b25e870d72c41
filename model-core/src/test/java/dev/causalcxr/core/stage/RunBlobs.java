package dev.causalcxr.core.stage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * A finished run's blobs as the embedded stack keeps them ({@code DATA_DIR/s3/causalcxr/sha256}, named by digest), for
 * the bench tools that read a run's outputs back: the blob of a kind is the one its reader opens.
 */
public final class RunBlobs {

    /** Blobs larger than this are image sets, not models or codes, and are not tried. */
    private static final long LARGEST_TRIED = 200_000_000L;

    /** Opens a blob as one kind of output; throws for any other kind. */
    @FunctionalInterface
    public interface Reader {
        void read(Path blob) throws Exception;
    }

    private RunBlobs() {}

    /** The first blob, in name order, that {@code reader} opens, or null where none does. */
    public static Path first(Path blobDir, Reader reader) throws IOException {
        try (Stream<Path> blobs = Files.list(blobDir)) {
            for (Path blob : blobs.sorted().toList()) {
                if (Files.size(blob) > LARGEST_TRIED) {
                    continue;
                }
                try {
                    reader.read(blob);
                    return blob;
                } catch (Exception | Error anotherKind) {
                    // another kind of blob
                }
            }
        }
        return null;
    }

    /**
     * The blob named by the system property {@code property} (a digest, for a folder that holds several outputs of the
     * kind), else the {@link #first} that {@code reader} opens.
     *
     * @throws IllegalArgumentException where there is none
     */
    public static Path named(Path blobDir, String property, Reader reader) throws IOException {
        String digest = System.getProperty(property);
        Path blob = digest != null ? blobDir.resolve(digest) : first(blobDir, reader);
        if (blob == null || !Files.isRegularFile(blob)) {
            throw new IllegalArgumentException("no " + property + " among the blobs of " + blobDir
                    + (digest != null ? " (-D" + property + "=" + digest + ")" : ""));
        }
        return blob;
    }
}
