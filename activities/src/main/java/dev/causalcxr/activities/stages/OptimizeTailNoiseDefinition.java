package dev.causalcxr.activities.stages;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.activities.runner.StageDefinition;
import dev.causalcxr.core.diffusion.tailnoise.TailNoiseOptimizer;
import dev.causalcxr.core.diffusion.tailnoise.TailNoiseStage;
import dev.causalcxr.core.diffusion.tailnoise.TailNoiseStageConfig;
import dev.causalcxr.core.disentangle.EncodedCodes;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.stage.StageContext;
import dev.causalcxr.core.stage.StageInputs;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The join of {@code optimize-tail-noise} ({@link TailNoiseStage#join}): finds each prior class's prior among the
 * inputs (each produced by its own {@link OptimizeTailNoiseClassDefinition} activity, whose manifest the
 * workflow adds to the inputs) and hands them to model-core, which publishes them together and runs the
 * ablation.
 */
final class OptimizeTailNoiseDefinition implements StageDefinition {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String name() {
        return TailNoiseStage.NAME;
    }

    @Override
    public void execute(String configJson, StageContext ctx) throws Exception {
        TailNoiseStageConfig cfg = JSON.readValue(configJson, TailNoiseStageConfig.class);
        EncodedCodes codes = EncodedCodes.read(TailNoiseInputs.require(ctx, TailNoiseInputs.CODES));
        List<Finding> classes = TailNoiseStage.priorClasses(codes, cfg);
        Map<Finding, Path> priors = new EnumMap<>(Finding.class);
        for (Finding f : classes) {
            String input = OptimizeTailNoiseClassDefinition.stageName(f) + "/" + TailNoiseOptimizer.OUTPUT_PRIOR;
            priors.put(f, StageInputs.require(ctx, input, "the prior of class " + f.label()));
        }
        TailNoiseStage.join(
                cfg,
                codes,
                classes,
                priors,
                ctx.inputs().get(TailNoiseInputs.MODEL),
                ctx.inputs().get(TailNoiseInputs.DIFFUSION),
                ctx);
    }
}
