package dev.causalcxr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.causalcxr.core.engine.Engines;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private int cli(String... args) {
        out.reset();
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        PrintStream capture = new PrintStream(out, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        System.setErr(capture);
        try {
            return Main.execute(args);
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
    }

    @Test
    void aWorkerAskedForTheGpuQueueRefusesAMachineWithoutCudaUnlessAllowedToTrainOnTheCpu(@TempDir Path dir) {
        assumeTrue(Engines.gpuCount() == 0, "this machine has CUDA: the refusal cannot happen here");
        assertEquals(2, cli("worker", "--queues", "gpu", "--data-dir", dir.toString()));
        String refused = out.toString(StandardCharsets.UTF_8);
        assertTrue(refused.contains("no CUDA device") && refused.contains("--allow-cpu"), refused);
        assertFalse(refused.contains("joins shared services"), "refused before anything else: " + refused);

        // allowed, or not asked for explicitly: it goes on (here to the next check, the services to join)
        assertEquals(2, cli("worker", "--queues", "gpu", "--allow-cpu", "--data-dir", dir.toString()));
        String allowed = out.toString(StandardCharsets.UTF_8);
        assertTrue(allowed.contains("train on the CPU") && allowed.contains("joins shared services"), allowed);
        assertEquals(2, cli("worker", "--queues", "cpu", "--data-dir", dir.toString()));
        assertFalse(out.toString(StandardCharsets.UTF_8).contains("CUDA"), out.toString(StandardCharsets.UTF_8));
    }
}
