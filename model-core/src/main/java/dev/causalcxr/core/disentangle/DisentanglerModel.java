package dev.causalcxr.core.disentangle;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.core.diffusion.PathologyScorer;
import dev.causalcxr.core.engine.Engines;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.imaging.GrayImage;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A disentangler: its networks, configuration, finding vocabulary and image size, with the
 * encode/decode API later stages use (counterfactual = decode(z_id(x), another z_path)).
 *
 * <p>File format ({@link #save}): "CXRDMODL", version, config JSON, image size, vocabulary labels,
 * then every parameter array (name, shape, little-endian floats) in network order.
 */
public final class DisentanglerModel implements AutoCloseable {

    private static final String MAGIC = "CXRDMODL";
    private static final int FORMAT_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Images per forward pass in encode/decode. */
    private static final int CHUNK = 64;

    private final NDManager manager;
    private final DisentanglerNet net;
    private final DisentanglerConfig config;
    private final List<Finding> vocabulary;
    private final int imageSize;
    private final ParameterStore parameterStore;

    /** Codes of a set of images, as plain arrays (row = image). */
    public record Encoding(float[][] pathMean, float[][] pathLogVar, float[][] identity, float[][] pooledIdentity) {}

    private DisentanglerModel(DisentanglerConfig config, List<Finding> vocabulary, int imageSize) {
        this.config = config.validated();
        this.vocabulary = List.copyOf(vocabulary);
        this.imageSize = imageSize;
        if (imageSize % DisentanglerNet.minimumSizeMultiple(config) != 0) {
            throw new IllegalArgumentException(
                    "image size " + imageSize + " must be a multiple of " + DisentanglerNet.minimumSizeMultiple(config)
                            + " (2^downsamplings × 16, at least 64 with its own pathology encoder)");
        }
        Device device = Engines.device(config.device());
        // seeding before initialize makes the initial weights a function of the config's seed
        Engines.seeded(config.seed());
        manager = NDManager.newBaseManager(device, Engines.PYTORCH);
        net = new DisentanglerNet(config, vocabulary.size());
        net.initialize(manager, DataType.FLOAT32, new Shape(1, 1, imageSize, imageSize));
        parameterStore = new ParameterStore(manager, false);
    }

    /** A freshly initialized model (weights from {@code config.seed()}). */
    public static DisentanglerModel create(DisentanglerConfig config, List<Finding> vocabulary, int imageSize) {
        return new DisentanglerModel(config, vocabulary, imageSize);
    }

    /** The finding vocabulary of a saved model (its head's outputs, in order), read from the file's header alone. */
    public static List<Finding> readVocabulary(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            byte[] magic = new byte[MAGIC.length()];
            in.readFully(magic);
            if (!MAGIC.equals(new String(magic, java.nio.charset.StandardCharsets.US_ASCII))
                    || in.readInt() != FORMAT_VERSION) {
                throw new IOException(file + " is not a disentangler model file of this version");
            }
            in.readUTF();
            in.readInt();
            int n = in.readInt();
            List<Finding> vocab = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String label = in.readUTF();
                vocab.add(Finding.fromLabel(label).orElseThrow(() -> new IOException("unknown finding " + label)));
            }
            return vocab;
        }
    }

    public static DisentanglerModel load(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            byte[] magic = new byte[MAGIC.length()];
            in.readFully(magic);
            if (!MAGIC.equals(new String(magic, java.nio.charset.StandardCharsets.US_ASCII))) {
                throw new IOException(file + " is not a disentangler model file");
            }
            int version = in.readInt();
            if (version != FORMAT_VERSION) {
                throw new IOException(file + ": unsupported model format version " + version);
            }
            DisentanglerConfig cfg = JSON.readValue(in.readUTF(), DisentanglerConfig.class);
            int size = in.readInt();
            int n = in.readInt();
            List<Finding> vocab = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String label = in.readUTF();
                vocab.add(Finding.fromLabel(label).orElseThrow(() -> new IOException("unknown finding " + label)));
            }
            DisentanglerModel model = new DisentanglerModel(cfg, vocab, size);
            try {
                model.readParameters(in);
            } catch (IOException | RuntimeException e) {
                model.close();
                throw e;
            }
            return model;
        }
    }

    public void save(Path file) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            out.write(MAGIC.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.writeInt(FORMAT_VERSION);
            out.writeUTF(JSON.writeValueAsString(config));
            out.writeInt(imageSize);
            out.writeInt(vocabulary.size());
            for (Finding f : vocabulary) {
                out.writeUTF(f.label());
            }
            writeParameters(out);
        }
    }

    void writeParameters(DataOutputStream out) throws IOException {
        List<Pair<String, Parameter>> params = parameters();
        ParameterIo.write(
                out,
                params.stream().map(Pair::getKey).toList(),
                params.stream().map(p -> p.getValue().getArray()).toList());
    }

    void readParameters(DataInputStream in) throws IOException {
        List<Pair<String, Parameter>> params = parameters();
        ParameterIo.readInto(
                in,
                params.stream().map(Pair::getKey).toList(),
                params.stream().map(p -> p.getValue().getArray()).toList());
    }

    /** Every parameter of every network, in a fixed order (names carry DJL's numeric prefixes). */
    List<Pair<String, Parameter>> parameters() {
        List<Pair<String, Parameter>> out = new ArrayList<>();
        for (Pair<String, Parameter> p : net.getParameters()) {
            out.add(p);
        }
        return out;
    }

    public DisentanglerConfig config() {
        return config;
    }

    public List<Finding> vocabulary() {
        return vocabulary;
    }

    public int imageSize() {
        return imageSize;
    }

    /** Shape of one image's z_id: channels, height, width. */
    public int[] identityShape() {
        int grid = imageSize / config.sizeMultiple();
        return new int[] {config.idChannels(), grid, grid};
    }

    public DisentanglerNet net() {
        return net;
    }

    NDManager manager() {
        return manager;
    }

    ParameterStore parameterStore() {
        return parameterStore;
    }

    /**
     * Pathology codes as the decoder saw them in training, given each study's findings: with finding slots
     * ({@link DisentanglerConfig#findingSlots()}), every slot of a finding the study does not have set to 0; without,
     * the codes as they are. Codes for the diffusion model and the tail priors go through this, so that a sampled
     * code turns a slot on only with its finding.
     */
    public float[][] gateFindingSlots(float[][] codes, List<List<FindingMention>> findings) {
        if (codes.length != findings.size()) {
            throw new IllegalArgumentException(codes.length + " codes but " + findings.size() + " finding lists");
        }
        if (!net.hasFindingSlots()) {
            return codes;
        }
        float[][] gated = new float[codes.length][];
        for (int i = 0; i < codes.length; i++) {
            gated[i] = keepFindingSlots(
                    codes[i],
                    findings.get(i).stream().map(FindingMention::finding).toList());
        }
        return gated;
    }

    /**
     * With finding slots, {@code code} with every slot of a finding outside {@code keep} set to 0; without, the code
     * as it is.
     */
    public float[] keepFindingSlots(float[] code, java.util.Collection<Finding> keep) {
        if (!net.hasFindingSlots()) {
            return code;
        }
        float[] kept = code.clone();
        int start = net.slotStart();
        int width = config.findingSlots();
        for (int k = 0; k < vocabulary.size(); k++) {
            if (!keep.contains(vocabulary.get(k))) {
                java.util.Arrays.fill(kept, start + k * width, start + (k + 1) * width, 0f);
            }
        }
        return kept;
    }

    /**
     * With finding slots, the code that changes only the slots of {@code findings}: {@code own} (the source's code)
     * with those slots taken from {@code sampled}; without slots, {@code sampled} as it is. The shared part and
     * every other slot stay the source's, so a counterfactual redraws the condition's findings and nothing else.
     */
    public float[] transplantFindingSlots(float[] own, float[] sampled, java.util.Collection<Finding> findings) {
        if (!net.hasFindingSlots()) {
            return sampled;
        }
        float[] moved = own.clone();
        int start = net.slotStart();
        int width = config.findingSlots();
        for (int k = 0; k < vocabulary.size(); k++) {
            if (findings.contains(vocabulary.get(k))) {
                System.arraycopy(sampled, start + k * width, moved, start + k * width, width);
            }
        }
        return moved;
    }

    /** Deterministic codes (posterior means) of images, each row-major size × size in [0, 1]. */
    public Encoding encode(List<float[]> images) {
        int n = images.size();
        float[][] mean = new float[n][];
        float[][] logVar = new float[n][];
        float[][] identity = new float[n][];
        float[][] pooled = new float[n][];
        for (int start = 0; start < n; start += CHUNK) {
            int count = Math.min(CHUNK, n - start);
            try (NDManager step = manager.newSubManager()) {
                NDArray x = step.create(stack(images, start, count), new Shape(count, 1, imageSize, imageSize));
                DisentanglerNet.Codes codes = net.encode(parameterStore, x, false);
                rows(codes.pathMean(), mean, start);
                rows(codes.pathLogVar(), logVar, start);
                rows(codes.zId().reshape(count, -1), identity, start);
                rows(DisentanglerNet.poolIdentity(codes.zId()), pooled, start);
            }
        }
        return new Encoding(mean, logVar, identity, pooled);
    }

    /** D(z_id, z_path) for rows of flattened z_id ({@link #identityShape()}) and z_path vectors. */
    public List<GrayImage> decode(float[][] identity, float[][] pathology) {
        if (identity.length != pathology.length) {
            throw new IllegalArgumentException(
                    identity.length + " identity codes but " + pathology.length + " pathology codes");
        }
        int[] idShape = identityShape();
        List<GrayImage> out = new ArrayList<>(identity.length);
        for (int start = 0; start < identity.length; start += CHUNK) {
            int count = Math.min(CHUNK, identity.length - start);
            try (NDManager step = manager.newSubManager()) {
                NDArray zId = step.create(
                        stackRows(identity, start, count), new Shape(count, idShape[0], idShape[1], idShape[2]));
                NDArray zPath = step.create(stackRows(pathology, start, count), new Shape(count, config.pathDim()));
                float[] pixels = net.decode(parameterStore, zId, zPath, false).toFloatArray();
                int px = imageSize * imageSize;
                for (int i = 0; i < count; i++) {
                    float[] one = new float[px];
                    System.arraycopy(pixels, i * px, one, 0, px);
                    out.add(GrayImage.fromUnit(imageSize, imageSize, one));
                }
            }
        }
        return out;
    }

    /**
     * The auxiliary finding head on {@code z_path} as a {@link PathologyScorer} (columns = this
     * model's vocabulary). Differentiable with respect to the codes, so the tail-noise optimization
     * can back-propagate through it; the head's own weights stay fixed. Valid while the model is open.
     */
    public PathologyScorer findingScorer() {
        if (vocabulary.isEmpty()) {
            throw new IllegalStateException("this model was trained without finding labels: it has no finding head");
        }
        return new PathologyScorer() {
            @Override
            public List<Finding> findings() {
                return vocabulary;
            }

            @Override
            public NDArray logits(NDArray zPath) {
                return net.findingLogits(parameterStore, zPath, false);
            }

            @Override
            public Device device() {
                return manager.getDevice();
            }
        };
    }

    /** The counterfactual of one image: its own z_id with the given pathology code. */
    public GrayImage counterfactual(float[] image, float[] pathCode) {
        Encoding e = encode(List.of(image));
        return decode(new float[][] {e.identity()[0]}, new float[][] {pathCode}).get(0);
    }

    private float[] stack(List<float[]> images, int start, int count) {
        int px = imageSize * imageSize;
        float[] all = new float[count * px];
        for (int i = 0; i < count; i++) {
            float[] img = images.get(start + i);
            if (img.length != px) {
                throw new IllegalArgumentException(
                        "image " + (start + i) + " has " + img.length + " pixels, expected " + px);
            }
            System.arraycopy(img, 0, all, i * px, px);
        }
        return all;
    }

    private static float[] stackRows(float[][] rows, int start, int count) {
        int width = rows[start].length;
        float[] all = new float[count * width];
        for (int i = 0; i < count; i++) {
            System.arraycopy(rows[start + i], 0, all, i * width, width);
        }
        return all;
    }

    private static void rows(NDArray a, float[][] out, int start) {
        long rows = a.getShape().get(0);
        int width = Math.toIntExact(a.size() / rows);
        float[] flat = a.toFloatArray();
        for (int i = 0; i < rows; i++) {
            out[start + i] = java.util.Arrays.copyOfRange(flat, i * width, (i + 1) * width);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
