package dev.causalcxr.core.evaluation;

import dev.causalcxr.core.engine.DeviceName;
import dev.causalcxr.core.spec.InvalidConfigException;
import java.util.ArrayList;
import java.util.List;

/**
 * Architecture and training budget of the downstream / feature classifier.
 *
 * @param imageSize        input edge length in pixels (images are fitted to it)
 * @param stageWidths      channels of the residual stages (3 or 4 stages; each after the first halves the resolution)
 * @param blocksPerStage   residual blocks per stage
 * @param epochs           training epochs; one epoch is ⌈real training images / batch size⌉ optimizer steps,
 *                         also when augmentation enlarges the pool, so "the same budget" is the same step count
 * @param batchSize        images per step
 * @param learningRate     Adam learning rate
 * @param weightDecay      Adam weight decay
 * @param classBalancedLoss true: cross-entropy weighted by n / (classes · count_c) over the training pool;
 *                          false: plain cross-entropy
 * @param patience         epochs without a better validation balanced accuracy before stopping early (0: never stop)
 * @param device           {@code cpu}, {@code gpu} or {@code gpu:N}
 */
public record ClassifierConfig(
        int imageSize,
        List<Integer> stageWidths,
        int blocksPerStage,
        int epochs,
        int batchSize,
        float learningRate,
        float weightDecay,
        boolean classBalancedLoss,
        int patience,
        String device) {

    public ClassifierConfig {
        stageWidths = List.copyOf(stageWidths);
        device = device == null ? "cpu" : device;
        List<String> p = new ArrayList<>();
        if (imageSize < 32) {
            p.add("imageSize: must be at least 32, got " + imageSize);
        }
        if (stageWidths.size() < 3
                || stageWidths.size() > 4
                || stageWidths.stream().anyMatch(w -> w < 1)) {
            p.add("stageWidths: need 3 or 4 positive stage widths, got " + stageWidths);
        }
        if (blocksPerStage < 1) {
            p.add("blocksPerStage: must be >= 1, got " + blocksPerStage);
        }
        if (epochs < 1) {
            p.add("epochs: must be >= 1, got " + epochs);
        }
        if (batchSize < 2) {
            p.add("batchSize: must be >= 2, got " + batchSize);
        }
        if (!(learningRate > 0)) {
            p.add("learningRate: must be > 0, got " + learningRate);
        }
        if (weightDecay < 0) {
            p.add("weightDecay: must be >= 0, got " + weightDecay);
        }
        if (patience < 0) {
            p.add("patience: must be >= 0, got " + patience);
        }
        if (DeviceName.problem(device) != null) {
            p.add("device: " + DeviceName.problem(device));
        }
        InvalidConfigException.check(ClassifierConfig.class, p);
    }

    /** The quick profile: 64 px, stages 16-32-64-128, one block each, 12 epochs of batch 32. */
    public static ClassifierConfig quick() {
        return new ClassifierConfig(64, List.of(16, 32, 64, 128), 1, 12, 32, 2e-3f, 1e-4f, false, 4, "cpu");
    }

    public ClassifierConfig withImageSize(int px) {
        return new ClassifierConfig(
                px,
                stageWidths,
                blocksPerStage,
                epochs,
                batchSize,
                learningRate,
                weightDecay,
                classBalancedLoss,
                patience,
                device);
    }

    public ClassifierConfig withStageWidths(List<Integer> widths) {
        return new ClassifierConfig(
                imageSize,
                widths,
                blocksPerStage,
                epochs,
                batchSize,
                learningRate,
                weightDecay,
                classBalancedLoss,
                patience,
                device);
    }

    public ClassifierConfig withEpochs(int n) {
        return new ClassifierConfig(
                imageSize,
                stageWidths,
                blocksPerStage,
                n,
                batchSize,
                learningRate,
                weightDecay,
                classBalancedLoss,
                patience,
                device);
    }

    public ClassifierConfig withBatchSize(int n) {
        return new ClassifierConfig(
                imageSize,
                stageWidths,
                blocksPerStage,
                epochs,
                n,
                learningRate,
                weightDecay,
                classBalancedLoss,
                patience,
                device);
    }

    public ClassifierConfig withClassBalancedLoss(boolean balanced) {
        return new ClassifierConfig(
                imageSize,
                stageWidths,
                blocksPerStage,
                epochs,
                batchSize,
                learningRate,
                weightDecay,
                balanced,
                patience,
                device);
    }

    public ClassifierConfig withPatience(int n) {
        return new ClassifierConfig(
                imageSize,
                stageWidths,
                blocksPerStage,
                epochs,
                batchSize,
                learningRate,
                weightDecay,
                classBalancedLoss,
                n,
                device);
    }

    public ClassifierConfig withLearningRate(float lr) {
        return new ClassifierConfig(
                imageSize,
                stageWidths,
                blocksPerStage,
                epochs,
                batchSize,
                lr,
                weightDecay,
                classBalancedLoss,
                patience,
                device);
    }

    /** Penultimate-layer (feature) dimension: the last stage's width. */
    public int featureDimension() {
        return stageWidths.get(stageWidths.size() - 1);
    }

    /** A short architecture name, e.g. {@code resnet-16-32-64-128x1@64}. */
    public String architectureName() {
        StringBuilder b = new StringBuilder("resnet");
        stageWidths.forEach(w -> b.append('-').append(w));
        return b.append('x')
                .append(blocksPerStage)
                .append('@')
                .append(imageSize)
                .toString();
    }
}
