package dev.causalcxr.core.metrics.fidelity;

import dev.causalcxr.core.metrics.linalg.DenseMatrices;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * KID (Bińkowski et al. 2018): the unbiased estimate of MMD² between two feature sets under the
 * kernel k(x, y) = (x·y / d + 1)³, computed on {@code subsets} random subsets of {@code subsetSize}
 * samples per set and summarized as mean ± std. Unlike FID it is unbiased in the sample size, so
 * small per-class sets can be compared with it.
 */
public final class KernelInceptionDistance {

    /** The customary defaults (torch-fidelity, the original KID code). */
    public static final int DEFAULT_SUBSETS = 100;

    public static final int DEFAULT_SUBSET_SIZE = 1000;

    private KernelInceptionDistance() {}

    /**
     * KID between two feature matrices. The subset size is capped at the smaller set; subsets are
     * drawn from a generator seeded with {@code seed}, so the result is reproducible (and does not
     * depend on the number of threads, which only evaluate the pre-drawn subsets).
     */
    public static KidResult compute(
            double[][] featuresA, double[][] featuresB, int subsets, int subsetSize, long seed) {
        int d = DenseMatrices.requireRectangular(featuresA, "feature set A");
        if (DenseMatrices.requireRectangular(featuresB, "feature set B") != d) {
            throw new IllegalArgumentException("feature dimensions differ: " + d + " vs " + featuresB[0].length);
        }
        if (subsets < 1 || subsetSize < 2) {
            throw new IllegalArgumentException("need at least 1 subset of at least 2 samples");
        }
        int m = Math.min(subsetSize, Math.min(featuresA.length, featuresB.length));
        if (m < 2) {
            throw new IllegalArgumentException("KID needs at least 2 samples in each set");
        }
        DenseMatrices.requireFinite(featuresA, "feature set A");
        DenseMatrices.requireFinite(featuresB, "feature set B");
        SplittableRandom random = new SplittableRandom(seed);
        int[][] indicesA = new int[subsets][];
        int[][] indicesB = new int[subsets][];
        for (int s = 0; s < subsets; s++) {
            indicesA[s] = sampleWithoutReplacement(featuresA.length, m, random);
            indicesB[s] = sampleWithoutReplacement(featuresB.length, m, random);
        }
        double[] estimates = new double[subsets];
        IntStream.range(0, subsets)
                .parallel()
                .forEach(s -> estimates[s] =
                        unbiasedMmdSquared(select(featuresA, indicesA[s]), select(featuresB, indicesB[s])));
        double mean = 0.0;
        for (double e : estimates) {
            mean += e;
        }
        mean /= subsets;
        double variance = 0.0;
        for (double e : estimates) {
            variance += (e - mean) * (e - mean);
        }
        return new KidResult(mean, Math.sqrt(variance / subsets), subsets, m);
    }

    /** Unbiased MMD² between two equally sized samples under the cubic polynomial kernel. */
    public static double unbiasedMmdSquared(double[][] x, double[][] y) {
        int m = x.length;
        if (y.length != m) {
            throw new IllegalArgumentException("samples must have equal size, got " + m + " and " + y.length);
        }
        int d = x[0].length;
        double withinX = offDiagonalKernelSum(DenseMatrices.multiplyByTranspose(x, x), d);
        double withinY = offDiagonalKernelSum(DenseMatrices.multiplyByTranspose(y, y), d);
        double across = kernelSum(DenseMatrices.multiplyByTranspose(x, y), d);
        return (withinX + withinY) / ((double) m * (m - 1)) - 2.0 * across / ((double) m * m);
    }

    private static double kernel(double dotProduct, int d) {
        double base = dotProduct / d + 1.0;
        return base * base * base;
    }

    private static double offDiagonalKernelSum(double[][] gram, int d) {
        double sum = 0.0;
        for (int i = 0; i < gram.length; i++) {
            double[] row = gram[i];
            for (int j = 0; j < row.length; j++) {
                if (j != i) {
                    sum += kernel(row[j], d);
                }
            }
        }
        return sum;
    }

    private static double kernelSum(double[][] gram, int d) {
        double sum = 0.0;
        for (double[] row : gram) {
            for (double value : row) {
                sum += kernel(value, d);
            }
        }
        return sum;
    }

    /** The first {@code m} entries of a partial Fisher–Yates shuffle of 0..n−1. */
    static int[] sampleWithoutReplacement(int n, int m, SplittableRandom random) {
        int[] pool = new int[n];
        for (int i = 0; i < n; i++) {
            pool[i] = i;
        }
        for (int i = 0; i < m; i++) {
            int j = i + random.nextInt(n - i);
            int t = pool[i];
            pool[i] = pool[j];
            pool[j] = t;
        }
        int[] chosen = new int[m];
        System.arraycopy(pool, 0, chosen, 0, m);
        return chosen;
    }

    private static double[][] select(double[][] rows, int[] indices) {
        double[][] out = new double[indices.length][];
        for (int i = 0; i < indices.length; i++) {
            out[i] = rows[indices[i]];
        }
        return out;
    }
}
