package dev.causalcxr.core.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.causalcxr.core.engine.Adam;
import dev.causalcxr.core.engine.Engines;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.stage.StageContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code train-diffusion} stage function: DDPM training (cosine schedule, ε-prediction, MSE) of
 * the conditioned denoiser on encoded {@code z_path} codes.
 *
 * <p>Randomness (batch, timesteps, noise, condition dropout) comes from a Java RNG seeded by
 * (seed, step), so the RNG position is the step itself. A checkpoint holds parameters, Adam moments,
 * the step and the standardization; resuming from it gives bit-for-bit the parameters of an
 * uninterrupted run.
 */
public final class DiffusionTraining {
    public static final String OUTPUT_MODEL = "diffusion-model";
    public static final String METRIC_LOSS = "diffusion_loss";
    static final String CHECKPOINT_KIND = "causalcxr-diffusion-checkpoint";
    private static final Logger LOG = LoggerFactory.getLogger(DiffusionTraining.class);
    private static final float MIN_STD = 1e-6f;
    /** The sampler clips x̂₀ at this multiple of the largest standardized training value. */
    static final float X0_BOUND_MARGIN = 1.5f;

    private DiffusionTraining() {}

    /**
     * The outcome of a training run.
     *
     * @param modelFile    the saved model (also registered as output {@value #OUTPUT_MODEL})
     * @param steps        optimizer steps done in total (including those before a resume)
     * @param resumedFrom  the checkpoint step this attempt started from, 0 for a fresh run
     * @param intervalLoss mean loss of each logging interval completed in this attempt, in order
     */
    public record Result(Path modelFile, long steps, long resumedFrom, List<Double> intervalLoss) {
        public double finalLoss() {
            return intervalLoss.isEmpty() ? Double.NaN : intervalLoss.get(intervalLoss.size() - 1);
        }
    }

    /** Trains on codes and their studies' report-level findings (present ones become the condition). */
    public static Result run(
            DiffusionConfig config, float[][] zPath, List<List<FindingMention>> findings, StageContext ctx) {
        if (findings.size() != zPath.length) {
            throw new IllegalArgumentException(zPath.length + " codes but " + findings.size() + " finding lists");
        }
        return runWithConditions(
                config, zPath, findings.stream().map(Condition::ofStudy).toList(), ctx);
    }

    public static Result runWithConditions(
            DiffusionConfig config, float[][] zPath, List<Condition> conditions, StageContext ctx) {
        validate(config, zPath, conditions);
        long seed = config.seed() != null ? config.seed() : ctx.seed();
        int n = zPath.length;
        int d = config.zDim();
        Map<String, ParameterStore.Spec> layout = Denoiser.layout(config);
        CosineSchedule schedule = new CosineSchedule(config.timesteps());
        logParams(config, seed, n, ctx);

        try (NDManager root = Engines.pytorch().newBaseManager(Engines.device(config.device()))) {
            Optional<StageContext.Checkpoint> checkpoint = ctx.latestCheckpoint();
            TensorArchive resumed =
                    checkpoint.map(c -> TensorArchive.read(c.file())).orElse(null);
            long startStep = 0;
            float[] mean;
            float[] std;
            ParameterStore params;
            if (resumed != null) {
                startStep = checkCheckpoint(resumed, config, seed);
                params = ParameterStore.fromArchive(root, layout, resumed, "param/");
                mean = resumed.require("data_mean").values();
                std = resumed.require("data_std").values();
                LOG.info("resuming diffusion training at step {} of {}", startStep, config.trainSteps());
            } else {
                params = ParameterStore.initialize(root, layout, seed);
                float[][] stats = standardization(zPath, d);
                mean = stats[0];
                std = stats[1];
            }
            float[] standardized = standardize(zPath, mean, std);
            float x0Bound = resumed != null ? resumed.require("x0_bound").values()[0] : x0Bound(standardized);
            params.setRequiresGradient(true);
            try (params;
                    Adam adam = new Adam(root, params.arrays())) {
                if (resumed != null) {
                    AdamCheckpoint.restore(adam, resumed, startStep);
                }
                List<Double> intervalLoss = new ArrayList<>();
                double lossSum = 0.0;
                int lossCount = 0;
                for (long step = startStep; step < config.trainSteps(); step++) {
                    if (ctx.cancelled()) {
                        throw new CancellationException("diffusion training cancelled at step " + step);
                    }
                    lossSum += trainStep(root, params, adam, config, schedule, standardized, conditions, seed, step);
                    lossCount++;
                    long done = step + 1;
                    if (done % config.logInterval() == 0 || done == config.trainSteps()) {
                        double meanLoss = lossSum / lossCount;
                        if (!Double.isFinite(meanLoss)) {
                            throw new IllegalStateException("diffusion loss diverged at step " + done + " (" + meanLoss
                                    + "); lower the learning rate");
                        }
                        intervalLoss.add(meanLoss);
                        ctx.logMetric(METRIC_LOSS, meanLoss, done);
                        ctx.progress(
                                (double) done / config.trainSteps(),
                                "diffusion step " + done + "/" + config.trainSteps() + " loss "
                                        + String.format(java.util.Locale.ROOT, "%.4f", meanLoss));
                        lossSum = 0.0;
                        lossCount = 0;
                    } else {
                        // progress is the stage's heartbeat: on shared cores 50 steps took longer than its
                        // 2-minute timeout, and every retry died the same way (Temporal throttles the beats)
                        ctx.progress(
                                (double) done / config.trainSteps(),
                                "diffusion step " + done + "/" + config.trainSteps());
                    }
                    // the last step's state is checkpointed too: a retrain warm-starts from it (weights and Adam)
                    if ((config.checkpointInterval() > 0 && done % config.checkpointInterval() == 0)
                            || done == config.trainSteps()) {
                        Path file = ctx.workDir().resolve("diffusion-checkpoint-" + done + ".bin");
                        writeCheckpoint(file, config, seed, done, params, adam, mean, std, x0Bound);
                        ctx.saveCheckpoint(done, file);
                        deleteQuietly(file);
                    }
                }
                Path modelFile = ctx.workDir().resolve("diffusion-model.bin");
                // the model owns a detached copy of the parameters, on its own manager
                NDManager modelManager = root.newSubManager();
                try (DiffusionModel model = new DiffusionModel(
                        config,
                        modelManager,
                        params.copy(modelManager),
                        mean,
                        std,
                        x0Bound,
                        config.trainSteps(),
                        findingCounts(conditions))) {
                    model.save(modelFile);
                }
                ctx.addOutput(OUTPUT_MODEL, modelFile);
                if (!intervalLoss.isEmpty()) {
                    ctx.summaryMetric("diffusion_final_loss", intervalLoss.get(intervalLoss.size() - 1));
                }
                ctx.progress(1.0, "diffusion training done");
                return new Result(modelFile, config.trainSteps(), startStep, List.copyOf(intervalLoss));
            }
        }
    }

    /** One optimizer step; everything it allocates lives in a step-scoped manager. */
    private static double trainStep(
            NDManager root,
            ParameterStore params,
            Adam adam,
            DiffusionConfig config,
            CosineSchedule schedule,
            float[] data,
            List<Condition> conditions,
            long seed,
            long step) {
        int b = config.batchSize();
        int d = config.zDim();
        SplittableRandom rng = new SplittableRandom(SeedStreams.of(seed, step));
        float[] noisy = new float[b * d];
        float[] noise = new float[b * d];
        int[] timesteps = new int[b];
        List<Condition> batchConditions = new ArrayList<>(b);
        for (int i = 0; i < b; i++) {
            int row = rng.nextInt(conditions.size());
            int t = rng.nextInt(config.timesteps());
            timesteps[i] = t;
            float signal = (float) Math.sqrt(schedule.alphaBar(t));
            float spread = (float) Math.sqrt(1.0 - schedule.alphaBar(t));
            for (int k = 0; k < d; k++) {
                float e = (float) rng.nextGaussian();
                noise[i * d + k] = e;
                noisy[i * d + k] = signal * data[row * d + k] + spread * e;
            }
            batchConditions.add(
                    rng.nextDouble() < config.conditionDropout()
                            ? Condition.NULL
                            : conditions.get(row).withAttributesDropped(rng, config.attributeDropout()));
        }
        try (NDManager scope = root.newSubManager()) {
            params.tempAttachAll(scope);
            NDArray x = scope.create(noisy, new Shape(b, d));
            NDArray target = scope.create(noise, new Shape(b, d));
            ConditionBatch.Arrays cond = ConditionBatch.encode(batchConditions).toArrays(scope);
            float loss;
            try (GradientCollector collector = Engines.pytorch().newGradientCollector()) {
                NDArray predicted = Denoiser.predictNoise(params, config.blocks(), x, timesteps, cond);
                NDArray mse = predicted.sub(target).square().mean();
                collector.backward(mse);
                loss = mse.getFloat();
            }
            adam.update(config.learningRate());
            return loss;
        }
    }

    private static void validate(DiffusionConfig config, float[][] zPath, List<Condition> conditions) {
        if (zPath.length == 0) {
            throw new IllegalArgumentException("no training codes");
        }
        if (zPath.length != conditions.size()) {
            throw new IllegalArgumentException(zPath.length + " codes but " + conditions.size() + " conditions");
        }
        for (int i = 0; i < zPath.length; i++) {
            if (zPath[i].length != config.zDim()) {
                throw new IllegalArgumentException(
                        "code " + i + " has dimension " + zPath[i].length + ", config zDim is " + config.zDim());
            }
            for (float v : zPath[i]) {
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException("code " + i + " has a non-finite value");
                }
            }
            if (conditions.get(i) == null || conditions.get(i).isNull()) {
                throw new IllegalArgumentException("study " + i + " has the null condition; use Condition.ofStudy");
            }
        }
    }

    static float[][] standardization(float[][] zPath, int d) {
        double[] sum = new double[d];
        double[] sq = new double[d];
        for (float[] row : zPath) {
            for (int k = 0; k < d; k++) {
                sum[k] += row[k];
            }
        }
        float[] mean = new float[d];
        for (int k = 0; k < d; k++) {
            mean[k] = (float) (sum[k] / zPath.length);
        }
        for (float[] row : zPath) {
            for (int k = 0; k < d; k++) {
                double c = row[k] - mean[k];
                sq[k] += c * c;
            }
        }
        float[] std = new float[d];
        for (int k = 0; k < d; k++) {
            // a constant dimension keeps scale 1 instead of dividing by zero
            double s = Math.sqrt(sq[k] / Math.max(1, zPath.length - 1));
            std[k] = s < MIN_STD ? 1f : (float) s;
        }
        return new float[][] {mean, std};
    }

    /** Studies with each finding present. */
    public static Map<Finding, Integer> findingCounts(List<Condition> conditions) {
        Map<Finding, Integer> counts = new EnumMap<>(Finding.class);
        for (Condition c : conditions) {
            c.findings().forEach(f -> counts.merge(f, 1, Integer::sum));
        }
        return counts;
    }

    private static float x0Bound(float[] standardized) {
        float max = 0f;
        for (float v : standardized) {
            max = Math.max(max, Math.abs(v));
        }
        return X0_BOUND_MARGIN * Math.max(max, 1f);
    }

    private static float[] standardize(float[][] zPath, float[] mean, float[] std) {
        int d = mean.length;
        float[] out = new float[zPath.length * d];
        for (int i = 0; i < zPath.length; i++) {
            for (int k = 0; k < d; k++) {
                out[i * d + k] = (zPath[i][k] - mean[k]) / std[k];
            }
        }
        return out;
    }

    private static void writeCheckpoint(
            Path file,
            DiffusionConfig config,
            long seed,
            long step,
            ParameterStore params,
            Adam adam,
            float[] mean,
            float[] std,
            float x0Bound) {
        ObjectNode meta = DiffusionModel.JSON.createObjectNode();
        meta.put("kind", CHECKPOINT_KIND);
        meta.set("config", DiffusionModel.JSON.valueToTree(config));
        meta.put("seed", seed);
        meta.put("step", step);
        meta.put("adamUpdates", adam.steps());
        // the per-step RNG is seeded by (seed, step): the step is the RNG position
        meta.put("rngPosition", step);
        Map<String, TensorArchive.Tensor> tensors = new LinkedHashMap<>();
        params.putInto(tensors, "param/");
        AdamCheckpoint.putInto(adam, tensors);
        tensors.put("data_mean", new TensorArchive.Tensor(new long[] {mean.length}, mean.clone()));
        tensors.put("data_std", new TensorArchive.Tensor(new long[] {std.length}, std.clone()));
        tensors.put("x0_bound", new TensorArchive.Tensor(new long[] {1}, new float[] {x0Bound}));
        new TensorArchive(meta.toString(), tensors).write(file);
    }

    private static long checkCheckpoint(TensorArchive archive, DiffusionConfig config, long seed) {
        try {
            JsonNode meta = DiffusionModel.JSON.readTree(archive.metadataJson());
            if (!CHECKPOINT_KIND.equals(meta.path("kind").asText())) {
                throw new IllegalArgumentException("checkpoint is not a diffusion checkpoint: "
                        + meta.path("kind").asText());
            }
            DiffusionConfig saved = DiffusionModel.JSON.treeToValue(meta.get("config"), DiffusionConfig.class);
            // the step count may grow on resume; everything else must match
            if (!saved.withTrainSteps(config.trainSteps()).withSeed(seed).equals(config.withSeed(seed))
                    || meta.path("seed").asLong() != seed) {
                throw new IllegalArgumentException(
                        "checkpoint was written with another configuration or seed: " + saved);
            }
            return meta.path("step").asLong();
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("checkpoint has unreadable metadata", e);
        }
    }

    private static void logParams(DiffusionConfig c, long seed, int n, StageContext ctx) {
        ctx.logParam("diffusion_z_dim", String.valueOf(c.zDim()));
        ctx.logParam("diffusion_hidden", String.valueOf(c.hidden()));
        ctx.logParam("diffusion_blocks", String.valueOf(c.blocks()));
        ctx.logParam("diffusion_condition_dim", String.valueOf(c.conditionDim()));
        ctx.logParam("diffusion_timesteps", String.valueOf(c.timesteps()));
        ctx.logParam("diffusion_train_steps", String.valueOf(c.trainSteps()));
        ctx.logParam("diffusion_batch_size", String.valueOf(c.batchSize()));
        ctx.logParam("diffusion_learning_rate", String.valueOf(c.learningRate()));
        ctx.logParam("diffusion_condition_dropout", String.valueOf(c.conditionDropout()));
        ctx.logParam("diffusion_attribute_dropout", String.valueOf(c.attributeDropout()));
        ctx.logParam("diffusion_seed", String.valueOf(seed));
        ctx.logParam("diffusion_training_codes", String.valueOf(n));
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("could not delete checkpoint scratch file {}: {}", file, new UncheckedIOException(e).getMessage());
        }
    }
}
