package dev.causalcxr.core.metrics.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class FeatureDiversityTest {

    @Test
    void handCheckedDistances() {
        // equilateral triangle with side 2
        double[][] triangle = {{0, 0}, {2, 0}, {1, Math.sqrt(3)}};
        assertEquals(2.0, FeatureDiversity.meanPairwiseDistance(triangle), 1e-15);
        // pairs of (0,0),(3,4),(0,0): 5, 0, 5 → 10/3
        assertEquals(10.0 / 3, FeatureDiversity.meanPairwiseDistance(new double[][] {{0, 0}, {3, 4}, {0, 0}}), 1e-15);
        assertEquals(0.0, FeatureDiversity.meanPairwiseDistance(new double[][] {{1, 1}, {1, 1}}), 0.0);
    }

    @Test
    void needsTwoSamples() {
        assertThrows(IllegalArgumentException.class, () -> FeatureDiversity.meanPairwiseDistance(new double[][] {{1}}));
    }
}
