package dev.causalcxr.core.metrics.fidelity;

import dev.causalcxr.core.metrics.linalg.DenseMatrices;

/**
 * Diversity of samples generated for one condition: the mean Euclidean distance over all pairs of
 * their feature vectors. Zero means every sample is the same (mode collapse for that condition).
 */
public final class FeatureDiversity {

    private FeatureDiversity() {}

    /** Mean of ‖xᵢ − xⱼ‖ over all pairs i &lt; j; needs at least two samples. */
    public static double meanPairwiseDistance(double[][] features) {
        int d = DenseMatrices.requireRectangular(features, "features");
        int n = features.length;
        if (n < 2) {
            throw new IllegalArgumentException("diversity needs at least 2 samples, got " + n);
        }
        DenseMatrices.requireFinite(features, "features");
        double sum = 0.0;
        for (int i = 0; i < n; i++) {
            double[] xi = features[i];
            for (int j = i + 1; j < n; j++) {
                double[] xj = features[j];
                double squared = 0.0;
                // exact differences rather than the Gram expansion: no cancellation for close samples
                for (int k = 0; k < d; k++) {
                    double diff = xi[k] - xj[k];
                    squared += diff * diff;
                }
                sum += Math.sqrt(squared);
            }
        }
        return sum / ((double) n * (n - 1) / 2.0);
    }
}
