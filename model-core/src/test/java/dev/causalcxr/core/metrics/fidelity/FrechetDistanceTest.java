package dev.causalcxr.core.metrics.fidelity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FrechetDistanceTest {

    @Test
    void identicalSetsHaveZeroDistance() {
        double[][] features = FidelityFixtures.correlatedGaussian(500, 64, 0.0, 1);
        FidResult result = FrechetDistance.compute(features, features);
        assertEquals(0.0, result.fid(), 1e-9);
        assertEquals(result.traceA(), result.traceSqrtProduct(), 1e-9);
    }

    @Test
    void meanShiftWithSameCovarianceGivesSquaredShift() {
        double[][] a = FidelityFixtures.correlatedGaussian(400, 32, 0.0, 7);
        double[] shift = new double[32];
        SplittableRandom random = new SplittableRandom(11);
        double expected = 0.0;
        for (int j = 0; j < 32; j++) {
            shift[j] = random.nextDouble(-2, 2);
            expected += shift[j] * shift[j];
        }
        double[][] b = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            b[i] = a[i].clone();
            for (int j = 0; j < 32; j++) {
                b[i][j] += shift[j];
            }
        }
        assertEquals(expected, FrechetDistance.compute(a, b).fid(), 1e-9);
    }

    @Test
    void handMadeTwoDimensionalCase() {
        // A: points (±1, 0), (0, ±1) → mean 0, Σ_A = diag(2/3, 2/3) with n − 1 = 3
        double[][] a = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};
        // B: A scaled by 2 on x and shifted by (3, 4) → Σ_B = diag(8/3, 2/3), mean (3, 4)
        double[][] b = {{5, 4}, {1, 4}, {3, 5}, {3, 3}};
        FeatureStatistics statsA = FeatureStatistics.of(a);
        assertArrayEquals(new double[] {2.0 / 3, 0}, statsA.covariance()[0], 1e-15);
        // ‖Δμ‖² = 25; tr Σ_A + tr Σ_B = 4/3 + 10/3; tr √(Σ_A Σ_B) = √(16/9) + √(4/9) = 4/3 + 2/3
        double expected = 25 + 14.0 / 3 - 2 * 2.0;
        FidResult result = FrechetDistance.compute(a, b);
        assertEquals(expected, result.fid(), 1e-12);
        assertEquals(25.0, result.meanDistanceSquared(), 1e-12);
        assertEquals(2.0, result.traceSqrtProduct(), 1e-12);
    }

    @Test
    void nonCommutingCovariancesMatchClosedForm() {
        // 2×2 closed form: tr √M = √(λ₁) + √(λ₂) = √(tr M + 2 √det M) for M = Σ_A Σ_B with PSD factors
        double[][] sigmaA = {{2.0, 0.6}, {0.6, 1.0}};
        double[][] sigmaB = {{1.5, -0.4}, {-0.4, 0.5}};
        double trM = sigmaA[0][0] * sigmaB[0][0]
                + sigmaA[0][1] * sigmaB[1][0]
                + sigmaA[1][0] * sigmaB[0][1]
                + sigmaA[1][1] * sigmaB[1][1];
        double detM = (sigmaA[0][0] * sigmaA[1][1] - sigmaA[0][1] * sigmaA[1][0])
                * (sigmaB[0][0] * sigmaB[1][1] - sigmaB[0][1] * sigmaB[1][0]);
        double expected = Math.sqrt(trM + 2 * Math.sqrt(detM));
        assertEquals(expected, FrechetDistance.traceSqrtProduct(sigmaA, sigmaB), 1e-13);
    }

    @Test
    void rankDeficientCovarianceStaysFinite() {
        // fewer samples than dimensions: Σ is singular, the symmetric route still gives a real value
        double[][] a = FidelityFixtures.correlatedGaussian(10, 40, 0.0, 3);
        double[][] b = FidelityFixtures.correlatedGaussian(12, 40, 0.5, 4);
        FidResult result = FrechetDistance.compute(a, b);
        assertEquals(true, Double.isFinite(result.fid()) && result.fid() > 0);
        assertEquals(0.0, FrechetDistance.compute(a, a).fid(), 1e-9);
    }

    @Test
    void mismatchedDimensionsAreRejected() {
        assertThrows(
                IllegalArgumentException.class,
                () -> FrechetDistance.compute(new double[][] {{1, 2}, {3, 4}}, new double[][] {{1}, {2}}));
    }
}
