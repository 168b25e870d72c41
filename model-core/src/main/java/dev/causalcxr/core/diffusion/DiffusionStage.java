package dev.causalcxr.core.diffusion;

import dev.causalcxr.core.dataset.Split;
import dev.causalcxr.core.disentangle.EncodedCodes;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.spec.StageName;
import dev.causalcxr.core.stage.StageContext;
import dev.causalcxr.core.stage.StageInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code train-diffusion} stage function: a finding-conditioned DDPM over the pathology codes that the
 * disentangler encoded for the training split. The stage's definition in activities only reads the codes.
 */
public final class DiffusionStage {
    public static final String NAME = StageName.Labels.TRAIN_DIFFUSION;

    private DiffusionStage() {}

    /**
     * @param requested the spec's block; the code size is the disentangler's ({@code codes.pathDim()}) and the
     *                  seed the stage's, whatever the block says
     * @param codes     the disentangler's codes; the training split's pathology means and findings are trained on
     * @throws StageInputException when the codes have no training split
     */
    public static DiffusionTraining.Result run(DiffusionConfig requested, EncodedCodes codes, StageContext ctx) {
        List<EncodedCodes.Entry> train = codes.split(Split.TRAIN);
        if (train.isEmpty()) {
            throw new StageInputException("the disentangler's codes have no training split");
        }
        float[][] z = new float[train.size()][];
        List<List<FindingMention>> findings = new ArrayList<>(train.size());
        for (int i = 0; i < z.length; i++) {
            z[i] = train.get(i).pathMean();
            findings.add(train.get(i).findings());
        }
        ctx.summaryMetric("diffusion_training_codes", z.length);
        return DiffusionTraining.run(config(requested, codes.pathDim(), ctx.seed()), z, findings, ctx);
    }

    /** The block with the disentangler's code size and the stage's seed. */
    static DiffusionConfig config(DiffusionConfig requested, int zDim, long seed) {
        return new DiffusionConfig(
                zDim,
                requested.hidden(),
                requested.blocks(),
                requested.conditionDim(),
                requested.timesteps(),
                requested.trainSteps(),
                requested.batchSize(),
                requested.learningRate(),
                requested.conditionDropout(),
                seed,
                requested.checkpointInterval(),
                requested.logInterval(),
                requested.device(),
                requested.attributeDropout());
    }
}
