package dev.causalcxr.core.metrics.fidelity;

import dev.causalcxr.core.metrics.linalg.DenseMatrices;
import dev.causalcxr.core.metrics.linalg.SymmetricEigen;
import dev.causalcxr.core.metrics.linalg.SymmetricEigensolver;

/**
 * Fréchet distance between Gaussians fitted to two feature sets (FID when the features come from
 * Inception; here any feature network).
 *
 * <p>The usual implementation takes {@code sqrtm(Σ_A Σ_B)} of a non-symmetric product, which goes
 * complex or loses accuracy when the covariances are near-singular. This one stays symmetric:
 * Σ_A = V Λ Vᵀ, and with C = Λ^½ Vᵀ the matrix M = C Σ_B Cᵀ is symmetric positive semi-definite and
 * orthogonally similar to Σ_A^½ Σ_B Σ_A^½, whose eigenvalues are those of Σ_A Σ_B. Hence
 * tr √(Σ_A Σ_B) = Σ √μᵢ over the eigenvalues μᵢ of M, with tiny negative rounding clamped to zero.
 */
public final class FrechetDistance {

    private FrechetDistance() {}

    /** Fréchet distance between two feature matrices (rows = samples, same column count). */
    public static FidResult compute(double[][] featuresA, double[][] featuresB) {
        return between(FeatureStatistics.of(featuresA), FeatureStatistics.of(featuresB));
    }

    /** Fréchet distance from precomputed statistics. */
    public static FidResult between(FeatureStatistics a, FeatureStatistics b) {
        int d = a.dimension();
        if (b.dimension() != d) {
            throw new IllegalArgumentException("feature dimensions differ: " + d + " vs " + b.dimension());
        }
        double meanDistanceSquared = 0.0;
        for (int j = 0; j < d; j++) {
            double diff = a.mean()[j] - b.mean()[j];
            meanDistanceSquared += diff * diff;
        }
        double traceA = DenseMatrices.trace(a.covariance());
        double traceB = DenseMatrices.trace(b.covariance());
        double traceSqrtProduct = traceSqrtProduct(a.covariance(), b.covariance());
        double fid = meanDistanceSquared + traceA + traceB - 2.0 * traceSqrtProduct;
        // rounding can leave a tiny negative value for identical statistics; a distance is never negative
        return new FidResult(
                Math.max(0.0, fid), meanDistanceSquared, traceA, traceB, traceSqrtProduct, d, a.count(), b.count());
    }

    /** tr √(Σ_A Σ_B) for symmetric positive semi-definite Σ_A, Σ_B, through a symmetric route. */
    public static double traceSqrtProduct(double[][] sigmaA, double[][] sigmaB) {
        SymmetricEigen eigenA = SymmetricEigensolver.decompose(sigmaA);
        int d = sigmaA.length;
        // C = Λ^½ Vᵀ: row i is √λᵢ times eigenvector i
        double[][] c = new double[d][];
        for (int i = 0; i < d; i++) {
            double root = Math.sqrt(Math.max(0.0, eigenA.values()[i]));
            double[] row = eigenA.vectorRows()[i].clone();
            for (int j = 0; j < d; j++) {
                row[j] *= root;
            }
            c[i] = row;
        }
        double[][] m = DenseMatrices.multiply(DenseMatrices.multiply(c, sigmaB), DenseMatrices.transpose(c));
        DenseMatrices.symmetrize(m);
        double sum = 0.0;
        for (double mu : SymmetricEigensolver.eigenvalues(m)) {
            if (mu > 0.0) {
                sum += Math.sqrt(mu);
            }
        }
        return sum;
    }
}
