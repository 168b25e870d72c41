package dev.causalcxr.core.diffusion;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.causalcxr.core.engine.Engines;
import dev.causalcxr.core.engine.ScalarOps;
import dev.causalcxr.core.findings.Finding;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A trained finding-conditioned diffusion model over {@code z_path} with its DDIM sampler.
 *
 * <p>The network works on standardized codes (per-dimension mean and standard deviation of the
 * training codes, stored with the model); {@link #sample} and {@link #denoise} take and return codes
 * in the original space, except that initial noise x_T is always N(0, I) noise of the standardized
 * space.
 */
public final class DiffusionModel implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String KIND = "causalcxr-diffusion-model";

    private final DiffusionConfig config;
    private final CosineSchedule schedule;
    private final NDManager manager;
    private final ParameterStore params;
    private final float[] dataMean;
    private final float[] dataStd;
    private final float x0Bound;
    private final long trainedSteps;
    private final Map<Finding, Integer> trainingFindingCounts;

    DiffusionModel(
            DiffusionConfig config,
            NDManager manager,
            ParameterStore params,
            float[] dataMean,
            float[] dataStd,
            float x0Bound,
            long trainedSteps,
            Map<Finding, Integer> trainingFindingCounts) {
        this.config = config;
        this.schedule = new CosineSchedule(config.timesteps());
        this.manager = manager;
        this.params = params;
        this.dataMean = dataMean.clone();
        this.dataStd = dataStd.clone();
        this.x0Bound = x0Bound;
        this.trainedSteps = trainedSteps;
        this.trainingFindingCounts = Collections.unmodifiableMap(new EnumMap<>(trainingFindingCounts));
    }

    /** Loads a model file written by {@link #save} (the {@code diffusion-model} stage output) onto its configured device. */
    public static DiffusionModel load(Path file) {
        return load(file, null);
    }

    /** As {@link #load(Path)} on a given device ({@code cpu}, {@code gpu:0}); null keeps the configured one. */
    public static DiffusionModel load(Path file, String device) {
        TensorArchive archive = TensorArchive.read(file);
        JsonNode meta;
        DiffusionConfig config;
        try {
            meta = JSON.readTree(archive.metadataJson());
            if (!KIND.equals(meta.path("kind").asText())) {
                throw new IllegalArgumentException(file + " is not a diffusion model (kind '"
                        + meta.path("kind").asText() + "')");
            }
            config = JSON.treeToValue(meta.get("config"), DiffusionConfig.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + " has unreadable metadata", e);
        }
        NDManager manager = Engines.pytorch().newBaseManager(Engines.device(device == null ? config.device() : device));
        try {
            ParameterStore params = ParameterStore.fromArchive(manager, Denoiser.layout(config), archive, "param/");
            Map<Finding, Integer> counts = new EnumMap<>(Finding.class);
            meta.path("trainingFindingCounts")
                    .fields()
                    .forEachRemaining(e -> counts.put(
                            Finding.fromLabel(e.getKey())
                                    .orElseThrow(() -> new IllegalArgumentException(
                                            file + " names an unknown finding " + e.getKey())),
                            e.getValue().asInt()));
            return new DiffusionModel(
                    config,
                    manager,
                    params,
                    archive.require("data_mean").values(),
                    archive.require("data_std").values(),
                    archive.require("x0_bound").values()[0],
                    meta.path("trainedSteps").asLong(),
                    counts);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public void save(Path file) {
        ObjectNode meta = JSON.createObjectNode();
        meta.put("kind", KIND);
        meta.put("format", 1);
        meta.set("config", JSON.valueToTree(config));
        meta.put("trainedSteps", trainedSteps);
        meta.put("parameters", params.parameterCount());
        ObjectNode counts = meta.putObject("trainingFindingCounts");
        trainingFindingCounts.forEach((f, c) -> counts.put(f.label(), c));
        Map<String, TensorArchive.Tensor> tensors = new LinkedHashMap<>();
        params.putInto(tensors, "param/");
        tensors.put("data_mean", new TensorArchive.Tensor(new long[] {dataMean.length}, dataMean.clone()));
        tensors.put("data_std", new TensorArchive.Tensor(new long[] {dataStd.length}, dataStd.clone()));
        tensors.put("x0_bound", new TensorArchive.Tensor(new long[] {1}, new float[] {x0Bound}));
        new TensorArchive(meta.toString(), tensors).write(file);
    }

    public DiffusionConfig config() {
        return config;
    }

    public int zDim() {
        return config.zDim();
    }

    /** Where the parameters live; arrays handed to {@link #denoise} must be on it. */
    public Device device() {
        return manager.getDevice();
    }

    public long trainedSteps() {
        return trainedSteps;
    }

    /** How many training studies had each finding present (findings never seen are absent). */
    public Map<Finding, Integer> trainingFindingCounts() {
        return trainingFindingCounts;
    }

    public long parameterCount() {
        return params.parameterCount();
    }

    public CosineSchedule schedule() {
        return schedule;
    }

    /** Convenience form of {@link #sample(Condition, int, long, SamplerConfig, float[][])}. */
    public float[][] sample(Condition condition, int n, long seed, float guidance, int steps, float eta) {
        return sample(condition, n, seed, new SamplerConfig(steps, eta, guidance), null);
    }

    public float[][] sample(
            Condition condition, int n, long seed, float guidance, int steps, float eta, float[][] initialNoise) {
        return sample(condition, n, seed, new SamplerConfig(steps, eta, guidance), initialNoise);
    }

    public float[][] sample(Condition condition, int n, long seed, SamplerConfig sampler) {
        return sample(condition, n, seed, sampler, null);
    }

    /**
     * n codes ẑ_path for a condition, deterministic given the seed (and the initial noise, if given).
     *
     * @param initialNoise n × zDim starting points x_T (standardized space), e.g. drawn from a learned
     *                     tail-class prior; null draws N(0, I) from the seed
     */
    public float[][] sample(Condition condition, int n, long seed, SamplerConfig sampler, float[][] initialNoise) {
        if (n < 1) {
            throw new IllegalArgumentException("number of samples must be >= 1, got " + n);
        }
        float[] start =
                initialNoise == null ? gaussian(new SplittableRandom(seed), n * zDim()) : flatten(initialNoise, n);
        try (NDManager scope = manager.newSubManager()) {
            NDArray xT = scope.create(start, new Shape(n, zDim()));
            NDArray x0 = denoise(xT, condition, sampler, seed ^ 0x5DEECE66DL);
            return unflatten(x0.toFloatArray(), n);
        }
    }

    /**
     * One request of {@link #sampleBatch}: what {@link #sample(Condition, int, long, SamplerConfig, float[][])}
     * takes, less the step count and η that a batch shares.
     *
     * @param initialNoise n × zDim starting points, or null for N(0, I) drawn from the seed
     */
    public record BatchRequest(Condition condition, int n, long seed, float guidance, float[][] initialNoise) {
        public BatchRequest {
            if (condition == null) {
                throw new IllegalArgumentException("condition is required (Condition.NULL for unconditional sampling)");
            }
            if (n < 1) {
                throw new IllegalArgumentException("number of samples must be >= 1, got " + n);
            }
            if (!Float.isFinite(guidance) || guidance < 0f) {
                throw new IllegalArgumentException("guidance scale must be finite and >= 0, got " + guidance);
            }
        }

        /** Classifier-free guidance with both passes (0 and 1 need one pass, as in {@link #denoise}). */
        boolean guided() {
            return !condition.isNull() && guidance != 0f && guidance != 1f;
        }
    }

    /**
     * Several requests in one pass of the sampler: their rows are stacked and every DDIM step is one
     * forward pass of the network for all of them, which costs little more than one request's pass
     * (the network is a small MLP on short code vectors; a step's cost is mostly per-operation
     * overhead).
     *
     * <p>Each request's codes are bit-identical to {@link #sample(Condition, int, long, SamplerConfig,
     * float[][])} of that request alone: its initial noise and its η noise come from its own seed, its
     * condition embedding is computed over its own rows as {@code sample} computes it, guidance is
     * applied row by row with the same float operations, and the network's operations are row-wise
     * (rows padded so that a matrix product's row does not depend on the other rows, see {@code
     * Denoiser.rowwise} and {@code Denoiser.predictNoise}; per-row layer norms). {@code DiffusionModelBatchTest} checks it for the shapes
     * of the quick and tiny models.
     *
     * @return the codes of each request, in the order of {@code requests}
     */
    public List<float[][]> sampleBatch(List<BatchRequest> requests, int steps, float eta) {
        if (requests.isEmpty()) {
            return List.of();
        }
        SamplerConfig shared = new SamplerConfig(steps, eta, 1f);
        for (BatchRequest r : requests) {
            checkSampleable(r.condition());
        }
        return sampleStacked(requests, shared);
    }

    private List<float[][]> sampleStacked(List<BatchRequest> requests, SamplerConfig shared) {
        // guided requests first: their conditional rows are [0, G), the unguided rows [G, N), the
        // unconditional copies of the guided rows [N, N + G)
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            if (requests.get(i).guided()) {
                order.add(i);
            }
        }
        int guidedRequests = order.size();
        for (int i = 0; i < requests.size(); i++) {
            if (!requests.get(i).guided()) {
                order.add(i);
            }
        }
        int[] offset = new int[requests.size()];
        int total = 0;
        int guidedRows = 0;
        for (int k = 0; k < order.size(); k++) {
            BatchRequest r = requests.get(order.get(k));
            offset[order.get(k)] = total;
            total += r.n();
            if (k < guidedRequests) {
                guidedRows += r.n();
            }
        }
        float[] start = new float[total * zDim()];
        float[] guidance = new float[guidedRows];
        SplittableRandom[] etaNoise = new SplittableRandom[order.size()];
        for (int k = 0; k < order.size(); k++) {
            BatchRequest r = requests.get(order.get(k));
            float[] x = r.initialNoise() == null
                    ? gaussian(new SplittableRandom(r.seed()), r.n() * zDim())
                    : flatten(r.initialNoise(), r.n());
            System.arraycopy(x, 0, start, offset[order.get(k)] * zDim(), x.length);
            if (k < guidedRequests) {
                java.util.Arrays.fill(guidance, offset[order.get(k)], offset[order.get(k)] + r.n(), r.guidance());
            }
            etaNoise[k] = new SplittableRandom(r.seed() ^ 0x5DEECE66DL);
        }
        try (NDManager m = manager.newSubManager()) {
            // each request's condition rows embedded as sample() embeds them, then stacked
            NDList primary = new NDList();
            NDList unconditional = new NDList();
            for (int k = 0; k < order.size(); k++) {
                BatchRequest r = requests.get(order.get(k));
                boolean unconditionalOnly = r.condition().isNull() || r.guidance() == 0f;
                List<Condition> rows = new ArrayList<>(2 * r.n());
                for (int i = 0; i < r.n(); i++) {
                    rows.add(unconditionalOnly ? Condition.NULL : r.condition());
                }
                if (k < guidedRequests) {
                    for (int i = 0; i < r.n(); i++) {
                        rows.add(Condition.NULL);
                    }
                }
                NDArray emb = Denoiser.conditionEmbedding(
                        params, ConditionBatch.encode(rows).toArrays(m));
                if (k < guidedRequests) {
                    primary.add(emb.get(":" + r.n()));
                    unconditional.add(emb.get(r.n() + ":"));
                } else {
                    primary.add(emb);
                }
            }
            NDList all = new NDList(primary);
            all.addAll(unconditional);
            NDArray condEmb = all.size() == 1 ? all.get(0) : NDArrays.concat(all);
            int rows = total + guidedRows;
            NDArray guidanceColumn = guidedRows == 0 ? null : m.create(guidance, new Shape(guidedRows, 1));

            int[] ts = schedule.ddimTimesteps(shared.steps());
            NDArray x = m.create(start, new Shape(total, zDim()));
            int[] timesteps = new int[rows];
            for (int i = ts.length - 1; i >= 0; i--) {
                int t = ts[i];
                double alphaBar = schedule.alphaBar(t);
                double alphaBarPrev = i > 0 ? schedule.alphaBar(ts[i - 1]) : 1.0;
                java.util.Arrays.fill(timesteps, t);
                NDArray input = guidedRows == 0
                        ? x
                        : NDArrays.concat(new NDList(x, guidedRows == total ? x : x.get(":" + guidedRows)));
                NDArray eps = Denoiser.predictNoise(params, config.blocks(), input, timesteps, condEmb);
                if (guidedRows > 0) {
                    NDArray epsCond = eps.get(":" + guidedRows);
                    NDArray epsUncond = eps.get(total + ":");
                    NDArray guided = epsUncond.add(epsCond.sub(epsUncond).mul(guidanceColumn));
                    eps = guidedRows == total
                            ? guided
                            : NDArrays.concat(new NDList(guided, eps.get(guidedRows + ":" + total)));
                }
                float[] z = null;
                if (sigma(alphaBar, alphaBarPrev, shared.eta()) > 0.0) {
                    z = new float[total * zDim()];
                    for (int k = 0; k < order.size(); k++) {
                        BatchRequest r = requests.get(order.get(k));
                        float[] part = gaussian(etaNoise[k], r.n() * zDim());
                        System.arraycopy(part, 0, z, offset[order.get(k)] * zDim(), part.length);
                    }
                }
                x = ddimStep(x, eps, alphaBar, alphaBarPrev, shared.eta(), x0Bound, z);
            }
            NDArray std = m.create(dataStd, new Shape(1, zDim()));
            NDArray mean = m.create(dataMean, new Shape(1, zDim()));
            float[] flat = x.mul(std).add(mean).toFloatArray();
            List<float[][]> out = new ArrayList<>(requests.size());
            for (int i = 0; i < requests.size(); i++) {
                int n = requests.get(i).n();
                float[] part = java.util.Arrays.copyOfRange(flat, offset[i] * zDim(), (offset[i] + n) * zDim());
                out.add(unflatten(part, n));
            }
            return out;
        }
    }

    private void checkSampleable(Condition condition) {
        for (Finding f : condition.findings()) {
            // an embedding that never received a gradient would be sampled as if it meant something
            if (trainingFindingCounts.getOrDefault(f, 0) == 0) {
                throw new IllegalArgumentException("the model was trained on no study with " + f.label()
                        + " present, so it cannot generate it; it knows " + trainingFindingCounts.keySet());
            }
        }
    }

    /**
     * The DDIM sampler as one differentiable function x_T ↦ ẑ_path: run inside a
     * {@code GradientCollector} with x_T (or the parameters it is computed from) requiring gradients to
     * back-propagate through the steps, as the tail-noise optimization does. Every intermediate belongs
     * to x_T's manager; the model's parameters do not require gradients.
     *
     * @param xT        (n, zDim) initial noise in the standardized space
     * @param noiseSeed seeds the fresh noise of η &gt; 0 steps (unused when η = 0)
     * @return (n, zDim) codes in the original space
     */
    public NDArray denoise(NDArray xT, Condition condition, SamplerConfig sampler, long noiseSeed) {
        if (xT.getShape().dimension() != 2 || xT.getShape().get(1) != zDim()) {
            throw new IllegalArgumentException("initial noise must be (n, " + zDim() + "), got " + xT.getShape());
        }
        if (condition == null) {
            throw new IllegalArgumentException("condition is required (Condition.NULL for unconditional sampling)");
        }
        checkSampleable(condition);
        NDManager m = xT.getManager();
        int n = (int) xT.getShape().get(0);
        float g = sampler.guidance();
        // g = 0 is the unconditional model and g = 1 the conditional one: one forward pass each,
        // so that g = 0 gives exactly the samples of Condition.NULL
        boolean unconditionalOnly = condition.isNull() || g == 0f;
        boolean conditionalOnly = !unconditionalOnly && g == 1f;
        List<Condition> rows = new ArrayList<>(2 * n);
        for (int i = 0; i < n; i++) {
            rows.add(unconditionalOnly ? Condition.NULL : condition);
        }
        if (!unconditionalOnly && !conditionalOnly) {
            for (int i = 0; i < n; i++) {
                rows.add(Condition.NULL);
            }
        }
        NDArray condEmb =
                Denoiser.conditionEmbedding(params, ConditionBatch.encode(rows).toArrays(m));
        boolean guided = rows.size() == 2 * n;

        SplittableRandom noise = new SplittableRandom(noiseSeed);
        int[] ts = schedule.ddimTimesteps(sampler.steps());
        NDArray x = xT;
        for (int i = ts.length - 1; i >= 0; i--) {
            int t = ts[i];
            double alphaBar = schedule.alphaBar(t);
            double alphaBarPrev = i > 0 ? schedule.alphaBar(ts[i - 1]) : 1.0;
            int[] timesteps = new int[rows.size()];
            java.util.Arrays.fill(timesteps, t);
            NDArray input = guided ? NDArrays.concat(new NDList(x, x)) : x;
            NDArray eps = Denoiser.predictNoise(params, config.blocks(), input, timesteps, condEmb);
            if (guided) {
                NDArray epsCond = eps.get(":" + n);
                NDArray epsUncond = eps.get(n + ":");
                eps = epsUncond.add(ScalarOps.times(epsCond.sub(epsUncond), g));
            }
            x = ddimStep(x, eps, alphaBar, alphaBarPrev, sampler.eta(), x0Bound, noise);
        }
        NDArray std = m.create(dataStd, new Shape(1, zDim()));
        NDArray mean = m.create(dataMean, new Shape(1, zDim()));
        return x.mul(std).add(mean);
    }

    /**
     * One DDIM update (Song et al. 2021, eq. 12): x̂₀ = (x_t − √(1−ᾱ_t) ε̂)/√ᾱ_t,
     * x_prev = √ᾱ_prev x̂₀ + √(1−ᾱ_prev−σ²) ε̂ + σ z with σ = η √((1−ᾱ_prev)/(1−ᾱ_t)) √(1−ᾱ_t/ᾱ_prev).
     *
     * <p>x̂₀ is clipped to ±{@code x0Bound} (a margin around the standardized training codes) and ε̂
     * recomputed from the clipped x̂₀. Without it, few-step sampling explodes: at the noisiest step
     * √ᾱ ≈ 0.016, so an ε̂ error of 0.1 becomes an x̂₀ error of about 6 per dimension (the role
     * clipping to [−1, 1] plays for images).
     */
    static NDArray ddimStep(
            NDArray x,
            NDArray eps,
            double alphaBar,
            double alphaBarPrev,
            float eta,
            float x0Bound,
            SplittableRandom noise) {
        float[] z = sigma(alphaBar, alphaBarPrev, eta) > 0.0 ? gaussian(noise, (int) x.size()) : null;
        return ddimStep(x, eps, alphaBar, alphaBarPrev, eta, x0Bound, z);
    }

    /** σ of a DDIM step (0 when η = 0). */
    static double sigma(double alphaBar, double alphaBarPrev, float eta) {
        return eta * Math.sqrt((1.0 - alphaBarPrev) / (1.0 - alphaBar)) * Math.sqrt(1.0 - alphaBar / alphaBarPrev);
    }

    /** As above with the step's fresh noise z already drawn (null when σ = 0). */
    static NDArray ddimStep(
            NDArray x, NDArray eps, double alphaBar, double alphaBarPrev, float eta, float x0Bound, float[] z) {
        NDArray x0 = ScalarOps.dividedBy(x.sub(ScalarOps.times(eps, Math.sqrt(1.0 - alphaBar))), Math.sqrt(alphaBar))
                .clip(-x0Bound, x0Bound);
        eps = ScalarOps.dividedBy(x.sub(ScalarOps.times(x0, Math.sqrt(alphaBar))), Math.sqrt(1.0 - alphaBar));
        double sigma = sigma(alphaBar, alphaBarPrev, eta);
        double direction = Math.sqrt(Math.max(0.0, 1.0 - alphaBarPrev - sigma * sigma));
        NDArray next = ScalarOps.times(x0, Math.sqrt(alphaBarPrev)).add(ScalarOps.times(eps, direction));
        if (sigma > 0.0) {
            next = next.add(ScalarOps.times(x.getManager().create(z, x.getShape()), sigma));
        }
        return next;
    }

    static float[] gaussian(SplittableRandom rng, int count) {
        float[] v = new float[count];
        for (int i = 0; i < count; i++) {
            v[i] = (float) rng.nextGaussian();
        }
        return v;
    }

    private float[] flatten(float[][] rows, int n) {
        if (rows.length != n) {
            throw new IllegalArgumentException(
                    "initial noise has " + rows.length + " rows but " + n + " samples were asked for");
        }
        float[] out = new float[n * zDim()];
        for (int i = 0; i < n; i++) {
            if (rows[i].length != zDim()) {
                throw new IllegalArgumentException("initial noise row " + i + " has " + rows[i].length
                        + " values, the model's z_path has " + zDim());
            }
            System.arraycopy(rows[i], 0, out, i * zDim(), zDim());
        }
        return out;
    }

    private float[][] unflatten(float[] flat, int n) {
        float[][] out = new float[n][zDim()];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * zDim(), out[i], 0, zDim());
        }
        return out;
    }

    @Override
    public void close() {
        manager.close();
    }
}
