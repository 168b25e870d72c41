package dev.causalcxr.core.counterfactual;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.core.dataset.PhantomGroundTruth;
import dev.causalcxr.core.dataset.Split;
import dev.causalcxr.core.diffusion.SamplerConfig;
import dev.causalcxr.core.disentangle.DisentanglerDataset;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.imaging.GrayImage;
import dev.causalcxr.core.labels.StudyLabels;
import dev.causalcxr.core.phantom.PhantomRenderer;
import dev.causalcxr.core.stage.RecordingStageContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CounterfactualStageTest {

    /** quick() with fewer sampler steps and smaller sets: the same code paths in a few seconds. */
    static CounterfactualConfig small() {
        return new CounterfactualConfig(
                8,
                0f,
                2f,
                3,
                1,
                List.of(),
                List.of(0.0, 2.0, 4.0),
                2,
                0.5,
                4,
                Map.of(),
                2,
                3,
                2,
                true,
                true,
                false,
                0,
                600,
                4,
                "residual",
                0.3,
                "cpu");
    }

    @Test
    void theStageOnATinyPhantomLogsEveryMetricAndPublishesItsFiles(@TempDir Path dir) throws Exception {
        TinyModels tiny = TinyModels.get();
        RecordingStageContext ctx = new RecordingStageContext(dir.resolve("work"), 17);
        CounterfactualStage.Result r = CounterfactualStage.run(
                small(),
                tiny.datasetDir,
                tiny.labels,
                tiny.groundTruth,
                tiny.disentanglerFile,
                tiny.diffusionFile,
                tiny.priors,
                ctx);
        for (String k : CounterfactualMetrics.KEYS) {
            assertTrue(ctx.hasSummary(k), k + " in " + ctx.summary().keySet());
            assertTrue(Double.isFinite(ctx.summaryValue(k)), k + " = " + ctx.summaryValue(k));
        }
        assertTrue(ctx.summaryValue(CounterfactualMetrics.DIVERSITY) > 0);
        double eff = ctx.summaryValue(CounterfactualMetrics.EFFECTIVENESS);
        assertTrue(eff >= 0 && eff <= 1, "effectiveness " + eff);
        assertTrue(
                ctx.hasSummary("cf_effectiveness__pleural_effusion"),
                ctx.summary().keySet().toString());
        assertTrue(ctx.hasSummary("cf_identity_ssim__" + CounterfactualMetrics.REMOVAL_CLASS));
        assertTrue(
                ctx.hasSummary(CounterfactualMetrics.COMPOSITION_SSIM + "__" + TinyModels.HEAD.key()),
                "composition per finding, over the sources that show it: "
                        + ctx.summary().keySet());
        double amplification = ctx.summaryValue(CounterfactualMetrics.AMPLIFICATION);
        assertTrue(amplification >= 0 && amplification <= 1, "amplification " + amplification);
        assertTrue(ctx.summaryValue(CounterfactualStage.AUGMENTATION_IMAGES) > 0);

        for (String a : List.of(CounterfactualStage.ARTIFACT_GRID, CounterfactualStage.ARTIFACT_TRADEOFF)) {
            assertTrue(Files.size(ctx.artifact(a)) > 0, a);
        }
        List<String> amplificationTable = Files.readAllLines(ctx.artifact(CounterfactualStage.ARTIFACT_AMPLIFICATION));
        assertEquals("reader,requested,other,mean_change,counterfactuals", amplificationTable.get(0));
        assertTrue(amplificationTable.size() > 1, "a row per requested class and other finding");
        for (String row : amplificationTable.subList(1, amplificationTable.size())) {
            String[] cells = row.split(",");
            assertNotEquals(cells[1], cells[2], "the finding asked for is not its own amplification: " + row);
            double change = Double.parseDouble(cells[3]);
            assertTrue(change >= -1 && change <= 1, row);
        }
        AugmentationSet set = AugmentationSet.read(ctx.output(CounterfactualStage.OUTPUT_AUGMENTATION));
        AugmentationSet plain = AugmentationSet.read(ctx.output(CounterfactualStage.OUTPUT_AUGMENTATION_PLAIN));
        assertEquals(r.images(), set.size());
        assertEquals(set.size(), plain.size());
        assertTrue(
                set.countsByTarget().containsKey(TinyModels.TAIL),
                set.countsByTarget().toString());
        assertFalse(set.countsByTarget().containsKey(TinyModels.HEAD), "the head class is not augmented");
        assertTrue(set.entries().stream().anyMatch(AugmentationSet.Entry::tunedPrior));
        assertTrue(plain.entries().stream().noneMatch(AugmentationSet.Entry::tunedPrior));
        for (int i = 0; i < set.size(); i++) {
            assertEquals(set.entries().get(i).seed(), plain.entries().get(i).seed(), "same seeds");
        }
        assertEquals(1.0, ctx.lastProgress());

        // the decoder's own images of the same requests: same records, other pixels; a residual counterfactual is
        // its source plus (decoded - reconstruction)
        AugmentationSet decoded = AugmentationSet.read(ctx.output(CounterfactualStage.OUTPUT_AUGMENTATION_DECODED));
        assertEquals(set.size(), decoded.size());
        for (int i = 0; i < set.size(); i++) {
            assertEquals(
                    set.entries().get(i).withPixels(decoded.images().get(i)),
                    decoded.entries().get(i));
        }
        assertNotEquals(set.images(), decoded.images(), "residual counterfactuals keep their sources' pixels");
        try (CounterfactualGenerator gen =
                CounterfactualGenerator.open(tiny.disentanglerFile, tiny.diffusionFile, Map.of())) {
            CounterfactualGenerator decoder = gen.withComposition(Composition.DECODED);
            int size = gen.imageSize();
            int compared = 0;
            for (int i = 0; i < set.size(); i++) {
                String id = set.entries().get(i).sourceStudyId();
                float[] pixels = tiny.data.studies().stream()
                        .filter(st -> st.studyId().equals(id))
                        .findFirst()
                        .orElseThrow()
                        .pixels();
                GrayImage source = GrayImage.fromUnit(size, size, pixels);
                float[] own =
                        gen.disentangler().encode(List.of(source.toFloat())).pathMean()[0];
                float[] reconstruction = decoder.withPathology(source, new float[][] {own})
                        .get(0)
                        .toFloat();
                float[] residual = set.images().get(i).toFloat();
                float[] mine = decoded.images().get(i).toFloat();
                float[] src = source.toFloat();
                for (int p = 0; p < residual.length; p++) {
                    float expected = src[p] + mine[p] - reconstruction[p];
                    if (expected > 0.02f && expected < 0.98f) {
                        assertEquals(expected, residual[p], 2.5f / 255, "entry " + i + ", pixel " + p);
                        compared++;
                    }
                }
            }
            assertTrue(compared > 0);
        }

        // without priors there is no ablation output; a cancelled run stops
        RecordingStageContext noPriors =
                new RecordingStageContext(dir.resolve("b").resolve("work"), 17);
        CounterfactualStage.run(
                small(),
                tiny.datasetDir,
                tiny.labels,
                tiny.groundTruth,
                tiny.disentanglerFile,
                tiny.diffusionFile,
                Map.of(),
                noPriors);
        assertNotNull(noPriors.outputs().get(CounterfactualStage.OUTPUT_AUGMENTATION));
        assertFalse(noPriors.outputs().containsKey(CounterfactualStage.OUTPUT_AUGMENTATION_PLAIN));
        // same stage seed, no priors: the augmentation set equals the plain ablation of the first run
        assertEquals(
                plain.images(),
                AugmentationSet.read(noPriors.output(CounterfactualStage.OUTPUT_AUGMENTATION))
                        .images());

        RecordingStageContext cancelled =
                new RecordingStageContext(dir.resolve("c").resolve("work"), 17).cancel();
        assertThrows(
                CancellationException.class,
                () -> CounterfactualStage.run(
                        small(),
                        tiny.datasetDir,
                        tiny.labels,
                        tiny.groundTruth,
                        tiny.disentanglerFile,
                        tiny.diffusionFile,
                        Map.of(),
                        cancelled));
    }

    @Test
    void anIndependentJudgeAddsItsOwnEffectivenessBesideTheFindingHeadsAndChangesNothingElse() throws Exception {
        TinyModels tiny = TinyModels.get();
        DisentanglerDataset data = DisentanglerDataset.fromImported(
                tiny.datasetDir, tiny.labels, PhantomGroundTruth.read(tiny.groundTruth), (a, b) -> {});
        try (CounterfactualGenerator gen =
                CounterfactualGenerator.open(tiny.disentanglerFile, tiny.diffusionFile, Map.of())) {
            List<Finding> known = CounterfactualStage.generatable(gen);
            List<float[]> images = data.studies().stream()
                    .map(DisentanglerDataset.Study::pixels)
                    .toList();
            List<Set<Finding>> labels = data.studies().stream()
                    .map(s -> {
                        Set<Finding> present = EnumSet.noneOf(Finding.class);
                        s.findings().forEach(m -> present.add(m.finding()));
                        return present;
                    })
                    .toList();
            List<Finding> conditions = new ArrayList<>(known);
            conditions.add(Finding.NO_FINDING);
            List<CounterfactualMetrics.Pair> pairs =
                    CounterfactualMetrics.pairs(gen, data, Split.TEST, conditions, 1, 5);
            SamplerConfig sampler = new SamplerConfig(6, 0f, 2f);
            Map<String, Double> plain = CounterfactualMetrics.evaluate(
                            gen, data, pairs, 2, sampler, 9, (a, b) -> {}, () -> false)
                    .summary();
            Map<String, Double> judged;
            // the judge's ceiling, read here from each pair's exact counterfactual: class → [seen, judged]
            Map<String, double[]> ceiling = new TreeMap<>();
            try (FindingJudge judge = FindingJudge.train(
                    images, labels, known, data.size(), new FindingJudge.Config(4, 10, 16, 1e-3, 1, false, 4))) {
                judged = CounterfactualMetrics.evaluate(
                                gen, data, pairs, 2, sampler, 9, judge, (a, b) -> {}, () -> false)
                        .summary();
                for (CounterfactualMetrics.Pair pair : pairs) {
                    DisentanglerDataset.Counterfactual exact = CounterfactualMetrics.exactCounterfactual(data, pair);
                    if (exact == null) {
                        continue;
                    }
                    double seen = CounterfactualMetrics.effective(
                            judge.findings(),
                            pair,
                            judge.probabilities(List.of(exact.image().toFloat()))[0]);
                    if (!Double.isNaN(seen)) {
                        double[] c = ceiling.computeIfAbsent(pair.classKey(), k -> new double[2]);
                        c[0] += seen;
                        c[1]++;
                    }
                }
            }
            assertFalse(ceiling.isEmpty());
            ceiling.forEach((cls, c) -> assertEquals(
                    c[0] / c[1],
                    judged.get(CounterfactualMetrics.EFFECTIVENESS_TRUTH + CounterfactualMetrics.JUDGED + "__" + cls),
                    1e-12,
                    cls + ": the judge's reading of the exact counterfactuals"));
            assertFalse(plain.containsKey(CounterfactualMetrics.EFFECTIVENESS_TRUTH + CounterfactualMetrics.JUDGED));
            double headCeiling = plain.get(CounterfactualMetrics.EFFECTIVENESS_TRUTH);
            assertTrue(headCeiling >= 0 && headCeiling <= 1, "the finding head's ceiling " + headCeiling);
            assertFalse(plain.containsKey(CounterfactualMetrics.JUDGE_EFFECTIVENESS));
            assertFalse(plain.containsKey(CounterfactualMetrics.AMPLIFICATION + CounterfactualMetrics.JUDGED));
            for (String k : List.of(
                    CounterfactualMetrics.OFF_TARGET_CHANGE,
                    CounterfactualMetrics.OFF_TARGET_FLIPS,
                    CounterfactualMetrics.AMPLIFICATION)) {
                double v = judged.get(k + CounterfactualMetrics.JUDGED);
                assertTrue(v >= 0 && v <= 1, k + " by the judge: " + v);
            }
            double overall = judged.get(CounterfactualMetrics.JUDGE_EFFECTIVENESS);
            assertTrue(overall >= 0 && overall <= 1, "judge effectiveness " + overall);
            for (Finding f : known) {
                if (pairs.stream().anyMatch(p -> p.target() == f)) {
                    assertTrue(judged.containsKey(CounterfactualMetrics.JUDGE_EFFECTIVENESS + "__" + f.key()), f.key());
                }
            }
            plain.forEach(
                    (k, v) -> assertEquals(v, judged.get(k), 0.0, k + ": the generator's own metrics do not change"));
        }
    }

    @Test
    void aTestStudyShowingAFindingTheModelsNeverTrainedOnIsNoMetricSource() throws Exception {
        TinyModels tiny = TinyModels.get();
        try (CounterfactualGenerator gen =
                CounterfactualGenerator.open(tiny.disentanglerFile, tiny.diffusionFile, Map.of())) {
            Finding unseen = PhantomRenderer.RENDERABLE.stream()
                    .filter(f -> !gen.knownFindings().contains(f))
                    .findFirst()
                    .orElseThrow();
            DisentanglerDataset asTrained = DisentanglerDataset.fromImported(
                    tiny.datasetDir, tiny.labels, PhantomGroundTruth.read(tiny.groundTruth), (a, b) -> {});
            String shows =
                    asTrained.studies().get(asTrained.indices(Split.TEST)[0]).studyId();
            // a site's split can put a finding in the test split only: the models never saw it
            Map<String, List<FindingMention>> relabelled = new LinkedHashMap<>(tiny.labels.studies());
            List<FindingMention> more = new ArrayList<>(relabelled.get(shows));
            more.add(FindingMention.present(unseen, null, null, null));
            relabelled.put(shows, more);
            DisentanglerDataset data = DisentanglerDataset.fromImported(
                    tiny.datasetDir,
                    new StudyLabels(tiny.labels.source(), relabelled),
                    PhantomGroundTruth.read(tiny.groundTruth),
                    (a, b) -> {});
            List<Finding> conditions = new ArrayList<>(CounterfactualStage.generatable(gen));
            conditions.add(Finding.NO_FINDING);

            List<CounterfactualMetrics.Pair> pairs =
                    CounterfactualMetrics.pairs(gen, data, Split.TEST, conditions, 1000, 5);

            assertFalse(pairs.isEmpty());
            for (CounterfactualMetrics.Pair p : pairs) {
                assertNotEquals(shows, data.studies().get(p.sourceIndex()).studyId());
            }
        }
    }

    @Test
    void withoutEnoughStudiesTheGeneratorNeverSawThereIsNoJudge() throws Exception {
        TinyModels tiny = TinyModels.get();
        DisentanglerDataset data = DisentanglerDataset.fromImported(
                tiny.datasetDir, tiny.labels, PhantomGroundTruth.read(tiny.groundTruth), (a, b) -> {});
        assertTrue(data.indices(Split.VAL).length < CounterfactualStage.JUDGE_MINIMUM_IMAGES);
        Map<String, Double> summary = new java.util.LinkedHashMap<>();
        assertEquals(
                null,
                CounterfactualStage.trainJudge(
                        data, List.of(TinyModels.HEAD, TinyModels.TAIL), FindingJudge.Config.quick(1), summary));
        assertTrue(summary.isEmpty());
    }

    @Test
    void theCodeOracleAnswersEachRequestWithTheCodeOfItsExactCounterfactual(@TempDir Path dir) throws Exception {
        TinyModels tiny = TinyModels.get();
        RecordingStageContext ctx = new RecordingStageContext(dir.resolve("work"), 17);
        CounterfactualStage.run(
                small().withCodeOracle(true),
                tiny.datasetDir,
                tiny.labels,
                tiny.groundTruth,
                tiny.disentanglerFile,
                tiny.diffusionFile,
                tiny.priors,
                ctx);
        AugmentationSet set = AugmentationSet.read(ctx.output(CounterfactualStage.OUTPUT_AUGMENTATION));
        AugmentationSet codeOracle =
                AugmentationSet.read(ctx.output(CounterfactualStage.OUTPUT_AUGMENTATION_CODE_ORACLE));
        assertEquals((double) set.size(), ctx.summaryValue(CounterfactualStage.AUGMENTATION_IMAGES + "_code_oracle"));
        // the same requests and labels, other pixels
        assertEquals(set.size(), codeOracle.size());
        for (int i = 0; i < set.size(); i++) {
            assertEquals(
                    set.entries().get(i).withPixels(codeOracle.images().get(i)),
                    codeOracle.entries().get(i));
        }
        assertNotEquals(set.images(), codeOracle.images(), "sampled codes are not the exact counterfactuals' codes");
        // each image: the source composed with the code the encoder reads from the very image the evaluate stage's
        // oracle arm trains on
        List<dev.causalcxr.core.evaluation.AugmentedSample> exact =
                set.exactCounterfactuals(PhantomGroundTruth.read(tiny.groundTruth));
        assertEquals(set.size(), exact.size());
        double headSees = 0;
        double falsePositives = 0;
        int sourcesWithout = 0;
        try (CounterfactualGenerator gen =
                CounterfactualGenerator.open(tiny.disentanglerFile, tiny.diffusionFile, Map.of())) {
            int size = gen.imageSize();
            for (int i = 0; i < set.size(); i++) {
                String id = set.entries().get(i).sourceStudyId();
                DisentanglerDataset.Study source = tiny.data.studies().stream()
                        .filter(st -> st.studyId().equals(id))
                        .findFirst()
                        .orElseThrow();
                float[] pixels = source.pixels();
                float[][] code = gen.disentangler()
                        .encode(List.of(exact.get(i).image().toFloat()))
                        .pathMean();
                float[] expected = gen.withPathology(GrayImage.fromUnit(size, size, pixels), code)
                        .get(0)
                        .toFloat();
                float[] actual = codeOracle.images().get(i).toFloat();
                for (int p = 0; p < expected.length; p++) {
                    assertEquals(expected[p], actual[p], 1e-3f, "entry " + i + ", pixel " + p);
                }
                // does the finding head read the target from the exact image's code?
                try (ai.djl.ndarray.NDManager m = dev.causalcxr.core.engine.Engines.pytorch()
                        .newBaseManager(gen.findingScorer().device())) {
                    float[] p = gen.findingScorer().probabilities(m, code)[0];
                    int col = gen.findingScorer()
                            .findings()
                            .indexOf(Finding.fromLabel(set.entries().get(i).target())
                                    .orElseThrow());
                    headSees += p[col] > 0.5f ? 1 : 0;
                    // and from the source's own code, where the source lacks the target: a false positive
                    Finding target =
                            Finding.fromLabel(set.entries().get(i).target()).orElseThrow();
                    if (source.findings().stream().noneMatch(f -> f.finding() == target)) {
                        float[][] own =
                                gen.disentangler().encode(List.of(pixels)).pathMean();
                        falsePositives += gen.findingScorer().probabilities(m, own)[0][col] > 0.5f ? 1 : 0;
                        sourcesWithout++;
                    }
                }
            }
        }
        assertEquals(headSees / set.size(), ctx.summaryValue("cf_oracle_code_effectiveness"), 1e-12);
        assertTrue(sourcesWithout > 0, "the plan draws sources without the target first");
        assertEquals(falsePositives / sourcesWithout, ctx.summaryValue("cf_oracle_code_false_positive"), 1e-12);

        // off by default, and without ground truth there is nothing to be exact about
        RecordingStageContext real =
                new RecordingStageContext(dir.resolve("real").resolve("work"), 17);
        CounterfactualStage.run(
                small().withCodeOracle(true),
                tiny.datasetDir,
                tiny.labels,
                null,
                tiny.disentanglerFile,
                tiny.diffusionFile,
                tiny.priors,
                real);
        assertNotNull(real.outputs().get(CounterfactualStage.OUTPUT_AUGMENTATION));
        assertFalse(real.outputs().containsKey(CounterfactualStage.OUTPUT_AUGMENTATION_CODE_ORACLE));
        assertFalse(small().codeOracle());
    }

    @Test
    void onAPhantomTheJudgeTrainsOnAnEvaluationOnlyCohortWhenAsked() throws Exception {
        TinyModels tiny = TinyModels.get();
        DisentanglerDataset data = DisentanglerDataset.fromImported(
                tiny.datasetDir, tiny.labels, PhantomGroundTruth.read(tiny.groundTruth), (a, b) -> {});
        List<Finding> findings = List.of(TinyModels.HEAD, TinyModels.TAIL);
        Map<String, Double> summary = new java.util.LinkedHashMap<>();
        // the validation split is too small for a judge (the test above); a cohort is not
        try (FindingJudge judge =
                CounterfactualStage.trainJudgeOnCohort(160, data, findings, 5, FindingJudge.Config.quick(5), summary)) {
            assertEquals(findings, judge.findings());
            assertEquals(160.0, summary.get("cf_judge_cohort_studies"));
            assertEquals(160.0, summary.get("cf_judge_training_images"));
            // every rendered finding at 20 %: about 32 of 160 each
            for (Finding f : findings) {
                double positives = summary.get("cf_judge_training_positives__" + f.key());
                assertTrue(positives >= 16 && positives <= 56, f + ": " + positives);
            }
            // its reading of real images: recall, false positives and the threshold-free AUROC, per finding
            CounterfactualStage.judgeOnRealImages(judge, data, Split.TEST, summary);
            for (Finding f : findings) {
                double recall = summary.get("cf_judge_real_recall__" + f.key());
                double auroc = summary.get("cf_judge_real_auroc__" + f.key());
                double falsePositives = summary.get("cf_judge_real_false_positive__" + f.key());
                assertEquals(
                        Double.isNaN(recall) || Double.isNaN(falsePositives), Double.isNaN(auroc), f + ": " + auroc);
                assertTrue(Double.isNaN(auroc) || (auroc >= 0 && auroc <= 1), f + ": " + auroc);
            }
            assertTrue(
                    Double.isFinite(summary.get("cf_judge_real_auroc__" + TinyModels.HEAD.key())),
                    "the tiny test split shows the head finding and lacks it: " + summary);

            // on images an arm trains on: per target finding, the share whose target the judge sees
            List<AugmentationSet.Entry> entries = new ArrayList<>();
            List<GrayImage> images = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                Finding target = i % 3 == 0 ? TinyModels.HEAD : TinyModels.TAIL;
                DisentanglerDataset.Study source = data.studies().get(i);
                GrayImage image = data.counterfactual(
                                source,
                                List.of(FindingMention.present(
                                        target,
                                        dev.causalcxr.core.findings.Severity.SEVERE,
                                        dev.causalcxr.core.findings.Laterality.RIGHT,
                                        dev.causalcxr.core.findings.Zone.UPPER)))
                        .image();
                entries.add(new AugmentationSet.Entry(
                        "images/" + i + ".png",
                        source.studyId(),
                        target.label(),
                        target.label(),
                        List.of(target.label()),
                        i,
                        false,
                        image.pixelDigest(),
                        null));
                images.add(image);
            }
            AugmentationSet set = new AugmentationSet(data.size(), entries, images);
            Map<String, Double> seen = new LinkedHashMap<>();
            CounterfactualStage.judgeTrainingImages(judge, set, "augmentation", seen);
            float[][] p =
                    judge.probabilities(images.stream().map(GrayImage::toFloat).toList());
            double[] expected = new double[2];
            double all = 0;
            for (int i = 0; i < 9; i++) {
                Finding target = i % 3 == 0 ? TinyModels.HEAD : TinyModels.TAIL;
                double hit = p[i][findings.indexOf(target)] > 0.5f ? 1 : 0;
                expected[target == TinyModels.HEAD ? 0 : 1] += hit;
                all += hit;
            }
            assertEquals(all / 9, seen.get("cf_augmentation_effectiveness_judge"), 1e-12);
            assertEquals(
                    expected[0] / 3, seen.get("cf_augmentation_effectiveness_judge__" + TinyModels.HEAD.key()), 1e-12);
            assertEquals(
                    expected[1] / 6, seen.get("cf_augmentation_effectiveness_judge__" + TinyModels.TAIL.key()), 1e-12);
            assertEquals(3, seen.size(), seen.toString());
        }
        JudgeCohort.Cohort a = JudgeCohort.render(12, data.size(), 5, findings);
        JudgeCohort.Cohort b = JudgeCohort.render(12, data.size(), 5, findings);
        assertEquals(a.labels(), b.labels(), "the same seed renders the same cohort");
        org.junit.jupiter.api.Assertions.assertArrayEquals(
                a.images().get(7), b.images().get(7));
        assertEquals(data.size() * data.size(), a.images().get(0).length);
        JudgeCohort.Cohort other = JudgeCohort.render(12, data.size(), 6, findings);
        assertFalse(java.util.Arrays.equals(a.images().get(0), other.images().get(0)), "another seed, other studies");
    }

    @Test
    void theConfigRejectsBadValuesWithTheFieldName() {
        CounterfactualConfig q = CounterfactualConfig.quick();
        assertTrue(q.ddimSteps() >= 25 && q.ddimSteps() <= 50);
        assertEquals(0f, q.eta());
        assertEquals(2f, q.guidance());
        assertTrue(q.usePriors());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> q.withMetricConditions(List.of("Dragon Scale")));
        assertTrue(
                e.getMessage().contains("metric_conditions") && e.getMessage().contains("Dragon Scale"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> q.withDdimSteps(0));
        assertTrue(e.getMessage().contains("ddim_steps"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> q.withClassCounts(Map.of("No Finding", 3)));
        assertTrue(e.getMessage().contains("class_counts"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> new CounterfactualConfig(
                        8, 0f, 2f, 3, 1, List.of(), List.of(), 2, 0.5, 4, Map.of(), 2, 3, 2, true, true, false, -1, 0,
                        5, "blended", 0.0, "cpu"));
        for (String field : List.of(
                "judge_cohort_studies", "judge_steps", "judge_downsamplings", "composition", "localize_threshold")) {
            assertTrue(e.getMessage().contains(field), "every bad judge field is reported: " + e.getMessage());
        }
        assertEquals(0, q.judgeCohortStudies(), "the quick profile's judge trains on the validation split");
        assertEquals(FindingJudge.Config.quick(3), q.judge(3), "the quick profile trains the quick judge");
        assertEquals(
                Map.of(Finding.NODULE, 5),
                q.withClassCounts(Map.of("nodule", 5)).explicitCounts());
    }
}
