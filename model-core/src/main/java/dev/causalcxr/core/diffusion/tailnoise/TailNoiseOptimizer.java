package dev.causalcxr.core.diffusion.tailnoise;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.causalcxr.core.diffusion.AdamCheckpoint;
import dev.causalcxr.core.diffusion.Condition;
import dev.causalcxr.core.diffusion.DiffusionModel;
import dev.causalcxr.core.diffusion.ParameterStore;
import dev.causalcxr.core.diffusion.ParameterStore.Init;
import dev.causalcxr.core.diffusion.ParameterStore.Spec;
import dev.causalcxr.core.diffusion.PathologyScorer;
import dev.causalcxr.core.diffusion.SeedStreams;
import dev.causalcxr.core.diffusion.TensorArchive;
import dev.causalcxr.core.engine.Adam;
import dev.causalcxr.core.engine.Engines;
import dev.causalcxr.core.engine.ScalarOps;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.stage.StageContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns a tail class's initial-noise prior N(μ, σ²) by back-propagating through a few deterministic
 * DDIM steps (η = 0). Minimized objective, per batch of draws x_T = μ + σ·ε:
 *
 * <pre>
 *   − mean log p_scorer(class | ẑ)            raise the class's probability of the generated code
 *   + w_KL · KL(N(μ, σ²) ‖ N(0, I)) / d        stay near the sampler's training distribution
 *   − w_div · log(mean pairwise ‖ẑ_i − ẑ_j‖)   a barrier against collapsing onto one code
 * </pre>
 *
 * μ and log σ start at N(0, I). Each iteration draws its ε from a stream indexed by (seed, iteration).
 */
public final class TailNoiseOptimizer {
    public static final String OUTPUT_PRIOR = "tail-noise-prior";
    private static final String CHECKPOINT_KIND = "causalcxr-tail-noise-checkpoint";
    private static final Logger LOG = LoggerFactory.getLogger(TailNoiseOptimizer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long EVALUATION_STREAM = -1L;

    private TailNoiseOptimizer() {}

    /** The objective and its parts (class term as −mean log p, KL per dimension, diversity as mean distance). */
    public record Terms(double objective, double classLoss, double klPerDim, double diversity, double effectiveness) {}

    /**
     * @param before      the objective of N(0, I) on the fixed evaluation draws
     * @param after       the objective of the learned prior on the same draws
     * @param history     the batch objective of every iteration run in this attempt
     * @param resumedFrom the checkpoint iteration this attempt started from (0 for a fresh one)
     */
    public record Result(NoisePrior prior, Terms before, Terms after, List<Double> history, long resumedFrom) {}

    /** Optimizes without checkpoints or progress reports (tests, notebooks). */
    public static Result optimize(
            DiffusionModel model, PathologyScorer scorer, Finding finding, TailNoiseConfig config, long seed) {
        return optimize(model, scorer, finding, config, seed, null);
    }

    /**
     * The per-class activity body: heartbeats and logs the objective through {@code ctx}, checkpoints
     * every {@code checkpointInterval} iterations, resumes from the context's latest checkpoint, and
     * registers the prior as output {@value #OUTPUT_PRIOR}. Metric keys carry the finding's key.
     */
    public static Result run(
            DiffusionModel model, PathologyScorer scorer, Finding finding, TailNoiseConfig config, StageContext ctx) {
        Result r = optimize(model, scorer, finding, config, ctx.seed(), ctx);
        Path file = ctx.workDir().resolve("tail-noise-prior-" + finding.key() + ".bin");
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("config", config);
        provenance.put("seed", ctx.seed());
        provenance.put("objectiveBefore", r.before());
        provenance.put("objectiveAfter", r.after());
        r.prior().save(file, provenance);
        ctx.addOutput(OUTPUT_PRIOR, file);
        String k = finding.key();
        ctx.summaryMetric("tail_noise_objective_plain_" + k, r.before().objective());
        ctx.summaryMetric("tail_noise_objective_optimized_" + k, r.after().objective());
        ctx.summaryMetric("tail_noise_effectiveness_plain_" + k, r.before().effectiveness());
        ctx.summaryMetric("tail_noise_effectiveness_optimized_" + k, r.after().effectiveness());
        ctx.summaryMetric("tail_noise_kl_" + k, r.prior().klToStandard());
        return r;
    }

    private static Result optimize(
            DiffusionModel model,
            PathologyScorer scorer,
            Finding finding,
            TailNoiseConfig config,
            long seed,
            StageContext ctx) {
        int d = model.zDim();
        int column = scorer.column(finding);
        if (!model.device().equals(scorer.device())) {
            throw new IllegalArgumentException("the diffusion model is on " + model.device() + " but the scorer on "
                    + scorer.device() + "; load both on one device");
        }
        Condition condition = Condition.of(finding);
        Map<String, Spec> layout = new LinkedHashMap<>();
        layout.put("mean", new Spec(new Shape(d), Init.ZEROS));
        layout.put("log_scale", new Spec(new Shape(d), Init.ZEROS));
        try (NDManager root = Engines.pytorch().newBaseManager(model.device())) {
            Terms before = evaluate(model, scorer, NoisePrior.standard(finding, d), config, seed);
            TensorArchive resumed = ctx == null
                    ? null
                    : ctx.latestCheckpoint()
                            .map(c -> TensorArchive.read(c.file()))
                            .orElse(null);
            long start = resumed == null ? 0 : checkCheckpoint(resumed, finding, config, seed);
            try (ParameterStore prior = resumed == null
                            ? ParameterStore.initialize(root, layout, seed)
                            : ParameterStore.fromArchive(root, layout, resumed, "param/");
                    Adam adam = new Adam(root, prior.arrays())) {
                prior.setRequiresGradient(true);
                if (resumed != null) {
                    AdamCheckpoint.restore(adam, resumed, start);
                    LOG.info("resuming tail-noise optimization of {} at iteration {}", finding.label(), start);
                }
                List<Double> history = new ArrayList<>();
                for (long it = start; it < config.iterations(); it++) {
                    if (ctx != null && ctx.cancelled()) {
                        throw new CancellationException("tail-noise optimization of " + finding.label() + " cancelled");
                    }
                    float[] eps = gaussian(new SplittableRandom(SeedStreams.of(seed, it)), config.batchSize() * d);
                    try (NDManager scope = root.newSubManager()) {
                        prior.tempAttachAll(scope);
                        NDArray noise = scope.create(eps, new Shape(config.batchSize(), d));
                        double value;
                        try (GradientCollector gc = Engines.pytorch().newGradientCollector()) {
                            NDArray[] terms = objective(
                                    model,
                                    scorer,
                                    condition,
                                    column,
                                    config,
                                    prior.get("mean"),
                                    prior.get("log_scale"),
                                    noise);
                            gc.backward(terms[0]);
                            value = terms[0].getFloat();
                        }
                        if (!Double.isFinite(value)) {
                            throw new IllegalStateException("tail-noise objective of " + finding.label()
                                    + " is not finite at iteration " + it + "; lower the learning rate");
                        }
                        adam.update(config.learningRate());
                        history.add(value);
                    }
                    long done = it + 1;
                    if (ctx != null) {
                        ctx.logMetric("tail_noise_objective_" + finding.key(), value(history), done);
                        ctx.progress((double) done / config.iterations(), finding.label() + " iteration " + done);
                        if (config.checkpointInterval() > 0
                                && done % config.checkpointInterval() == 0
                                && done < config.iterations()) {
                            Path file = ctx.workDir()
                                    .resolve("tail-noise-checkpoint-" + finding.key() + "-" + done + ".bin");
                            writeCheckpoint(file, prior, adam, finding, config, seed, done);
                            ctx.saveCheckpoint(done, file);
                        }
                    }
                }
                NoisePrior learned = new NoisePrior(
                        finding,
                        prior.get("mean").toFloatArray(),
                        prior.get("log_scale").toFloatArray());
                Terms after = evaluate(model, scorer, learned, config, seed);
                LOG.info(
                        "tail-noise prior of {}: objective {} -> {}, effectiveness {} -> {}, diversity {} -> {}, KL {}",
                        finding.label(),
                        before.objective(),
                        after.objective(),
                        before.effectiveness(),
                        after.effectiveness(),
                        before.diversity(),
                        after.diversity(),
                        learned.klToStandard());
                return new Result(learned, before, after, List.copyOf(history), start);
            }
        }
    }

    /** The objective of a prior on fixed draws (the same for every prior given the seed), no gradients. */
    public static Terms evaluate(
            DiffusionModel model, PathologyScorer scorer, NoisePrior prior, TailNoiseConfig config, long seed) {
        int d = prior.dim();
        if (d != model.zDim()) {
            throw new IllegalArgumentException("prior has dimension " + d + ", the model's z_path " + model.zDim());
        }
        int n = config.evaluationSamples();
        float[] eps = gaussian(new SplittableRandom(SeedStreams.of(seed, EVALUATION_STREAM)), n * d);
        try (NDManager scope = Engines.pytorch().newBaseManager(model.device())) {
            NDArray[] t = objective(
                    model,
                    scorer,
                    Condition.of(prior.finding()),
                    scorer.column(prior.finding()),
                    config,
                    scope.create(prior.mean()),
                    scope.create(prior.logScale()),
                    scope.create(eps, new Shape(n, d)));
            return new Terms(t[0].getFloat(), t[1].getFloat(), t[2].getFloat(), t[3].getFloat(), t[4].getFloat());
        }
    }

    /** [objective, class loss, KL per dim, mean pairwise distance, mean probability]; differentiable in mean and logScale. */
    private static NDArray[] objective(
            DiffusionModel model,
            PathologyScorer scorer,
            Condition condition,
            int column,
            TailNoiseConfig config,
            NDArray mean,
            NDArray logScale,
            NDArray noise) {
        NDManager m = noise.getManager();
        int n = (int) noise.getShape().get(0);
        NDArray xT = noise.mul(logScale.exp()).add(mean);
        NDArray z = model.denoise(xT, condition, config.sampler(), 0L);
        float[] pick = new float[scorer.findings().size()];
        pick[column] = 1f;
        // a matrix product selects the column: differentiable, no gather needed
        NDArray logit = scorer.logits(z)
                .matMul(m.create(pick, new Shape(pick.length, 1)))
                .reshape(n);
        NDArray logProbability =
                ScalarOps.atMost(logit, 0).sub(logit.abs().neg().exp().add(1f).log());
        NDArray classLoss = logProbability.mean().neg();
        NDArray kl = ScalarOps.times(
                        ScalarOps.times(logScale, 2)
                                .exp()
                                .add(mean.square())
                                .sub(1f)
                                .sub(ScalarOps.times(logScale, 2)),
                        0.5)
                .mean();
        float[] offDiagonal = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                offDiagonal[i * n + j] = i == j ? 0f : 1f;
            }
        }
        // exact pairwise differences; the small constant keeps sqrt differentiable on the diagonal
        NDArray distances = z.expandDims(1)
                .sub(z.expandDims(0))
                .square()
                .sum(new int[] {2})
                .add(1e-8f)
                .sqrt();
        NDArray meanDistance = ScalarOps.dividedBy(
                distances.mul(m.create(offDiagonal, new Shape(n, n))).sum(), (double) n * (n - 1));
        NDArray total = classLoss
                .add(ScalarOps.times(kl, config.klWeight()))
                .sub(ScalarOps.times(meanDistance.add(1e-6f).log(), config.diversityWeight()));
        NDArray effectiveness = logProbability.exp().mean();
        return new NDArray[] {total, classLoss, kl, meanDistance, effectiveness};
    }

    private static double value(List<Double> history) {
        return history.get(history.size() - 1);
    }

    private static float[] gaussian(SplittableRandom rng, int count) {
        float[] v = new float[count];
        for (int i = 0; i < count; i++) {
            v[i] = (float) rng.nextGaussian();
        }
        return v;
    }

    private static void writeCheckpoint(
            Path file,
            ParameterStore prior,
            Adam adam,
            Finding finding,
            TailNoiseConfig config,
            long seed,
            long iteration) {
        ObjectNode meta = JSON.createObjectNode();
        meta.put("kind", CHECKPOINT_KIND);
        meta.put("finding", finding.label());
        meta.set("config", JSON.valueToTree(config));
        meta.put("seed", seed);
        meta.put("iteration", iteration);
        Map<String, TensorArchive.Tensor> tensors = new LinkedHashMap<>();
        prior.putInto(tensors, "param/");
        AdamCheckpoint.putInto(adam, tensors);
        new TensorArchive(meta.toString(), tensors).write(file);
    }

    private static long checkCheckpoint(TensorArchive archive, Finding finding, TailNoiseConfig config, long seed) {
        try {
            JsonNode meta = JSON.readTree(archive.metadataJson());
            if (!CHECKPOINT_KIND.equals(meta.path("kind").asText())
                    || !finding.label().equals(meta.path("finding").asText())
                    || meta.path("seed").asLong() != seed
                    || !JSON.treeToValue(meta.get("config"), TailNoiseConfig.class)
                            .equals(config)) {
                throw new IllegalArgumentException(
                        "checkpoint belongs to another class, seed or configuration: " + meta);
            }
            return meta.path("iteration").asLong();
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("checkpoint has unreadable metadata", e);
        }
    }
}
