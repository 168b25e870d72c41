package dev.causalcxr.core.evaluation;

import dev.causalcxr.core.metrics.classification.ClassificationReport;
import java.util.List;

/**
 * One arm of the downstream comparison (real only, or real + augmentation) over all seeds.
 *
 * @param arm              {@code real} or {@code augmented}
 * @param perSeed          the test-set report of each seed's classifier
 * @param accuracy         over seeds
 * @param balancedAccuracy over seeds
 * @param macroF1          over seeds
 * @param auroc            macro one-vs-rest AUROC over seeds
 * @param headRecall       mean recall of head classes, over seeds
 * @param tailRecall       mean recall of tail classes, over seeds
 * @param headAuroc        mean one-vs-rest AUROC of head classes, over seeds
 * @param tailAuroc        mean one-vs-rest AUROC of tail classes, over seeds
 * @param recall           per class, over seeds
 * @param confusion        confusion matrices summed over seeds (row = true class)
 */
public record DownstreamArmResult(
        String arm,
        List<ClassificationReport> perSeed,
        MeanStd accuracy,
        MeanStd balancedAccuracy,
        MeanStd macroF1,
        MeanStd auroc,
        MeanStd headRecall,
        MeanStd tailRecall,
        MeanStd headAuroc,
        MeanStd tailAuroc,
        List<MeanStd> recall,
        int[][] confusion) {

    /** One class's one-vs-rest AUROC over the seeds (NaN where the class is absent from the test set). */
    public MeanStd classAuroc(int classIndex) {
        return MeanStd.of(
                perSeed.stream().mapToDouble(r -> r.auroc()[classIndex]).toArray());
    }
}
