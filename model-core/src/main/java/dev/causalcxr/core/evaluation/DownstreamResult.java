package dev.causalcxr.core.evaluation;

import java.util.List;
import java.util.Set;

/**
 * Real-only against real + augmentation classifiers on the same real test split.
 *
 * @param classLabels class index → finding label
 * @param tailClasses class indices counted as tail
 * @param seeds       the training seeds (each used by both arms)
 * @param real        classifier trained on the real training split
 * @param augmented   classifier trained on the real training split plus the augmentation set
 * @param augmentedPlain the same with the ablation's augmentation set (counterfactuals sampled from plain
 *                    N(0, I) noise instead of the optimized tail priors); null when there is none
 */
public record DownstreamResult(List<String> classLabels, Set<Integer> tailClasses, List<Long> seeds,
                               DownstreamArmResult real, DownstreamArmResult augmented,
                               DownstreamArmResult augmentedPlain) {

    public DownstreamResult(List<String> classLabels, Set<Integer> tailClasses, List<Long> seeds,
                            DownstreamArmResult real, DownstreamArmResult augmented) {
        this(classLabels, tailClasses, seeds, real, augmented, null);
    }

    /** augmented − real of the seed means. */
    public double accuracyDelta() {
        return augmented.accuracy().mean() - real.accuracy().mean();
    }

    public double balancedAccuracyDelta() {
        return augmented.balancedAccuracy().mean() - real.balancedAccuracy().mean();
    }

    public double macroF1Delta() {
        return augmented.macroF1().mean() - real.macroF1().mean();
    }

    public double aurocDelta() {
        return augmented.auroc().mean() - real.auroc().mean();
    }

    public double headRecallDelta() {
        return augmented.headRecall().mean() - real.headRecall().mean();
    }

    public double tailRecallDelta() {
        return augmented.tailRecall().mean() - real.tailRecall().mean();
    }

    public double recallDelta(int classIndex) {
        return augmented.recall().get(classIndex).mean() - real.recall().get(classIndex).mean();
    }
}
