package dev.causalcxr.core.evaluation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The basic ResNet block: conv3×3 (stride s) – BN – ReLU – conv3×3 – BN, plus a shortcut (identity, or
 * conv1×1 stride s – BN when the shape changes), then ReLU.
 */
final class ResidualBlock extends AbstractBlock {

    private final SequentialBlock residual;
    private final SequentialBlock projection;

    ResidualBlock(int channels, int stride, boolean project) {
        residual = addChildBlock(
                "residual",
                new SequentialBlock()
                        .add(conv(channels, 3, stride))
                        .add(BatchNorm.builder().build())
                        .add(Activation::relu)
                        .add(conv(channels, 3, 1))
                        .add(BatchNorm.builder().build()));
        projection = project
                ? addChildBlock(
                        "projection",
                        new SequentialBlock()
                                .add(conv(channels, 1, stride))
                                .add(BatchNorm.builder().build()))
                : null;
    }

    static Conv2d conv(int channels, int kernel, int stride) {
        // no bias: a BatchNorm follows every convolution
        return Conv2d.builder()
                .setFilters(channels)
                .setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(kernel / 2, kernel / 2))
                .optBias(false)
                .build();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray input = inputs.singletonOrThrow();
        NDArray branch = residual.forward(parameterStore, inputs, training).singletonOrThrow();
        NDArray shortcut = projection == null
                ? input
                : projection.forward(parameterStore, inputs, training).singletonOrThrow();
        return new NDList(Activation.relu(branch.add(shortcut)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return residual.getOutputShapes(inputShapes);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        residual.initialize(manager, dataType, inputShapes);
        if (projection != null) {
            projection.initialize(manager, dataType, inputShapes);
        }
    }
}
