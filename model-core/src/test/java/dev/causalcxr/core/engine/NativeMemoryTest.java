package dev.causalcxr.core.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class NativeMemoryTest {

    @Test
    void aFreedTensorsMemoryIsReusedWithoutPageFaultingItInAgain() throws IOException {
        assumeTrue(Files.exists(Path.of("/proc/self/stat")), "Linux only");
        assumeTrue(
                NativeMemory.USER_SETTINGS.stream().allMatch(v -> System.getenv(v) == null),
                "the user's own glibc settings take precedence");
        Engines.pytorch();
        assertTrue(NativeMemory.tune(), "mallopt was not applied");

        // one activation of the quick disentangler's decoder: 48 × 32 × 64 × 64 floats, 25 MB
        Shape activation = new Shape(48, 32, 64, 64);
        long pages = activation.size() * Float.BYTES / 4096;
        int rounds = 20;
        try (NDManager m = NDManager.newBaseManager(Engines.PYTORCH)) {
            for (int i = 0; i < 2 * rounds; i++) {
                touchAndFree(m, activation); // the heap grows to its working size
            }
            long before = minorFaults();
            for (int i = 0; i < rounds; i++) {
                touchAndFree(m, activation);
            }
            long faults = minorFaults() - before;
            // with glibc's defaults freed blocks keep going back to the kernel: thousands of faults a round
            assertTrue(faults < pages, faults + " page faults for " + rounds + " tensors of " + pages + " pages");
        }
    }

    private static void touchAndFree(NDManager parent, Shape shape) {
        try (NDManager step = parent.newSubManager()) {
            NDArray a = step.ones(shape);
            a.sum().getFloat();
        }
    }

    /** Minor page faults of this process so far (field 10 of /proc/self/stat). */
    private static long minorFaults() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[7]);
    }
}
