package dev.causalcxr.core.metrics.fidelity;

import java.util.SplittableRandom;

/** Seeded synthetic feature sets for the fidelity tests. */
final class FidelityFixtures {

    private FidelityFixtures() {}

    /** n samples of z·L + offset where z ~ N(0, I) and L is a random mixing matrix (correlated features). */
    static double[][] correlatedGaussian(int n, int d, double offset, long seed) {
        return correlatedGaussian(n, d, offset, seed, seed);
    }

    /** As above with the mixing matrix (the distribution) and the draws seeded separately. */
    static double[][] correlatedGaussian(int n, int d, double offset, long mixingSeed, long sampleSeed) {
        SplittableRandom random = new SplittableRandom(mixingSeed);
        double[][] mixing = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                mixing[i][j] = (i == j ? 1.0 : 0.0) + 0.3 * random.nextGaussian() / Math.sqrt(d);
            }
        }
        random = new SplittableRandom(sampleSeed);
        double[][] out = new double[n][d];
        double[] z = new double[d];
        for (int s = 0; s < n; s++) {
            for (int i = 0; i < d; i++) {
                z[i] = random.nextGaussian();
            }
            for (int i = 0; i < d; i++) {
                double zi = z[i];
                double[] row = mixing[i];
                for (int j = 0; j < d; j++) {
                    out[s][j] += zi * row[j];
                }
            }
            for (int j = 0; j < d; j++) {
                out[s][j] += offset;
            }
        }
        return out;
    }
}
