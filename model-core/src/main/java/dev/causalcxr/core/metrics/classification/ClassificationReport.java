package dev.causalcxr.core.metrics.classification;

import java.util.Set;

/**
 * Multi-class classification metrics over classes 0..classCount−1.
 *
 * <p>Conventions (those of scikit-learn): a per-class precision, recall or F1 whose denominator is
 * zero is 0; balanced accuracy averages recall over classes present in the true labels; macro-F1
 * averages over classes present in the true or the predicted labels; per-class AUROC is NaN for a
 * class absent from the true labels (or when every sample has it), and macro AUROC averages the
 * defined ones (NaN when none is, or when no scores were given).
 *
 * @param confusion row = true class, column = predicted class
 */
public record ClassificationReport(
        int classCount,
        int sampleCount,
        double accuracy,
        double balancedAccuracy,
        double macroF1,
        double macroAuroc,
        double[] precision,
        double[] recall,
        double[] f1,
        double[] auroc,
        int[] support,
        int[] predictedCount,
        int[][] confusion) {

    /** Mean recall of head classes (not in {@code tailClasses}) and of tail classes. */
    public HeadTailRecall headTailRecall(Set<Integer> tailClasses) {
        for (int c : tailClasses) {
            if (c < 0 || c >= classCount) {
                throw new IllegalArgumentException("tail class " + c + " is outside 0.." + (classCount - 1));
            }
        }
        double headSum = 0.0;
        double tailSum = 0.0;
        int head = 0;
        int tail = 0;
        for (int c = 0; c < classCount; c++) {
            if (support[c] == 0) {
                continue;
            }
            if (tailClasses.contains(c)) {
                tailSum += recall[c];
                tail++;
            } else {
                headSum += recall[c];
                head++;
            }
        }
        return new HeadTailRecall(
                head == 0 ? Double.NaN : headSum / head, tail == 0 ? Double.NaN : tailSum / tail, head, tail);
    }
}
