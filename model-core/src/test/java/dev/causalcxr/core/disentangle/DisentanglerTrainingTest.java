package dev.causalcxr.core.disentangle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DisentanglerTrainingTest {

    @TempDir
    Path dir;

    private static float[] parameters(DisentanglerModel model) {
        List<float[]> all = model.parameters().stream().map(p -> p.getValue().getArray().toFloatArray()).toList();
        int n = all.stream().mapToInt(a -> a.length).sum();
        float[] flat = new float[n];
        int at = 0;
        for (float[] a : all) {
            System.arraycopy(a, 0, flat, at, a.length);
            at += a.length;
        }
        return flat;
    }

    @Test
    void resumingFromACheckpointContinuesTheSameTrajectory() throws Exception {
        DisentanglerDataset data = TinyData.small();
        DisentanglerConfig cfg = DisentanglerConfig.tiny().withSteps(6).withCheckpointInterval(3);
        float[] straight;
        InMemoryStageContext first = new InMemoryStageContext(1, dir.resolve("a"));
        try (DisentanglerModel model = DisentanglerModel.create(cfg, data.vocabulary(), data.size());
             DisentanglerTrainer trainer = new DisentanglerTrainer(model, data, first, "main", 0, "")) {
            trainer.train();
            straight = parameters(model);
        }
        assertEquals(List.of(3L, 6L), first.checkpoints.stream().map(c -> c.step()).toList());

        InMemoryStageContext second = new InMemoryStageContext(1, dir.resolve("b"));
        second.resumeFrom = first.checkpoints.get(0);
        float[] resumed;
        try (DisentanglerModel model = DisentanglerModel.create(cfg.withSeed(cfg.seed()), data.vocabulary(),
                data.size());
             DisentanglerTrainer trainer = new DisentanglerTrainer(model, data, second, "main", 0, "")) {
            trainer.restore(second.latestCheckpoint().orElseThrow().file());
            assertEquals(3, trainer.step());
            trainer.train();
            resumed = parameters(model);
        }
        assertEquals(straight.length, resumed.length);
        double maxDiff = 0;
        for (int i = 0; i < straight.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(straight[i] - resumed[i]));
        }
        assertTrue(maxDiff <= 1e-5, "resumed parameters differ by " + maxDiff);
    }

    @Test
    void divergenceStopsTrainingAndKeepsTheLastGoodCheckpoint() throws Exception {
        DisentanglerDataset data = TinyData.small();
        // a huge step size blows the losses up within a few steps; a short window arms the check early
        DisentanglerConfig cfg = DisentanglerConfig.tiny().withSteps(40).withCheckpointInterval(1)
                .withLearningRate(50).withDivergence(3, 2);
        InMemoryStageContext ctx = new InMemoryStageContext(1, dir);
        try (DisentanglerModel model = DisentanglerModel.create(cfg, data.vocabulary(), data.size());
             DisentanglerTrainer trainer = new DisentanglerTrainer(model, data, ctx, "main", 0, "")) {
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class, trainer::train);
            assertTrue(e.getMessage().contains("diverged"), e.getMessage());
            assertEquals(e.step() - 1, e.lastCheckpointStep());
            assertEquals(e.step() - 1, ctx.latestCheckpoint().orElseThrow().step());
            assertEquals(e.step() - 1, trainer.step());
            assertEquals("main", DisentanglerTrainer.readHeader(ctx.latestCheckpoint().orElseThrow().file()).phase());
        }
    }
}
