package dev.causalcxr.core.metrics.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LinearProbeTest {

    @Test
    void separableClassesAreReadAlmostPerfectly() {
        int n = 600;
        int d = 10;
        SplittableRandom random = new SplittableRandom(1);
        double[][] x = new double[n][d];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = 10 + i % 3; // non-dense labels on purpose
            for (int j = 0; j < d; j++) {
                x[i][j] = random.nextGaussian()
                        + (j == labels[i] - 10 ? 6.0 : 0.0)
                        + 100.0; // offset: standardization matters
            }
        }
        ProbeResult result = LinearProbe.evaluate(x, labels, LinearProbeConfig.defaults(7));
        assertTrue(result.balancedAccuracy() > 0.97, result.toString());
        assertEquals(3, result.classCount());
        assertEquals(150, result.testCount());
        assertEquals(1.0 / 3, result.chanceBalancedAccuracy(), 1e-15);
    }

    @Test
    void noiseLabelsStayNearChance() {
        int n = 1600;
        int d = 16;
        SplittableRandom random = new SplittableRandom(2);
        double[][] x = new double[n][d];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = random.nextInt(4);
            for (int j = 0; j < d; j++) {
                x[i][j] = random.nextGaussian();
            }
        }
        ProbeResult result = LinearProbe.evaluate(x, labels, LinearProbeConfig.defaults(3));
        assertEquals(0.25, result.balancedAccuracy(), 0.06, result.toString());
    }

    @Test
    void sameSeedGivesTheSameResult() {
        SplittableRandom random = new SplittableRandom(5);
        double[][] x = new double[200][5];
        int[] labels = new int[200];
        for (int i = 0; i < 200; i++) {
            labels[i] = i % 4;
            for (int j = 0; j < 5; j++) {
                x[i][j] = random.nextGaussian() + 0.8 * (j == labels[i] ? 1 : 0);
            }
        }
        assertEquals(
                LinearProbe.evaluate(x, labels, LinearProbeConfig.defaults(9)),
                LinearProbe.evaluate(x, labels, LinearProbeConfig.defaults(9)));
    }

    @Test
    void stratifiedSplitKeepsEveryClassInTraining() {
        int[] labels = {0, 0, 0, 0, 1, 1, 2};
        boolean[] test = LinearProbe.stratifiedTestMask(labels, 3, 0.5, 1);
        int test0 = 0;
        int test1 = 0;
        for (int i = 0; i < labels.length; i++) {
            if (test[i]) {
                test0 += labels[i] == 0 ? 1 : 0;
                test1 += labels[i] == 1 ? 1 : 0;
            }
        }
        assertEquals(2, test0);
        assertEquals(1, test1);
        assertTrue(!test[6], "a singleton class stays in training");
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        SplittableRandom random = new SplittableRandom(4);
        double[][] x = new double[30][3];
        int[] labels = new int[30];
        for (int i = 0; i < 30; i++) {
            labels[i] = random.nextInt(3);
            for (int j = 0; j < 3; j++) {
                x[i][j] = random.nextGaussian();
            }
        }
        SoftmaxRegression.Objective objective = new SoftmaxRegression.Objective(x, labels, 3, 0.1);
        double[] parameters = new double[3 * 4];
        for (int k = 0; k < parameters.length; k++) {
            parameters[k] = random.nextGaussian();
        }
        double[] gradient = new double[parameters.length];
        objective.valueAndGradient(parameters, gradient);
        double[] scratch = new double[parameters.length];
        for (int k = 0; k < parameters.length; k++) {
            double h = 1e-6;
            double[] plus = parameters.clone();
            double[] minus = parameters.clone();
            plus[k] += h;
            minus[k] -= h;
            double numeric =
                    (objective.valueAndGradient(plus, scratch) - objective.valueAndGradient(minus, scratch)) / (2 * h);
            assertEquals(numeric, gradient[k], 1e-7, "parameter " + k);
        }
    }
}
