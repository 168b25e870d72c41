package dev.causalcxr.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import org.junit.jupiter.api.Test;

class DjlOfflineTest {

    @Test
    void pytorchLoadsFromTheNativeJarWithoutNetworkAndTrains() {
        assertEquals("true", System.getProperty("ai.djl.offline"), "tests run with downloads forbidden");
        // PYTORCH_VERSION / PYTORCH_FLAVOR overrides make DJL download a libtorch: never set them
        assertTrue(
                System.getenv("PYTORCH_VERSION") == null && System.getenv("PYTORCH_FLAVOR") == null,
                "PYTORCH_VERSION/PYTORCH_FLAVOR are set: DJL would try to download libtorch");
        assertEquals("PyTorch", Engines.seeded(7).getEngineName());
        assertTrue(
                Engines.pytorch().getVersion().startsWith("2.7.1"),
                Engines.pytorch().getVersion());

        float first;
        float last = Float.NaN;
        try (Model model = Model.newInstance("tiny", Engines.PYTORCH)) {
            model.setBlock(
                    new SequentialBlock().add(Linear.builder().setUnits(1).build()));
            DefaultTrainingConfig cfg = new DefaultTrainingConfig(Loss.l2Loss())
                    .optOptimizer(Optimizer.adam()
                            .optLearningRateTracker(Tracker.fixed(0.05f))
                            .build());
            try (Trainer trainer = model.newTrainer(cfg);
                    NDManager m = NDManager.newBaseManager()) {
                trainer.initialize(new Shape(8, 3));
                NDArray x = m.randomNormal(new Shape(8, 3));
                NDArray y = x.matMul(m.create(new float[] {1f, -2f, 0.5f}, new Shape(3, 1)))
                        .add(0.3f);
                first = step(trainer, x, y);
                for (int i = 0; i < 50; i++) {
                    last = step(trainer, x, y);
                }
            }
        }
        assertTrue(last < first * 0.5f, "a training step lowers the loss: " + first + " -> " + last);
    }

    private static float step(Trainer trainer, NDArray x, NDArray y) {
        try (GradientCollector gc = trainer.newGradientCollector()) {
            NDArray pred = trainer.forward(new NDList(x)).singletonOrThrow();
            NDArray loss = trainer.getLoss().evaluate(new NDList(y), new NDList(pred));
            gc.backward(loss);
            trainer.step();
            return loss.getFloat();
        }
    }

    @Test
    void unknownDeviceNamesAreRefusedClearly() {
        assertEquals("cpu()", Engines.device("cpu").toString());
        assertThrows(IllegalArgumentException.class, () -> Engines.device("tpu"));
    }

    @Test
    void aMalformedGpuIndexIsRefusedWithTheFormsTheEngineAccepts() {
        for (String name : new String[] {"gpu:x", "gpu:", "gpu:-1"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Engines.device(name));
            assertEquals("device must be cpu, gpu or gpu:N, not " + name, e.getMessage());
        }
        assertEquals(-1, DeviceName.gpuIndex(" CPU "));
        assertEquals(3, DeviceName.gpuIndex("GPU:3"));
    }
}
