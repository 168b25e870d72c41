package dev.causalcxr.core.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.core.stage.RecordingStageContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointResumeTest {

    @BeforeAll
    static void oneThread() {
        SingleThreadedEngine.request();
    }

    @Test
    void resumingFromACheckpointEqualsAnUninterruptedRun(@TempDir Path dir) throws Exception {
        ToyCodes toy = new ToyCodes(6, 20, 1);
        DiffusionConfig config = new DiffusionConfig(6, 32, 2, 8, 50, 40, 16, 3e-3f, 0.2f, null, 15, 5, "cpu");

        RecordingStageContext straight = new RecordingStageContext(Files.createDirectories(dir.resolve("a")), 77);
        DiffusionTraining.runWithConditions(config, toy.codes, toy.conditions, straight);
        // every 15 steps, and the last step's (what a retrain warm-starts from)
        assertEquals(
                List.of(15L, 30L, 40L),
                straight.savedCheckpoints().stream().map(c -> c.step()).toList());

        // an attempt that dies right after its first checkpoint ...
        RecordingStageContext interrupted = new RecordingStageContext(Files.createDirectories(dir.resolve("b")), 77);
        interrupted.cancelAfterCheckpoints(1);
        assertThrows(
                CancellationException.class,
                () -> DiffusionTraining.runWithConditions(config, toy.codes, toy.conditions, interrupted));
        assertEquals(15, interrupted.savedCheckpoints().get(0).step());

        // ... and the retry that picks its checkpoint up
        RecordingStageContext retry = new RecordingStageContext(Files.createDirectories(dir.resolve("c")), 77);
        retry.resumeFrom(interrupted.savedCheckpoints().get(0));
        DiffusionTraining.Result resumed =
                DiffusionTraining.runWithConditions(config, toy.codes, toy.conditions, retry);
        assertEquals(15, resumed.resumedFrom());

        TensorArchive a = TensorArchive.read(straight.output(DiffusionTraining.OUTPUT_MODEL));
        TensorArchive b = TensorArchive.read(retry.output(DiffusionTraining.OUTPUT_MODEL));
        assertEquals(a.tensors().keySet(), b.tensors().keySet());
        for (String name : a.tensors().keySet()) {
            assertArrayEquals(
                    a.tensors().get(name).values(), b.tensors().get(name).values(), 0f, name);
        }
        // the losses logged after the resume point are the uninterrupted run's
        assertEquals(straight.metricTrail().subList(3, 8), retry.metricTrail().subList(0, 5));
    }

    @Test
    void trainingOnAThreadOtherThanTheOneThatLoadedTheEngineIsTheSame(@TempDir Path dir) throws Exception {
        ToyCodes toy = new ToyCodes(6, 10, 1);
        DiffusionConfig config = new DiffusionConfig(6, 32, 2, 8, 50, 12, 16, 3e-3f, 0.2f, 3L, 100, 5, "cpu");
        RecordingStageContext here = new RecordingStageContext(Files.createDirectories(dir.resolve("a")), 5);
        DiffusionTraining.runWithConditions(config, toy.codes, toy.conditions, here);
        // a new thread starts with libtorch's grad mode on (activities run on worker threads like it)
        RecordingStageContext there = new RecordingStageContext(Files.createDirectories(dir.resolve("b")), 5);
        Throwable[] failure = new Throwable[1];
        Thread worker = new Thread(() -> {
            try {
                DiffusionTraining.runWithConditions(config, toy.codes, toy.conditions, there);
            } catch (Throwable t) {
                failure[0] = t;
            }
        });
        worker.start();
        worker.join();
        if (failure[0] != null) {
            throw new AssertionError("training on a fresh thread failed", failure[0]);
        }
        TensorArchive a = TensorArchive.read(here.output(DiffusionTraining.OUTPUT_MODEL));
        TensorArchive b = TensorArchive.read(there.output(DiffusionTraining.OUTPUT_MODEL));
        for (String name : a.tensors().keySet()) {
            assertArrayEquals(
                    a.tensors().get(name).values(), b.tensors().get(name).values(), 0f, name);
        }
    }

    @Test
    void aCheckpointOfAnotherConfigurationIsRefused(@TempDir Path dir) throws Exception {
        ToyCodes toy = new ToyCodes(6, 10, 1);
        DiffusionConfig config = new DiffusionConfig(6, 32, 2, 8, 50, 20, 16, 3e-3f, 0.2f, 3L, 10, 5, "cpu");
        RecordingStageContext first = new RecordingStageContext(Files.createDirectories(dir.resolve("a")), 1);
        DiffusionTraining.runWithConditions(config, toy.codes, toy.conditions, first);
        RecordingStageContext other = new RecordingStageContext(Files.createDirectories(dir.resolve("b")), 1);
        other.resumeFrom(first.savedCheckpoints().get(0));
        DiffusionConfig wider = new DiffusionConfig(6, 48, 2, 8, 50, 20, 16, 3e-3f, 0.2f, 3L, 10, 5, "cpu");
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> DiffusionTraining.runWithConditions(wider, toy.codes, toy.conditions, other))
                .getMessage()
                .contains("another configuration"));
    }
}
