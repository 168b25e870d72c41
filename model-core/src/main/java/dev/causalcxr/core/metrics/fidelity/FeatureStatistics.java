package dev.causalcxr.core.metrics.fidelity;

import dev.causalcxr.core.metrics.linalg.DenseMatrices;

/**
 * Mean and covariance of a feature set, the sufficient statistics of the Fréchet distance. Cached
 * reference statistics (for example of the real test split) can be reused across many comparisons.
 *
 * @param mean       per-feature mean
 * @param covariance unbiased covariance (normalized by n − 1, as {@code numpy.cov})
 * @param count      number of samples
 */
public record FeatureStatistics(double[] mean, double[][] covariance, int count) {

    public FeatureStatistics {
        if (covariance.length != mean.length || covariance[0].length != mean.length) {
            throw new IllegalArgumentException("covariance must be " + mean.length + "x" + mean.length);
        }
    }

    public int dimension() {
        return mean.length;
    }

    /** Statistics of a feature matrix (rows = samples); needs at least two samples. */
    public static FeatureStatistics of(double[][] features) {
        int d = DenseMatrices.requireRectangular(features, "feature matrix");
        int n = features.length;
        if (n < 2) {
            throw new IllegalArgumentException("a covariance needs at least 2 samples, got " + n);
        }
        DenseMatrices.requireFinite(features, "feature matrix");
        double[] mean = new double[d];
        for (double[] row : features) {
            for (int j = 0; j < d; j++) {
                mean[j] += row[j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        // centre first (as numpy.cov does): the two-pass form keeps precision when |mean| ≫ spread
        double[][] centred = new double[n][d];
        for (int i = 0; i < n; i++) {
            double[] row = features[i];
            double[] out = centred[i];
            for (int j = 0; j < d; j++) {
                out[j] = row[j] - mean[j];
            }
        }
        double[][] covariance = DenseMatrices.gramOfColumns(centred);
        double norm = 1.0 / (n - 1);
        for (double[] row : covariance) {
            for (int j = 0; j < d; j++) {
                row[j] *= norm;
            }
        }
        return new FeatureStatistics(mean, covariance, n);
    }
}
