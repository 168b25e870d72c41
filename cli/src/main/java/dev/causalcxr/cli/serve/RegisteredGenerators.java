package dev.causalcxr.cli.serve;

import dev.causalcxr.activities.pipeline.ModelComponents;
import dev.causalcxr.core.counterfactual.Composition;
import dev.causalcxr.core.counterfactual.CounterfactualGenerator;
import dev.causalcxr.core.diffusion.SamplerConfig;
import dev.causalcxr.core.diffusion.tailnoise.NoisePrior;
import dev.causalcxr.core.diffusion.tailnoise.NoisePriors;
import dev.causalcxr.core.files.FileTrees;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.infra.registry.ModelRegistry;
import dev.causalcxr.infra.registry.ModelVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Opens the counterfactual generator of a registered model version: the one way the CLI and the service load one. */
public final class RegisteredGenerators {
    private RegisteredGenerators() {}

    /** A registered version that is not a counterfactual generator. */
    public static final class NotAGeneratorException extends IllegalArgumentException {
        NotAGeneratorException(String message) {
            super(message);
        }
    }

    /**
     * Fetches the version's components (digest-verified) into a temporary folder under {@code workDir},
     * opens its disentangler, diffusion model and tail-noise priors, and deletes the folder again (the
     * models are read into memory).
     */
    public static CounterfactualGenerator open(ModelRegistry registry, ModelVersion version, Path workDir)
            throws IOException {
        Composition composition = recordedComposition(version);
        double threshold = recordedLocalizeThreshold(version);
        Files.createDirectories(workDir);
        Path modelDir = Files.createTempDirectory(workDir, "model-");
        try {
            Map<String, Path> files = registry.fetch(version, modelDir);
            Map<Finding, NoisePrior> priors = NoisePriors.load(files, ModelComponents.PRIOR_ROLE_PREFIX);
            Path disentangler = files.get(ModelComponents.DISENTANGLER);
            Path diffusion = files.get(ModelComponents.DIFFUSION);
            if (disentangler == null || diffusion == null) {
                throw new NotAGeneratorException(version.reference()
                        + " is not a counterfactual generator (its components: " + files.keySet() + ")");
            }
            return CounterfactualGenerator.open(disentangler, diffusion, priors, composition, threshold);
        } finally {
            FileTrees.delete(modelDir);
        }
    }

    /**
     * The sampler settings a request gets when it names none: those the version's run generated its
     * counterfactuals, metrics and tail priors with (its spec's {@code generate-counterfactuals} block), each
     * falling back to {@link SamplerConfig#defaults()} for a version whose run recorded none.
     *
     * @throws IllegalArgumentException when a recorded setting is not a valid one
     */
    public static SamplerConfig defaultSampler(ModelVersion version) {
        Map<String, String> p = version.provenance();
        try {
            return SamplerConfig.defaults()
                    .overriddenBy(
                            p.containsKey(ModelComponents.SAMPLER_DDIM_STEPS)
                                    ? Integer.valueOf(p.get(ModelComponents.SAMPLER_DDIM_STEPS))
                                    : null,
                            p.containsKey(ModelComponents.SAMPLER_ETA)
                                    ? Float.valueOf(p.get(ModelComponents.SAMPLER_ETA))
                                    : null,
                            p.containsKey(ModelComponents.SAMPLER_GUIDANCE)
                                    ? Float.valueOf(p.get(ModelComponents.SAMPLER_GUIDANCE))
                                    : null);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    version.reference() + " records invalid sampler settings: " + e.getMessage(), e);
        }
    }

    /**
     * How the version's run composed its counterfactuals; {@code residual} for a version that records none (every
     * run did so before the setting existed).
     *
     * @throws IllegalArgumentException when the recorded composition is not a known one
     */
    public static Composition recordedComposition(ModelVersion version) {
        String key = version.provenance().getOrDefault(ModelComponents.COMPOSITION, Composition.RESIDUAL.key());
        return Composition.fromKey(key)
                .orElseThrow(() -> new IllegalArgumentException(
                        version.reference() + " records an unknown composition '" + key + "'"));
    }

    /**
     * The localization threshold the version's run composed with, or the default.
     *
     * @throws IllegalArgumentException when the recorded value is not a number in (0, 1]
     */
    public static double recordedLocalizeThreshold(ModelVersion version) {
        String v = version.provenance().get(ModelComponents.COMPOSITION_LOCALIZE_THRESHOLD);
        if (v == null) {
            return Composition.DEFAULT_LOCALIZE_THRESHOLD;
        }
        try {
            double t = Double.parseDouble(v);
            if (Composition.isLocalizeThreshold(t)) {
                return t;
            }
        } catch (NumberFormatException e) {
            // reported below with the version's name
        }
        throw new IllegalArgumentException(
                version.reference() + " records an invalid localization threshold '" + v + "'");
    }

    /** Whether the version records its run's sampler settings (versions registered before it did do not). */
    public static boolean recordsSampler(ModelVersion version) {
        return version.provenance().containsKey(ModelComponents.SAMPLER_GUIDANCE);
    }
}
