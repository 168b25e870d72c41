package dev.causalcxr.core.metrics.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DenseMatricesTest {

    @Test
    void multiplyMatchesHandComputedProduct() {
        double[][] a = {{1, 2, 3}, {4, 5, 6}};
        double[][] b = {{7, 8}, {9, 10}, {11, 12}};
        double[][] c = DenseMatrices.multiply(a, b);
        assertArrayEquals(new double[] {58, 64}, c[0], 0.0);
        assertArrayEquals(new double[] {139, 154}, c[1], 0.0);
        assertArrayEquals(new double[] {14, 32}, DenseMatrices.multiplyByTranspose(a, a)[0], 0.0);
    }

    @Test
    void gramOfColumnsMatchesNaiveProductAcrossTileBoundaries() {
        SplittableRandom random = new SplittableRandom(3);
        double[][] x = new double[150][37]; // neither a multiple of the row tile nor of the 4-row block
        for (double[] row : x) {
            for (int j = 0; j < row.length; j++) {
                row[j] = random.nextGaussian();
            }
        }
        double[][] gram = DenseMatrices.gramOfColumns(x);
        double[][] naive = DenseMatrices.multiply(DenseMatrices.transpose(x), x);
        for (int i = 0; i < 37; i++) {
            assertArrayEquals(naive[i], gram[i], 1e-11);
            for (int j = 0; j < 37; j++) {
                assertEquals(gram[i][j], gram[j][i], 0.0);
            }
        }
    }

    @Test
    void raggedMatrixIsRejected() {
        assertThrows(
                IllegalArgumentException.class,
                () -> DenseMatrices.requireRectangular(new double[][] {{1, 2}, {3}}, "x"));
    }
}
