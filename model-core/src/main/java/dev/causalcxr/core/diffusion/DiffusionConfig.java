package dev.causalcxr.core.diffusion;

/**
 * Architecture and training settings of the finding-conditioned diffusion model over {@code z_path}.
 *
 * @param zDim               dimension of the pathology code {@code z_path}
 * @param hidden             width of the denoiser's residual MLP
 * @param blocks             number of residual blocks
 * @param conditionDim       width of the finding/severity/laterality/zone embeddings
 * @param timesteps          diffusion steps T of the cosine schedule
 * @param trainSteps         optimizer steps
 * @param batchSize          codes per step
 * @param learningRate       Adam learning rate
 * @param conditionDropout   probability of replacing a condition by the null one (classifier-free guidance)
 * @param seed               training seed; null means the stage context's seed
 * @param checkpointInterval steps between checkpoints (0: none)
 * @param logInterval        steps between logged losses and heartbeats
 * @param device             {@code cpu}, {@code gpu} or {@code gpu:N}
 * @param attributeDropout   probability, per finding and per attribute, of replacing a training condition's
 *                           severity, laterality or zone by "unspecified", so that a request which leaves them open
 *                           (e.g. "mass") is a condition the model was trained on and draws them as the data does;
 *                           0 (the default) trains on the reports' attributes only
 */
public record DiffusionConfig(
        int zDim,
        int hidden,
        int blocks,
        int conditionDim,
        int timesteps,
        int trainSteps,
        int batchSize,
        float learningRate,
        float conditionDropout,
        Long seed,
        int checkpointInterval,
        int logInterval,
        String device,
        float attributeDropout) {

    public DiffusionConfig {
        positive(zDim, "zDim");
        positive(hidden, "hidden");
        positive(blocks, "blocks");
        positive(conditionDim, "conditionDim");
        if (timesteps < 2) {
            throw new IllegalArgumentException("timesteps must be at least 2, got " + timesteps);
        }
        if (trainSteps < 0) {
            throw new IllegalArgumentException("trainSteps must be >= 0, got " + trainSteps);
        }
        positive(batchSize, "batchSize");
        if (!(learningRate > 0f)) {
            throw new IllegalArgumentException("learningRate must be > 0, got " + learningRate);
        }
        if (!(conditionDropout >= 0f && conditionDropout < 1f)) {
            throw new IllegalArgumentException("conditionDropout must be in [0, 1), got " + conditionDropout);
        }
        if (checkpointInterval < 0) {
            throw new IllegalArgumentException("checkpointInterval must be >= 0, got " + checkpointInterval);
        }
        positive(logInterval, "logInterval");
        device = device == null ? "cpu" : device;
        if (!(attributeDropout >= 0f && attributeDropout < 1f)) {
            throw new IllegalArgumentException("attributeDropout must be in [0, 1), got " + attributeDropout);
        }
    }

    /** Settings without attribute dropout. */
    public DiffusionConfig(
            int zDim,
            int hidden,
            int blocks,
            int conditionDim,
            int timesteps,
            int trainSteps,
            int batchSize,
            float learningRate,
            float conditionDropout,
            Long seed,
            int checkpointInterval,
            int logInterval,
            String device) {
        this(
                zDim,
                hidden,
                blocks,
                conditionDim,
                timesteps,
                trainSteps,
                batchSize,
                learningRate,
                conditionDropout,
                seed,
                checkpointInterval,
                logInterval,
                device,
                0f);
    }

    /** Defaults for a code of dimension {@code zDim}: 256 wide, 3 blocks, T = 1000, 4000 steps. */
    public static DiffusionConfig defaults(int zDim) {
        return new DiffusionConfig(zDim, 256, 3, 64, 1000, 4000, 256, 1e-3f, 0.1f, null, 500, 50, "cpu");
    }

    public DiffusionConfig withTrainSteps(int steps) {
        return new DiffusionConfig(
                zDim,
                hidden,
                blocks,
                conditionDim,
                timesteps,
                steps,
                batchSize,
                learningRate,
                conditionDropout,
                seed,
                checkpointInterval,
                logInterval,
                device,
                attributeDropout);
    }

    public DiffusionConfig withSeed(long newSeed) {
        return new DiffusionConfig(
                zDim,
                hidden,
                blocks,
                conditionDim,
                timesteps,
                trainSteps,
                batchSize,
                learningRate,
                conditionDropout,
                newSeed,
                checkpointInterval,
                logInterval,
                device,
                attributeDropout);
    }

    public DiffusionConfig withCheckpointInterval(int interval) {
        return new DiffusionConfig(
                zDim,
                hidden,
                blocks,
                conditionDim,
                timesteps,
                trainSteps,
                batchSize,
                learningRate,
                conditionDropout,
                seed,
                interval,
                logInterval,
                device,
                attributeDropout);
    }

    private static void positive(int v, String name) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + v);
        }
    }
}
