package dev.causalcxr.core.metrics.linalg;

/**
 * Result of a symmetric eigendecomposition A = Σ λᵢ vᵢ vᵢᵀ.
 *
 * @param values       eigenvalues in ascending order
 * @param vectorRows   row i is the unit eigenvector of {@code values[i]} (rows, not columns, so
 *                     callers can scale and combine them as contiguous arrays); null when only the
 *                     eigenvalues were requested
 */
public record SymmetricEigen(double[] values, double[][] vectorRows) {}
