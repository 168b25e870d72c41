package dev.causalcxr.activities.stages;

import dev.causalcxr.activities.pipeline.ModelComponents;
import dev.causalcxr.core.stage.StageInputException;
import dev.causalcxr.core.dataset.Split;
import dev.causalcxr.core.diffusion.Condition;
import dev.causalcxr.core.diffusion.DiffusionTraining;
import dev.causalcxr.core.diffusion.tailnoise.TailClasses;
import dev.causalcxr.core.disentangle.DisentanglerStage;
import dev.causalcxr.core.disentangle.EncodedCodes;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.stage.StageContext;
import dev.causalcxr.core.stage.StageInputs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The inputs the tail-noise stages share: which classes are tail, and the two models. */
final class TailNoiseInputs {
    static final String STAGE = ModelComponents.TAIL_NOISE_STAGE;
    /** Per-class activities run as stages named {@code optimize-tail-noise/<finding key>}. */
    static final String CLASS_PREFIX = STAGE + "/";
    static final String MODEL = DisentanglerStage.NAME + "/" + DisentanglerStage.OUTPUT_MODEL;
    static final String CODES = DisentanglerStage.NAME + "/" + DisentanglerStage.OUTPUT_CODES;
    static final String DIFFUSION = "train-diffusion/" + DiffusionTraining.OUTPUT_MODEL;

    private TailNoiseInputs() {
    }

    /** Tail classes of the training codes, rarest first (No Finding is never one). */
    static List<Finding> tailClasses(EncodedCodes codes, double tailFrequency) {
        List<Condition> conditions = new ArrayList<>();
        for (EncodedCodes.Entry e : codes.split(Split.TRAIN)) {
            conditions.add(Condition.ofStudy(e.findings()));
        }
        if (conditions.isEmpty()) {
            throw new StageInputException("the disentangler's codes have no training split");
        }
        List<Finding> tail = new ArrayList<>(TailClasses.select(conditions, tailFrequency));
        tail.remove(Finding.NO_FINDING);
        return tail;
    }

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
