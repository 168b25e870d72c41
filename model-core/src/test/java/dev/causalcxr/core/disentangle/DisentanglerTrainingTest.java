package dev.causalcxr.core.disentangle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import dev.causalcxr.core.engine.ArrayValues;
import dev.causalcxr.core.stage.RecordingStageContext;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DisentanglerTrainingTest {

    @TempDir
    Path dir;

    private static float[] parameters(DisentanglerModel model) {
        List<float[]> all = model.parameters().stream()
                .map(p -> p.getValue().getArray().toFloatArray())
                .toList();
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
        resumeMatches(DisentanglerConfig.tiny().withSteps(6).withCheckpointInterval(3));
    }

    @Test
    void resumingWithTheQuickProfilesTermsAndScheduleContinuesTheSameTrajectory() throws Exception {
        resumeMatches(DisentanglerConfig.tiny()
                .withSteps(6)
                .withCheckpointInterval(3)
                .withCycle(3, 1.0, 0.5)
                .withSpatialProbe(true)
                .withPathologyEncoder(true)
                .withLearningRateSchedule(DisentanglerConfig.COSINE));
    }

    @Test
    void rareFindingsPositivesWeighUpToTheCapAndTheWeightedLossIsThePlainOneWithoutIt() {
        // column 0: 1 positive of 10; column 1: 5 of 10; column 2: none
        float[][] targets = new float[10][3];
        targets[0][0] = 1f;
        for (int i = 0; i < 5; i++) {
            targets[i][1] = 1f;
        }
        assertArrayEqualsF(new float[] {9f, 1f, 1f}, DisentanglerTrainer.positiveWeights(targets, 3, 20));
        assertArrayEqualsF(new float[] {4f, 1f, 1f}, DisentanglerTrainer.positiveWeights(targets, 3, 4));
        assertArrayEqualsF(new float[] {1f, 1f, 1f}, DisentanglerTrainer.positiveWeights(targets, 3, 0));
        try (ai.djl.ndarray.NDManager m =
                ai.djl.ndarray.NDManager.newBaseManager(dev.causalcxr.core.engine.Engines.PYTORCH)) {
            ai.djl.ndarray.NDArray logits =
                    m.create(new float[] {2f, -1f, 0.5f, -3f, 0f, 4f}, new ai.djl.ndarray.types.Shape(2, 3));
            ai.djl.ndarray.NDArray y =
                    m.create(new float[] {1f, 0f, 1f, 0f, 1f, 0f}, new ai.djl.ndarray.types.Shape(2, 3));
            float plain = DisentanglerTrainer.binaryCrossEntropy(logits, y).getFloat();
            float ones = DisentanglerTrainer.weightedBinaryCrossEntropy(
                            logits, y, m.ones(new ai.djl.ndarray.types.Shape(1, 3)))
                    .getFloat();
            assertEquals(plain, ones, 1e-6f);
            float weighted = DisentanglerTrainer.weightedBinaryCrossEntropy(
                            logits, y, m.create(new float[] {3f, 3f, 3f}, new ai.djl.ndarray.types.Shape(1, 3)))
                    .getFloat();
            assertTrue(weighted > plain, "positives count more");
        }
    }

    private static void assertArrayEqualsF(float[] expected, float[] actual) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, actual, 0f);
    }

    @Test
    void cycleLossesAreComputedOnReEncodedSwaps() {
        DisentanglerDataset data = TinyData.small();
        DisentanglerConfig cfg = DisentanglerConfig.tiny().withCycle(4, 1.0, 0.5);
        RecordingStageContext ctx = RecordingStageContext.under(dir, 1);
        try (DisentanglerModel model = DisentanglerModel.create(cfg, data.vocabulary(), data.size());
                DisentanglerTrainer trainer = new DisentanglerTrainer(model, data, ctx, "main", 0, "")) {
            DisentanglerTrainer.Losses l =
                    trainer.accumulateGradients(trainer.sampler().next());
            assertTrue(l.cycle() > 0 && Double.isFinite(l.cycle()), "cycle finding BCE " + l.cycle());
            assertTrue(l.cycleIdentity() > 0 && Double.isFinite(l.cycleIdentity()), "cycle z_id " + l.cycleIdentity());
            trainer.train();
            assertTrue(ctx.hasMetric("loss_cycle_finding"), ctx.metricKeys().toString());
        }
        try (DisentanglerModel model =
                        DisentanglerModel.create(DisentanglerConfig.tiny(), data.vocabulary(), data.size());
                DisentanglerTrainer trainer = new DisentanglerTrainer(model, data, ctx, "off", 0, "off_")) {
            DisentanglerTrainer.Losses l =
                    trainer.accumulateGradients(trainer.sampler().next());
            assertEquals(0.0, l.cycle());
            assertEquals(0.0, l.cycleIdentity());
        }
    }

    @Test
    void theCycleTermJudgesSwapsWithFrozenWeights() throws Exception {
        // only the cycle terms: the finding head that judges the re-encoded swap must not learn from it,
        // the decoder that drew the swap must
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        var fields = json.convertValue(
                DisentanglerConfig.tiny().withCycle(4, 1.0, 0.5),
                new com.fasterxml.jackson.core.type.TypeReference<java.util.Map<String, Object>>() {});
        for (String w : List.of(
                "pixelWeight",
                "ssimWeight",
                "klWeight",
                "identitySwapWeight",
                "pathologySwapWeight",
                "auxWeight",
                "adversarialWeight",
                "dependenceWeight")) {
            fields.put(w, 0.0);
        }
        DisentanglerConfig cfg = json.convertValue(fields, DisentanglerConfig.class);
        DisentanglerDataset data = TinyData.small();
        try (DisentanglerModel model = DisentanglerModel.create(cfg, data.vocabulary(), data.size());
                DisentanglerTrainer trainer =
                        new DisentanglerTrainer(model, data, RecordingStageContext.under(dir, 1), "main", 0, "")) {
            trainer.accumulateGradients(trainer.sampler().next());
            var groups = model.net().parameterGroups();
            assertEquals(0.0, gradientNorm(groups.get("findingHead")), "the judge's head learned from the swaps");
            assertTrue(gradientNorm(groups.get("decoder")) > 0, "the decoder gets no gradient from the cycle terms");
        }
    }

    private static double gradientNorm(ai.djl.nn.Block block) {
        double norm = 0;
        for (var p : block.getParameters()) {
            norm += p.getValue().getArray().getGradient().abs().sum().getFloat();
        }
        return norm;
    }

    @Test
    void aWarmStartOnFewerStudiesThanTheCheckpointsPassHadReachedContinuesWithANewPass() throws Exception {
        // 12 studies a step from the pass: after 4 steps the champion's sampler stands at study 48 of its pass, beyond
        // every one of the 44 new studies
        DisentanglerConfig cfg = DisentanglerConfig.tiny().toBuilder()
                .batchSize(16)
                .pairsPerKind(1)
                .steps(4)
                .checkpointInterval(4)
                .build();
        DisentanglerDataset champion = TinyData.small();
        // seen through the champion's vocabulary, as the stage does for a warm start
        DisentanglerDataset newSite =
                TinyData.fewer().withVocabulary(TinyData.small().vocabulary());
        RecordingStageContext first = RecordingStageContext.under(dir.resolve("champion"), 1);
        try (DisentanglerModel model = DisentanglerModel.create(cfg, champion.vocabulary(), champion.size());
                DisentanglerTrainer trainer = new DisentanglerTrainer(model, champion, first, "main", 0, "")) {
            trainer.train();
        }
        RecordingStageContext second = RecordingStageContext.under(dir.resolve("retrain"), 1);
        second.resumeFrom(first.savedCheckpoints().get(0));
        DisentanglerConfig more = cfg.withSteps(6);
        try (DisentanglerModel model = DisentanglerModel.create(more, newSite.vocabulary(), newSite.size());
                DisentanglerTrainer trainer = new DisentanglerTrainer(model, newSite, second, "main", 0, "")) {
            trainer.restore(second.latestCheckpoint().orElseThrow().file());
            assertEquals(4, trainer.step());
            trainer.train();
            assertEquals(6, trainer.step());
        }
    }

    @Test
    void resumingWithSlotSwapsAndTheirChangeTermContinuesTheSameTrajectory() throws Exception {
        // the resumed trainer renders each study's own image afresh where the first one had kept it since step 1
        resumeMatches(TinyData.tinyConfigWithSlots(TinyData.small()).toBuilder()
                .steps(6)
                .checkpointInterval(3)
                .slotSwaps(4)
                .slotSwapWeight(2.0)
                .slotChangeWeight(3.0)
                .findingMaskWeight(2.0)
                .build());
    }

    @Test
    void theRenderedIdentityTermKeepsALentFindingOutOfTheIdentityCode() throws Exception {
        DisentanglerDataset data = TinyData.small();
        DisentanglerConfig without = TinyData.tinyConfigWithSlots(data).toBuilder()
                .steps(40)
                .checkpointInterval(40)
                .slotSwaps(4)
                .slotSwapWeight(2.0)
                .build();
        DisentanglerConfig with =
                without.toBuilder().renderedIdentityWeight(200.0).build();
        double drifted = identityDriftOfLentFindings(without, data);
        double held = identityDriftOfLentFindings(with, data);
        // the same seed and batches: only the term differs
        assertTrue(held < 0.5 * drifted, "identity drift with the term " + held + ", without " + drifted);
    }

    /** After training: mean ‖z_id(A with B's finding) − z_id(A)‖² / ‖z_id(A)‖² over renders of training studies. */
    private double identityDriftOfLentFindings(DisentanglerConfig cfg, DisentanglerDataset data) throws Exception {
        try (DisentanglerModel model = DisentanglerModel.create(cfg, data.vocabulary(), data.size());
                DisentanglerTrainer trainer = new DisentanglerTrainer(
                        model, data, RecordingStageContext.under(dir.resolve("d"), 1), "main", 0, "")) {
            trainer.train();
            double sum = 0;
            int count = 0;
            List<DisentanglerDataset.Study> studies = data.studies();
            for (DisentanglerDataset.Study lender : studies) {
                for (dev.causalcxr.core.findings.FindingMention m : lender.truthFindings()) {
                    DisentanglerDataset.Study anatomy = studies.stream()
                            .filter(s -> s.truthFindings().stream().noneMatch(o -> o.finding() == m.finding()))
                            .skip(count % 7)
                            .findFirst()
                            .orElseThrow();
                    float[] render = data.lendFinding(anatomy, lender, m.finding())
                            .image()
                            .toFloat();
                    DisentanglerModel.Encoding e = model.encode(List.of(render, anatomy.pixels()));
                    double diff = 0;
                    double norm = 0;
                    for (int i = 0; i < e.identity()[1].length; i++) {
                        double d = e.identity()[0][i] - e.identity()[1][i];
                        diff += d * d;
                        norm += (double) e.identity()[1][i] * e.identity()[1][i];
                    }
                    sum += diff / norm;
                    count++;
                }
            }
            return sum / count;
        }
    }

    private void resumeMatches(DisentanglerConfig cfg) throws Exception {
        DisentanglerDataset data = TinyData.small();
        float[] straight;
        RecordingStageContext first = RecordingStageContext.under(dir.resolve("a"), 1);
        try (DisentanglerModel model = DisentanglerModel.create(cfg, data.vocabulary(), data.size());
                DisentanglerTrainer trainer = new DisentanglerTrainer(model, data, first, "main", 0, "")) {
            trainer.train();
            straight = parameters(model);
        }
        assertEquals(
                List.of(3L, 6L),
                first.savedCheckpoints().stream().map(c -> c.step()).toList());

        RecordingStageContext second = RecordingStageContext.under(dir.resolve("b"), 1);
        second.resumeFrom(first.savedCheckpoints().get(0));
        float[] resumed;
        try (DisentanglerModel model =
                        DisentanglerModel.create(cfg.withSeed(cfg.seed()), data.vocabulary(), data.size());
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
        DisentanglerConfig cfg = DisentanglerConfig.tiny()
                .withSteps(40)
                .withCheckpointInterval(1)
                .withLearningRate(50)
                .withDivergence(3, 2);
        RecordingStageContext ctx = RecordingStageContext.under(dir, 1);
        try (DisentanglerModel model = DisentanglerModel.create(cfg, data.vocabulary(), data.size());
                DisentanglerTrainer trainer = new DisentanglerTrainer(model, data, ctx, "main", 0, "")) {
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class, trainer::train);
            assertTrue(e.getMessage().contains("diverged"), e.getMessage());
            assertEquals(e.step() - 1, e.lastCheckpointStep());
            assertEquals(e.step() - 1, ctx.latestCheckpoint().orElseThrow().step());
            assertEquals(e.step() - 1, trainer.step());
            assertEquals(
                    "main",
                    DisentanglerTrainer.readHeader(
                                    ctx.latestCheckpoint().orElseThrow().file())
                            .phase());
        }
    }

    @Test
    void aNonFiniteLossNamesTheTermsThatWentNonFinite() {
        DisentanglerTrainer.Losses losses = new DisentanglerTrainer.Losses(
                Double.NaN, 0.1, 0.2, 0.3, Double.POSITIVE_INFINITY, 0.5, 0.6, 0, 0, 0, 0, Double.NaN, 0, 0, 0, 0);
        assertEquals("kl, slotSwap", DisentanglerTrainer.nonFiniteTerms(losses));
        assertEquals(
                "none of the terms",
                DisentanglerTrainer.nonFiniteTerms(
                        new DisentanglerTrainer.Losses(Double.NaN, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
    }

    @Test
    void anUpdateWithNonFiniteGradientsIsDroppedAndEnoughInARowAreADivergence() throws Exception {
        DisentanglerDataset data = TinyData.small();
        DisentanglerConfig cfg =
                DisentanglerConfig.tiny().toBuilder().divergenceWindow(2).build();
        RecordingStageContext ctx = RecordingStageContext.under(dir, 1);
        try (DisentanglerModel model = DisentanglerModel.create(cfg, data.vocabulary(), data.size());
                DisentanglerTrainer trainer = new DisentanglerTrainer(model, data, ctx, "main", 0, "")) {
            float[] before = parameters(model);
            trainer.accumulateGradients(trainer.sampler().next());
            poisonFirstGradient(model);
            trainer.updateOrSkip();
            assertArrayEquals(before, parameters(model), 0f, "a dropped update leaves the weights");
            assertEquals(List.of(1.0), ctx.metricValues("skipped_updates"));

            // a finite step in between updates the weights and resets the run of skips
            trainer.accumulateGradients(trainer.sampler().next());
            trainer.updateOrSkip();
            float[] updated = parameters(model);
            assertFalse(Arrays.equals(before, updated), "a finite step updates");

            trainer.accumulateGradients(trainer.sampler().next());
            poisonFirstGradient(model);
            trainer.updateOrSkip();
            assertArrayEquals(updated, parameters(model), 0f);
            trainer.accumulateGradients(trainer.sampler().next());
            poisonFirstGradient(model);
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class, trainer::updateOrSkip);
            assertTrue(e.getMessage().contains("gradients not finite for 2 steps in a row"), e.getMessage());
            assertEquals(List.of(1.0, 2.0, 3.0), ctx.metricValues("skipped_updates"));
        }
    }

    /**
     * Each step's arrays go with the step: the model's manager holds as many arrays after ten steps as after one. The
     * gradient check once left one array per weight there every step, freed only with the model: on the 800-step NIH
     * disentangler the process grew by about 3 GB (bench/disentangle/RESULTS.md).
     */
    @Test
    void trainingStepsLeaveNoArraysBehindInTheModelsManager() throws Exception {
        DisentanglerDataset data = TinyData.small();
        for (DisentanglerConfig cfg : List.of(
                DisentanglerConfig.tiny(),
                TinyData.tinyConfigWithSlots(data).toBuilder()
                        .findingLayers(true)
                        .build())) {
            try (DisentanglerModel model = DisentanglerModel.create(cfg, data.vocabulary(), data.size());
                    DisentanglerTrainer trainer =
                            new DisentanglerTrainer(model, data, RecordingStageContext.under(dir, 1), "main", 0, "")) {
                trainer.accumulateGradients(trainer.sampler().next());
                trainer.updateOrSkip();
                int afterOne = model.manager().getManagedArrays().size();
                for (int s = 0; s < 9; s++) {
                    trainer.accumulateGradients(trainer.sampler().next());
                    trainer.updateOrSkip();
                }
                assertEquals(afterOne, model.manager().getManagedArrays().size(), "arrays left by nine more steps");
            }
        }
    }

    /** Sets the first weight's gradient to NaN, as an overflow in a backward pass would. */
    private static void poisonFirstGradient(DisentanglerModel model) {
        NDArray gradient = model.parameters().get(0).getValue().getArray().getGradient();
        float[] nan = new float[Math.toIntExact(gradient.size())];
        Arrays.fill(nan, Float.NaN);
        ArrayValues.overwrite(gradient, nan);
    }
}
