package dev.causalcxr.core.evaluation;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.causalcxr.core.engine.Engines;
import dev.causalcxr.core.metrics.classification.ClassificationMetrics;
import dev.causalcxr.core.metrics.classification.ClassificationReport;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a {@link ResNetClassifierNet} deterministically from a seed: the engine is seeded right before
 * parameter initialization, and batches come from this class's own generator (a stream of seeded
 * permutations of the training pool, so every batch is full). The epoch with the best validation
 * balanced accuracy is kept (the last epoch when there is no validation set); training stops after
 * {@link ClassifierConfig#patience()} epochs without improvement.
 */
public final class ClassifierTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(ClassifierTrainer.class);

    /** Called after each epoch. */
    public interface EpochListener {
        void onEpoch(int epoch, int epochs, double meanTrainLoss, double validationBalancedAccuracy);
    }

    private ClassifierTrainer() {}

    /**
     * @param pool           training images (real, or real followed by augmentation)
     * @param stepsPerEpoch  optimizer steps per epoch: ⌈real training images / batch⌉ for both arms of a comparison
     * @param validation     selection set (may be empty)
     * @param cancelled      checked every step; a true value stops training with a {@link CancellationException}
     */
    public static TrainedClassifier train(
            ClassifierConfig config,
            PrimaryFindingTarget target,
            LabeledImages pool,
            int stepsPerEpoch,
            LabeledImages validation,
            long seed,
            String name,
            EpochListener listener,
            BooleanSupplier cancelled) {
        return train(config, target, pool, stepsPerEpoch, validation, seed, name, listener, cancelled, null);
    }

    /**
     * @param initialParameters start from these parameters (another classifier's {@link
     *                          TrainedClassifier#snapshotParameters()}, same config and classes) instead of a seeded
     *                          initialization: fine-tuning; the optimizer starts fresh. Null: from scratch.
     */
    public static TrainedClassifier train(
            ClassifierConfig config,
            PrimaryFindingTarget target,
            LabeledImages pool,
            int stepsPerEpoch,
            LabeledImages validation,
            long seed,
            String name,
            EpochListener listener,
            BooleanSupplier cancelled,
            List<float[]> initialParameters) {
        if (pool.size() != config.imageSize() || validation.size() != config.imageSize()) {
            throw new IllegalArgumentException(
                    "images are " + pool.size() + " px; the config says " + config.imageSize());
        }
        if (pool.count() < config.batchSize()) {
            throw new IllegalArgumentException(
                    "only " + pool.count() + " training images for batches of " + config.batchSize());
        }
        int classCount = target.classCount();
        float[] classWeights = classWeights(config, pool, classCount);
        Device device = Engines.device(config.device());
        Model model = Model.newInstance(name, device, Engines.PYTORCH);
        boolean handedOver = false;
        try {
            ResNetClassifierNet net = new ResNetClassifierNet(config, classCount);
            model.setBlock(net);
            TrainedClassifier classifier = new TrainedClassifier(
                    model,
                    net,
                    new TrainedClassifier.Descriptor(
                            TrainedClassifier.FORMAT,
                            name,
                            config,
                            target.classLabels(),
                            target.priorityLabels(),
                            seed),
                    null);
            DefaultTrainingConfig trainingConfig = new DefaultTrainingConfig(new WeightedCrossEntropy())
                    .optDevices(new Device[] {device})
                    .optOptimizer(Optimizer.adam()
                            .optLearningRateTracker(Tracker.fixed(config.learningRate()))
                            .optWeightDecays(config.weightDecay())
                            .build());
            int size = config.imageSize();
            int batch = config.batchSize();
            try (Trainer trainer = model.newTrainer(trainingConfig)) {
                Engines.seeded(seed);
                trainer.initialize(TrainedClassifier.trainingInputShape(config));
                if (initialParameters != null) {
                    classifier.restoreParameters(initialParameters);
                }
                BatchStream batches = new BatchStream(pool.count(), new SplittableRandom(seed));
                double bestScore = Double.NEGATIVE_INFINITY;
                List<float[]> best = null;
                int sinceBest = 0;
                for (int epoch = 1; epoch <= config.epochs(); epoch++) {
                    double lossSum = 0.0;
                    for (int step = 0; step < stepsPerEpoch; step++) {
                        if (cancelled.getAsBoolean()) {
                            throw new CancellationException("classifier training cancelled");
                        }
                        lossSum += step(trainer, model, pool, batches.next(batch), classWeights, classCount, size);
                    }
                    double meanLoss = lossSum / stepsPerEpoch;
                    if (!Double.isFinite(meanLoss)) {
                        throw new IllegalStateException(
                                "classifier training diverged at epoch " + epoch + " (loss " + meanLoss + ")");
                    }
                    double score =
                            validation.count() == 0 ? epoch : balancedAccuracy(classifier, validation, classCount);
                    listener.onEpoch(epoch, config.epochs(), meanLoss, validation.count() == 0 ? Double.NaN : score);
                    LOG.debug("{} epoch {}: loss {} val balanced accuracy {}", name, epoch, meanLoss, score);
                    if (score > bestScore) {
                        bestScore = score;
                        best = classifier.snapshotParameters();
                        sinceBest = 0;
                    } else if (config.patience() > 0 && ++sinceBest >= config.patience()) {
                        LOG.debug("{}: no better validation score for {} epochs, stopping", name, sinceBest);
                        break;
                    }
                }
                classifier.restoreParameters(best);
            }
            handedOver = true;
            return classifier;
        } finally {
            if (!handedOver) {
                model.close();
            }
        }
    }

    /** ⌈count / batch⌉. */
    public static int stepsPerEpoch(int realTrainingCount, int batchSize) {
        return Math.max(1, (realTrainingCount + batchSize - 1) / batchSize);
    }

    private static double step(
            Trainer trainer,
            Model model,
            LabeledImages pool,
            int[] indices,
            float[] classWeights,
            int classCount,
            int size) {
        int n = indices.length;
        int pixels = size * size;
        float[] images = new float[n * pixels];
        // weighted one-hot targets: the loss is −Σ w_y log p_y / n without an engine one-hot op
        float[] targets = new float[n * classCount];
        for (int i = 0; i < n; i++) {
            System.arraycopy(pool.pixels().get(indices[i]), 0, images, i * pixels, pixels);
            int label = pool.label(indices[i]);
            targets[i * classCount + label] = classWeights[label];
        }
        try (NDManager stepManager = model.getNDManager().newSubManager()) {
            NDArray x = ResNetClassifierNet.normalize(stepManager.create(images, new Shape(n, 1, size, size)));
            NDArray weightedTargets = stepManager.create(targets, new Shape(n, classCount));
            float loss;
            try (GradientCollector collector = trainer.newGradientCollector()) {
                NDArray logits = trainer.forward(new NDList(x)).singletonOrThrow();
                NDArray lossValue = trainer.getLoss().evaluate(new NDList(weightedTargets), new NDList(logits));
                collector.backward(lossValue);
                loss = lossValue.getFloat();
            }
            trainer.step();
            return loss;
        }
    }

    /**
     * −Σ w_y·log p_y / n over a batch, with the labels given as class-weighted one-hot rows (the weight of
     * the true class at its position): softmax cross-entropy with scikit-learn's class weights, written
     * with the engine's basic ops (no one-hot op in this engine). The trainer's configured loss.
     */
    static final class WeightedCrossEntropy extends Loss {
        WeightedCrossEntropy() {
            super("weighted_cross_entropy");
        }

        @Override
        public NDArray evaluate(NDList weightedTargets, NDList logits) {
            NDArray targets = weightedTargets.singletonOrThrow();
            long n = targets.getShape().get(0);
            return dev.causalcxr.core.engine.ScalarOps.dividedBy(
                    targets.mul(logits.singletonOrThrow().logSoftmax(1)).sum().neg(), (double) n);
        }
    }

    private static float[] classWeights(ClassifierConfig config, LabeledImages pool, int classCount) {
        float[] weights = new float[classCount];
        java.util.Arrays.fill(weights, 1f);
        if (!config.classBalancedLoss()) {
            return weights;
        }
        int[] counts = pool.classCounts(classCount);
        int present = 0;
        for (int c : counts) {
            present += c > 0 ? 1 : 0;
        }
        for (int c = 0; c < classCount; c++) {
            // scikit-learn's "balanced": n / (classes · count_c), so the average sample weight is 1
            weights[c] = counts[c] == 0 ? 0f : (float) pool.count() / (present * counts[c]);
        }
        return weights;
    }

    static double balancedAccuracy(TrainedClassifier classifier, LabeledImages images, int classCount) {
        double[][] probabilities = classifier.predictProbabilities(images.pixels());
        ClassificationReport report = ClassificationMetrics.evaluate(
                images.labels(), ClassificationMetrics.argmax(probabilities), null, classCount);
        return report.balancedAccuracy();
    }

    /** Endless full batches: consecutive seeded permutations of 0..count−1, cut into batches. */
    private static final class BatchStream {
        private final int count;
        private final SplittableRandom random;
        private int[] order;
        private int position;

        BatchStream(int count, SplittableRandom random) {
            this.count = count;
            this.random = random;
            this.order = permutation();
        }

        int[] next(int batch) {
            int[] out = new int[batch];
            for (int i = 0; i < batch; i++) {
                if (position == count) {
                    order = permutation();
                    position = 0;
                }
                out[i] = order[position++];
            }
            return out;
        }

        private int[] permutation() {
            int[] p = new int[count];
            for (int i = 0; i < count; i++) {
                p[i] = i;
            }
            for (int i = count - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = p[i];
                p[i] = p[j];
                p[j] = t;
            }
            return p;
        }
    }
}
