package dev.causalcxr.core.files;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTreesTest {

    @Test
    void deletingAFolderRemovesEverythingBelowItAndLeavesItsNeighbours(@TempDir Path dir) throws Exception {
        Path root = Files.createDirectories(dir.resolve("root/a/b"));
        Files.writeString(root.resolve("deep.txt"), "x");
        Files.writeString(dir.resolve("root/top.txt"), "y");
        Files.createDirectories(dir.resolve("root/empty"));
        Path neighbour = Files.writeString(dir.resolve("neighbour.txt"), "z");

        FileTrees.delete(dir.resolve("root"));

        assertFalse(Files.exists(dir.resolve("root")));
        assertTrue(Files.exists(neighbour));
        FileTrees.delete(dir.resolve("root")); // already gone: nothing to do
        FileTrees.delete(neighbour); // a plain file is a tree of one
        assertFalse(Files.exists(neighbour));
    }
}
