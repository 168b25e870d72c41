package dev.causalcxr.core.metrics.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PrecisionRecallDensityCoverageTest {

    @Test
    void identicalSetsArePerfect() {
        double[][] features = FidelityFixtures.correlatedGaussian(300, 12, 3.0, 9);
        PrdcResult result = PrecisionRecallDensityCoverage.compute(features, features, 5);
        assertEquals(1.0, result.precision(), 0.0);
        assertEquals(1.0, result.recall(), 0.0);
        assertEquals(1.0, result.coverage(), 0.0);
        // each point lies in its own ball and in the balls of the k − 1 points strictly closer than
        // their k-th neighbour: exactly k memberships per point on average
        assertEquals(1.0, result.density(), 1e-12);
    }

    @Test
    void handMadeOneDimensionalCase() {
        // k = 1. Real radii: 0→1, 1→1, 3→2. Generated radii: 0.5→9.5, 10→9.5.
        double[][] real = {{0}, {1}, {3}};
        double[][] fake = {{0.5}, {10}};
        PrdcResult result = PrecisionRecallDensityCoverage.compute(real, fake, 1);
        assertEquals(0.5, result.precision(), 1e-15); // 0.5 is in the ball of 0; 10 is in none
        assertEquals(1.0, result.recall(), 1e-15); // every real point is within 9.5 of a generated one
        assertEquals(1.0, result.density(), 1e-15); // 0.5 lies in 2 balls, 10 in none: 2 / (1·2)
        assertEquals(2.0 / 3.0, result.coverage(), 1e-15); // the ball of 3 (radius 2) holds nothing
    }

    @Test
    void collapsedGeneratorHasHighPrecisionButLowRecallAndCoverage() {
        double[][] real = FidelityFixtures.correlatedGaussian(400, 8, 0.0, 21);
        double[][] collapsed = new double[200][];
        for (int i = 0; i < 200; i++) {
            collapsed[i] = real[i % 4].clone(); // four modes only
            collapsed[i][0] += 1e-3 * i;
        }
        PrdcResult result = PrecisionRecallDensityCoverage.compute(real, collapsed, 5);
        assertTrue(result.precision() > 0.9, result.toString());
        assertTrue(result.recall() < 0.2, result.toString());
        assertTrue(result.coverage() < 0.1, result.toString());
    }

    @Test
    void needsMoreThanKSamples() {
        assertThrows(
                IllegalArgumentException.class,
                () -> PrecisionRecallDensityCoverage.compute(
                        new double[][] {{1}, {2}}, new double[][] {{1}, {2}, {3}}, 2));
    }
}
