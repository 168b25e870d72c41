package dev.causalcxr.activities.stages;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.activities.runner.StageDefinition;
import dev.causalcxr.core.diffusion.tailnoise.TailNoiseStage;
import dev.causalcxr.core.diffusion.tailnoise.TailNoiseStageConfig;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.stage.StageContext;

/**
 * One tail class of {@code optimize-tail-noise} ({@link TailNoiseStage#runClass}): learns that class's
 * initial-noise prior. A stage of its own (name {@code optimize-tail-noise/<finding key>}) so that each class has
 * its cache key, checkpoints, heartbeats and retries, and a failing class does not cost the others.
 */
final class OptimizeTailNoiseClassDefinition implements StageDefinition {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Finding finding;

    OptimizeTailNoiseClassDefinition(Finding finding) {
        this.finding = finding;
    }

    /** The definition for a per-class stage name, e.g. {@code optimize-tail-noise/pneumothorax}. */
    static OptimizeTailNoiseClassDefinition forStageName(String stage) {
        if (!stage.startsWith(TailNoiseInputs.CLASS_PREFIX)) {
            throw new IllegalArgumentException("not a per-class tail-noise stage: " + stage);
        }
        return new OptimizeTailNoiseClassDefinition(
                TailNoiseInputs.findingOfKey(stage.substring(TailNoiseInputs.CLASS_PREFIX.length())));
    }

    static String stageName(Finding finding) {
        return TailNoiseInputs.CLASS_PREFIX + finding.key();
    }

    @Override
    public String name() {
        return stageName(finding);
    }

    @Override
    public void execute(String configJson, StageContext ctx) throws Exception {
        TailNoiseStageConfig cfg = JSON.readValue(configJson, TailNoiseStageConfig.class);
        TailNoiseStage.runClass(
                cfg,
                finding,
                TailNoiseInputs.require(ctx, TailNoiseInputs.MODEL),
                TailNoiseInputs.require(ctx, TailNoiseInputs.DIFFUSION),
                ctx);
    }
}
