package dev.causalcxr.activities.pipeline;

import dev.causalcxr.core.counterfactual.CounterfactualStage;
import dev.causalcxr.core.diffusion.tailnoise.TailNoiseStage;
import java.util.Map;

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

    /**
     * Provenance keys: the sampler settings of the run's {@code generate-counterfactuals} stage (the spec's
     * guidance, DDIM steps and η, with which its metrics, tail priors and augmentation were made). The
     * {@code counterfactual} command and the service use them when a request names none.
     */
    public static final String SAMPLER_GUIDANCE = "sampler.guidance";

    public static final String SAMPLER_DDIM_STEPS = "sampler.ddim_steps";
    public static final String SAMPLER_ETA = "sampler.eta";

    /**
     * Provenance keys: how the run's {@code generate-counterfactuals} stage composed its images from the decoder's
     * ({@code residual}, {@code localized}, {@code decoded}) and its localization threshold. The {@code
     * counterfactual} command and the service compose the same way; a version that records none composes residually,
     * as every run did before the setting existed.
     */
    public static final String COMPOSITION = "composition";

    public static final String COMPOSITION_LOCALIZE_THRESHOLD = "composition.localize_threshold";

    /** The stage whose manifest params hold the sampler settings and the composition. */
    public static final String COUNTERFACTUAL_STAGE = CounterfactualStage.NAME;

    /** That stage's manifest param → the provenance key it is recorded under (sampler settings and composition). */
    public static final Map<String, String> GENERATION_PARAMS = Map.of(
            CounterfactualStage.PARAM_GUIDANCE, SAMPLER_GUIDANCE,
            CounterfactualStage.PARAM_DDIM_STEPS, SAMPLER_DDIM_STEPS,
            CounterfactualStage.PARAM_ETA, SAMPLER_ETA,
            CounterfactualStage.PARAM_COMPOSITION, COMPOSITION,
            CounterfactualStage.PARAM_LOCALIZE_THRESHOLD, COMPOSITION_LOCALIZE_THRESHOLD);

    private ModelComponents() {}
}
