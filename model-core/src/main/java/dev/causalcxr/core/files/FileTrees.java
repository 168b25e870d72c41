package dev.causalcxr.core.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Whole folders on the local disk: staging areas, work folders, unpacked bundles. */
public final class FileTrees {

    private FileTrees() {}

    /** Deletes {@code root} and everything below it, deepest first; nothing to do when it is missing. */
    public static void delete(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
