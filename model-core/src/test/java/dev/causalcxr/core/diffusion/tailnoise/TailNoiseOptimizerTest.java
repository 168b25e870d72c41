package dev.causalcxr.core.diffusion.tailnoise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.causalcxr.core.diffusion.DiffusionModel;
import dev.causalcxr.core.diffusion.DiffusionTraining;
import dev.causalcxr.core.diffusion.MlpPathologyScorer;
import dev.causalcxr.core.diffusion.SingleThreadedEngine;
import dev.causalcxr.core.diffusion.ToyCodes;
import dev.causalcxr.core.engine.Engines;
import dev.causalcxr.core.engine.GarbageCollectionPressure;
import dev.causalcxr.core.engine.LiveArrays;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.stage.RecordingStageContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TailNoiseOptimizerTest {
    static final int DIM = 8;
    static NDManager manager;
    static DiffusionModel model;
    static MlpPathologyScorer scorer;

    @BeforeAll
    static void trainToyModelAndScorer(@TempDir Path dir) {
        SingleThreadedEngine.request();
        ToyCodes toy = new ToyCodes(DIM, 60, 4);
        RecordingStageContext ctx = new RecordingStageContext(dir, 2);
        DiffusionTraining.runWithConditions(ToyCodes.tinyConfig(DIM, 400), toy.codes, toy.conditions, ctx);
        model = DiffusionModel.load(ctx.output(DiffusionTraining.OUTPUT_MODEL));
        manager = Engines.pytorch().newBaseManager();
        scorer = MlpPathologyScorer.train(manager, toy.codes, toy.conditions, 32, 300, 64, 1e-2f, 9);
    }

    @AfterAll
    static void close() {
        scorer.close();
        manager.close();
        model.close();
    }

    /** Unconditional steps (g = 0): only the noise prior can steer the sampler towards the class. */
    static TailNoiseConfig toyConfig(int iterations, float kl, float diversity) {
        return new TailNoiseConfig(4, 0f, iterations, 16, 0.05f, kl, diversity, 48, 0);
    }

    @Test
    void theOptimizationLowersItsObjectiveAndRaisesTheClassProbability() {
        TailNoiseOptimizer.Result r =
                TailNoiseOptimizer.optimize(model, scorer, Finding.PNEUMOTHORAX, toyConfig(60, 0.1f, 0.05f), 5);
        assertTrue(r.after().objective() < r.before().objective() - 0.2, r.before() + " -> " + r.after());
        assertTrue(r.after().effectiveness() > r.before().effectiveness() + 0.2, r.before() + " -> " + r.after());
        assertTrue(r.after().diversity() > 0.05 * r.before().diversity(), "no collapse: " + r.after());
        assertEquals(60, r.history().size());
    }

    @Test
    void iterationsLeaveNoArraysAliveInTheModelTheScorerOrAnywhereElse() {
        int before = LiveArrays.count();
        TailNoiseOptimizer.optimize(model, scorer, Finding.PNEUMOTHORAX, toyConfig(2, 0.1f, 0.05f), 5);
        assertEquals(before, LiveArrays.count(), "arrays alive after 2 iterations");
        TailNoiseOptimizer.optimize(model, scorer, Finding.PNEUMOTHORAX, toyConfig(12, 0.1f, 0.05f), 5);
        assertEquals(before, LiveArrays.count(), "arrays alive after 12 iterations");
    }

    @Test
    void aLargeKlWeightKeepsThePriorNearTheStandardNormal() {
        TailNoiseOptimizer.Result free =
                TailNoiseOptimizer.optimize(model, scorer, Finding.PNEUMOTHORAX, toyConfig(40, 0f, 0.05f), 5);
        TailNoiseOptimizer.Result tied =
                TailNoiseOptimizer.optimize(model, scorer, Finding.PNEUMOTHORAX, toyConfig(40, 1000f, 0.05f), 5);
        assertTrue(
                free.prior().klToStandard() > 0.5,
                "without KL the prior moves: " + free.prior().klToStandard());
        assertTrue(
                tied.prior().klToStandard() < 0.02,
                "with a large KL weight it stays: " + tied.prior().klToStandard());
        for (int k = 0; k < DIM; k++) {
            assertEquals(0f, tied.prior().mean()[k], 0.1f);
            assertEquals(0f, tied.prior().logScale()[k], 0.1f);
        }
    }

    @Test
    void theStageFormResumesFromItsCheckpointAndPublishesThePrior(@TempDir Path dir) throws Exception {
        TailNoiseConfig config = new TailNoiseConfig(3, 0f, 12, 8, 0.05f, 0.1f, 0.05f, 16, 5);
        RecordingStageContext straight = new RecordingStageContext(Files.createDirectories(dir.resolve("a")), 21);
        TailNoiseOptimizer.Result a = TailNoiseOptimizer.run(model, scorer, Finding.CARDIOMEGALY, config, straight);

        RecordingStageContext interrupted = new RecordingStageContext(Files.createDirectories(dir.resolve("b")), 21);
        interrupted.cancelAfterCheckpoints(1);
        assertThrows(
                CancellationException.class,
                () -> TailNoiseOptimizer.run(model, scorer, Finding.CARDIOMEGALY, config, interrupted));
        RecordingStageContext retry = new RecordingStageContext(Files.createDirectories(dir.resolve("c")), 21);
        retry.resumeFrom(interrupted.savedCheckpoints().get(0));
        TailNoiseOptimizer.Result b = TailNoiseOptimizer.run(model, scorer, Finding.CARDIOMEGALY, config, retry);

        assertEquals(5, b.resumedFrom());
        assertArrayEquals(a.prior().mean(), b.prior().mean(), 0f);
        assertArrayEquals(a.prior().logScale(), b.prior().logScale(), 0f);
        NoisePrior loaded = NoisePrior.load(retry.output(TailNoiseOptimizer.OUTPUT_PRIOR));
        assertArrayEquals(b.prior().mean(), loaded.mean(), 0f);
        assertEquals(Finding.CARDIOMEGALY, loaded.finding());
        // sampling for the class starts from the prior
        float[][] xT = loaded.sample(4, 3);
        assertEquals(
                4,
                model.sample(
                                dev.causalcxr.core.diffusion.Condition.of(Finding.CARDIOMEGALY),
                                4,
                                3,
                                config.sampler().withGuidance(2f),
                                xT)
                        .length);
    }

    /**
     * Regression: DJL's number overloads (mul(Number), ...) free their scalar while autograd still
     * holds it; under GC pressure backward then read freed memory (NaN objectives, different priors).
     */
    @Test
    void gradientsStayExactUnderGarbageCollectionPressure() throws Exception {
        TailNoiseConfig config = toyConfig(10, 0.1f, 0.05f);
        TailNoiseOptimizer.Result quiet = TailNoiseOptimizer.optimize(model, scorer, Finding.CARDIOMEGALY, config, 8);
        try (GarbageCollectionPressure pressure = GarbageCollectionPressure.start()) {
            for (int i = 0; i < 2; i++) {
                TailNoiseOptimizer.Result pressured =
                        TailNoiseOptimizer.optimize(model, scorer, Finding.CARDIOMEGALY, config, 8);
                assertArrayEquals(quiet.prior().mean(), pressured.prior().mean(), 0f);
                assertArrayEquals(quiet.prior().logScale(), pressured.prior().logScale(), 0f);
            }
        }
    }

    @Test
    void aClassTheScorerDoesNotKnowIsAClearError() {
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> TailNoiseOptimizer.optimize(
                                model,
                                new dev.causalcxr.core.diffusion.PathologyScorer() {
                                    @Override
                                    public java.util.List<Finding> findings() {
                                        return java.util.List.of(Finding.EDEMA);
                                    }

                                    @Override
                                    public ai.djl.ndarray.NDArray logits(ai.djl.ndarray.NDArray zPath) {
                                        return zPath;
                                    }

                                    @Override
                                    public ai.djl.Device device() {
                                        return model.device();
                                    }
                                },
                                Finding.PNEUMOTHORAX,
                                toyConfig(1, 0f, 0f),
                                1))
                .getMessage()
                .contains("does not predict Pneumothorax"));
    }
}
