package dev.causalcxr.core.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AblationTableTest {

    private static Map<String, Double> seed(double recon, double reconNoGroup, double tailAug, double tailReal) {
        return Map.of(
                "recon_ssim", recon,
                "recon_ssim_ablation_no_group", reconNoGroup,
                "tail_auroc_augmented", tailAug,
                "tail_auroc_real", tailReal);
    }

    @Test
    void pairsWithinASeedSoASteadyGainIsClearEvenWhenSeedsDiffer() {
        // the seeds differ by far more than the gain, the gain is the same in every seed: paired, it is clear
        AblationTable t = AblationTable.of(
                List.of(seed(0.90, 0.88, 0.60, 0.61), seed(0.80, 0.78, 0.70, 0.69), seed(0.70, 0.68, 0.65, 0.65)));
        assertEquals(3, t.seeds());
        AblationTable.Row recon = t.rows().stream()
                .filter(r -> r.comparison().metric().equals("recon_ssim"))
                .findFirst()
                .orElseThrow();
        assertEquals(AblationTable.GROUP_SUPERVISION, recon.comparison().ablation());
        assertEquals(0.80, recon.with().mean(), 1e-12);
        assertEquals(0.78, recon.without().mean(), 1e-12);
        assertEquals(0.02, recon.difference().mean(), 1e-12);
        assertEquals(0.0, recon.difference().std(), 1e-12);
        assertTrue(recon.componentHelps());
        // unpaired, the two means' intervals would overlap completely
        assertTrue(recon.with().ci95() > 0.2);

        AblationTable.Row tail = t.rows().stream()
                .filter(r -> r.comparison().ablation().equals(AblationTable.AUGMENTATION))
                .findFirst()
                .orElseThrow();
        assertEquals("tail_auroc", tail.comparison().metric());
        assertEquals(0.0, tail.difference().mean(), 1e-12);
        assertFalse(tail.componentHelps());
        assertTrue(t.markdown().contains("| no clear effect |"), t.markdown());
        assertTrue(t.markdown().contains("+0.0200 (+0.0200 to +0.0200) | helps |"), t.markdown());
    }

    @Test
    void aComparisonMissingInAnySeedIsLeftOut() {
        Map<String, Double> partial = Map.of("recon_ssim", 0.9, "tail_auroc_augmented", 0.6, "tail_auroc_real", 0.5);
        AblationTable t = AblationTable.of(List.of(seed(0.9, 0.8, 0.6, 0.5), partial));
        assertEquals(
                List.of("tail_auroc"),
                t.rows().stream().map(r -> r.comparison().metric()).toList());
        assertEquals(
                Map.of(
                        "ablation.augmentation.tail_auroc.with_mean", 0.6,
                        "ablation.augmentation.tail_auroc.without_mean", 0.5),
                Map.of(
                        "ablation.augmentation.tail_auroc.with_mean",
                                t.asMetrics().get("ablation.augmentation.tail_auroc.with_mean"),
                        "ablation.augmentation.tail_auroc.without_mean",
                                t.asMetrics().get("ablation.augmentation.tail_auroc.without_mean")));
    }

    @Test
    void lowerIsBetterMetricsHelpWhenTheDifferenceIsBelowZero() {
        List<Map<String, Double>> seeds = List.of(
                Map.of("swap_mae_in_mask", 0.040, "swap_mae_in_mask_ablation_no_group", 0.050),
                Map.of("swap_mae_in_mask", 0.042, "swap_mae_in_mask_ablation_no_group", 0.051),
                Map.of("swap_mae_in_mask", 0.041, "swap_mae_in_mask_ablation_no_group", 0.052));
        AblationTable.Row r = AblationTable.of(seeds).rows().get(0);
        assertTrue(r.difference().mean() < 0);
        assertTrue(r.componentHelps());
    }

    @Test
    void cohortDeltasAreAveragedOverRunsWithATIntervalAndEachRunsOwnIntervalCounted() {
        String k = "power_tail_auroc_delta_augmented";
        List<Map<String, Double>> runs = List.of(
                Map.of(k, 0.02, k + "_ci_low", -0.01, k + "_ci_high", 0.05),
                Map.of(k, 0.04, k + "_ci_low", 0.01, k + "_ci_high", 0.07),
                Map.of(k, 0.06, k + "_ci_low", 0.03, k + "_ci_high", 0.09, "power_tail_recall_delta_oracle", 0.1));
        AblationTable t = AblationTable.of(runs);
        // the oracle's delta is in one run only: left out
        assertEquals(1, t.cohortDeltas().size());
        AblationTable.CohortDelta d = t.cohortDeltas().get(0);
        assertEquals(k, d.key());
        assertEquals(0.04, d.overRuns().mean(), 1e-12);
        assertEquals(0.02, d.overRuns().std(), 1e-12);
        // Student's t with 2 degrees of freedom: 4.303 × 0.02 / √3
        double half = 4.303 * 0.02 / Math.sqrt(3);
        assertEquals(half, d.overRuns().ci95(), 1e-12);
        assertEquals(2, d.runsAbove());
        assertEquals(0, d.runsBelow());
        assertEquals(0.04 - half, t.asMetrics().get("seeds." + k + ".ci_low"), 1e-12);
        assertEquals(2.0, t.asMetrics().get("seeds." + k + ".runs_above"), 0);
        assertTrue(
                t.markdown().contains("| auroc_delta_augmented | +0.040 | -0.010 to +0.090 | 2 / 0 of 3 |"),
                t.markdown());
    }
}
