package dev.causalcxr.core.diffusion;

import dev.causalcxr.core.engine.DeviceName;
import dev.causalcxr.core.spec.InvalidConfigException;
import java.util.ArrayList;
import java.util.List;

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
        device = device == null ? "cpu" : device;
        List<String> p = new ArrayList<>();
        positive(p, zDim, "zDim");
        positive(p, hidden, "hidden");
        positive(p, blocks, "blocks");
        positive(p, conditionDim, "conditionDim");
        if (timesteps < 2) {
            p.add("timesteps: must be at least 2, got " + timesteps);
        }
        if (trainSteps < 0) {
            p.add("trainSteps: must be >= 0, got " + trainSteps);
        }
        positive(p, batchSize, "batchSize");
        if (!(learningRate > 0f)) {
            p.add("learningRate: must be > 0, got " + learningRate);
        }
        if (!(conditionDropout >= 0f && conditionDropout < 1f)) {
            p.add("conditionDropout: must be in [0, 1), got " + conditionDropout);
        }
        if (checkpointInterval < 0) {
            p.add("checkpointInterval: must be >= 0, got " + checkpointInterval);
        }
        positive(p, logInterval, "logInterval");
        if (DeviceName.problem(device) != null) {
            p.add("device: " + DeviceName.problem(device));
        }
        if (!(attributeDropout >= 0f && attributeDropout < 1f)) {
            p.add("attributeDropout: must be in [0, 1), got " + attributeDropout);
        }
        InvalidConfigException.check(DiffusionConfig.class, p);
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

    private static void positive(List<String> p, int v, String name) {
        if (v <= 0) {
            p.add(name + ": must be > 0, got " + v);
        }
    }
}
