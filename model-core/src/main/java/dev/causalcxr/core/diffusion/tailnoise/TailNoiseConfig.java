package dev.causalcxr.core.diffusion.tailnoise;

import dev.causalcxr.core.diffusion.SamplerConfig;

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
        new SamplerConfig(ddimSteps, 0f, guidance);
        if (iterations < 0) {
            throw new IllegalArgumentException("iterations must be >= 0, got " + iterations);
        }
        if (batchSize < 2 || evaluationSamples < 2) {
            throw new IllegalArgumentException(
                    "batchSize and evaluationSamples must be >= 2 (the diversity term compares" + " samples), got "
                            + batchSize + " and " + evaluationSamples);
        }
        if (!(learningRate > 0f) || !(klWeight >= 0f) || !(diversityWeight >= 0f)) {
            throw new IllegalArgumentException("learningRate must be > 0 and the weights >= 0");
        }
        if (checkpointInterval < 0) {
            throw new IllegalArgumentException("checkpointInterval must be >= 0");
        }
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
