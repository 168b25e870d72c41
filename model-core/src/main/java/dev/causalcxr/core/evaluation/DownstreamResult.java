package dev.causalcxr.core.evaluation;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Real-only against real + augmentation classifiers on the same real test split. Without an augmentation
 * set there is the real arm alone: {@code augmented} is null and every delta is NaN (undefined), never 0.
 *
 * @param classLabels class index → finding label
 * @param tailClasses class indices counted as tail
 * @param seeds       the training seeds (each used by both arms)
 * @param comparisons per augmented arm, its paired difference from the real arm for each of
 *                    {@link PairedBootstrap#METRICS} with a 95 % interval over test studies and seeds; with an
 *                    oracle arm also {@code augmented_vs_oracle} (augmented − oracle), with the code oracle
 *                    {@code augmented_vs_oracle_codes} and {@code oracle_codes_vs_oracle}, and with the plain-noise
 *                    arm {@code augmented_vs_augmented_plain} (the noise optimization's share)
 * @param real        classifier trained on the real training split
 * @param augmented   classifier trained on the real training split plus the augmentation set; null when there
 *                    was no augmentation set
 * @param augmentedPlain the same with the ablation's augmentation set (counterfactuals sampled from plain
 *                    N(0, I) noise instead of the optimized tail priors); null when there is none
 * @param pretrainFinetune trained on the augmentation set alone, then fine-tuned on the real training split;
 *                    null unless asked for
 * @param oracle      real plus the phantom's exact counterfactuals of the same requests; null unless asked for
 *                    (phantom data only)
 * @param oracleCodes real plus the same requests answered with the exact counterfactuals' own codes through the
 *                    generator's autoencoder; null unless asked for (phantom data only)
 * @param testPredictions every classifier's test probabilities, for pairing this evaluation with another
 */
public record DownstreamResult(
        List<String> classLabels,
        Set<Integer> tailClasses,
        List<Long> seeds,
        Map<String, Map<String, PairedBootstrap.Difference>> comparisons,
        DownstreamArmResult real,
        DownstreamArmResult augmented,
        DownstreamArmResult augmentedPlain,
        DownstreamArmResult pretrainFinetune,
        DownstreamArmResult oracle,
        DownstreamArmResult oracleCodes,
        TestPredictions testPredictions) {

    public DownstreamResult {
        comparisons = Collections.unmodifiableMap(new LinkedHashMap<>(comparisons));
    }

    /** Whether there was an augmentation set, so an augmented arm to compare with the real one. */
    public boolean hasAugmented() {
        return augmented != null;
    }

    /** augmented − real of the seed means (NaN without an augmented arm). */
    public double accuracyDelta() {
        return hasAugmented() ? augmented.accuracy().mean() - real.accuracy().mean() : Double.NaN;
    }

    public double balancedAccuracyDelta() {
        return hasAugmented()
                ? augmented.balancedAccuracy().mean() - real.balancedAccuracy().mean()
                : Double.NaN;
    }

    public double macroF1Delta() {
        return hasAugmented() ? augmented.macroF1().mean() - real.macroF1().mean() : Double.NaN;
    }

    public double aurocDelta() {
        return hasAugmented() ? augmented.auroc().mean() - real.auroc().mean() : Double.NaN;
    }

    public double headRecallDelta() {
        return hasAugmented()
                ? augmented.headRecall().mean() - real.headRecall().mean()
                : Double.NaN;
    }

    public double tailRecallDelta() {
        return hasAugmented()
                ? augmented.tailRecall().mean() - real.tailRecall().mean()
                : Double.NaN;
    }

    public double recallDelta(int classIndex) {
        return hasAugmented()
                ? augmented.recall().get(classIndex).mean()
                        - real.recall().get(classIndex).mean()
                : Double.NaN;
    }
}
