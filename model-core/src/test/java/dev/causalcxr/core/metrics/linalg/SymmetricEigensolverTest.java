package dev.causalcxr.core.metrics.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SymmetricEigensolverTest {

    @Test
    void twoByTwoHasKnownEigenvalues() {
        // [[2,1],[1,2]] has eigenvalues 1 and 3 with vectors (1,-1)/√2 and (1,1)/√2
        SymmetricEigen eigen = SymmetricEigensolver.decompose(new double[][] {{2, 1}, {1, 2}});
        assertArrayEquals(new double[] {1, 3}, eigen.values(), 1e-14);
        double r = Math.sqrt(0.5);
        assertEquals(r, Math.abs(eigen.vectorRows()[1][0]), 1e-14);
        assertEquals(eigen.vectorRows()[1][0], eigen.vectorRows()[1][1], 1e-14);
        assertEquals(-eigen.vectorRows()[0][0], eigen.vectorRows()[0][1], 1e-14);
    }

    @Test
    void diagonalAndOneByOneMatrices() {
        assertArrayEquals(
                new double[] {-1, 0, 5},
                SymmetricEigensolver.eigenvalues(new double[][] {{5, 0, 0}, {0, -1, 0}, {0, 0, 0}}),
                0.0);
        assertArrayEquals(new double[] {7}, SymmetricEigensolver.eigenvalues(new double[][] {{7}}), 0.0);
    }

    @Test
    void randomSymmetricMatrixIsReconstructed() {
        for (int n : new int[] {3, 17, 120}) {
            double[][] a = randomSymmetric(n, 42 + n);
            SymmetricEigen eigen = SymmetricEigensolver.decompose(a);
            double[][] v = eigen.vectorRows();
            double scale = 0.0;
            for (double[] row : a) {
                for (double x : row) {
                    scale = Math.max(scale, Math.abs(x));
                }
            }
            for (int i = 0; i < n; i++) {
                // A vᵢ = λᵢ vᵢ
                for (int r = 0; r < n; r++) {
                    double av = DenseMatrices.dot(a[r], v[i]);
                    assertEquals(eigen.values()[i] * v[i][r], av, 1e-12 * n * scale, "residual n=" + n);
                }
                // orthonormal rows
                for (int j = i; j < n; j++) {
                    assertEquals(i == j ? 1.0 : 0.0, DenseMatrices.dot(v[i], v[j]), 1e-12 * n);
                }
                if (i > 0) {
                    assertEquals(true, eigen.values()[i - 1] <= eigen.values()[i]);
                }
            }
            assertArrayEquals(eigen.values(), SymmetricEigensolver.eigenvalues(a), 1e-12 * n * scale);
        }
    }

    @Test
    void blockDiagonalMatrixExercisesIdentityReflectorsBetweenRealOnes() {
        // dense 4×4 block, a 1×1 block, a dense 5×5 block: some reduction steps find a column that is
        // already reduced while an update of the previous step is still pending
        double[][] a = new double[10][10];
        double[][] first = randomSymmetric(4, 5);
        double[][] last = randomSymmetric(5, 6);
        for (int i = 0; i < 4; i++) {
            System.arraycopy(first[i], 0, a[i], 0, 4);
        }
        a[4][4] = 0.7;
        for (int i = 0; i < 5; i++) {
            System.arraycopy(last[i], 0, a[5 + i], 5, 5);
        }
        assertReconstructs(a, 1e-13);
    }

    @Test
    void repeatedEigenvaluesKeepOrthonormalVectors() {
        // A = U diag(1,1,1,2,2,5,...) Uᵀ with a random orthogonal U (from a decomposition)
        int n = 40;
        double[][] u = SymmetricEigensolver.decompose(randomSymmetric(n, 77)).vectorRows();
        double[] spectrum = new double[n];
        for (int i = 0; i < n; i++) {
            spectrum[i] = i < 3 ? 1.0 : i < 5 ? 2.0 : 5.0 + i;
        }
        double[][] a = new double[n][n];
        for (int k = 0; k < n; k++) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    a[i][j] += spectrum[k] * u[k][i] * u[k][j];
                }
            }
        }
        double[] values = SymmetricEigensolver.eigenvalues(a);
        assertArrayEquals(spectrum, values, 1e-12);
        assertReconstructs(a, 1e-12);
    }

    private static void assertReconstructs(double[][] a, double tolerance) {
        int n = a.length;
        SymmetricEigen eigen = SymmetricEigensolver.decompose(a);
        double[][] v = eigen.vectorRows();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0.0;
                for (int k = 0; k < n; k++) {
                    sum += eigen.values()[k] * v[k][i] * v[k][j];
                }
                assertEquals(a[i][j], sum, tolerance * n, "entry " + i + "," + j);
                assertEquals(i == j ? 1.0 : 0.0, DenseMatrices.dot(v[i], v[j]), tolerance * n);
            }
        }
    }

    @Test
    void traceEqualsSumOfEigenvaluesForLowRankMatrix() {
        // rank-2 PSD matrix in 6 dimensions: four eigenvalues are zero up to rounding
        double[][] u = {{1, 2, 0, -1, 3, 1}, {0, 1, 1, 1, -2, 4}};
        double[][] a = DenseMatrices.multiply(DenseMatrices.transpose(u), u);
        double[] values = SymmetricEigensolver.eigenvalues(a);
        double sum = 0.0;
        for (double v : values) {
            sum += v;
        }
        assertEquals(DenseMatrices.trace(a), sum, 1e-12);
        for (int i = 0; i < 4; i++) {
            assertEquals(0.0, values[i], 1e-12);
        }
    }

    @Test
    void rejectsNonFiniteInput() {
        assertThrows(
                IllegalArgumentException.class,
                () -> SymmetricEigensolver.eigenvalues(new double[][] {{1, Double.NaN}, {Double.NaN, 1}}));
    }

    static double[][] randomSymmetric(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                double x = random.nextDouble(-1, 1);
                a[i][j] = x;
                a[j][i] = x;
            }
        }
        return a;
    }
}
