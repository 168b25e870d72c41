package dev.causalcxr.activities.stages;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.activities.runner.StageDefinition;
import dev.causalcxr.core.stage.StageInputException;
import dev.causalcxr.core.dataset.Split;
import dev.causalcxr.core.diffusion.DiffusionConfig;
import dev.causalcxr.core.diffusion.DiffusionTraining;
import dev.causalcxr.core.disentangle.DisentanglerStage;
import dev.causalcxr.core.disentangle.EncodedCodes;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.stage.StageContext;
import dev.causalcxr.core.stage.StageInputs;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code train-diffusion} stage: a finding-conditioned DDPM over the pathology codes that the
 * disentangler encoded for the training split.
 */
public final class TrainDiffusionStage implements StageDefinition {
    static final String CODES = DisentanglerStage.NAME + "/" + DisentanglerStage.OUTPUT_CODES;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String name() {
        return "train-diffusion";
    }


    @Override
    public void execute(String configJson, StageContext ctx) throws Exception {
        DiffusionConfig requested = JSON.readValue(configJson, DiffusionConfig.class);
        EncodedCodes codes = EncodedCodes.read(StageInputs.require(ctx, CODES, "the codes of train-disentangler"));
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
        // the code size is the disentangler's, the seed the stage's
        DiffusionConfig cfg = new DiffusionConfig(codes.pathDim(), requested.hidden(), requested.blocks(),
                requested.conditionDim(), requested.timesteps(), requested.trainSteps(), requested.batchSize(),
                requested.learningRate(), requested.conditionDropout(), ctx.seed(), requested.checkpointInterval(),
                requested.logInterval(), requested.device());
        ctx.summaryMetric("diffusion_training_codes", z.length);
        DiffusionTraining.run(cfg, z, findings, ctx);
    }
}
