package dev.causalcxr.activities.stages;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.activities.runner.StageDefinition;
import dev.causalcxr.core.diffusion.DiffusionConfig;
import dev.causalcxr.core.diffusion.DiffusionStage;
import dev.causalcxr.core.disentangle.DisentanglerStage;
import dev.causalcxr.core.disentangle.EncodedCodes;
import dev.causalcxr.core.stage.StageContext;
import dev.causalcxr.core.stage.StageInputs;

/** The {@code train-diffusion} stage ({@link DiffusionStage}) on the disentangler's codes. */
public final class TrainDiffusionDefinition implements StageDefinition {
    static final String CODES = DisentanglerStage.NAME + "/" + DisentanglerStage.OUTPUT_CODES;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String name() {
        return DiffusionStage.NAME;
    }

    @Override
    public void execute(String configJson, StageContext ctx) throws Exception {
        DiffusionConfig requested = JSON.readValue(configJson, DiffusionConfig.class);
        EncodedCodes codes = EncodedCodes.read(StageInputs.require(ctx, CODES, "the codes of train-disentangler"));
        DiffusionStage.run(requested, codes, ctx);
    }
}
