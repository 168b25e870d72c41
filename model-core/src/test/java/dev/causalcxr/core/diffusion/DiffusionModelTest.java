package dev.causalcxr.core.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.causalcxr.core.engine.Engines;
import dev.causalcxr.core.stage.RecordingStageContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One tiny model trained on toy clusters, shared by the sampling tests. */
class DiffusionModelTest {
    static final int DIM = 8;
    static ToyCodes toy;
    static DiffusionTraining.Result result;
    static DiffusionModel model;
    static RecordingStageContext ctx;

    @BeforeAll
    static void train(@TempDir Path dir) {
        SingleThreadedEngine.request();
        toy = new ToyCodes(DIM, 100, 3);
        ctx = new RecordingStageContext(dir, 5);
        result = DiffusionTraining.runWithConditions(ToyCodes.tinyConfig(DIM, 600), toy.codes, toy.conditions, ctx);
        model = DiffusionModel.load(ctx.output(DiffusionTraining.OUTPUT_MODEL));
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    @Test
    void trainingLowersTheLossAndReportsProgress() {
        var losses = result.intervalLoss();
        assertEquals(12, losses.size());
        double first = losses.get(0);
        double last = (losses.get(10) + losses.get(11)) / 2;
        assertTrue(last < 0.6 * first, "loss " + first + " -> " + last + " " + losses);
        assertTrue(
                ctx.metricSteps("diffusion_loss").contains(600L),
                ctx.metricTrail().toString());
        assertEquals(1.0, ctx.lastProgress());
        // every step heartbeats: one progress call per step, and the final one
        assertEquals(601, ctx.progressFractions().size());
        assertEquals(600, model.trainedSteps());
    }

    @Test
    void conditionalSamplesLandNearTheirClassCluster() {
        for (int c = 0; c < ToyCodes.CLASSES.size(); c++) {
            float[][] samples = model.sample(Condition.of(ToyCodes.CLASSES.get(c)), 30, 100 + c, 2f, 25, 0f);
            int hits = 0;
            double own = 0;
            double other = 0;
            for (float[] s : samples) {
                hits += toy.nearest(s) == c ? 1 : 0;
                own += ToyCodes.distance(s, toy.centres[c]);
                other += ToyCodes.distance(s, toy.centres[(c + 1) % 3]);
            }
            assertTrue(hits >= 27, ToyCodes.CLASSES.get(c) + ": " + hits + "/30 nearest their own cluster");
            assertTrue(own < 0.5 * other, "own " + own / 30 + " other " + other / 30);
        }
    }

    @Test
    void unconditionalSamplesSpreadLikeTheData() {
        double data = DiffusionMetrics.diversity(toy.codes);
        double samples = DiffusionMetrics.diversity(model.sample(Condition.NULL, 60, 1, 0f, 25, 0f));
        assertTrue(Math.abs(samples - data) < 0.3 * data, "diversity of samples " + samples + ", of data " + data);
    }

    @Test
    void samplingIsDeterministicFromTheSeed() {
        Condition c = Condition.parse("moderate right pleural effusion");
        float[][] a = model.sample(c, 4, 42, 2f, 20, 0f);
        float[][] b = model.sample(c, 4, 42, 2f, 20, 0f);
        float[][] other = model.sample(c, 4, 43, 2f, 20, 0f);
        assertTrue(Arrays.deepEquals(a, b));
        assertFalse(Arrays.deepEquals(a, other));
    }

    @Test
    void guidanceChangesTheOutputWithTheConditionAndZeroIsUnconditional() {
        float[][] effusion = model.sample(Condition.of(ToyCodes.CLASSES.get(0)), 4, 7, 3f, 20, 0f);
        float[][] pneumothorax = model.sample(Condition.of(ToyCodes.CLASSES.get(1)), 4, 7, 3f, 20, 0f);
        assertTrue(meanDistance(effusion, pneumothorax) > 1.0, "different conditions, same noise: different codes");
        float[][] guidedZero = model.sample(Condition.of(ToyCodes.CLASSES.get(0)), 4, 7, 0f, 20, 0f);
        float[][] unconditional = model.sample(Condition.NULL, 4, 7, 5f, 20, 0f);
        assertTrue(Arrays.deepEquals(guidedZero, unconditional), "g = 0 is the unconditional model");
        float[][] weak = model.sample(Condition.of(ToyCodes.CLASSES.get(0)), 4, 7, 1f, 20, 0f);
        assertFalse(Arrays.deepEquals(weak, effusion), "the guidance scale matters");
    }

    @Test
    void etaZeroIsDeterministicGivenTheNoiseAndEtaPositiveDependsOnTheSeed() {
        float[][] xT = new float[3][DIM];
        for (int i = 0; i < 3; i++) {
            for (int k = 0; k < DIM; k++) {
                xT[i][k] = (float) Math.sin(i * 7 + k);
            }
        }
        Condition c = Condition.of(ToyCodes.CLASSES.get(2));
        assertTrue(Arrays.deepEquals(model.sample(c, 3, 1, 2f, 10, 0f, xT), model.sample(c, 3, 2, 2f, 10, 0f, xT)));
        float[][] s1 = model.sample(c, 3, 1, 2f, 10, 1f, xT);
        assertTrue(Arrays.deepEquals(s1, model.sample(c, 3, 1, 2f, 10, 1f, xT)));
        assertFalse(Arrays.deepEquals(s1, model.sample(c, 3, 2, 2f, 10, 1f, xT)));
    }

    @Test
    void savedAndLoadedModelsSampleTheSame(@TempDir Path dir) {
        Path copy = dir.resolve("copy.bin");
        model.save(copy);
        try (DiffusionModel again = DiffusionModel.load(copy)) {
            Condition c = Condition.of(ToyCodes.CLASSES.get(1));
            assertTrue(Arrays.deepEquals(model.sample(c, 3, 9, 2f, 10, 0f), again.sample(c, 3, 9, 2f, 10, 0f)));
            assertEquals(model.config(), again.config());
        }
    }

    @Test
    void gradientsReachTheInitialNoiseThroughDeterministicSteps() {
        try (NDManager m = Engines.pytorch().newBaseManager()) {
            NDArray xT = m.create(new float[2 * DIM], new Shape(2, DIM));
            xT.setRequiresGradient(true);
            try (GradientCollector gc = Engines.pytorch().newGradientCollector()) {
                NDArray z = model.denoise(xT, Condition.of(ToyCodes.CLASSES.get(0)), new SamplerConfig(4, 0f, 2f), 0);
                gc.backward(z.sum());
            }
            float[] grad = xT.getGradient().toFloatArray();
            double norm = 0;
            for (float g : grad) {
                assertTrue(Float.isFinite(g));
                norm += g * g;
            }
            assertTrue(norm > 1e-6, "gradient norm " + norm);
        }
    }

    @Test
    void badRequestsGiveClearErrors(@TempDir Path dir) throws Exception {
        Condition c = Condition.of(ToyCodes.CLASSES.get(0));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> model.sample(c, 2, 1, 2f, 500, 0f))
                .getMessage()
                .contains("exceed the model"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> model.sample(c, 2, 1, -1f, 10, 0f))
                .getMessage()
                .contains("guidance"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> model.sample(c, 0, 1, 2f, 10, 0f))
                .getMessage()
                .contains("number of samples"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class, () -> model.sample(c, 1, 1, 2f, 10, 0f, new float[][] {{1f}}))
                .getMessage()
                .contains("z_path has " + DIM));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> model.sample(Condition.parse("rib fracture"), 2, 1, 2f, 10, 0f))
                .getMessage()
                .contains("trained on no study with Fracture"));
        assertEquals(100, model.trainingFindingCounts().get(ToyCodes.CLASSES.get(0)));
        Path junk = Files.writeString(dir.resolve("junk.bin"), "not a model");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DiffusionModel.load(junk))
                .getMessage()
                .contains("not a tensor archive"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DiffusionModel.load(dir.resolve("missing.bin")))
                .getMessage()
                .contains("no such"));
    }

    @Test
    void guidanceTradeoffIsMeasuredAndPlotted(@TempDir Path dir) throws Exception {
        try (NDManager m = Engines.pytorch().newBaseManager();
                MlpPathologyScorer scorer =
                        MlpPathologyScorer.train(m, toy.codes, toy.conditions, 32, 300, 64, 1e-2f, 9)) {
            var points = DiffusionMetrics.guidanceTradeoff(
                    model,
                    scorer,
                    Condition.of(ToyCodes.CLASSES.get(1)),
                    ToyCodes.CLASSES.get(1),
                    java.util.List.of(0f, 1f, 3f),
                    24,
                    5,
                    20,
                    0f);
            assertEquals(3, points.size());
            assertTrue(points.get(2).effectiveness() > points.get(0).effectiveness() + 0.3, points.toString());
            assertTrue(points.get(2).diversity() < points.get(0).diversity(), points.toString());
            RecordingStageContext stage = new RecordingStageContext(dir, 1);
            DiffusionMetrics.publishTradeoff(stage, "guidance-tradeoff-pneumothorax", "Pneumothorax", points);
            assertTrue(Files.size(stage.artifact("guidance-tradeoff-pneumothorax.png")) > 1000);
            assertEquals(
                    4,
                    Files.readAllLines(stage.artifact("guidance-tradeoff-pneumothorax.csv"))
                            .size());
        }
    }

    static double meanDistance(float[][] a, float[][] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += ToyCodes.distance(a[i], b[i]);
        }
        return s / a.length;
    }
}
