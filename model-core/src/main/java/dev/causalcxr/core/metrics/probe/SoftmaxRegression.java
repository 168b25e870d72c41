package dev.causalcxr.core.metrics.probe;

import dev.causalcxr.core.metrics.linalg.DenseMatrices;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Multinomial logistic regression with an L2 penalty, on features standardized with the training
 * mean and standard deviation, fitted by full-batch L-BFGS from zero weights. There is no
 * randomness in the fit, so the same data give the same model bit for bit.
 */
public final class SoftmaxRegression {

    /** Curvature pairs kept by L-BFGS. */
    private static final int HISTORY = 10;
    /** Armijo sufficient-decrease constant. */
    private static final double ARMIJO = 1e-4;

    private static final int MAX_BACKTRACKS = 40;

    private final double[] featureMeans;
    private final double[] featureScales;
    /** weights[c] = (w_c1..w_cd, b_c). */
    private final double[][] weights;

    private final int iterations;
    private final double trainLoss;

    private SoftmaxRegression(
            double[] featureMeans, double[] featureScales, double[][] weights, int iterations, double trainLoss) {
        this.featureMeans = featureMeans;
        this.featureScales = featureScales;
        this.weights = weights;
        this.iterations = iterations;
        this.trainLoss = trainLoss;
    }

    /**
     * Fits classes 0..classCount−1.
     *
     * @param features rows = samples
     * @param labels   class per row
     */
    public static SoftmaxRegression fit(
            double[][] features,
            int[] labels,
            int classCount,
            double l2Penalty,
            int maxIterations,
            double gradientTolerance) {
        int d = DenseMatrices.requireRectangular(features, "features");
        if (labels.length != features.length) {
            throw new IllegalArgumentException(features.length + " rows but " + labels.length + " labels");
        }
        DenseMatrices.requireFinite(features, "features");
        int n = features.length;
        double[] means = new double[d];
        double[] scales = new double[d];
        for (double[] row : features) {
            for (int j = 0; j < d; j++) {
                means[j] += row[j];
            }
        }
        for (int j = 0; j < d; j++) {
            means[j] /= n;
        }
        for (double[] row : features) {
            for (int j = 0; j < d; j++) {
                double diff = row[j] - means[j];
                scales[j] += diff * diff;
            }
        }
        for (int j = 0; j < d; j++) {
            double std = Math.sqrt(scales[j] / n);
            // a constant feature carries no information; leave it unscaled rather than divide by zero
            scales[j] = std > 1e-12 ? std : 1.0;
        }
        double[][] x = standardize(features, means, scales);
        Objective objective = new Objective(x, labels, classCount, l2Penalty);
        double[] parameters = new double[classCount * (d + 1)];
        double[] gradient = new double[parameters.length];
        double loss = objective.valueAndGradient(parameters, gradient);

        Deque<double[]> steps = new ArrayDeque<>();
        Deque<double[]> gradientChanges = new ArrayDeque<>();
        int iteration = 0;
        while (iteration < maxIterations && maxAbs(gradient) > gradientTolerance) {
            iteration++;
            double[] direction = twoLoopDirection(gradient, steps, gradientChanges);
            double slope = dot(direction, gradient);
            if (!(slope < 0)) {
                // not a descent direction (curvature information went stale): restart from steepest descent
                steps.clear();
                gradientChanges.clear();
                direction = negate(gradient);
                slope = dot(direction, gradient);
            }
            double step = steps.isEmpty() ? Math.min(1.0, 1.0 / Math.sqrt(dot(gradient, gradient))) : 1.0;
            double[] candidate = new double[parameters.length];
            double[] candidateGradient = new double[parameters.length];
            double candidateLoss = Double.NaN;
            boolean accepted = false;
            for (int backtrack = 0; backtrack < MAX_BACKTRACKS; backtrack++) {
                for (int k = 0; k < parameters.length; k++) {
                    candidate[k] = parameters[k] + step * direction[k];
                }
                candidateLoss = objective.valueAndGradient(candidate, candidateGradient);
                if (candidateLoss <= loss + ARMIJO * step * slope) {
                    accepted = true;
                    break;
                }
                step *= 0.5;
            }
            if (!accepted) {
                break; // no further decrease representable in double precision
            }
            double[] s = new double[parameters.length];
            double[] y = new double[parameters.length];
            for (int k = 0; k < parameters.length; k++) {
                s[k] = candidate[k] - parameters[k];
                y[k] = candidateGradient[k] - gradient[k];
            }
            double previousLoss = loss;
            parameters = candidate;
            gradient = candidateGradient;
            loss = candidateLoss;
            if (dot(s, y) > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
                steps.addLast(s);
                gradientChanges.addLast(y);
                if (steps.size() > HISTORY) {
                    steps.removeFirst();
                    gradientChanges.removeFirst();
                }
            }
            if (previousLoss - loss <= 1e-14 * Math.max(1.0, Math.abs(loss))) {
                break;
            }
        }
        double[][] weights = new double[classCount][d + 1];
        for (int c = 0; c < classCount; c++) {
            System.arraycopy(parameters, c * (d + 1), weights[c], 0, d + 1);
        }
        return new SoftmaxRegression(means, scales, weights, iteration, loss);
    }

    /** Class scores (logits) per sample. */
    public double[][] logits(double[][] features) {
        double[][] x = standardize(features, featureMeans, featureScales);
        double[][] out = new double[x.length][weights.length];
        for (int i = 0; i < x.length; i++) {
            for (int c = 0; c < weights.length; c++) {
                out[i][c] = linear(weights[c], x[i]);
            }
        }
        return out;
    }

    /** Most likely class per sample. */
    public int[] predict(double[][] features) {
        double[][] logits = logits(features);
        int[] out = new int[logits.length];
        for (int i = 0; i < logits.length; i++) {
            int best = 0;
            for (int c = 1; c < logits[i].length; c++) {
                if (logits[i][c] > logits[i][best]) {
                    best = c;
                }
            }
            out[i] = best;
        }
        return out;
    }

    public int iterations() {
        return iterations;
    }

    public double trainLoss() {
        return trainLoss;
    }

    /** Mean cross-entropy + λ/2 ‖W‖² over standardized features; parameters laid out class by class. */
    static final class Objective {
        private final double[][] x;
        private final int[] labels;
        private final int classCount;
        private final double l2Penalty;

        Objective(double[][] x, int[] labels, int classCount, double l2Penalty) {
            this.x = x;
            this.labels = labels;
            this.classCount = classCount;
            this.l2Penalty = l2Penalty;
        }

        double valueAndGradient(double[] parameters, double[] gradient) {
            int n = x.length;
            int stride = x[0].length + 1;
            int d = stride - 1;
            java.util.Arrays.fill(gradient, 0.0);
            double loss = 0.0;
            double[] logits = new double[classCount];
            for (int i = 0; i < n; i++) {
                double[] xi = x[i];
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < classCount; c++) {
                    double z = parameters[c * stride + d];
                    int offset = c * stride;
                    for (int j = 0; j < d; j++) {
                        z += parameters[offset + j] * xi[j];
                    }
                    logits[c] = z;
                    max = Math.max(max, z);
                }
                double sum = 0.0;
                for (int c = 0; c < classCount; c++) {
                    logits[c] = Math.exp(logits[c] - max);
                    sum += logits[c];
                }
                int label = labels[i];
                loss -= Math.log(logits[label] / sum);
                for (int c = 0; c < classCount; c++) {
                    double residual = logits[c] / sum - (c == label ? 1.0 : 0.0);
                    int offset = c * stride;
                    for (int j = 0; j < d; j++) {
                        gradient[offset + j] += residual * xi[j];
                    }
                    gradient[offset + d] += residual;
                }
            }
            double penalty = 0.0;
            for (int c = 0; c < classCount; c++) {
                int offset = c * stride;
                for (int k = 0; k < stride; k++) {
                    gradient[offset + k] /= n;
                }
                for (int j = 0; j < d; j++) {
                    double w = parameters[offset + j];
                    penalty += w * w;
                    gradient[offset + j] += l2Penalty * w;
                }
            }
            return loss / n + 0.5 * l2Penalty * penalty;
        }
    }

    static double[][] standardize(double[][] features, double[] means, double[] scales) {
        double[][] out = new double[features.length][means.length];
        for (int i = 0; i < features.length; i++) {
            if (features[i].length != means.length) {
                throw new IllegalArgumentException(
                        "row " + i + " has " + features[i].length + " features, expected " + means.length);
            }
            for (int j = 0; j < means.length; j++) {
                out[i][j] = (features[i][j] - means[j]) / scales[j];
            }
        }
        return out;
    }

    private static double linear(double[] weightsAndBias, double[] x) {
        int d = x.length;
        double z = weightsAndBias[d];
        for (int j = 0; j < d; j++) {
            z += weightsAndBias[j] * x[j];
        }
        return z;
    }

    /** −H·g by the L-BFGS two-loop recursion, with the usual sᵀy / yᵀy initial scaling. */
    private static double[] twoLoopDirection(double[] gradient, Deque<double[]> steps, Deque<double[]> changes) {
        double[] q = gradient.clone();
        int m = steps.size();
        double[] alphas = new double[m];
        double[] rhos = new double[m];
        double[][] s = steps.toArray(new double[0][]);
        double[][] y = changes.toArray(new double[0][]);
        for (int k = m - 1; k >= 0; k--) {
            rhos[k] = 1.0 / dot(y[k], s[k]);
            alphas[k] = rhos[k] * dot(s[k], q);
            axpy(-alphas[k], y[k], q);
        }
        if (m > 0) {
            double gamma = dot(s[m - 1], y[m - 1]) / dot(y[m - 1], y[m - 1]);
            for (int k = 0; k < q.length; k++) {
                q[k] *= gamma;
            }
        }
        for (int k = 0; k < m; k++) {
            double beta = rhos[k] * dot(y[k], q);
            axpy(alphas[k] - beta, s[k], q);
        }
        return negate(q);
    }

    private static double dot(double[] a, double[] b) {
        return DenseMatrices.dot(a, b);
    }

    private static void axpy(double alpha, double[] x, double[] y) {
        for (int k = 0; k < y.length; k++) {
            y[k] += alpha * x[k];
        }
    }

    private static double[] negate(double[] a) {
        double[] out = new double[a.length];
        for (int k = 0; k < a.length; k++) {
            out[k] = -a[k];
        }
        return out;
    }

    private static double maxAbs(double[] a) {
        double max = 0.0;
        for (double v : a) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }
}
