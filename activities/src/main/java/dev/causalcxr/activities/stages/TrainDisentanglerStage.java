package dev.causalcxr.activities.stages;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.activities.runner.StageDefinition;
import dev.causalcxr.activities.runner.StageInputException;
import dev.causalcxr.core.disentangle.DisentanglerConfig;
import dev.causalcxr.core.disentangle.DisentanglerStage;
import dev.causalcxr.core.disentangle.TrainingDivergedException;
import dev.causalcxr.core.stage.StageContext;
import java.nio.file.Path;

/**
 * The {@code train-disentangler} stage: identity and pathology codes with group supervision, on the
 * ingested dataset (with the phantom's exact counterfactuals for the swap metrics when there are).
 */
public final class TrainDisentanglerStage implements StageDefinition {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String name() {
        return DisentanglerStage.NAME;
    }


    @Override
    public void execute(String configJson, StageContext ctx) throws Exception {
        DisentanglerConfig cfg = JSON.readValue(configJson, DisentanglerConfig.class);
        Path datasetDir = DatasetInputs.unpackDataset(ctx);
        Path truth = ctx.inputs().get(DatasetInputs.PHANTOM_TRUTH);
        try {
            DisentanglerStage.run(cfg, datasetDir, truth, ctx);
        } catch (TrainingDivergedException e) {
            // retrying the same trajectory diverges again; the last good checkpoint is kept
            throw new StageInputException(e.getMessage(), e);
        }
    }
}
