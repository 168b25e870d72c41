package dev.causalcxr.core.metrics.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.causalcxr.core.metrics.PythonReference;
import dev.causalcxr.core.metrics.io.NpyFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The L-BFGS fit reaches the same optimum of the same objective as scikit-learn's LogisticRegression. */
class SoftmaxRegressionSklearnReferenceTest {

    private static final Logger LOG = LoggerFactory.getLogger(SoftmaxRegressionSklearnReferenceTest.class);

    @TempDir
    Path dir;

    @Test
    void reachesScikitLearnsOptimum() throws IOException {
        int n = 500;
        int d = 12;
        int classes = 4;
        SplittableRandom random = new SplittableRandom(8);
        double[][] x = new double[n][d];
        double[][] y = new double[n][1];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = random.nextInt(classes);
            y[i][0] = labels[i];
            for (int j = 0; j < d; j++) {
                x[i][j] = 3.0 * random.nextGaussian() + (j % classes == labels[i] ? 1.0 : 0.0) + j;
            }
        }
        double l2 = 0.01;
        Path xFile = dir.resolve("x.npy");
        Path yFile = dir.resolve("y.npy");
        NpyFiles.write(xFile, x, NpyFiles.ElementType.FLOAT64);
        NpyFiles.write(yFile, y, NpyFiles.ElementType.FLOAT64);
        double sklearn = PythonReference.run("logreg", xFile.toString(), yFile.toString(), Double.toString(l2))
                .get("objective")
                .asDouble();
        SoftmaxRegression ours = SoftmaxRegression.fit(x, labels, classes, l2, 1000, 1e-9);
        LOG.info(
                "softmax regression objective: ours {} ({} iterations) scikit-learn {}",
                ours.trainLoss(),
                ours.iterations(),
                sklearn);
        assertEquals(sklearn, ours.trainLoss(), 1e-8 * sklearn);
    }
}
