package dev.causalcxr.activities.stages;

import dev.causalcxr.core.diffusion.DiffusionStage;
import dev.causalcxr.core.diffusion.DiffusionTraining;
import dev.causalcxr.core.diffusion.tailnoise.TailNoiseStage;
import dev.causalcxr.core.disentangle.DisentanglerStage;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.stage.StageContext;
import dev.causalcxr.core.stage.StageInputException;
import dev.causalcxr.core.stage.StageInputs;
import java.nio.file.Path;

/** The inputs the tail-noise stages share: the two models and the codes, by their input names. */
final class TailNoiseInputs {
    static final String STAGE = TailNoiseStage.NAME;
    /** Per-class activities run as stages named {@code optimize-tail-noise/<finding key>}. */
    static final String CLASS_PREFIX = STAGE + "/";

    static final String MODEL = DisentanglerStage.NAME + "/" + DisentanglerStage.OUTPUT_MODEL;
    static final String CODES = DisentanglerStage.NAME + "/" + DisentanglerStage.OUTPUT_CODES;
    static final String DIFFUSION = DiffusionStage.NAME + "/" + DiffusionTraining.OUTPUT_MODEL;

    private TailNoiseInputs() {}

    static Finding findingOfKey(String key) {
        for (Finding f : Finding.values()) {
            if (f.key().equals(key)) {
                return f;
            }
        }
        throw new StageInputException("no finding has the key " + key);
    }

    static Path require(StageContext ctx, String input) {
        return StageInputs.require(ctx, input, "the output " + input + " (run its stage first)");
    }
}
