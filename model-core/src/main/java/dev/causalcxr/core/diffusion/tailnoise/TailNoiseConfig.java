package dev.causalcxr.core.diffusion.tailnoise;

import dev.causalcxr.core.diffusion.SamplerConfig;
import dev.causalcxr.core.spec.InvalidConfigException;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings of the per-class initial-noise optimization.
 *
 * @param ddimSteps          deterministic DDIM steps back-propagated through (also the steps used
 *                           when sampling from the learned prior)
 * @param guidance           classifier-free guidance scale used in those steps
 * @param iterations         Adam iterations
 * @param batchSize          noise draws per iteration (the diversity term needs at least 2)
 * @param learningRate       Adam learning rate on the prior's mean and log-scale
 * @param klWeight           weight of KL(prior ‖ N(0, I)) per dimension
 * @param diversityWeight    weight of −log(mean pairwise distance of the generated codes)
 * @param evaluationSamples  fixed noise draws on which the objective is reported before and after
 * @param checkpointInterval iterations between checkpoints in the stage form (0: none)
 */
public record TailNoiseConfig(
        int ddimSteps,
        float guidance,
        int iterations,
        int batchSize,
        float learningRate,
        float klWeight,
        float diversityWeight,
        int evaluationSamples,
        int checkpointInterval) {

    public TailNoiseConfig {
        InvalidConfigException.check(
                TailNoiseConfig.class,
                problems(
                        ddimSteps,
                        guidance,
                        iterations,
                        batchSize,
                        learningRate,
                        klWeight,
                        diversityWeight,
                        evaluationSamples,
                        checkpointInterval));
    }

    /** Every problem with these settings, each {@code "component: what is wrong"}; empty when valid. */
    static List<String> problems(
            int ddimSteps,
            float guidance,
            int iterations,
            int batchSize,
            float learningRate,
            float klWeight,
            float diversityWeight,
            int evaluationSamples,
            int checkpointInterval) {
        List<String> p = new ArrayList<>();
        // what the sampler of these steps checks (SamplerConfig)
        if (ddimSteps < 1) {
            p.add("ddimSteps: must be >= 1, got " + ddimSteps);
        }
        if (!Float.isFinite(guidance) || guidance < 0f) {
            p.add("guidance: must be finite and >= 0, got " + guidance);
        }
        if (iterations < 0) {
            p.add("iterations: must be >= 0, got " + iterations);
        }
        if (batchSize < 2) {
            p.add("batchSize: must be >= 2 (the diversity term compares samples), got " + batchSize);
        }
        if (evaluationSamples < 2) {
            p.add("evaluationSamples: must be >= 2 (the diversity term compares samples), got " + evaluationSamples);
        }
        if (!(learningRate > 0f)) {
            p.add("learningRate: must be > 0, got " + learningRate);
        }
        if (!(klWeight >= 0f)) {
            p.add("klWeight: must be >= 0, got " + klWeight);
        }
        if (!(diversityWeight >= 0f)) {
            p.add("diversityWeight: must be >= 0, got " + diversityWeight);
        }
        if (checkpointInterval < 0) {
            p.add("checkpointInterval: must be >= 0, got " + checkpointInterval);
        }
        return p;
    }

    public static TailNoiseConfig defaults() {
        return new TailNoiseConfig(5, 2f, 200, 32, 0.05f, 1f, 0.1f, 64, 50);
    }

    public SamplerConfig sampler() {
        return new SamplerConfig(ddimSteps, 0f, guidance);
    }

    public TailNoiseConfig withWeights(float kl, float diversity) {
        return new TailNoiseConfig(
                ddimSteps,
                guidance,
                iterations,
                batchSize,
                learningRate,
                kl,
                diversity,
                evaluationSamples,
                checkpointInterval);
    }
}
