package dev.causalcxr.core.diffusion.tailnoise;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.causalcxr.core.diffusion.TensorArchive;
import dev.causalcxr.core.findings.Finding;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A learned initial-noise distribution N(μ, diag(σ²)) for one tail class, in the sampler's
 * standardized space. A distribution rather than a bank of optimized noises: it yields unlimited
 * fresh draws (diversity is kept by construction, a bank collapses to its few members) and its
 * distance to N(0, I) is a closed-form KL that the objective can weigh.
 *
 * @param finding  the tail class it was optimized for
 * @param mean     μ per dimension
 * @param logScale log σ per dimension
 */
public record NoisePrior(Finding finding, float[] mean, float[] logScale) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KIND = "causalcxr-tail-noise-prior";

    public NoisePrior {
        if (mean.length != logScale.length) {
            throw new IllegalArgumentException("mean and log-scale differ in dimension");
        }
        mean = mean.clone();
        logScale = logScale.clone();
    }

    /** The plain prior N(0, I) of head classes. */
    public static NoisePrior standard(Finding finding, int dim) {
        return new NoisePrior(finding, new float[dim], new float[dim]);
    }

    public int dim() {
        return mean.length;
    }

    /** n draws x_T = μ + σ·ε, deterministic from the seed: pass them to the sampler as initial noise. */
    public float[][] sample(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[][] out = new float[n][dim()];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < dim(); k++) {
                out[i][k] = mean[k] + (float) Math.exp(logScale[k]) * (float) rng.nextGaussian();
            }
        }
        return out;
    }

    /** KL(N(μ, σ²) ‖ N(0, I)) summed over dimensions. */
    public double klToStandard() {
        double kl = 0;
        for (int k = 0; k < dim(); k++) {
            double s2 = Math.exp(2.0 * logScale[k]);
            kl += 0.5 * (s2 + mean[k] * mean[k] - 1.0 - 2.0 * logScale[k]);
        }
        return kl;
    }

    /** Writes the prior (a versioned artifact) with free-form provenance, e.g. the config and objective. */
    public void save(Path file, Map<String, ?> provenance) {
        ObjectNode meta = JSON.createObjectNode();
        meta.put("kind", KIND);
        meta.put("finding", finding.label());
        meta.set("provenance", JSON.valueToTree(provenance));
        Map<String, TensorArchive.Tensor> tensors = new LinkedHashMap<>();
        tensors.put("mean", new TensorArchive.Tensor(new long[] {dim()}, mean.clone()));
        tensors.put("log_scale", new TensorArchive.Tensor(new long[] {dim()}, logScale.clone()));
        new TensorArchive(meta.toString(), tensors).write(file);
    }

    public static NoisePrior load(Path file) {
        TensorArchive a = TensorArchive.read(file);
        try {
            JsonNode meta = JSON.readTree(a.metadataJson());
            if (!KIND.equals(meta.path("kind").asText())) {
                throw new IllegalArgumentException(file + " is not a tail-noise prior");
            }
            Finding f = Finding.fromLabel(meta.path("finding").asText())
                    .orElseThrow(() -> new IllegalArgumentException(file + " names an unknown finding"));
            return new NoisePrior(
                    f, a.require("mean").values(), a.require("log_scale").values());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + " has unreadable metadata", e);
        }
    }
}
