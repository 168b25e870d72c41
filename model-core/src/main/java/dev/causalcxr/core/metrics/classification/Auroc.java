package dev.causalcxr.core.metrics.classification;

import java.util.Arrays;

/**
 * Area under the ROC curve as the Mann–Whitney statistic: the probability that a random positive
 * scores above a random negative, ties counting one half (mid-ranks). Equal to the trapezoidal ROC
 * area that scikit-learn's {@code roc_auc_score} reports.
 */
public final class Auroc {

    private Auroc() {}

    /** AUROC of {@code scores} for separating positives from negatives; NaN when either group is empty. */
    public static double binary(boolean[] positive, double[] scores) {
        int n = scores.length;
        if (positive.length != n) {
            throw new IllegalArgumentException(positive.length + " labels but " + n + " scores");
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            if (Double.isNaN(scores[i])) {
                throw new IllegalArgumentException("score " + i + " is NaN");
            }
            order[i] = i;
        }
        Arrays.sort(order, (i, j) -> Double.compare(scores[i], scores[j]));
        double positiveRankSum = 0.0;
        long positives = 0;
        int start = 0;
        while (start < n) {
            int end = start;
            while (end + 1 < n && scores[order[end + 1]] == scores[order[start]]) {
                end++;
            }
            // ranks start..end (1-based start+1..end+1) are tied: each gets their average
            double midRank = 0.5 * ((start + 1) + (end + 1));
            for (int k = start; k <= end; k++) {
                if (positive[order[k]]) {
                    positiveRankSum += midRank;
                    positives++;
                }
            }
            start = end + 1;
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
    }

    /** One-vs-rest AUROC of class {@code positiveClass} using column {@code positiveClass} of the scores. */
    public static double oneVsRest(int[] labels, double[][] scores, int positiveClass) {
        boolean[] positive = new boolean[labels.length];
        double[] column = new double[labels.length];
        for (int i = 0; i < labels.length; i++) {
            positive[i] = labels[i] == positiveClass;
            column[i] = scores[i][positiveClass];
        }
        return binary(positive, column);
    }
}
