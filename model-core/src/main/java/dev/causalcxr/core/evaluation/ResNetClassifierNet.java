package dev.causalcxr.core.evaluation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.PairList;
import dev.causalcxr.core.engine.ScalarOps;

/**
 * A small ResNet for single-channel radiographs: conv stem (stride 2; plus a 3×3 max-pool from 128 px
 * up, so 256 px inputs cost about what 128 px ones do), 3–4 residual stages (each after the first
 * halves the resolution), global average pooling — the feature vector — and a linear head.
 */
final class ResNetClassifierNet extends AbstractBlock {

    private final SequentialBlock backbone;
    private final Linear head;

    ResNetClassifierNet(ClassifierConfig config, int classCount) {
        SequentialBlock trunk = new SequentialBlock()
                .add(ResidualBlock.conv(config.stageWidths().get(0), 3, 2))
                .add(BatchNorm.builder().build())
                .add(Activation::relu);
        if (config.imageSize() >= 128) {
            trunk.add(Pool.maxPool2dBlock(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1)));
        }
        int previous = config.stageWidths().get(0);
        for (int stage = 0; stage < config.stageWidths().size(); stage++) {
            int width = config.stageWidths().get(stage);
            for (int block = 0; block < config.blocksPerStage(); block++) {
                int stride = stage > 0 && block == 0 ? 2 : 1;
                boolean project = stride != 1 || previous != width;
                trunk.add(new ResidualBlock(width, stride, project));
                previous = width;
            }
        }
        trunk.add(Pool.globalAvgPool2dBlock()).add(Blocks.batchFlattenBlock());
        backbone = addChildBlock("backbone", trunk);
        head = addChildBlock("head", Linear.builder().setUnits(classCount).build());
        // PyTorch-like fan-in scaling: DJL's default initializer gives very large initial losses
        setInitializer(
                new XavierInitializer(XavierInitializer.RandomType.UNIFORM, XavierInitializer.FactorType.IN, 1f),
                Parameter.Type.WEIGHT);
    }

    /** Maps [0, 1] pixels to roughly zero-centred inputs. */
    static NDArray normalize(NDArray unitPixels) {
        return ScalarOps.times(unitPixels, 2).sub(1f);
    }

    /** Penultimate-layer features (N, featureDimension) of normalized images (N, 1, S, S). */
    NDArray features(ParameterStore parameterStore, NDArray images, boolean training) {
        return backbone.forward(parameterStore, new NDList(images), training).singletonOrThrow();
    }

    NDArray logitsFromFeatures(ParameterStore parameterStore, NDArray features, boolean training) {
        return head.forward(parameterStore, new NDList(features), training).singletonOrThrow();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray features = features(parameterStore, inputs.singletonOrThrow(), training);
        return new NDList(logitsFromFeatures(parameterStore, features, training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return head.getOutputShapes(backbone.getOutputShapes(inputShapes));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        backbone.initialize(manager, dataType, inputShapes);
        head.initialize(manager, dataType, backbone.getOutputShapes(inputShapes));
    }
}
