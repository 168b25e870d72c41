package dev.causalcxr.core.disentangle;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * One additive layer per finding ({@link DisentanglerConfig#findingLayers()}): the image's logits gain
 * Σ_k L_k(slot k, anatomy), where slot k is finding k's part of z_path and the anatomy is the decoder's last
 * features. The decoder's trunk sees only the shared part of z_path, so slot k is the only route by which the
 * code can draw finding k: a counterfactual that turns slot k on adds exactly L_k to the source's image.
 *
 * <p>Slot k goes through its own perceptron (no biases, leaky ReLU) to a {@value #GRID} × {@value #GRID} map of
 * {@value #CHANNELS} channels — where and how strongly, as the finding's code says — which is resized to the
 * image, multiplied by (1 + a 3×3 convolution of the anatomy features) so the drawing can follow the anatomy, and
 * read out by one bias-free 3×3 convolution over all findings' channels. Without biases a slot of zeros (an absent
 * finding, as the label gate and {@link DisentanglerModel#keepFindingSlots} set it) adds exactly 0.
 *
 * <p>Input: {@code NDList(slots (B, F·d), features (B, baseWidth, H, W))}; output: the logits' increment (B, 1, H,
 * W).
 */
final class FindingLayers extends AbstractBlock {

    /** Edge of each finding's map before it is resized to the image (4 pixels a cell at 64 px). */
    static final int GRID = 16;
    /** Channels of each finding's map. */
    static final int CHANNELS = 4;

    private static final int HIDDEN = 64;
    private static final float LEAK = 0.2f;

    private final int findings;
    private final int slotWidth;
    private final List<Linear> hidden = new ArrayList<>();
    private final List<Linear> maps = new ArrayList<>();
    private final Conv2d anatomy;
    private final Conv2d readout;

    FindingLayers(int findings, int slotWidth) {
        this.findings = findings;
        this.slotWidth = slotWidth;
        for (int k = 0; k < findings; k++) {
            hidden.add(addChildBlock(
                    "hidden" + k,
                    Linear.builder().setUnits(HIDDEN).optBias(false).build()));
            maps.add(addChildBlock(
                    "map" + k,
                    Linear.builder()
                            .setUnits((long) CHANNELS * GRID * GRID)
                            .optBias(false)
                            .build()));
        }
        anatomy = addChildBlock(
                "anatomy",
                Conv2d.builder()
                        .setKernelShape(new Shape(3, 3))
                        .optPadding(new Shape(1, 1))
                        .setFilters(findings * CHANNELS)
                        .build());
        readout = addChildBlock(
                "readout",
                Conv2d.builder()
                        .setKernelShape(new Shape(3, 3))
                        .optPadding(new Shape(1, 1))
                        .setFilters(1)
                        .optBias(false)
                        .build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray slots = inputs.get(0);
        NDArray features = inputs.get(1);
        long batch = slots.getShape().get(0);
        NDList perFinding = new NDList(findings);
        for (int k = 0; k < findings; k++) {
            NDArray slot = slots.get(":, " + (k * slotWidth) + ":" + ((k + 1) * slotWidth));
            NDArray h = Activation.leakyRelu(
                    hidden.get(k).forward(ps, new NDList(slot), training).head(), LEAK);
            perFinding.add(
                    maps.get(k).forward(ps, new NDList(h), training).head().reshape(batch, CHANNELS, GRID, GRID));
        }
        NDArray map = FilmDecoder.resize(
                NDArrays.concat(perFinding, 1), features.getShape().get(2));
        NDArray modulation = anatomy.forward(ps, new NDList(features), training).head();
        NDArray drawn = map.mul(modulation.add(1f));
        return new NDList(readout.forward(ps, new NDList(drawn), training).head());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape f = inputShapes[1];
        return new Shape[] {new Shape(f.get(0), 1, f.get(2), f.get(3))};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape slots = inputShapes[0];
        Shape features = inputShapes[1];
        long batch = slots.get(0);
        for (int k = 0; k < findings; k++) {
            hidden.get(k).initialize(manager, dataType, new Shape(batch, slotWidth));
            maps.get(k).initialize(manager, dataType, new Shape(batch, HIDDEN));
        }
        anatomy.initialize(manager, dataType, features);
        readout.initialize(
                manager, dataType, new Shape(batch, (long) findings * CHANNELS, features.get(2), features.get(3)));
    }
}
