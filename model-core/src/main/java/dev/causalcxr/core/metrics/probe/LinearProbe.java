package dev.causalcxr.core.metrics.probe;

import dev.causalcxr.core.metrics.classification.ClassificationMetrics;
import dev.causalcxr.core.metrics.classification.ClassificationReport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How much of a label can be read linearly from a representation: a stratified train/test split,
 * a {@link SoftmaxRegression} on the training part, balanced accuracy on the test part. Used as a
 * leakage metric: findings read from the identity code should be at chance, patient identity read
 * from the pathology code should be low.
 */
public final class LinearProbe {

    private static final Logger LOG = LoggerFactory.getLogger(LinearProbe.class);

    private LinearProbe() {}

    /**
     * @param features rows = samples
     * @param labels   any integer labels (for example finding classes or patient indices)
     */
    public static ProbeResult evaluate(double[][] features, int[] labels, LinearProbeConfig config) {
        if (features.length != labels.length) {
            throw new IllegalArgumentException(features.length + " rows but " + labels.length + " labels");
        }
        int[] distinct = Arrays.stream(labels).distinct().sorted().toArray();
        if (distinct.length < 2) {
            throw new IllegalArgumentException("a probe needs at least 2 distinct labels");
        }
        int[] dense = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
            dense[i] = Arrays.binarySearch(distinct, labels[i]);
        }
        boolean[] isTest = stratifiedTestMask(dense, distinct.length, config.testFraction(), config.seed());
        List<Integer> trainRows = new ArrayList<>();
        List<Integer> testRows = new ArrayList<>();
        for (int i = 0; i < dense.length; i++) {
            (isTest[i] ? testRows : trainRows).add(i);
        }
        if (testRows.isEmpty()) {
            throw new IllegalArgumentException("test split is empty: every class has a single sample");
        }
        SoftmaxRegression model = SoftmaxRegression.fit(
                select(features, trainRows),
                select(dense, trainRows),
                distinct.length,
                config.l2Penalty(),
                config.maxIterations(),
                config.gradientTolerance());
        int[] testLabels = select(dense, testRows);
        int[] predicted = model.predict(select(features, testRows));
        ClassificationReport report = ClassificationMetrics.evaluate(testLabels, predicted, null, distinct.length);
        long classesInTest = Arrays.stream(report.support()).filter(s -> s > 0).count();
        ProbeResult result = new ProbeResult(
                report.balancedAccuracy(),
                report.accuracy(),
                1.0 / classesInTest,
                distinct.length,
                trainRows.size(),
                testRows.size(),
                model.iterations(),
                model.trainLoss());
        LOG.debug("linear probe: {}", result);
        return result;
    }

    /**
     * Marks round(count × fraction) samples of each class as test, keeping at least one per class
     * in training (a class seen only at test time could never be predicted).
     */
    static boolean[] stratifiedTestMask(int[] denseLabels, int classCount, double testFraction, long seed) {
        TreeMap<Integer, List<Integer>> byClass = new TreeMap<>();
        for (int i = 0; i < denseLabels.length; i++) {
            byClass.computeIfAbsent(denseLabels[i], k -> new ArrayList<>()).add(i);
        }
        SplittableRandom random = new SplittableRandom(seed);
        boolean[] isTest = new boolean[denseLabels.length];
        for (List<Integer> members : byClass.values()) {
            int count = members.size();
            int testCount = Math.min(count - 1, (int) Math.round(count * testFraction));
            for (int i = 0; i < testCount; i++) {
                int j = i + random.nextInt(count - i);
                Integer t = members.get(i);
                members.set(i, members.get(j));
                members.set(j, t);
                isTest[members.get(i)] = true;
            }
        }
        return isTest;
    }

    private static double[][] select(double[][] rows, List<Integer> indices) {
        double[][] out = new double[indices.size()][];
        for (int k = 0; k < out.length; k++) {
            out[k] = rows[indices.get(k)];
        }
        return out;
    }

    private static int[] select(int[] values, List<Integer> indices) {
        int[] out = new int[indices.size()];
        for (int k = 0; k < out.length; k++) {
            out[k] = values[indices.get(k)];
        }
        return out;
    }
}
