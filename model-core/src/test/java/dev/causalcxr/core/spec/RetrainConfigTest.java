package dev.causalcxr.core.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RetrainConfigTest {
    @Test
    void readsTheBlock() {
        RetrainConfig c = RetrainConfig.parseYaml("""
                retrain:
                  training_set: new-only
                  steps:
                    train-disentangler: 50
                  gate:
                    min_test_studies: 12
                    rules:
                      site-b.fid: improves
                      site-a.recon_ssim: max_drop 0.01
                      tail_recall: not_worse
                """);
        assertEquals(RetrainConfig.TrainingSet.NEW_ONLY, c.trainingSet());
        assertEquals(RetrainConfig.Start.WARM, c.start());
        assertEquals(50, c.steps().get(StageName.TRAIN_DISENTANGLER));
        assertEquals(300, c.steps().get(StageName.TRAIN_DIFFUSION));
        assertEquals(12, c.minTestStudies());
        assertEquals(3, c.rules().size());
        GateRule fid = c.rules().get(0);
        assertEquals("site-b", fid.split());
        assertEquals(GateRule.Kind.IMPROVES, fid.kind());
        assertEquals(false, fid.metric().higherIsBetter());
        assertEquals(0.01, c.rules().get(1).threshold());
        assertEquals(null, c.rules().get(2).split());
        assertEquals("tail_recall_augmented", c.rules().get(2).metric().key());
    }

    @Test
    void aColdStartAddsNoStepsAndRefusesToBeGivenSome() {
        RetrainConfig cold = RetrainConfig.parseYaml("""
                retrain:
                  start: cold
                """);
        assertEquals(RetrainConfig.Start.COLD, cold.start());
        assertTrue(cold.steps().isEmpty(), cold.steps().toString());
        SpecValidationException e = assertThrows(SpecValidationException.class, () -> RetrainConfig.parseYaml("""
                retrain:
                  start: lukewarm
                """));
        assertEquals(
                List.of("retrain.start"),
                e.problems().stream().map(SpecProblem::path).toList());
        e = assertThrows(SpecValidationException.class, () -> RetrainConfig.parseYaml("""
                retrain:
                  start: cold
                  steps: {train-diffusion: 10}
                """));
        assertEquals(
                List.of("retrain.steps"),
                e.problems().stream().map(SpecProblem::path).toList());
    }

    @Test
    void reportsEveryProblemWithItsPath() {
        SpecValidationException e = assertThrows(SpecValidationException.class, () -> RetrainConfig.parseYaml("""
                retrain:
                  training_set: all
                  steps:
                    evaluate: 3
                  gate:
                    rules:
                      site-b.fidelity: improves
                      recon_ssim: max_drop
                      fid: better
                  colour: red
                """));
        List<String> paths = e.problems().stream().map(SpecProblem::path).toList();
        assertTrue(paths.contains("retrain.training_set"), paths.toString());
        assertTrue(paths.contains("retrain.steps.evaluate"), paths.toString());
        assertTrue(paths.contains("retrain.gate.rules.site-b.fidelity"), paths.toString());
        assertTrue(paths.contains("retrain.gate.rules.recon_ssim"), paths.toString());
        assertTrue(paths.contains("retrain.gate.rules.fid"), paths.toString());
        assertTrue(paths.contains("retrain.colour"), paths.toString());
        assertTrue(e.getMessage().contains("unknown metric 'fidelity'"), e.getMessage());
    }

    @Test
    void aGateMayAskTheIndependentJudgeAndBoundAmplification() {
        RetrainConfig c = RetrainConfig.parseYaml("""
                retrain:
                  gate:
                    rules:
                      new.cf_effectiveness_judge: improves
                      new.cf_amplification_judge: not_worse
                      old.cf_amplification: not_worse
                """);
        assertEquals(3, c.rules().size());
        assertTrue(GateMetric.of("cf_effectiveness_judge").orElseThrow().higherIsBetter());
        for (String k : List.of("cf_amplification", "cf_amplification_judge", "cf_off_target_flips_judge")) {
            assertFalse(GateMetric.of(k).orElseThrow().higherIsBetter(), k + ": lower is better");
        }
    }

    @Test
    void aPairedRuleTakesOnlyTheAugmentedArmsDownstreamMetricsAndNoNumber() {
        RetrainConfig ok = RetrainConfig.parseYaml("""
                retrain:
                  gate:
                    rules:
                      new.balanced_accuracy: improves_significantly
                      tail_auroc_augmented: improves_significantly
                """);
        assertEquals(
                List.of(GateRule.Kind.IMPROVES_SIGNIFICANTLY, GateRule.Kind.IMPROVES_SIGNIFICANTLY),
                ok.rules().stream().map(GateRule::kind).toList());
        SpecValidationException e = assertThrows(SpecValidationException.class, () -> RetrainConfig.parseYaml("""
                retrain:
                  gate:
                    rules:
                      fid: improves_significantly
                      balanced_accuracy_real: improves_significantly
                      auroc: improves_significantly 0.1
                """));
        List<String> paths = e.problems().stream().map(SpecProblem::path).toList();
        assertEquals(
                List.of(
                        "retrain.gate.rules.fid",
                        "retrain.gate.rules.balanced_accuracy_real",
                        "retrain.gate.rules.auroc"),
                paths);
        assertTrue(e.getMessage().contains("paired interval"), e.getMessage());
    }

    @Test
    void anExperimentSpecMayCarryTheBlockWithoutChangingItsDigest() {
        String spec = "name: demo\nseed: 7\n";
        String withBlock = spec + "retrain:\n  training_set: new-only\n";
        assertEquals(
                ExperimentSpec.parseYaml(spec).digest(),
                ExperimentSpec.parseYaml(withBlock).digest());
        assertEquals(
                RetrainConfig.TrainingSet.NEW_ONLY,
                RetrainConfig.parseYaml(withBlock).trainingSet());
        assertThrows(
                SpecValidationException.class,
                () -> ExperimentSpec.parseYaml(spec + "retrain:\n  gate:\n    rules:\n      nope: improves\n"));
        assertThrows(SpecValidationException.class, () -> RetrainConfig.parseYaml(spec));
    }

    @Test
    void defaultsAskTheNewSiteToImproveAndTheOldToHold() {
        RetrainConfig d = RetrainConfig.defaults();
        assertEquals(RetrainConfig.TrainingSet.UNION, d.trainingSet());
        assertEquals(
                List.of("new.decoded_fid: improves", "old.recon_ssim: max_drop 0.01"),
                d.rules().stream().map(GateRule::text).toList());
    }
}
