package dev.causalcxr.core.metrics.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SortedMap;
import org.junit.jupiter.api.Test;

class FidelityEvaluatorTest {

    @Test
    void perClassReportsCoverClassesWithEnoughSamplesOnBothSides() {
        double[][] real = FidelityFixtures.correlatedGaussian(60, 6, 0.0, 1);
        double[][] generated = FidelityFixtures.correlatedGaussian(50, 6, 0.1, 2);
        int[] realLabels = new int[60];
        int[] generatedLabels = new int[50];
        for (int i = 0; i < 60; i++) {
            realLabels[i] = i < 40 ? 0 : (i < 57 ? 1 : 2); // class 2: 3 real samples only
        }
        for (int i = 0; i < 50; i++) {
            generatedLabels[i] = i < 30 ? 0 : (i < 45 ? 1 : 2);
        }
        FidelityEvaluator evaluator = new FidelityEvaluator(new FidelityConfig(5, 10, 5, 3));
        SortedMap<Integer, FidelityReport> perClass =
                evaluator.evaluatePerClass(real, realLabels, generated, generatedLabels);
        assertEquals(2, perClass.size());
        double[][] realClass0 = java.util.Arrays.copyOfRange(real, 0, 40);
        double[][] generatedClass0 = java.util.Arrays.copyOfRange(generated, 0, 30);
        assertEquals(
                FrechetDistance.compute(realClass0, generatedClass0).fid(),
                perClass.get(0).fid().fid(),
                0.0);
        assertEquals(
                PrecisionRecallDensityCoverage.compute(realClass0, generatedClass0, 5),
                perClass.get(0).prdc());
        assertEquals(10, perClass.get(1).kid().subsetSize());

        FidelityReport overall = evaluator.evaluate(real, generated);
        assertEquals(60, overall.fid().countA());
        assertEquals(overall, evaluator.evaluate(real, generated));
    }
}
