package dev.causalcxr.core.retrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.core.evaluation.TestPredictions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChampionComparisonTest {
    private static final int STUDIES = 120;
    private static final int CLASSES = 3;
    private static final List<Long> SEEDS = List.of(1L, 2L, 3L);

    private static int[] labels() {
        int[] y = new int[STUDIES];
        for (int i = 0; i < STUDIES; i++) {
            y[i] = i % CLASSES;
        }
        return y;
    }

    /** Per seed, probabilities that put {@code confidence} on the true class for a share {@code right} of studies. */
    private static List<double[][]> classifiers(double right, long salt) {
        int[] y = labels();
        List<double[][]> runs = new ArrayList<>();
        for (long seed : SEEDS) {
            Random r = new Random(seed * 31 + salt);
            double[][] p = new double[STUDIES][CLASSES];
            for (int i = 0; i < STUDIES; i++) {
                int guess = r.nextDouble() < right ? y[i] : (y[i] + 1 + r.nextInt(CLASSES - 1)) % CLASSES;
                for (int c = 0; c < CLASSES; c++) {
                    p[i][c] = c == guess ? 0.8 : 0.1;
                }
            }
            runs.add(p);
        }
        return runs;
    }

    private static TestPredictions evaluation(String digest, List<double[][]> augmented) {
        return new TestPredictions(
                digest,
                List.of("No Finding", "Cardiomegaly", "Mass"),
                Set.of(2),
                SEEDS,
                labels(),
                Map.of("real", classifiers(0.5, 99), "augmented", augmented));
    }

    @Test
    void aClearlyBetterChallengerHasAnIntervalAboveZeroAndTheSameOneHasNone() {
        TestPredictions champion = evaluation("t", classifiers(0.45, 1));
        TestPredictions better = evaluation("t", classifiers(0.85, 2));
        Map<String, Double> d = ChampionComparison.compare(champion, better);
        String key = "balanced_accuracy_augmented" + ChampionComparison.SUFFIX;
        assertTrue(d.get(key) > 0.3, d.toString());
        assertTrue(d.get(key + "_ci_low") > 0, d.toString());
        assertTrue(d.get("auroc_augmented" + ChampionComparison.SUFFIX + "_ci_low") > 0, d.toString());
        assertEquals(ChampionComparison.pairedKeys().size() * 3, d.size());

        Map<String, Double> same = ChampionComparison.compare(champion, evaluation("t", classifiers(0.45, 1)));
        assertEquals(0.0, same.get(key), 1e-12);
        assertEquals(0.0, same.get(key + "_ci_low"), 1e-12, "identical classifiers: no difference in any draw");
    }

    @Test
    void evaluationsOfDifferentTestStudiesOrWithoutTheAugmentedArmAreNotPaired() {
        TestPredictions champion = evaluation("t", classifiers(0.5, 1));
        assertThrows(
                IllegalArgumentException.class,
                () -> ChampionComparison.compare(champion, evaluation("other", classifiers(0.5, 2))));
        TestPredictions realOnly = new TestPredictions(
                "t",
                champion.classLabels(),
                champion.tailClasses(),
                SEEDS,
                labels(),
                Map.of("real", classifiers(0.5, 3)));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ChampionComparison.compare(champion, realOnly));
        assertTrue(e.getMessage().contains("challenger"), e.getMessage());
    }

    @Test
    void everyGateMetricPairedWithTheChampionIsComputedAndNoOther() {
        List<String> gate = dev.causalcxr.core.spec.GateMetric.names().stream()
                .map(n -> dev.causalcxr.core.spec.GateMetric.of(n).orElseThrow())
                .filter(dev.causalcxr.core.spec.GateMetric::pairedWithChampion)
                .map(dev.causalcxr.core.spec.GateMetric::key)
                .distinct()
                .sorted()
                .toList();
        assertEquals(ChampionComparison.pairedKeys(), gate);
    }
}
