package dev.causalcxr.core.metrics.classification;

/** Computes a {@link ClassificationReport} from true labels, predicted labels and per-class scores. */
public final class ClassificationMetrics {

    private ClassificationMetrics() {}

    /**
     * @param trueLabels      true class per sample, in 0..classCount−1
     * @param predictedLabels predicted class per sample
     * @param scores          per-sample, per-class scores (probabilities or logits) for AUROC; may be null
     * @param classCount      number of classes
     */
    public static ClassificationReport evaluate(
            int[] trueLabels, int[] predictedLabels, double[][] scores, int classCount) {
        int n = trueLabels.length;
        if (n == 0) {
            throw new IllegalArgumentException("no samples");
        }
        if (predictedLabels.length != n) {
            throw new IllegalArgumentException(n + " true labels but " + predictedLabels.length + " predictions");
        }
        if (scores != null && scores.length != n) {
            throw new IllegalArgumentException(n + " true labels but " + scores.length + " score rows");
        }
        int[][] confusion = new int[classCount][classCount];
        for (int i = 0; i < n; i++) {
            checkLabel(trueLabels[i], classCount, "true label", i);
            checkLabel(predictedLabels[i], classCount, "predicted label", i);
            confusion[trueLabels[i]][predictedLabels[i]]++;
        }
        int[] support = new int[classCount];
        int[] predicted = new int[classCount];
        int correct = 0;
        for (int t = 0; t < classCount; t++) {
            for (int p = 0; p < classCount; p++) {
                support[t] += confusion[t][p];
                predicted[p] += confusion[t][p];
            }
            correct += confusion[t][t];
        }
        double[] precision = new double[classCount];
        double[] recall = new double[classCount];
        double[] f1 = new double[classCount];
        double recallSum = 0.0;
        int classesWithSupport = 0;
        double f1Sum = 0.0;
        int classesSeen = 0;
        for (int c = 0; c < classCount; c++) {
            int truePositives = confusion[c][c];
            precision[c] = predicted[c] == 0 ? 0.0 : (double) truePositives / predicted[c];
            recall[c] = support[c] == 0 ? 0.0 : (double) truePositives / support[c];
            double sum = precision[c] + recall[c];
            f1[c] = sum == 0.0 ? 0.0 : 2.0 * precision[c] * recall[c] / sum;
            if (support[c] > 0) {
                recallSum += recall[c];
                classesWithSupport++;
            }
            if (support[c] > 0 || predicted[c] > 0) {
                f1Sum += f1[c];
                classesSeen++;
            }
        }
        double[] auroc = new double[classCount];
        double aurocSum = 0.0;
        int aurocClasses = 0;
        for (int c = 0; c < classCount; c++) {
            if (scores == null) {
                auroc[c] = Double.NaN;
                continue;
            }
            if (scores[0].length != classCount) {
                throw new IllegalArgumentException(
                        "scores have " + scores[0].length + " columns, expected " + classCount);
            }
            auroc[c] = Auroc.oneVsRest(trueLabels, scores, c);
            if (!Double.isNaN(auroc[c])) {
                aurocSum += auroc[c];
                aurocClasses++;
            }
        }
        return new ClassificationReport(
                classCount,
                n,
                (double) correct / n,
                recallSum / classesWithSupport,
                f1Sum / classesSeen,
                aurocClasses == 0 ? Double.NaN : aurocSum / aurocClasses,
                precision,
                recall,
                f1,
                auroc,
                support,
                predicted,
                confusion);
    }

    /** Predicted labels from scores: the highest-scoring class (the lowest index among ties). */
    public static int[] argmax(double[][] scores) {
        int[] labels = new int[scores.length];
        for (int i = 0; i < scores.length; i++) {
            double[] row = scores[i];
            int best = 0;
            for (int c = 1; c < row.length; c++) {
                if (row[c] > row[best]) {
                    best = c;
                }
            }
            labels[i] = best;
        }
        return labels;
    }

    private static void checkLabel(int label, int classCount, String what, int index) {
        if (label < 0 || label >= classCount) {
            throw new IllegalArgumentException(
                    what + " " + label + " at " + index + " is outside 0.." + (classCount - 1));
        }
    }
}
