package dev.causalcxr.core.counterfactual;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import dev.causalcxr.core.engine.Adam;
import dev.causalcxr.core.engine.Engines;
import dev.causalcxr.core.engine.ScalarOps;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.random.SplitMix64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An effectiveness judge independent of the generator: a small multi-label CNN on images (not on
 * pathology codes), trained from its own seed on studies the generator never saw, one sigmoid output per
 * finding. The disentangler's finding head reads the generator's own codes and the tail priors are
 * optimized against it; this judge shares neither weights nor feature space with the generator, so a
 * counterfactual has to show the finding in pixels to convince it.
 *
 * <p>Training is deterministic for a seed: initialization after {@link Engines#seeded}, batches drawn by
 * {@link SplitMix64} and assembled on the Java side (no advanced indexing), the engine's fused Adam.
 * Positives are up-weighted per finding (negatives / positives, at most {@value #MAX_POSITIVE_WEIGHT}) so
 * that rare findings are not simply predicted absent.
 */
public final class FindingJudge implements AutoCloseable {

    private static final float LEAK = 0.2f;
    private static final float MAX_POSITIVE_WEIGHT = 20f;
    private static final int CHUNK = 64;
    /** Convolutions of the judge; {@link Config#downsamplings} of them have stride 2. */
    static final int LAYERS = 4;

    private final List<Finding> findings;
    private final int size;
    private final NDManager manager;
    private final SequentialBlock net;
    private final ParameterStore store;
    private final int trainingImages;
    private final int[] positives;

    /**
     * How to train a judge.
     *
     * @param width     channels of the first layer (four stride-2 3×3 convolutions of width w, 2w, 4w, 4w)
     * @param steps     optimizer steps
     * @param batchSize images per step
     * @param learningRate Adam step size
     * @param seed      initialization and batch order
     * @param maxPool   the last feature map is reduced by its maximum and its mean (concatenated) instead of
     *                  the mean alone: a small lesion is one cell of that map, and a mean over all cells dilutes it
     * @param downsamplings how many of the four convolutions have stride 2 (the first ones); the others keep
     *                  the resolution, so the last map has size / 2^downsamplings cells a side
     */
    public record Config(
            int width, int steps, int batchSize, double learningRate, long seed, boolean maxPool, int downsamplings) {
        public Config {
            if (width < 1
                    || steps < 1
                    || batchSize < 2
                    || !(learningRate > 0)
                    || downsamplings < 1
                    || downsamplings > LAYERS) {
                throw new IllegalArgumentException("invalid judge config: " + this);
            }
        }

        /**
         * 64 px on two CPU cores: about ten seconds. Max and mean pooling: on the 64 px phantom, mean pooling
         * alone left mass, consolidation, pneumothorax and devices at chance (bench/generator/RESULTS.md).
         */
        public static Config quick(long seed) {
            return new Config(16, 600, 32, 2e-3, seed, true, LAYERS);
        }

        /** The same judge with another number of steps and of stride-2 convolutions. */
        public Config withBudget(int steps, int downsamplings) {
            return new Config(width, steps, batchSize, learningRate, seed, maxPool, downsamplings);
        }
    }

    private FindingJudge(
            List<Finding> findings,
            int size,
            long seed,
            int trainingImages,
            int[] positives,
            int width,
            boolean maxPool,
            int downsamplings) {
        this.findings = List.copyOf(findings);
        this.size = size;
        this.trainingImages = trainingImages;
        this.positives = positives.clone();
        Engines.seeded(seed);
        manager = NDManager.newBaseManager(Engines.device("cpu"), Engines.PYTORCH);
        net = new SequentialBlock();
        int[] widths = {width, 2 * width, 4 * width, 4 * width};
        for (int i = 0; i < LAYERS; i++) {
            int stride = i < downsamplings ? 2 : 1;
            net.add(Conv2d.builder()
                    .setKernelShape(new Shape(3, 3))
                    .optPadding(new Shape(1, 1))
                    .optStride(new Shape(stride, stride))
                    .setFilters(widths[i])
                    .build());
            net.add(x -> Activation.leakyRelu(x, LEAK));
        }
        net.add(x -> {
            NDArray h = x.head();
            NDArray flat = h.reshape(h.getShape().get(0), h.getShape().get(1), -1);
            NDArray mean = flat.mean(new int[] {2});
            return new NDList(maxPool ? mean.concat(flat.max(new int[] {2}), 1) : mean);
        });
        net.add(Linear.builder().setUnits(findings.size()).build());
        net.setInitializer(
                new XavierInitializer(XavierInitializer.RandomType.UNIFORM, XavierInitializer.FactorType.IN, 2f),
                Parameter.Type.WEIGHT);
        net.initialize(manager, DataType.FLOAT32, new Shape(1, 1, size, size));
        store = new ParameterStore(manager, false);
    }

    /**
     * Trains a judge.
     *
     * @param images   row-major size × size pixels in [0, 1]
     * @param labels   each image's present findings (findings outside {@code findings} are ignored)
     * @param findings the judge's outputs, in order
     */
    public static FindingJudge train(
            List<float[]> images, List<Set<Finding>> labels, List<Finding> findings, int size, Config config) {
        if (images.size() != labels.size()) {
            throw new IllegalArgumentException(images.size() + " images but " + labels.size() + " label sets");
        }
        if (images.size() < config.batchSize()) {
            throw new IllegalArgumentException(
                    "only " + images.size() + " images for batches of " + config.batchSize());
        }
        if (findings.isEmpty()) {
            throw new IllegalArgumentException("a judge needs at least one finding");
        }
        int f = findings.size();
        int n = images.size();
        float[][] targets = new float[n][f];
        int[] positives = new int[f];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < f; k++) {
                if (labels.get(i).contains(findings.get(k))) {
                    targets[i][k] = 1f;
                    positives[k]++;
                }
            }
        }
        float[] positiveWeight = new float[f];
        for (int k = 0; k < f; k++) {
            positiveWeight[k] = positives[k] == 0
                    ? 1f
                    : Math.min(MAX_POSITIVE_WEIGHT, Math.max(1f, (float) (n - positives[k]) / positives[k]));
        }
        FindingJudge judge = new FindingJudge(
                findings, size, config.seed(), n, positives, config.width(), config.maxPool(), config.downsamplings());
        try {
            judge.fit(images, targets, positiveWeight, config);
            return judge;
        } catch (RuntimeException e) {
            judge.close();
            throw e;
        }
    }

    private void fit(List<float[]> images, float[][] targets, float[] positiveWeight, Config config) {
        Map<String, NDArray> weights = new LinkedHashMap<>();
        net.getParameters().forEach(p -> weights.put(p.getKey(), p.getValue().getArray()));
        int px = size * size;
        int f = findings.size();
        int b = config.batchSize();
        SplitMix64 rng = new SplitMix64(SplitMix64.derive(config.seed(), 0x7D6E));
        int[] order = new int[images.size()];
        int cursor = order.length;
        try (Adam adam = new Adam(manager, weights);
                NDManager constants = manager.newSubManager()) {
            NDArray posWeight = constants.create(positiveWeight, new Shape(1, f));
            for (int step = 0; step < config.steps(); step++) {
                float[] x = new float[b * px];
                float[] y = new float[b * f];
                for (int i = 0; i < b; i++) {
                    if (cursor == order.length) {
                        shuffle(order, rng);
                        cursor = 0;
                    }
                    int idx = order[cursor++];
                    System.arraycopy(images.get(idx), 0, x, i * px, px);
                    System.arraycopy(targets[idx], 0, y, i * f, f);
                }
                try (NDManager sm = manager.newSubManager();
                        GradientCollector gc = Engines.pytorch().newGradientCollector()) {
                    NDArray xs = sm.create(x, new Shape(b, 1, size, size));
                    NDArray ys = sm.create(y, new Shape(b, f));
                    NDArray logits =
                            net.forward(store, new NDList(input(xs)), true).head();
                    // weighted BCE with logits: w⁺·y·softplus(−z) + (1 − y)·softplus(z)
                    NDArray softplusNeg = softplus(logits.neg());
                    NDArray softplusPos = softplus(logits);
                    NDArray loss = ys.mul(posWeight)
                            .mul(softplusNeg)
                            .add(ys.neg().add(1f).mul(softplusPos))
                            .mean();
                    gc.backward(loss);
                }
                double progress = (double) step / config.steps();
                adam.update(config.learningRate() * 0.5 * (1 + Math.cos(Math.PI * progress)));
            }
        }
    }

    private static NDArray softplus(NDArray z) {
        return Activation.relu(z).add(z.abs().neg().exp().add(1f).log());
    }

    private static NDArray input(NDArray unit) {
        return ScalarOps.times(unit, 2).sub(1f);
    }

    private static void shuffle(int[] order, SplitMix64 rng) {
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        rng.shuffle(order);
    }

    /** The judge's outputs, in column order. */
    public List<Finding> findings() {
        return findings;
    }

    /** Images it was trained on, and how many showed each finding (column order). */
    public int trainingImages() {
        return trainingImages;
    }

    public int[] positives() {
        return positives.clone();
    }

    /** P(finding present) per image and finding column. */
    public float[][] probabilities(List<float[]> images) {
        int f = findings.size();
        float[][] out = new float[images.size()][];
        int px = size * size;
        for (int start = 0; start < images.size(); start += CHUNK) {
            int count = Math.min(CHUNK, images.size() - start);
            float[] x = new float[count * px];
            for (int i = 0; i < count; i++) {
                float[] img = images.get(start + i);
                if (img.length != px) {
                    throw new IllegalArgumentException("image " + (start + i) + " is not " + size + "x" + size);
                }
                System.arraycopy(img, 0, x, i * px, px);
            }
            try (NDManager sm = manager.newSubManager()) {
                NDArray logits = net.forward(
                                store, new NDList(input(sm.create(x, new Shape(count, 1, size, size)))), false)
                        .head();
                float[] p = Activation.sigmoid(logits).toFloatArray();
                for (int i = 0; i < count; i++) {
                    out[start + i] = java.util.Arrays.copyOfRange(p, i * f, (i + 1) * f);
                }
            }
        }
        return out;
    }

    /** The column of a finding, or −1. */
    public int column(Finding finding) {
        return findings.indexOf(finding);
    }

    @Override
    public void close() {
        manager.close();
    }
}
