package dev.causalcxr.activities.pipeline;

import dev.causalcxr.core.diffusion.tailnoise.TailNoiseStage;

/**
 * The roles of a registered counterfactual generator's files: what {@code registerModel} writes
 * and what the {@code counterfactual} command reads back.
 */
public final class ModelComponents {
    public static final String DISENTANGLER = "disentangler";
    public static final String DIFFUSION = "diffusion";
    /** {@code tail-noise-prior/<finding key>}: one optimized initial-noise prior per tail class. */
    public static final String PRIOR_ROLE_PREFIX = "tail-noise-prior/";

    /** The stage whose outputs {@code prior/<finding key>} are the priors. */
    public static final String TAIL_NOISE_STAGE = TailNoiseStage.NAME;

    public static final String PRIOR_OUTPUT_PREFIX = TailNoiseStage.OUTPUT_PRIOR_PREFIX;

    private ModelComponents() {}
}
