package dev.causalcxr.core.metrics.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class KernelInceptionDistanceTest {

    @Test
    void handComputedTwoSampleCase() {
        // d = 2: k(x, y) = (x·y/2 + 1)³. Kxx and Kyy off-diagonals are k(0) = 1; Kxy sums to
        // 3.375 + 1 + 3.375 + 1 = 8.75. MMD² = 2/2 + 2/2 − 2·8.75/4 = −2.375 (unbiased: may be negative).
        double[][] x = {{1, 0}, {0, 1}};
        double[][] y = {{1, 1}, {0, 0}};
        assertEquals(-2.375, KernelInceptionDistance.unbiasedMmdSquared(x, y), 1e-15);
    }

    @Test
    void sameDistributionIsNearZeroAndShiftIsPositive() {
        // same mixing matrix (distribution), independent draws
        double[][] a = FidelityFixtures.correlatedGaussian(600, 16, 0.0, 1, 2);
        double[][] b = FidelityFixtures.correlatedGaussian(600, 16, 0.0, 1, 3);
        double[][] shifted = FidelityFixtures.correlatedGaussian(600, 16, 0.5, 1, 4);
        KidResult same = KernelInceptionDistance.compute(a, b, 20, 200, 42);
        KidResult different = KernelInceptionDistance.compute(a, shifted, 20, 200, 42);
        assertTrue(different.mean() > 0.5, "shifted KID " + different);
        assertTrue(Math.abs(same.mean()) < 0.02 * different.mean(), "same " + same + " vs shifted " + different);
        assertTrue(different.mean() > 5 * different.std());
        assertEquals(200, same.subsetSize());
    }

    @Test
    void subsetSizeIsCappedAndSeedMakesItReproducible() {
        double[][] a = FidelityFixtures.correlatedGaussian(50, 8, 0.0, 5);
        double[][] b = FidelityFixtures.correlatedGaussian(30, 8, 0.2, 6);
        KidResult first = KernelInceptionDistance.compute(a, b, 10, 1000, 7);
        assertEquals(30, first.subsetSize());
        assertEquals(first, KernelInceptionDistance.compute(a, b, 10, 1000, 7));
    }

    @Test
    void tooFewSamplesIsAnError() {
        assertThrows(
                IllegalArgumentException.class,
                () -> KernelInceptionDistance.compute(new double[][] {{1}}, new double[][] {{1}, {2}}, 1, 10, 0));
    }
}
