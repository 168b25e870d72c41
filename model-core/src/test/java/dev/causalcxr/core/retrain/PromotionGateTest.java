package dev.causalcxr.core.retrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.core.spec.RetrainConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PromotionGateTest {
    private static RetrainConfig gate(String rules) {
        return RetrainConfig.parseYaml("retrain:\n  gate:\n    min_test_studies: 10\n    rules:\n" + rules);
    }

    private static SplitEvidence split(
            String name, String role, int tests, Map<String, Double> champ, Map<String, Double> chal) {
        return new SplitEvidence(name, role, "d" + name, tests, champ, chal);
    }

    @Test
    void promotesWhenEveryRulePassesOnItsSplits() {
        RetrainConfig cfg = gate(
                "      site-b.fid: improves\n      site-a.recon_ssim: max_drop 0.01\n      tail_recall: not_worse\n");
        GateDecision d = PromotionGate.evaluate(
                cfg,
                List.of(
                        split(
                                "site-a",
                                "old",
                                40,
                                Map.of("recon_ssim", 0.80, "tail_recall_augmented", 0.5),
                                Map.of("recon_ssim", 0.795, "tail_recall_augmented", 0.5)),
                        split(
                                "site-b",
                                "new",
                                30,
                                Map.of("fid", 50.0, "tail_recall_augmented", 0.3),
                                Map.of("fid", 41.0, "tail_recall_augmented", 0.4))));
        assertTrue(d.promote(), d.reason());
        // two test counts, fid on b, recon on a, tail_recall on both
        assertEquals(6, d.outcomes().size());
    }

    @Test
    void lowerIsBetterAndToleranceAreApplied() {
        RetrainConfig cfg = gate("      site-b.fid: improves\n      site-a.recon_ssim: max_drop 0.01\n");
        GateDecision d = PromotionGate.evaluate(
                cfg,
                List.of(
                        split("site-a", "old", 40, Map.of("recon_ssim", 0.80), Map.of("recon_ssim", 0.785)),
                        split("site-b", "new", 30, Map.of("fid", 50.0), Map.of("fid", 55.0))));
        assertFalse(d.promote());
        assertEquals(2, d.failed().size());
        assertTrue(d.reason().contains("site-b.fid: improves"), d.reason());
        assertTrue(d.reason().contains("site-a.recon_ssim: max_drop 0.01"), d.reason());
    }

    @Test
    void rolesNameTheSplitsAndTooFewTestStudiesFail() {
        RetrainConfig cfg = gate("      new.recon_ssim: min 0.5\n");
        GateDecision d = PromotionGate.evaluate(
                cfg,
                List.of(
                        split("site-a", "old", 40, Map.of(), Map.of()),
                        split("site-b", "new", 5, Map.of(), Map.of("recon_ssim", 0.6))));
        assertFalse(d.promote());
        assertEquals(1, d.failed().size());
        assertTrue(d.failed().get(0).rule().startsWith("min_test_studies"), d.reason());
    }

    @Test
    void missingMetricsAndUnknownSplitsNeverPass() {
        RetrainConfig cfg = gate("      fid: not_worse\n      site-c.recon_ssim: not_worse\n");
        GateDecision d = PromotionGate.evaluate(
                cfg, List.of(split("site-a", "old", 40, Map.of("fid", Double.NaN), Map.of("fid", 3.0))));
        assertFalse(d.promote());
        assertEquals(2, d.failed().size());
        assertTrue(d.reason().contains("not measured for the champion"), d.reason());
        assertTrue(d.reason().contains("no such test split"), d.reason());
    }

    @Test
    void equalValuesAreNotAnImprovementButAreNotWorse() {
        GateDecision improves = PromotionGate.evaluate(
                gate("      recon_ssim: improves\n"),
                List.of(split("a", "old", 40, Map.of("recon_ssim", 0.7), Map.of("recon_ssim", 0.7))));
        GateDecision notWorse = PromotionGate.evaluate(
                gate("      recon_ssim: not_worse\n"),
                List.of(split("a", "old", 40, Map.of("recon_ssim", 0.7), Map.of("recon_ssim", 0.7))));
        assertFalse(improves.promote());
        assertTrue(notWorse.promote());
        GateDecision byMargin = PromotionGate.evaluate(
                gate("      recon_ssim: improves 0.02\n"),
                List.of(split("a", "old", 40, Map.of("recon_ssim", 0.70), Map.of("recon_ssim", 0.71))));
        assertFalse(byMargin.promote(), "a gain below the rule's margin is not enough");
        assertEquals("reject", PromotionGate.asTags(improves).get("causalcxr.gate.decision"));
    }

    /** The challenger's evidence on one split: its mean and the paired interval of challenger − champion. */
    private static Map<String, Double> paired(double mean, double difference, double low, double high) {
        String key = "balanced_accuracy_augmented" + ChampionComparison.SUFFIX;
        return Map.of(
                "balanced_accuracy_augmented", mean, key, difference, key + "_ci_low", low, key + "_ci_high", high);
    }

    @Test
    void improvesSignificantlyPassesOnlyWhenThePairedIntervalExcludesZero() {
        RetrainConfig cfg = gate("      balanced_accuracy: improves_significantly\n");
        Map<String, Double> champion = Map.of("balanced_accuracy_augmented", 0.30);
        GateDecision clear = PromotionGate.evaluate(
                cfg, List.of(split("site-b", "new", 40, champion, paired(0.36, 0.06, 0.01, 0.11))));
        assertTrue(clear.promote(), clear.reason());
        GateDecision noise = PromotionGate.evaluate(
                cfg, List.of(split("site-b", "new", 40, champion, paired(0.3005, 0.0005, -0.04, 0.05))));
        assertFalse(noise.promote(), "a gain inside the interval is no gain");
        assertTrue(noise.reason().contains("[-0.0400, +0.0500]"), noise.reason());
        GateDecision unpaired = PromotionGate.evaluate(
                cfg, List.of(split("site-b", "new", 40, champion, Map.of("balanced_accuracy_augmented", 0.5))));
        assertFalse(unpaired.promote(), "means alone are not evidence for this rule");
        assertTrue(unpaired.reason().contains("no paired comparison"), unpaired.reason());
    }
}
