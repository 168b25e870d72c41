package dev.causalcxr.core.diffusion.tailnoise;

import dev.causalcxr.core.findings.Finding;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * The one tail-prior loader: the optimized priors among a set of named files (a stage's inputs, a registered
 * model version's components), by the tail class each was optimized for. Used by the counterfactual stage
 * and by everything that opens a registered generator (the {@code counterfactual} command, the service).
 */
public final class NoisePriors {
    private NoisePriors() {}

    /**
     * @param files     files by logical name
     * @param keyPrefix the names of prior files start with it, e.g. {@code optimize-tail-noise/prior/} or
     *                  {@code tail-noise-prior/}; other files are ignored
     * @throws IllegalArgumentException when two files hold the prior of the same class
     */
    public static Map<Finding, NoisePrior> load(Map<String, Path> files, String keyPrefix) {
        Map<Finding, NoisePrior> priors = new EnumMap<>(Finding.class);
        files.forEach((name, file) -> {
            if (name.startsWith(keyPrefix)) {
                NoisePrior prior = NoisePrior.load(file);
                if (priors.put(prior.finding(), prior) != null) {
                    throw new IllegalArgumentException(
                            "two tail-noise priors of " + prior.finding().label() + " (the second is " + name + ")");
                }
            }
        });
        return priors;
    }
}
