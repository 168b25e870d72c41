package dev.causalcxr.core.disentangle;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.PairList;
import dev.causalcxr.core.engine.ScalarOps;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * All networks of the disentangler in one block, so one parameter list covers them (checkpoints,
 * optimizer, saving): the encoder (trunk → spatial {@code z_id} and a {@code z_path} mean and
 * log-variance), the {@link FilmDecoder}, the auxiliary finding head on {@code z_path} and the
 * adversarial finding probe on pooled {@code z_id}.
 *
 * <p>The block's own forward is encode (mean code) → decode, i.e. a deterministic reconstruction.
 */
public final class DisentanglerNet extends AbstractBlock {

    private static final byte VERSION = 1;
    private static final float LEAK = 0.2f;
    private static final float LOG_VARIANCE_OFFSET = 4.6f;
    private static final int POOL_GRID = 4;
    /** Uniform ±sqrt(m / fan_in) has variance m / (3 fan_in); He for leaky ReLU wants 2 / ((1 + leak²) fan_in). */
    private static final float HE_MAGNITUDE = 6f / (1 + LEAK * LEAK);

    private final DisentanglerConfig cfg;
    private final int findingCount;
    private final SequentialBlock encoderTrunk;
    private final Conv2d identityHead;
    private final SequentialBlock pathologyBranch;
    /** Vector z_path: an MLP on the pooled grid; pathology map: a 1×1 convolution per cell. */
    private final Block pathologyHead;

    private final FilmDecoder decoder;
    /** Each finding's additive layer from its slot ({@link DisentanglerConfig#findingLayers()}); else null. */
    private final FindingLayers findingLayers;

    private final SequentialBlock findingHead;
    private final SequentialBlock identityFindingProbe;

    /** The codes of a batch: spatial identity code and the pathology posterior's mean and log-variance. */
    public record Codes(NDArray zId, NDArray pathMean, NDArray pathLogVar) {}

    /**
     * @param findingCount outputs of the finding head and probe (the data set's finding vocabulary);
     *                     0 when the data carries no finding labels (both heads are then unused)
     */
    public DisentanglerNet(DisentanglerConfig cfg, int findingCount) {
        super(VERSION);
        this.cfg = cfg.validated();
        this.findingCount = findingCount;
        if (hasFindingSlots() && (long) cfg.findingSlots() * findingCount >= cfg.pathDim()) {
            throw new IllegalArgumentException("findingSlots: " + cfg.findingSlots() + " per finding × " + findingCount
                    + " findings leaves no shared dimension of pathDim " + cfg.pathDim()
                    + "; raise pathDim above " + (long) cfg.findingSlots() * findingCount);
        }
        encoderTrunk = addChildBlock("encoder", buildTrunk(cfg));
        identityHead = addChildBlock(
                "identityHead",
                Conv2d.builder()
                        .setKernelShape(new Shape(1, 1))
                        .setFilters(cfg.idChannels())
                        .build());
        int trunkChannels = cfg.baseWidth() << cfg.downsamplings();
        pathologyBranch = addChildBlock(
                "pathologyBranch",
                cfg.pathologyEncoder()
                        ? pathologyEncoder(cfg)
                        : new SequentialBlock()
                                .add(conv(trunkChannels, 2))
                                .add(x -> Activation.leakyRelu(x, LEAK))
                                .add(conv(trunkChannels, 2))
                                .add(x -> Activation.leakyRelu(x, LEAK)));
        pathologyHead = addChildBlock(
                "pathologyHead",
                cfg.pathGrid() > 0
                        ? Conv2d.builder()
                                .setKernelShape(new Shape(1, 1))
                                .setFilters(2 * mapChannels(cfg))
                                .build()
                        : new SequentialBlock()
                                .add(Linear.builder().setUnits(cfg.headHidden()).build())
                                .add(x -> Activation.leakyRelu(x, LEAK))
                                .add(Linear.builder()
                                        .setUnits(2L * cfg.pathDim())
                                        .build()));
        decoder = addChildBlock("decoder", new FilmDecoder(cfg));
        findingLayers = cfg.findingLayers() && hasFindingSlots()
                ? addChildBlock("findingLayers", new FindingLayers(findingCount, cfg.findingSlots()))
                : null;
        int outputs = Math.max(1, findingCount);
        findingHead = addChildBlock("findingHead", mlp(cfg.headHidden(), outputs));
        identityFindingProbe = addChildBlock(
                "identityFindingProbe",
                cfg.spatialProbe() ? spatialProbe(cfg.headHidden(), outputs) : mlp(cfg.headHidden(), outputs));
        // PyTorch-like fan-in scaling: DJL's default initializer gives huge initial losses
        setInitializer(
                new XavierInitializer(XavierInitializer.RandomType.UNIFORM, XavierInitializer.FactorType.IN, 1f),
                Parameter.Type.WEIGHT);
        // the encoder side gets He (Kaiming) scaling for leaky ReLU instead: PyTorch's default shrinks
        // activations ~6× per layer, so z_path's mean started ~1e-4, buried under the posterior noise, and
        // the finding head learned nothing beyond the class frequencies in hundreds of steps. (He on the
        // decoder as well saturates its output sigmoid for the first ~70 steps.)
        XavierInitializer he = new XavierInitializer(
                XavierInitializer.RandomType.UNIFORM, XavierInitializer.FactorType.IN, HE_MAGNITUDE);
        for (Block b : new Block[] {encoderTrunk, identityHead, pathologyBranch, pathologyHead}) {
            b.setInitializer(he, Parameter.Type.WEIGHT);
        }
    }

    private static SequentialBlock buildTrunk(DisentanglerConfig cfg) {
        SequentialBlock trunk = new SequentialBlock();
        trunk.add(conv(cfg.baseWidth(), 1)).add(x -> Activation.leakyRelu(x, LEAK));
        for (int l = 1; l <= cfg.downsamplings(); l++) {
            int channels = cfg.baseWidth() << l;
            trunk.add(conv(channels, 2)).add(x -> Activation.leakyRelu(x, LEAK));
            trunk.add(conv(channels, 1)).add(x -> Activation.leakyRelu(x, LEAK));
        }
        return trunk;
    }

    /**
     * z_path's own encoder: five 3×3 convolutions, four of stride 2 (image/16), widths w, w, 2w, 4w, 4w.
     * It is not shared with z_id, so the reconstruction does not claim its features, and it reads the
     * per-image standardized image, so exposure and contrast (acquisition) do not mask the findings.
     * For a pathology map the last convolution keeps its resolution (image/8): the map's cells are read
     * from there.
     */
    private static SequentialBlock pathologyEncoder(DisentanglerConfig cfg) {
        int w = cfg.baseWidth();
        SequentialBlock b = new SequentialBlock();
        b.add(conv(w, 1)).add(x -> Activation.leakyRelu(x, LEAK));
        int[] filters = {w, 2 * w, 4 * w, 4 * w};
        for (int i = 0; i < filters.length; i++) {
            int stride = cfg.pathGrid() > 0 && i == filters.length - 1 ? 1 : 2;
            b.add(conv(filters[i], stride)).add(x -> Activation.leakyRelu(x, LEAK));
        }
        return b;
    }

    /** Channels of the pathology map (pathDim / g²); 0 for a vector z_path. */
    static int mapChannels(DisentanglerConfig cfg) {
        return cfg.pathGrid() > 0 ? cfg.pathDim() / (cfg.pathGrid() * cfg.pathGrid()) : 0;
    }

    /** Per-sample standardization of (B, ...): zero mean, unit standard deviation over everything but the batch. */
    static NDArray standardizePerImage(NDArray images) {
        Shape s = images.getShape();
        NDArray flat = images.reshape(s.get(0), -1);
        NDArray centred = flat.sub(flat.mean(new int[] {1}, true));
        NDArray std = centred.square().mean(new int[] {1}, true).add(1e-6f).sqrt();
        return centred.div(std).reshape(s);
    }

    private static Conv2d conv(int filters, int stride) {
        return Conv2d.builder()
                .setKernelShape(new Shape(3, 3))
                .optPadding(new Shape(1, 1))
                .optStride(new Shape(stride, stride))
                .setFilters(filters)
                .build();
    }

    private static SequentialBlock mlp(int hidden, int outputs) {
        return new SequentialBlock()
                .add(Linear.builder().setUnits(hidden).build())
                .add(x -> Activation.leakyRelu(x, LEAK))
                .add(Linear.builder().setUnits(outputs).build());
    }

    /**
     * The adversary on the spatial z_id map: two 3×3 convolutions (the second stride 2) before the
     * spatial mean, so a local lesion in z_id is visible to it; the mean alone hides small ones.
     */
    private static SequentialBlock spatialProbe(int hidden, int outputs) {
        int channels = Math.max(8, hidden / 2);
        return new SequentialBlock()
                .add(conv(channels, 1))
                .add(x -> Activation.leakyRelu(x, LEAK))
                .add(conv(channels, 2))
                .add(x -> Activation.leakyRelu(x, LEAK))
                .add(x -> new NDList(poolIdentity(x.head())))
                .add(Linear.builder().setUnits(outputs).build());
    }

    /** Image edges must be multiples of this: the encoder, the z_path branch and its pooling grid divide them. */
    public static int minimumSizeMultiple(DisentanglerConfig cfg) {
        int trunk = cfg.sizeMultiple() * 4 * POOL_GRID;
        if (cfg.pathGrid() > 0) {
            // the map is read at image/8 and pooled to g cells, then resized to the decoder's scales by 2×
            // steps: image/8 must be a multiple of g, and g a power of two
            return Math.max(trunk, 8 * cfg.pathGrid());
        }
        return cfg.pathologyEncoder() ? Math.max(trunk, 16 * POOL_GRID) : trunk;
    }

    public DisentanglerConfig config() {
        return cfg;
    }

    public int findingCount() {
        return findingCount;
    }

    /** Parameter groups by network, for gradient checks and reporting. */
    public Map<String, Block> parameterGroups() {
        Map<String, Block> m = new LinkedHashMap<>();
        m.put("encoder", encoderTrunk);
        m.put("identityHead", identityHead);
        m.put("pathologyBranch", pathologyBranch);
        m.put("pathologyHead", pathologyHead);
        m.put("decoder", decoder);
        if (findingLayers != null) {
            m.put("findingLayers", findingLayers);
        }
        m.put("findingHead", findingHead);
        m.put("identityFindingProbe", identityFindingProbe);
        return m;
    }

    /** Encodes images (B, 1, H, W) in [0, 1]. */
    public Codes encode(ParameterStore ps, NDArray images, boolean training) {
        NDArray centred = ScalarOps.times(images, 2).sub(1f);
        NDArray features =
                encoderTrunk.forward(ps, new NDList(centred), training).head();
        NDArray zId = identityHead.forward(ps, new NDList(features), training).head();
        // z_path reads a coarse POOL_GRID × POOL_GRID map, not a global pool: where a finding sits
        // (laterality, zone) is part of the pathology, and a global mean hides small lesions
        NDArray branchInput = cfg.pathologyEncoder() ? standardizePerImage(images) : features;
        NDArray branch =
                pathologyBranch.forward(ps, new NDList(branchInput), training).head();
        NDArray mean;
        NDArray rawLogVar;
        if (cfg.pathGrid() > 0) {
            // one (mean, log-variance) pair per cell and map channel, flattened channel-major
            NDArray cells = poolToGrid(branch, cfg.pathGrid());
            NDArray map = pathologyHead.forward(ps, new NDList(cells), training).head();
            long b = map.getShape().get(0);
            int c = mapChannels(cfg);
            mean = map.get(":, 0:" + c).reshape(b, cfg.pathDim());
            rawLogVar = map.get(":, " + c + ":").reshape(b, cfg.pathDim());
        } else {
            NDArray grid = poolToGrid(branch, POOL_GRID);
            NDArray meanLogVar = pathologyHead
                    .forward(ps, new NDList(grid.reshape(grid.getShape().get(0), -1)), training)
                    .head();
            mean = meanLogVar.get(":, 0:" + cfg.pathDim());
            rawLogVar = meanLogVar.get(":, " + cfg.pathDim() + ":");
        }
        // the offset starts the posterior narrow (σ ≈ 0.1): with unit noise from the first step the
        // decoder learns to ignore z_path and the code collapses; the clip keeps exp() finite
        NDArray shifted = rawLogVar.sub(LOG_VARIANCE_OFFSET);
        NDArray logVar = shifted.clip(-12f, 6f);
        if (hasFindingSlots() && training) {
            // the same values with the gradient of the unclipped ones: under an absent slot's narrow prior a
            // log-variance pushed past the upper bound costs ~2·10⁴ in KL and, clipped, gets no gradient to
            // come back (a seed-42 harness run stayed there from step 500 on)
            logVar = shifted.add(logVar.sub(shifted).stopGradient());
        }
        return new Codes(zId, mean, logVar);
    }

    /**
     * D(z_id, z_path): images (B, 1, H, W) in (0, 1). With finding layers the trunk reads z_path's shared part only
     * (the slots as zeros) and each slot adds its finding's layer to the logits.
     */
    public NDArray decode(ParameterStore ps, NDArray zId, NDArray zPath, boolean training) {
        if (findingLayers == null) {
            return decoder.forward(ps, new NDList(zId, zPath), training).head();
        }
        NDArray slots = zPath.get(":, " + slotStart() + ":");
        NDArray shared = zPath.get(":, 0:" + slotStart()).concat(slots.zerosLike(), 1);
        NDList trunk = decoder.logitsAndFeatures(ps, new NDList(zId, shared), training);
        NDArray drawn = findingLayers
                .forward(ps, new NDList(slots, trunk.get(1)), training)
                .head();
        return Activation.sigmoid(trunk.head().add(drawn));
    }

    /**
     * D(z_id, ·) with the channel-wise FiLM read from {@code filmCode} and the pathology map from
     * {@code mapCode} (the same code in {@link #decode}); needs a net with {@link DisentanglerConfig#pathGrid()}.
     */
    NDArray decodeWithMap(ParameterStore ps, NDArray zId, NDArray filmCode, NDArray mapCode, boolean training) {
        if (cfg.pathGrid() == 0) {
            throw new IllegalStateException("this net's z_path is a vector, not a map");
        }
        return decoder.forward(ps, new NDList(zId, filmCode, mapCode), training).head();
    }

    /** Whether z_path ends in one label-gated slot per finding ({@link DisentanglerConfig#findingSlots()}). */
    public boolean hasFindingSlots() {
        return cfg.findingSlots() > 0 && findingCount > 0;
    }

    /** The first dimension of the finding slots in z_path: the shared part is [0, slotStart()). */
    public int slotStart() {
        return hasFindingSlots() ? cfg.pathDim() - cfg.findingSlots() * findingCount : cfg.pathDim();
    }

    /**
     * The training gate of z_path (B, pathDim) for finding labels (B, F) in [0, 1]: 1 on the shared
     * dimensions, finding k's label on each dimension of its slot.
     */
    public NDArray slotGate(NDArray labels) {
        if (!hasFindingSlots()) {
            throw new IllegalStateException("this net has no finding slots");
        }
        long b = labels.getShape().get(0);
        NDManager m = labels.getManager();
        NDArray slots = labels.reshape(b, findingCount, 1)
                .mul(m.ones(new Shape(1, findingCount, cfg.findingSlots())))
                .reshape(b, (long) findingCount * cfg.findingSlots());
        return m.ones(new Shape(b, slotStart())).concat(slots, 1);
    }

    /** One row (pathDim) per entry of {@code findings} (vocabulary indices): 1 on that finding's slot, 0 elsewhere. */
    public NDArray slotIndicator(NDManager m, int[] findings) {
        if (!hasFindingSlots()) {
            throw new IllegalStateException("this net has no finding slots");
        }
        int d = cfg.findingSlots();
        float[] rows = new float[findings.length * cfg.pathDim()];
        for (int j = 0; j < findings.length; j++) {
            int from = j * cfg.pathDim() + slotStart() + findings[j] * d;
            java.util.Arrays.fill(rows, from, from + d, 1f);
        }
        return m.create(rows, new Shape(findings.length, cfg.pathDim()));
    }

    /** Finding logits (B, F) from the pathology code. */
    public NDArray findingLogits(ParameterStore ps, NDArray zPath, boolean training) {
        return findingHead.forward(ps, new NDList(zPath), training).head();
    }

    /**
     * The adversary's finding logits (B, F) from pooled z_id (pass it through gradient reversal first).
     * Only for a net without {@link DisentanglerConfig#spatialProbe()}; {@link #probeLogitsFromMap} serves both.
     */
    public NDArray probeLogits(ParameterStore ps, NDArray pooledZId, boolean training) {
        if (cfg.spatialProbe()) {
            throw new IllegalStateException("this net's probe reads the spatial z_id map: use probeLogitsFromMap");
        }
        return identityFindingProbe.forward(ps, new NDList(pooledZId), training).head();
    }

    /** The adversary's finding logits (B, F) from the spatial z_id map (B, C, h, w), whichever probe this net has. */
    public NDArray probeLogitsFromMap(ParameterStore ps, NDArray zId, boolean training) {
        // the spatial probe sees z_id at unit scale: through gradient reversal the encoder could otherwise
        // defeat it by inflating z_id without bound (it did, within 60 steps)
        NDArray input = cfg.spatialProbe() ? standardizePerImage(zId) : poolIdentity(zId);
        return identityFindingProbe.forward(ps, new NDList(input), training).head();
    }

    /** Average pooling of (B, C, H, W) to (B, C, g, g); H and W must be multiples of g. */
    static NDArray poolToGrid(NDArray x, int g) {
        Shape s = x.getShape();
        long b = s.get(0);
        long c = s.get(1);
        long h = s.get(2) / g;
        long w = s.get(3) / g;
        // this engine averages one axis at a time
        return x.reshape(b, c, g, h, g, w).mean(new int[] {5}).mean(new int[] {3});
    }

    /** Spatial mean of z_id: (B, C, h, w) → (B, C). */
    public static NDArray poolIdentity(NDArray zId) {
        return zId.reshape(zId.getShape().get(0), zId.getShape().get(1), -1).mean(new int[] {2});
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        Codes codes = encode(ps, inputs.head(), training);
        return new NDList(decode(ps, codes.zId(), codes.pathMean(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape image = inputShapes[0];
        long batch = image.get(0);
        if (image.get(2) % minimumSizeMultiple(cfg) != 0 || image.get(3) % minimumSizeMultiple(cfg) != 0) {
            throw new IllegalArgumentException("image size " + image.get(2) + "x" + image.get(3)
                    + " must be a multiple of " + minimumSizeMultiple(cfg));
        }
        encoderTrunk.initialize(manager, dataType, image);
        Shape features = encoderTrunk.getOutputShapes(new Shape[] {image})[0];
        identityHead.initialize(manager, dataType, features);
        Shape branchInput = cfg.pathologyEncoder() ? image : features;
        pathologyBranch.initialize(manager, dataType, branchInput);
        Shape branch = pathologyBranch.getOutputShapes(new Shape[] {branchInput})[0];
        if (cfg.pathGrid() > 0) {
            pathologyHead.initialize(
                    manager, dataType, new Shape(batch, branch.get(1), cfg.pathGrid(), cfg.pathGrid()));
        } else {
            pathologyHead.initialize(manager, dataType, new Shape(batch, branch.get(1) * POOL_GRID * POOL_GRID));
        }
        Shape zId = new Shape(batch, cfg.idChannels(), features.get(2), features.get(3));
        Shape zPath = new Shape(batch, cfg.pathDim());
        decoder.initialize(manager, dataType, zId, zPath);
        if (findingLayers != null) {
            long edge = features.get(2) << cfg.downsamplings();
            findingLayers.initialize(
                    manager,
                    dataType,
                    new Shape(batch, (long) findingCount * cfg.findingSlots()),
                    new Shape(batch, cfg.baseWidth(), edge, features.get(3) << cfg.downsamplings()));
        }
        findingHead.initialize(manager, dataType, zPath);
        identityFindingProbe.initialize(
                manager, dataType, cfg.spatialProbe() ? zId : new Shape(batch, cfg.idChannels()));
    }
}
