package dev.causalcxr.core.disentangle;

import ai.djl.ndarray.NDArray;
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
import dev.causalcxr.core.engine.TorchNative;
import java.util.ArrayList;
import java.util.List;

/**
 * The decoder D(z_id, z_path). Anatomy features grow from the spatial identity code; at every scale
 * the pathology code modulates them channel-wise (FiLM: h·(1 + γ(z_path)) + β(z_path)), so the
 * pathology decides what changes and the anatomy decides where. Upsampling is nearest-neighbour 2×
 * followed by 3×3 convolutions (this engine has no transposed convolution).
 *
 * <p>With a pathology map ({@link DisentanglerConfig#pathGrid()} &gt; 0) z_path is also read as a
 * (pathDim / g², g, g) map: resized to each scale, a 3×3 convolution of it adds position-dependent
 * (γ, β) to the channel-wise ones (as SPADE does), so the pathology can say where as well as what.
 *
 * <p>With {@link DisentanglerConfig#decoderMapGrid()} g &gt; 0 the map is not z_path itself but a projection of
 * the z_path vector (Linear, leaky ReLU, Linear to {@link DisentanglerConfig#DECODER_MAP_CHANNELS} × g × g):
 * the code stays small (the KL and the swaps keep the patient out of it), and the decoder can still draw what
 * it says at a place.
 *
 * <p>Input: {@code NDList(zId (B, idChannels, h, w), zPath (B, pathDim))}; output: images
 * (B, 1, h·2^d, w·2^d) in (0, 1).
 */
final class FilmDecoder extends AbstractBlock {

    private static final float LEAK = 0.2f;
    /** Hidden units of the perceptron from the z_path vector to the decoder map. */
    private static final int MAP_HIDDEN = 64;

    private final Conv2d stem;
    private final Linear stemFilm;
    private final List<Conv2d> upConvs = new ArrayList<>();
    private final List<Conv2d> refineConvs = new ArrayList<>();
    private final List<Linear> films = new ArrayList<>();
    private final Conv2d toImage;
    private final int[] levelChannels;
    private final int grid;
    private final int mapChannels;
    /** Per scale (stem first), the 3×3 convolution of the pathology map to (γ, β) maps; empty without a map. */
    private final List<Conv2d> spatialFilms = new ArrayList<>();
    /** The perceptron from the z_path vector to the map, where decoderMapGrid is on; else null. */
    private final Linear mapHidden;

    private final Linear mapOut;

    FilmDecoder(DisentanglerConfig cfg) {
        boolean projected = cfg.decoderMapGrid() > 0;
        grid = projected ? cfg.decoderMapGrid() : cfg.pathGrid();
        mapChannels = projected ? DisentanglerConfig.DECODER_MAP_CHANNELS : DisentanglerNet.mapChannels(cfg);
        mapHidden = projected
                ? addChildBlock(
                        "mapHidden", Linear.builder().setUnits(MAP_HIDDEN).build())
                : null;
        mapOut = projected
                ? addChildBlock(
                        "mapOut",
                        Linear.builder()
                                .setUnits((long) mapChannels * grid * grid)
                                .build())
                : null;
        int levels = cfg.downsamplings();
        levelChannels = new int[levels + 1];
        for (int i = 0; i <= levels; i++) {
            levelChannels[i] = cfg.baseWidth() << (levels - i);
        }
        stem = addChildBlock("stem", conv(levelChannels[0]));
        stemFilm = addChildBlock(
                "stemFilm", Linear.builder().setUnits(2L * levelChannels[0]).build());
        for (int i = 1; i <= levels; i++) {
            upConvs.add(addChildBlock("up" + i, conv(levelChannels[i])));
            refineConvs.add(addChildBlock("refine" + i, conv(levelChannels[i])));
            films.add(addChildBlock(
                    "film" + i, Linear.builder().setUnits(2L * levelChannels[i]).build()));
        }
        toImage = addChildBlock("toImage", conv(1));
        if (grid > 0) {
            for (int i = 0; i <= levels; i++) {
                spatialFilms.add(addChildBlock("spatialFilm" + i, conv(2 * levelChannels[i])));
            }
        }
    }

    /** A 3×3 convolution with padding 1 (the size stays) and a bias. */
    static Conv2d conv(int filters) {
        return Conv2d.builder()
                .setKernelShape(new Shape(3, 3))
                .optPadding(new Shape(1, 1))
                .setFilters(filters)
                .build();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(
                Activation.sigmoid(logitsAndFeatures(ps, inputs, training).head()));
    }

    /**
     * The image's logits (B, 1, H, W) before the output sigmoid, then the last scale's features (B, baseWidth, H, W)
     * they were read from ({@link FindingLayers} adds to the first and reads the second).
     */
    NDList logitsAndFeatures(ParameterStore ps, NDList inputs, boolean training) {
        NDArray zId = inputs.get(0);
        NDArray zPath = inputs.get(1);
        NDArray h =
                Activation.leakyRelu(stem.forward(ps, new NDList(zId), training).head(), LEAK);
        // a third input, where given, is read as the map instead of z_path (tests of the spatial path alone)
        NDArray mapSource = inputs.size() > 2 ? inputs.get(2) : zPath;
        if (mapHidden != null && inputs.size() <= 2) {
            NDArray hidden = Activation.leakyRelu(
                    mapHidden.forward(ps, new NDList(zPath), training).head(), LEAK);
            mapSource = mapOut.forward(ps, new NDList(hidden), training).head();
        }
        NDArray map = grid > 0 ? mapSource.reshape(mapSource.getShape().get(0), mapChannels, grid, grid) : null;
        NDArray scaled = map == null ? null : resize(map, h.getShape().get(2));
        h = film(ps, stemFilm, h, zPath, training);
        if (map != null) {
            h = spatialFilm(ps, spatialFilms.get(0), h, scaled, training);
        }
        for (int i = 0; i < upConvs.size(); i++) {
            NDArray up = upsampleNearest(h);
            h = Activation.leakyRelu(
                    upConvs.get(i).forward(ps, new NDList(up), training).head(), LEAK);
            h = film(ps, films.get(i), h, zPath, training);
            if (map != null) {
                scaled = resize(scaled, h.getShape().get(2));
                h = spatialFilm(ps, spatialFilms.get(i + 1), h, scaled, training);
            }
            h = Activation.leakyRelu(
                    refineConvs.get(i).forward(ps, new NDList(h), training).head(), LEAK);
        }
        return new NDList(toImage.forward(ps, new NDList(h), training).head(), h);
    }

    /**
     * Nearest-neighbour 2×: the width through libtorch's {@code upsample_nearest1d} on (b, c·h, w), the
     * height as a broadcast of whole rows. The plain 2-D kernel is avoided on purpose: libtorch 2.x
     * sends small outputs (h + w ≤ 128) to its channels-last kernel, which copies input and output
     * between layouts on every call (≈ 2× slower forward and backward here); a 6-D broadcast of single
     * pixels is slower still, its backward being a strided sum (bench/disentangle/RESULTS.md).
     */
    static NDArray upsampleNearest(NDArray h) {
        Shape s = h.getShape();
        long batch = s.get(0);
        long channels = s.get(1);
        long height = s.get(2);
        long width = s.get(3);
        NDArray wide = TorchNative.upsampleNearestLastAxis(h.reshape(batch, channels * height, width), 2 * width);
        return wide.reshape(batch, channels, height, 1, 2 * width)
                .broadcast(new Shape(batch, channels, height, 2, 2 * width))
                .reshape(batch, channels, 2 * height, 2 * width);
    }

    /** A square map (B, C, s, s) at edge {@code edge}: nearest 2× steps up, or cell means down. */
    static NDArray resize(NDArray map, long edge) {
        NDArray m = map;
        while (m.getShape().get(2) < edge) {
            m = upsampleNearest(m);
        }
        if (m.getShape().get(2) > edge) {
            m = DisentanglerNet.poolToGrid(m, (int) edge);
        }
        return m;
    }

    /** h·(1 + γ) + β with (γ, β) a 3×3 convolution of the pathology map at h's scale. */
    private static NDArray spatialFilm(ParameterStore ps, Conv2d film, NDArray h, NDArray map, boolean training) {
        long channels = h.getShape().get(1);
        NDArray gammaBeta = film.forward(ps, new NDList(map), training).head();
        NDArray gamma = gammaBeta.get(":, 0:" + channels);
        NDArray beta = gammaBeta.get(":, " + channels + ":");
        return h.mul(gamma.add(1f)).add(beta);
    }

    /** h·(1 + γ) + β with (γ, β) a linear function of z_path, broadcast over the spatial axes. */
    private static NDArray film(ParameterStore ps, Linear film, NDArray h, NDArray zPath, boolean training) {
        long batch = h.getShape().get(0);
        long channels = h.getShape().get(1);
        NDArray gammaBeta = film.forward(ps, new NDList(zPath), training).head().reshape(batch, 2, channels, 1, 1);
        NDArray gamma = gammaBeta.get(":, 0");
        NDArray beta = gammaBeta.get(":, 1");
        return h.mul(gamma.add(1f)).add(beta);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape z = inputShapes[0];
        int scale = 1 << upConvs.size();
        return new Shape[] {new Shape(z.get(0), 1, z.get(2) * scale, z.get(3) * scale)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape z = inputShapes[0];
        Shape path = inputShapes[1];
        long batch = z.get(0);
        long h = z.get(2);
        long w = z.get(3);
        stem.initialize(manager, dataType, z);
        stemFilm.initialize(manager, dataType, path);
        long in = levelChannels[0];
        for (int i = 0; i < upConvs.size(); i++) {
            h *= 2;
            w *= 2;
            upConvs.get(i).initialize(manager, dataType, new Shape(batch, in, h, w));
            refineConvs.get(i).initialize(manager, dataType, new Shape(batch, levelChannels[i + 1], h, w));
            films.get(i).initialize(manager, dataType, path);
            in = levelChannels[i + 1];
        }
        toImage.initialize(manager, dataType, new Shape(batch, in, h, w));
        if (mapHidden != null) {
            mapHidden.initialize(manager, dataType, path);
            mapOut.initialize(manager, dataType, new Shape(path.get(0), MAP_HIDDEN));
        }
        long edge = z.get(2);
        for (int i = 0; i < spatialFilms.size(); i++) {
            spatialFilms.get(i).initialize(manager, dataType, new Shape(batch, mapChannels, edge, edge));
            edge *= 2;
        }
    }
}
