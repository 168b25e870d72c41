package dev.causalcxr.core.metrics.fidelity;

import dev.causalcxr.core.metrics.linalg.DenseMatrices;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Precision / recall / density / coverage with Euclidean k-nearest-neighbour balls, following the
 * reference implementation ({@code prdc} package): a sample's radius is the distance to its k-th
 * nearest neighbour in its own set (itself excluded), and "inside" is a strict comparison.
 *
 * <p>Distances come from the Gram expansion ‖x − y‖² = ‖x‖² + ‖y‖² − 2 x·y, blocked so that no
 * n × m matrix is ever held in full (10,000 × 10,000 would be 800 MB).
 */
public final class PrecisionRecallDensityCoverage {

    public static final int DEFAULT_NEAREST_K = 5;
    /** Rows per distance block: 128 × 10,000 doubles ≈ 10 MB per block in flight. */
    private static final int BLOCK_ROWS = 128;

    private PrecisionRecallDensityCoverage() {}

    public static PrdcResult compute(double[][] real, double[][] fake, int nearestK) {
        int d = DenseMatrices.requireRectangular(real, "real features");
        if (DenseMatrices.requireRectangular(fake, "generated features") != d) {
            throw new IllegalArgumentException("feature dimensions differ: " + d + " vs " + fake[0].length);
        }
        if (nearestK < 1) {
            throw new IllegalArgumentException("k must be at least 1");
        }
        if (real.length <= nearestK || fake.length <= nearestK) {
            throw new IllegalArgumentException("k = " + nearestK + " needs more than k samples in each set, got "
                    + real.length + " real and " + fake.length + " generated");
        }
        DenseMatrices.requireFinite(real, "real features");
        DenseMatrices.requireFinite(fake, "generated features");
        // distances are translation-invariant; centring on the real mean limits cancellation in the
        // Gram expansion when features sit far from the origin
        double[] centre = columnMeans(real);
        real = centred(real, centre);
        fake = centred(fake, centre);
        double[] realNorms = squaredNorms(real);
        double[] fakeNorms = squaredNorms(fake);
        double[] realRadii = kthNeighbourSquaredDistances(real, realNorms, nearestK);
        double[] fakeRadii = kthNeighbourSquaredDistances(fake, fakeNorms, nearestK);

        double[][] fakeTransposed = DenseMatrices.transpose(fake);
        double[][] realRows = real;
        int n = real.length;
        int m = fake.length;
        int blocks = (n + BLOCK_ROWS - 1) / BLOCK_ROWS;
        int[][] realBallCountsPerBlock = new int[blocks][];
        boolean[] realRecalled = new boolean[n];
        boolean[] realCovered = new boolean[n];
        IntStream.range(0, blocks).parallel().forEach(block -> {
            int i0 = block * BLOCK_ROWS;
            int i1 = Math.min(n, i0 + BLOCK_ROWS);
            double[][] dots = DenseMatrices.multiply(Arrays.copyOfRange(realRows, i0, i1), fakeTransposed);
            int[] counts = new int[m];
            for (int i = i0; i < i1; i++) {
                double[] row = dots[i - i0];
                double radius = realRadii[i];
                boolean recalled = false;
                boolean covered = false;
                for (int j = 0; j < m; j++) {
                    double distance = squaredDistance(realNorms[i], fakeNorms[j], row[j]);
                    if (distance < radius) {
                        counts[j]++;
                        covered = true;
                    }
                    if (distance < fakeRadii[j]) {
                        recalled = true;
                    }
                }
                realRecalled[i] = recalled;
                realCovered[i] = covered;
            }
            realBallCountsPerBlock[block] = counts;
        });
        long insideSomeRealBall = 0;
        long realBallMemberships = 0;
        for (int j = 0; j < m; j++) {
            int count = 0;
            for (int[] counts : realBallCountsPerBlock) {
                count += counts[j];
            }
            realBallMemberships += count;
            if (count > 0) {
                insideSomeRealBall++;
            }
        }
        int recalled = 0;
        int covered = 0;
        for (int i = 0; i < n; i++) {
            recalled += realRecalled[i] ? 1 : 0;
            covered += realCovered[i] ? 1 : 0;
        }
        return new PrdcResult(
                (double) insideSomeRealBall / m,
                (double) recalled / n,
                (double) realBallMemberships / ((double) nearestK * m),
                (double) covered / n,
                nearestK,
                n,
                m);
    }

    /** Squared distance of each row to its k-th nearest other row of the same set. */
    static double[] kthNeighbourSquaredDistances(double[][] x, double[] norms, int k) {
        int n = x.length;
        double[][] transposed = DenseMatrices.transpose(x);
        double[] radii = new double[n];
        int blocks = (n + BLOCK_ROWS - 1) / BLOCK_ROWS;
        IntStream.range(0, blocks).parallel().forEach(block -> {
            int i0 = block * BLOCK_ROWS;
            int i1 = Math.min(n, i0 + BLOCK_ROWS);
            double[][] dots = DenseMatrices.multiply(Arrays.copyOfRange(x, i0, i1), transposed);
            double[] smallest = new double[k];
            for (int i = i0; i < i1; i++) {
                Arrays.fill(smallest, Double.POSITIVE_INFINITY);
                double[] row = dots[i - i0];
                for (int j = 0; j < n; j++) {
                    if (j == i) {
                        continue;
                    }
                    double distance = squaredDistance(norms[i], norms[j], row[j]);
                    if (distance < smallest[k - 1]) {
                        // insertion into the sorted k smallest seen so far
                        int p = k - 1;
                        while (p > 0 && smallest[p - 1] > distance) {
                            smallest[p] = smallest[p - 1];
                            p--;
                        }
                        smallest[p] = distance;
                    }
                }
                radii[i] = smallest[k - 1];
            }
        });
        return radii;
    }

    private static double squaredDistance(double normX, double normY, double dot) {
        // the expansion can go slightly negative for (near-)identical points
        return Math.max(0.0, normX + normY - 2.0 * dot);
    }

    private static double[] columnMeans(double[][] x) {
        double[] mean = new double[x[0].length];
        for (double[] row : x) {
            for (int j = 0; j < mean.length; j++) {
                mean[j] += row[j];
            }
        }
        for (int j = 0; j < mean.length; j++) {
            mean[j] /= x.length;
        }
        return mean;
    }

    private static double[][] centred(double[][] x, double[] centre) {
        double[][] out = new double[x.length][centre.length];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < centre.length; j++) {
                out[i][j] = x[i][j] - centre[j];
            }
        }
        return out;
    }

    private static double[] squaredNorms(double[][] x) {
        double[] norms = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            norms[i] = DenseMatrices.dot(x[i], x[i]);
        }
        return norms;
    }
}
