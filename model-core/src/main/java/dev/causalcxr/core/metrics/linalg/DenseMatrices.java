package dev.causalcxr.core.metrics.linalg;

/**
 * Dense double-precision kernels on row-major {@code double[][]} matrices.
 *
 * <p>Every product is written as "row += scalar × row" updates over contiguous arrays: HotSpot
 * vectorizes those loops, whereas dot-product reductions stay scalar. Loops are tiled so the rows
 * being updated stay in L1 and the rows being read stay in L2. Results are deterministic: the
 * summation order depends only on the shapes, never on timing.
 */
public final class DenseMatrices {

    /** Samples (rows of the data) per tile in the covariance kernel: 64 rows × 4 KiB fit in L2. */
    private static final int ROW_TILE = 64;
    /** Columns per tile of the product kernel: a 2 KiB output stripe stays in L1. */
    private static final int COLUMN_TILE = 256;
    /** Inner-dimension tile of the product kernel: 64 × 256 doubles of B (128 KiB) stay in L2. */
    private static final int INNER_TILE = 64;

    private DenseMatrices() {}

    /** Checks that a matrix is non-empty and rectangular; returns its column count. */
    public static int requireRectangular(double[][] matrix, String name) {
        if (matrix == null || matrix.length == 0) {
            throw new IllegalArgumentException(name + " has no rows");
        }
        int columns = matrix[0].length;
        if (columns == 0) {
            throw new IllegalArgumentException(name + " has no columns");
        }
        for (int i = 1; i < matrix.length; i++) {
            if (matrix[i].length != columns) {
                throw new IllegalArgumentException(
                        name + " is ragged: row " + i + " has " + matrix[i].length + " columns, row 0 has " + columns);
            }
        }
        return columns;
    }

    /** Checks that every entry is finite (NaN or infinity would silently poison the eigensolver). */
    public static void requireFinite(double[][] matrix, String name) {
        for (int i = 0; i < matrix.length; i++) {
            for (double value : matrix[i]) {
                if (!Double.isFinite(value)) {
                    throw new IllegalArgumentException(name + " has a non-finite value in row " + i);
                }
            }
        }
    }

    public static double[][] transpose(double[][] a) {
        int rows = a.length;
        int columns = a[0].length;
        double[][] t = new double[columns][rows];
        for (int i = 0; i < rows; i++) {
            double[] row = a[i];
            for (int j = 0; j < columns; j++) {
                t[j][i] = row[j];
            }
        }
        return t;
    }

    /** Returns {@code a × b}. */
    public static double[][] multiply(double[][] a, double[][] b) {
        int inner = b.length;
        if (a[0].length != inner) {
            throw new IllegalArgumentException(
                    "shape mismatch: " + a.length + "x" + a[0].length + " times " + inner + "x" + b[0].length);
        }
        int rows = a.length;
        int columns = b[0].length;
        double[][] c = new double[rows][columns];
        for (int j0 = 0; j0 < columns; j0 += COLUMN_TILE) {
            int j1 = Math.min(columns, j0 + COLUMN_TILE);
            for (int k0 = 0; k0 < inner; k0 += INNER_TILE) {
                int k1 = Math.min(inner, k0 + INNER_TILE);
                for (int i = 0; i < rows; i++) {
                    double[] ai = a[i];
                    double[] ci = c[i];
                    for (int k = k0; k < k1; k++) {
                        double aik = ai[k];
                        if (aik == 0.0) {
                            continue;
                        }
                        double[] bk = b[k];
                        for (int j = j0; j < j1; j++) {
                            ci[j] += aik * bk[j];
                        }
                    }
                }
            }
        }
        return c;
    }

    /** Returns {@code a × bᵀ}: the matrix of dot products between the rows of a and the rows of b. */
    public static double[][] multiplyByTranspose(double[][] a, double[][] b) {
        return multiply(a, transpose(b));
    }

    /**
     * Returns {@code xᵀx} for a row-major data matrix x (rows = samples), computing only the upper
     * triangle and mirroring it. This is the O(n·d²) core of a covariance matrix.
     */
    public static double[][] gramOfColumns(double[][] x) {
        int rows = x.length;
        int d = x[0].length;
        double[][] g = new double[d][d];
        for (int k0 = 0; k0 < rows; k0 += ROW_TILE) {
            int k1 = Math.min(rows, k0 + ROW_TILE);
            int a = 0;
            // four output rows at a time: each loaded data value feeds four multiply-adds
            for (; a + 4 <= d; a += 4) {
                double[] g0 = g[a];
                double[] g1 = g[a + 1];
                double[] g2 = g[a + 2];
                double[] g3 = g[a + 3];
                for (int k = k0; k < k1; k++) {
                    double[] xk = x[k];
                    double x0 = xk[a];
                    double x1 = xk[a + 1];
                    double x2 = xk[a + 2];
                    double x3 = xk[a + 3];
                    for (int b = a; b < d; b++) {
                        double v = xk[b];
                        g0[b] += x0 * v;
                        g1[b] += x1 * v;
                        g2[b] += x2 * v;
                        g3[b] += x3 * v;
                    }
                }
            }
            for (; a < d; a++) {
                double[] ga = g[a];
                for (int k = k0; k < k1; k++) {
                    double[] xk = x[k];
                    double xa = xk[a];
                    for (int b = a; b < d; b++) {
                        ga[b] += xa * xk[b];
                    }
                }
            }
        }
        // the 4-row blocks also filled a few entries below the diagonal; the mirror overwrites them
        for (int a = 0; a < d; a++) {
            for (int b = a + 1; b < d; b++) {
                g[b][a] = g[a][b];
            }
        }
        return g;
    }

    /** Replaces a square matrix by its symmetric part (a + aᵀ)/2, removing rounding asymmetry. */
    public static void symmetrize(double[][] a) {
        int n = a.length;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double mean = 0.5 * (a[i][j] + a[j][i]);
                a[i][j] = mean;
                a[j][i] = mean;
            }
        }
    }

    public static double trace(double[][] a) {
        double sum = 0.0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i][i];
        }
        return sum;
    }

    public static double[][] copy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }

    public static double dot(double[] a, double[] b) {
        double s0 = 0.0;
        double s1 = 0.0;
        double s2 = 0.0;
        double s3 = 0.0;
        int n = a.length;
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            s0 += a[i] * b[i];
            s1 += a[i + 1] * b[i + 1];
            s2 += a[i + 2] * b[i + 2];
            s3 += a[i + 3] * b[i + 3];
        }
        for (; i < n; i++) {
            s0 += a[i] * b[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** Rows of floats widened to doubles (feature and code matrices come from the networks as floats). */
    public static double[][] toDouble(float[][] rows) {
        double[][] out = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = new double[rows[i].length];
            for (int j = 0; j < rows[i].length; j++) {
                out[i][j] = rows[i][j];
            }
        }
        return out;
    }
}
