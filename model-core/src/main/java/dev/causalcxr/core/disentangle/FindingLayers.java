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
import dev.causalcxr.core.engine.ScalarOps;
import java.util.ArrayList;
import java.util.List;

/**
 * One additive layer per finding ({@link DisentanglerConfig#findingLayers()}): the image's logits gain
 * Σ_k L_k(slot k, anatomy), where slot k is finding k's part of z_path and the anatomy is the decoder's last
 * features. The decoder's trunk sees only the shared part of z_path, so slot k is the only route by which the
 * code can draw finding k: a counterfactual that turns slot k on adds exactly L_k to the source's image.
 *
 * <p>Slot k goes through its own hidden layer (no bias, leaky ReLU) to two kinds of drawing:
 * <ul>
 *   <li>a {@value #GRID} × {@value #GRID} map of {@value #CHANNELS} channels, resized to the image, for diffuse
 *       findings;</li>
 *   <li>{@value #BLOBS} Gaussian blobs, each a position, a width and an amplitude read from the hidden layer, drawn
 *       at full resolution. A round lesion is then a place and a size in the code, and a blob that misses its target
 *       still overlaps it, so the encoder gets a gradient that moves it there (a map from two numbers has to learn
 *       every position as a separate pattern, and under a pixel loss it draws the average of the positions it has
 *       seen: a faint smear).</li>
 * </ul>
 * Both are multiplied by (1 + a 3×3 convolution of the anatomy features), so the drawing can follow the anatomy, and
 * read out by one bias-free 3×3 convolution over all findings' channels. The map and the amplitudes have no biases,
 * so a slot of zeros (an absent finding, as the label gate and {@link DisentanglerModel#keepFindingSlots} set it)
 * adds exactly 0.
 *
 * <p>Input: {@code NDList(slots (B, F·d), features (B, baseWidth, H, W))}; output: the logits' increment (B, 1, H,
 * W).
 */
final class FindingLayers extends AbstractBlock {

    /** Edge of each finding's map before it is resized to the image (4 pixels a cell at 64 px). */
    static final int GRID = 16;
    /** Channels of each finding's map. */
    static final int CHANNELS = 4;
    /** Gaussian blobs each finding can draw. */
    static final int BLOBS = 2;
    /** Blob widths in [MIN_WIDTH, MIN_WIDTH + WIDTH_RANGE] on the image's [−1, 1] axes: about 1 to 10 pixels at 64 px. */
    private static final float MIN_WIDTH = 0.03f;

    private static final float WIDTH_RANGE = 0.3f;

    private static final int HIDDEN = 64;
    private static final float LEAK = 0.2f;

    private final int findings;
    private final int slotWidth;
    private final List<Linear> hidden = new ArrayList<>();
    private final List<Linear> maps = new ArrayList<>();
    /** Per finding: each blob's (x, y, width) before squashing; with biases, as they matter only where drawn. */
    private final List<Linear> blobGeometry = new ArrayList<>();
    /** Per finding: each blob's amplitude; no bias, so an absent finding draws nothing. */
    private final List<Linear> blobAmplitude = new ArrayList<>();

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
            blobGeometry.add(addChildBlock(
                    "blobGeometry" + k, Linear.builder().setUnits(3L * BLOBS).build()));
            blobAmplitude.add(addChildBlock(
                    "blobAmplitude" + k,
                    Linear.builder().setUnits(BLOBS).optBias(false).build()));
        }
        anatomy = addChildBlock("anatomy", FilmDecoder.conv(findings * (CHANNELS + BLOBS)));
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
        long height = features.getShape().get(2);
        long width = features.getShape().get(3);
        NDArray u = axis(features.getManager(), width).reshape(1, 1, 1, width);
        NDArray v = axis(features.getManager(), height).reshape(1, 1, height, 1);
        NDList perFinding = new NDList(2 * findings);
        for (int k = 0; k < findings; k++) {
            NDArray slot = slots.get(":, " + (k * slotWidth) + ":" + ((k + 1) * slotWidth));
            NDArray h = Activation.leakyRelu(
                    hidden.get(k).forward(ps, new NDList(slot), training).head(), LEAK);
            NDArray grid =
                    maps.get(k).forward(ps, new NDList(h), training).head().reshape(batch, CHANNELS, GRID, GRID);
            perFinding.add(FilmDecoder.resize(grid, height));
            NDArray geometry = blobGeometry
                    .get(k)
                    .forward(ps, new NDList(h), training)
                    .head()
                    .reshape(batch, 3, BLOBS, 1, 1);
            NDArray x = geometry.get(":, 0").tanh();
            NDArray y = geometry.get(":, 1").tanh();
            NDArray sigma = ScalarOps.times(Activation.sigmoid(geometry.get(":, 2")), WIDTH_RANGE)
                    .add(MIN_WIDTH);
            NDArray distance = u.sub(x).square().add(v.sub(y).square());
            NDArray blob = distance.div(ScalarOps.times(sigma.square(), -2)).exp();
            NDArray amplitude = blobAmplitude
                    .get(k)
                    .forward(ps, new NDList(h), training)
                    .head()
                    .reshape(batch, BLOBS, 1, 1);
            perFinding.add(blob.mul(amplitude));
        }
        NDArray map = NDArrays.concat(perFinding, 1);
        NDArray modulation = anatomy.forward(ps, new NDList(features), training).head();
        NDArray drawn = map.mul(modulation.add(1f));
        return new NDList(readout.forward(ps, new NDList(drawn), training).head());
    }

    /** Pixel centres along an axis of {@code n} pixels, on [−1, 1]. */
    private static NDArray axis(NDManager m, long n) {
        float[] c = new float[(int) n];
        for (int i = 0; i < n; i++) {
            c[i] = (2f * i + 1f) / n - 1f;
        }
        return m.create(c);
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
            blobGeometry.get(k).initialize(manager, dataType, new Shape(batch, HIDDEN));
            blobAmplitude.get(k).initialize(manager, dataType, new Shape(batch, HIDDEN));
        }
        anatomy.initialize(manager, dataType, features);
        readout.initialize(
                manager,
                dataType,
                new Shape(batch, (long) findings * (CHANNELS + BLOBS), features.get(2), features.get(3)));
    }
}
