package dev.causalcxr.core.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.core.dataset.DatasetManifest;
import dev.causalcxr.core.dataset.ImportedPhantoms;
import dev.causalcxr.core.dataset.PhantomGroundTruth;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Laterality;
import dev.causalcxr.core.findings.Severity;
import dev.causalcxr.core.findings.Zone;
import dev.causalcxr.core.imaging.ImageCodec;
import dev.causalcxr.core.labels.StudyLabels;
import dev.causalcxr.core.phantom.PhantomGenerator;
import dev.causalcxr.core.phantom.PhantomSpec;
import dev.causalcxr.core.phantom.PhantomStudy;
import dev.causalcxr.core.stage.RecordingStageContext;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluationStageTest {

    private static final String KEY = "evaluation-test-key-0123";

    private static final Set<String> SUMMARY_KEYS = Set.of(
            "tail_auroc_real",
            "tail_auroc_augmented",
            "head_auroc_real",
            "head_auroc_augmented",
            "power_tail_auroc_delta_augmented",
            "power_tail_auroc_delta_augmented_ci_low",
            "power_tail_auroc_delta_augmented_ci_high",
            "power_tail_recall_delta_augmented",
            "power_tail_recall_delta_augmented_ci_low",
            "power_tail_recall_delta_augmented_ci_high",
            "accuracy_pretrain_finetune",
            "balanced_accuracy_pretrain_finetune",
            "macro_f1_pretrain_finetune",
            "auroc_pretrain_finetune",
            "tail_recall_pretrain_finetune",
            "head_recall_pretrain_finetune",
            "tail_auroc_pretrain_finetune",
            "head_auroc_pretrain_finetune",
            "power_tail_auroc_delta_pretrain_finetune",
            "power_tail_auroc_delta_pretrain_finetune_ci_low",
            "power_tail_auroc_delta_pretrain_finetune_ci_high",
            "power_tail_recall_delta_pretrain_finetune",
            "power_tail_recall_delta_pretrain_finetune_ci_low",
            "power_tail_recall_delta_pretrain_finetune_ci_high",
            "fid",
            "kid",
            "decoded_fid",
            "decoded_kid",
            "precision",
            "recall",
            "density",
            "coverage",
            "accuracy_real",
            "accuracy_augmented",
            "balanced_accuracy_real",
            "balanced_accuracy_augmented",
            "macro_f1_real",
            "macro_f1_augmented",
            "auroc_real",
            "auroc_augmented",
            "tail_recall_real",
            "tail_recall_augmented",
            "head_recall_real",
            "head_recall_augmented",
            "memorization_closer_to_train",
            "memorization_distance_ratio",
            "memorization_near_copies",
            "memorization_closer_to_train_features",
            "memorization_distance_ratio_features",
            "memorization_near_copies_features");

    @Test
    void evaluatesRealAgainstAugmentedAndReportsExactlyTheSummaryKeys(@TempDir Path dir) throws Exception {
        Map<Finding, Double> frequencies = new EnumMap<>(Finding.class);
        frequencies.put(Finding.PLEURAL_EFFUSION, 0.4);
        frequencies.put(Finding.CARDIOMEGALY, 0.3);
        frequencies.put(Finding.PNEUMOTHORAX, 0.12);
        PhantomSpec spec = new PhantomSpec(160, 2, 3, 64, 21, frequencies, new PhantomSpec.SeverityMix(0, 0.5, 0.5), 0);
        ImportedPhantoms.write(spec, dir.resolve("phantom"), dir.resolve("dataset"), "eval-test", KEY);

        // counterfactual augmentation: the first studies with a pneumothorax added (the tail class)
        PhantomGenerator generator = new PhantomGenerator(spec);
        List<AugmentedSample> augmentation = new ArrayList<>();
        // stands in for the decoder's own images of the same requests: other pictures of the same sources
        List<AugmentedSample> decoded = new ArrayList<>();
        for (PhantomStudy study : generator.studies().subList(0, 24)) {
            Set<Finding> own = java.util.EnumSet.noneOf(Finding.class);
            study.findings().forEach(f -> own.add(f.finding()));
            decoded.add(AugmentedSample.of(
                    generator.renderCounterfactual(study, study.findings()).image(), own));
            List<FindingMention> findings = new ArrayList<>(study.findings());
            findings.removeIf(f -> f.finding() == Finding.PNEUMOTHORAX);
            findings.add(FindingMention.present(Finding.PNEUMOTHORAX, Severity.SEVERE, Laterality.RIGHT, Zone.UPPER));
            Set<Finding> condition = java.util.EnumSet.noneOf(Finding.class);
            findings.forEach(f -> condition.add(f.finding()));
            augmentation.add(AugmentedSample.of(
                    generator.renderCounterfactual(study, findings).image(), condition));
        }

        ClassifierConfig classifier =
                new ClassifierConfig(64, List.of(8, 16, 32), 1, 2, 16, 3e-3f, 0f, false, 0, "cpu");
        EvaluationConfig config = new EvaluationConfig(
                classifier, 2, 1, 0.05, List.of("Pneumothorax"), 10, 50, 3, null, 150, true, false);
        Path work = Files.createDirectories(dir.resolve("work"));
        RecordingStageContext ctx = new RecordingStageContext(work, 99);
        // labels from the label columns; the phantom truth as the reference to score the same classifiers on
        StudyLabels labels = StudyLabels.fromManifest(
                DatasetManifest.read(dir.resolve("dataset").resolve("manifest.json")));
        StudyLabels truth = StudyLabels.fromTruth(
                PhantomGroundTruth.read(dir.resolve("phantom").resolve(PhantomGroundTruth.FILE_NAME)));
        EvaluationResult result = EvaluationStage.run(
                config,
                dir.resolve("dataset"),
                labels,
                truth,
                augmentation,
                null,
                null,
                null,
                decoded,
                null,
                true,
                ctx);
        // the importer took its label columns from the same truth: same targets, same scores
        Map<String, Double> summary = new LinkedHashMap<>(ctx.summary());
        assertEquals(1.0, summary.remove("evaluation_test_targets_agreement_vs_truth"));
        for (String arm : List.of("real", "augmented", "pretrain_finetune")) {
            for (String m : List.of("accuracy", "balanced_accuracy", "macro_f1", "head_recall", "tail_recall")) {
                Double vsTruth = summary.remove(m + "_" + arm + "_vs_truth");
                assertEquals(summary.get(m + "_" + arm), vsTruth, m + "_" + arm);
            }
        }

        assertEquals(
                List.of("No Finding", "Cardiomegaly", "Pneumothorax", "Pleural Effusion"),
                result.target().classLabels());
        assertEquals("Pneumothorax", result.target().priorityLabels().get(0));
        assertEquals(Set.of(2), result.downstream().tailClasses());
        assertTrue(SUMMARY_KEYS.containsAll(summary.keySet()), "unexpected summary keys: " + summary.keySet());
        for (String key : List.of(
                "fid",
                "kid",
                "precision",
                "recall",
                "density",
                "coverage",
                "accuracy_real",
                "accuracy_augmented",
                "balanced_accuracy_real",
                "balanced_accuracy_augmented",
                "macro_f1_real",
                "macro_f1_augmented",
                "auroc_real",
                "auroc_augmented",
                "head_recall_real",
                "head_recall_augmented",
                "memorization_closer_to_train",
                "memorization_near_copies_features",
                "decoded_fid",
                "decoded_kid")) {
            assertTrue(
                    ctx.hasSummary(key),
                    "missing summary key " + key + " in " + ctx.summary().keySet());
        }
        if (result.downstream().real().tailRecall().count() > 0) {
            assertEquals(SUMMARY_KEYS, summary.keySet());
        }
        assertEquals(2, result.downstream().real().perSeed().size());
        // the transfer arm: a pretrained-then-fine-tuned classifier per seed, compared with real like the others
        assertEquals(2, result.downstream().pretrainFinetune().perSeed().size());
        assertTrue(result.downstream().comparisons().containsKey("pretrain_finetune"));
        assertTrue(
                ctx.hasMetric("power/paired_delta/pretrain_finetune/tail_auroc"),
                ctx.metricKeys().toString());
        assertTrue(
                ctx.hasMetric("recall_real/pleural_effusion"), ctx.metricKeys().toString());
        assertTrue(ctx.hasMetric("balanced_accuracy_delta"));
        // the evaluation-only cohort: far more tail studies than the data set's test split, every arm scored on it
        assertEquals("150", ctx.param("power_cohort_studies"));
        int testTail = (int) java.util.Arrays.stream(
                        result.downstream().real().perSeed().get(0).support())
                .skip(2)
                .limit(1)
                .sum();
        double powerTail = ctx.lastMetric("power/studies/pneumothorax");
        assertTrue(
                powerTail > 3 * testTail && powerTail >= 40,
                powerTail + " cohort vs " + testTail + " test tail studies");
        for (String m : PairedBootstrap.METRICS) {
            assertTrue(ctx.hasMetric("power/paired_delta/augmented/" + m), m + " in " + ctx.metricKeys());
        }
        assertTrue(ctx.hasMetric("power/tail_auroc_real"));
        assertTrue(ctx.hasMetric("power/recall_augmented/pneumothorax"));
        assertTrue(ctx.summary().get("power_tail_auroc_delta_augmented_ci_low")
                <= ctx.summary().get("power_tail_auroc_delta_augmented"));
        // the augmented arm against the real one, paired over test studies and seeds, with its interval
        for (String m : PairedBootstrap.METRICS) {
            assertTrue(ctx.hasMetric("paired_delta/augmented/" + m), m + " in " + ctx.metricKeys());
            assertTrue(ctx.hasMetric("paired_delta_ci_low/augmented/" + m), m);
            assertTrue(ctx.hasMetric("paired_delta_ci_high/augmented/" + m), m);
        }
        PairedBootstrap.Difference balanced =
                result.downstream().comparisons().get("augmented").get(PairedBootstrap.BALANCED_ACCURACY);
        assertEquals(
                result.downstream().balancedAccuracyDelta(), balanced.difference(), 1e-12, "point = delta of means");
        assertTrue(balanced.low() <= balanced.difference() && balanced.difference() <= balanced.high(), "" + balanced);
        assertFalse(ctx.metricKeys().stream().anyMatch(SUMMARY_KEYS::contains), "summary keys only in the summary");
        // the decoder's images are measured on their own, in the same feature space
        assertNotEquals(ctx.summary().get("fid"), ctx.summary().get("decoded_fid"));
        assertTrue(ctx.hasMetric("decoded_precision"), ctx.metricKeys().toString());
        assertTrue(
                ctx.hasMetric("decoded_fid/pneumothorax") || ctx.hasMetric("decoded_fid/pleural_effusion"),
                ctx.metricKeys().toString());
        assertEquals(1.0, ctx.lastProgress(), 0.0);

        // the feature network is an output, and its digest is recorded with the fidelity metrics
        Path network = ctx.outputs().get(EvaluationStage.OUTPUT_FEATURE_NETWORK);
        assertNotNull(network);
        assertEquals(TrainedClassifier.fileDigest(network), ctx.param("fid_feature_network_digest"));
        assertEquals(result.fidelity().space().digest(), ctx.param("feature_network_digest"));
        assertTrue(result.fidelity().space().name().startsWith("in-domain/resnet-8-16-32"));
        // per class only where both sides have k + 1 samples: this tiny test split has too few real ones
        assertTrue(result.target()
                .classKeys()
                .containsAll(result.fidelity().perClass().keySet()));

        JsonNode json = new ObjectMapper()
                .readTree(ctx.output(EvaluationStage.OUTPUT_RESULTS).toFile());
        assertEquals(
                result.fidelity().space().digest(),
                json.at("/fidelity/feature_space/digest").asText());
        assertEquals(4, json.at("/downstream/real/confusion_summed_over_seeds").size());

        // every classifier's test probabilities, for pairing this evaluation with another (a retrain's champion)
        TestPredictions predictions = new ObjectMapper()
                .readValue(ctx.output(EvaluationStage.OUTPUT_TEST_PREDICTIONS).toFile(), TestPredictions.class);
        assertEquals(result.downstream().testPredictions().testDigest(), predictions.testDigest());
        assertEquals(result.downstream().seeds(), predictions.seeds());
        assertEquals(
                List.of("real", "augmented", "pretrain_finetune"),
                List.copyOf(predictions.byArm().keySet()));
        int tests = predictions.labels().length;
        assertTrue(tests > 0);
        for (List<double[][]> arm : predictions.byArm().values()) {
            assertEquals(predictions.seeds().size(), arm.size());
            for (double[][] p : arm) {
                assertEquals(tests, p.length);
                assertEquals(predictions.classLabels().size(), p[0].length);
            }
        }
        assertTrue(predictions.comparableWith(result.downstream().testPredictions()));

        for (String artifact : List.of(EvaluationStage.ARTIFACT_CONFUSION, EvaluationStage.ARTIFACT_RECALL)) {
            BufferedImage picture = ImageIO.read(ctx.artifact(artifact).toFile());
            assertTrue(picture.getWidth() > 400 && picture.getHeight() > 300, artifact);
        }
        String keep = System.getProperty("causalcxr.evaluation.keepCharts");
        if (keep != null) {
            Files.createDirectories(Path.of(keep));
            Files.copy(
                    ctx.artifact(EvaluationStage.ARTIFACT_CONFUSION),
                    Path.of(keep, "confusion.png"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.copy(
                    ctx.artifact(EvaluationStage.ARTIFACT_RECALL),
                    Path.of(keep, "recall.png"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        // logs and metrics never carry patient ids: the stage never sees more than images and labels
        assertTrue(ImageCodec.read(network.getParent().resolve("confusion-matrices.png"))
                        .width()
                > 0);
    }

    @Test
    void withoutAnAugmentationSetTheAugmentedArmIsLeftOutInsteadOfRepeatingTheRealArm(@TempDir Path dir)
            throws Exception {
        Map<Finding, Double> frequencies = new EnumMap<>(Finding.class);
        frequencies.put(Finding.PLEURAL_EFFUSION, 0.4);
        frequencies.put(Finding.PNEUMOTHORAX, 0.15);
        PhantomSpec spec = new PhantomSpec(96, 2, 3, 64, 22, frequencies, new PhantomSpec.SeverityMix(0, 0.5, 0.5), 0);
        ImportedPhantoms.write(spec, dir.resolve("phantom"), dir.resolve("dataset"), "eval-test", KEY);
        ClassifierConfig classifier =
                new ClassifierConfig(64, List.of(8, 16, 32), 1, 1, 16, 3e-3f, 0f, false, 0, "cpu");
        EvaluationConfig config =
                new EvaluationConfig(classifier, 1, 1, 0.05, List.of("Pneumothorax"), 10, 50, 3, null);
        RecordingStageContext ctx = new RecordingStageContext(Files.createDirectories(dir.resolve("work")), 7);
        StudyLabels labels = StudyLabels.fromManifest(
                DatasetManifest.read(dir.resolve("dataset").resolve("manifest.json")));
        EvaluationResult result =
                EvaluationStage.run(config, dir.resolve("dataset"), labels, null, List.of(), null, null, ctx);

        assertFalse(result.downstream().hasAugmented());
        assertTrue(ctx.hasSummary("accuracy_real"), ctx.summary().keySet().toString());
        assertTrue(
                ctx.summary().keySet().stream().noneMatch(k -> k.contains("augmented")),
                "no augmented arm: " + ctx.summary().keySet());
        assertTrue(
                ctx.metricKeys().stream().noneMatch(k -> k.contains("augmented") || k.contains("delta")),
                "no augmented arm, no deltas: " + ctx.metricKeys());
        assertEquals(1, result.downstream().real().perSeed().size(), "one classifier per seed, the real one");
        JsonNode json = new ObjectMapper()
                .readTree(ctx.output(EvaluationStage.OUTPUT_RESULTS).toFile());
        assertTrue(json.at("/downstream/real").isObject());
        assertTrue(json.at("/downstream/augmented").isMissingNode());
        assertTrue(json.at("/downstream/augmented_minus_real").isMissingNode());
        assertTrue(Double.isNaN(result.downstream().accuracyDelta()), "a delta without an augmented arm is undefined");
        assertTrue(ImageIO.read(ctx.artifact(EvaluationStage.ARTIFACT_RECALL).toFile())
                        .getWidth()
                > 400);
    }

    @Test
    void anAutoencoderThatLosesNothingShowsNoGapBetweenTheCodeOracleAndTheOracle(@TempDir Path dir) throws Exception {
        Map<Finding, Double> frequencies = new EnumMap<>(Finding.class);
        frequencies.put(Finding.PLEURAL_EFFUSION, 0.4);
        frequencies.put(Finding.PNEUMOTHORAX, 0.15);
        PhantomSpec spec = new PhantomSpec(96, 2, 3, 64, 23, frequencies, new PhantomSpec.SeverityMix(0, 0.5, 0.5), 0);
        ImportedPhantoms.write(spec, dir.resolve("phantom"), dir.resolve("dataset"), "eval-test", KEY);
        PhantomGenerator generator = new PhantomGenerator(spec);
        // the generator's counterfactuals: the sources unchanged; the oracle's: the exact ones. The code oracle
        // gets the exact images too, as an autoencoder that carries every finding would give them
        List<AugmentedSample> sources = new ArrayList<>();
        List<AugmentedSample> exact = new ArrayList<>();
        for (PhantomStudy study : generator.studies().subList(0, 16)) {
            List<FindingMention> findings = new ArrayList<>(study.findings());
            findings.removeIf(f -> f.finding() == Finding.PNEUMOTHORAX);
            findings.add(FindingMention.present(Finding.PNEUMOTHORAX, Severity.SEVERE, Laterality.RIGHT, Zone.UPPER));
            Set<Finding> condition = java.util.EnumSet.noneOf(Finding.class);
            findings.forEach(f -> condition.add(f.finding()));
            sources.add(AugmentedSample.of(
                    generator.renderCounterfactual(study, study.findings()).image(), condition));
            exact.add(AugmentedSample.of(
                    generator.renderCounterfactual(study, findings).image(), condition));
        }
        ClassifierConfig classifier =
                new ClassifierConfig(64, List.of(8, 16, 32), 1, 1, 16, 3e-3f, 0f, false, 0, "cpu");
        EvaluationConfig config =
                new EvaluationConfig(classifier, 2, 1, 0.05, List.of("Pneumothorax"), 10, 50, 3, null, 0, false, true);
        RecordingStageContext ctx = new RecordingStageContext(Files.createDirectories(dir.resolve("work")), 7);
        StudyLabels labels = StudyLabels.fromManifest(
                DatasetManifest.read(dir.resolve("dataset").resolve("manifest.json")));
        EvaluationResult result = EvaluationStage.run(
                config, dir.resolve("dataset"), labels, null, sources, null, exact, exact, null, null, true, ctx);

        DownstreamResult d = result.downstream();
        assertNotNull(d.oracle());
        assertNotNull(d.oracleCodes());
        assertEquals(
                List.of(
                        "augmented",
                        "oracle",
                        "oracle_codes",
                        "augmented_vs_oracle",
                        "augmented_vs_oracle_codes",
                        "oracle_codes_vs_oracle"),
                List.copyOf(d.comparisons().keySet()));
        // the same pool and seeds train the same classifiers: no gap, and no interval around it
        d.comparisons().get(DownstreamEvaluation.CODE_ORACLE_VS_ORACLE).forEach((metric, diff) -> {
            if (!Double.isNaN(diff.difference())) {
                assertEquals(0.0, diff.difference(), 0.0, metric);
                assertEquals(0.0, diff.low(), 0.0, metric);
                assertEquals(0.0, diff.high(), 0.0, metric);
            }
        });
        assertEquals(d.oracle().balancedAccuracy(), d.oracleCodes().balancedAccuracy());
        // what the generator loses against either oracle is then the same
        assertEquals(
                d.comparisons().get(DownstreamEvaluation.GENERATOR_VS_ORACLE).get(PairedBootstrap.BALANCED_ACCURACY),
                d.comparisons()
                        .get(DownstreamEvaluation.GENERATOR_VS_CODE_ORACLE)
                        .get(PairedBootstrap.BALANCED_ACCURACY));
        assertTrue(
                ctx.hasSummary("balanced_accuracy_oracle_codes"),
                ctx.summary().keySet().toString());
        JsonNode json = new ObjectMapper()
                .readTree(ctx.output(EvaluationStage.OUTPUT_RESULTS).toFile());
        assertTrue(json.at("/downstream/oracle_codes").isObject());
        assertTrue(json.at("/downstream/paired/oracle_codes_minus_real").isObject());
        assertTrue(
                json.at("/downstream/paired/oracle_codes_minus_oracle").isObject(),
                json.at("/downstream/paired").toString());
        assertTrue(json.at("/downstream/paired/augmented_minus_oracle").isObject());

        // without oracle_arm the code oracle is not trained on either
        RecordingStageContext off = new RecordingStageContext(Files.createDirectories(dir.resolve("off")), 7);
        EvaluationResult without = EvaluationStage.run(
                new EvaluationConfig(classifier, 1, 1, 0.05, List.of("Pneumothorax"), 10, 50, 3, null, 0, false, false),
                dir.resolve("dataset"),
                labels,
                null,
                sources,
                null,
                exact,
                exact,
                null,
                null,
                true,
                off);
        assertNull(without.downstream().oracleCodes());
        assertEquals(
                List.of("augmented"),
                List.copyOf(without.downstream().comparisons().keySet()));
    }
}
