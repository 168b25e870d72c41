package dev.causalcxr.activities.stages;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.activities.runner.StageDefinition;
import dev.causalcxr.core.counterfactual.CounterfactualConfig;
import dev.causalcxr.core.counterfactual.CounterfactualStage;
import dev.causalcxr.core.diffusion.tailnoise.NoisePrior;
import dev.causalcxr.core.diffusion.tailnoise.NoisePriors;
import dev.causalcxr.core.diffusion.tailnoise.TailNoiseStage;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.labels.StudyLabels;
import dev.causalcxr.core.stage.StageContext;
import java.nio.file.Path;
import java.util.Map;

/**
 * The {@code generate-counterfactuals} stage: the counterfactual metrics and grid on the test split,
 * and the augmentation set built from the training split (with the tail-noise priors when that stage
 * ran and the spec uses them). Every request starts from its source study's labels (parse-reports).
 */
final class GenerateCounterfactualsDefinition implements StageDefinition {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PRIOR_INPUT_PREFIX = TailNoiseInputs.STAGE + "/" + TailNoiseStage.OUTPUT_PRIOR_PREFIX;

    @Override
    public String name() {
        return CounterfactualStage.NAME;
    }

    @Override
    public void execute(String configJson, StageContext ctx) throws Exception {
        CounterfactualConfig cfg = JSON.readValue(configJson, CounterfactualConfig.class);
        StudyLabels labels = DatasetInputs.labels(ctx, name());
        Path datasetDir = DatasetInputs.unpackDataset(ctx);
        Path truth = ctx.inputs().get(DatasetInputs.PHANTOM_TRUTH);
        Path disentangler = TailNoiseInputs.require(ctx, TailNoiseInputs.MODEL);
        Path diffusion = TailNoiseInputs.require(ctx, TailNoiseInputs.DIFFUSION);
        Map<Finding, NoisePrior> priors = NoisePriors.load(ctx.inputs(), PRIOR_INPUT_PREFIX);
        CounterfactualStage.run(cfg, datasetDir, labels, truth, disentangler, diffusion, priors, ctx);
    }
}
