package dev.causalcxr.core.evaluation;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.causalcxr.core.engine.ArrayValues;
import dev.causalcxr.core.engine.Engines;
import dev.causalcxr.core.files.Digests;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A trained ResNet classifier: class probabilities, penultimate-layer features, and a one-file saved
 * form whose SHA-256 identifies the feature space of every fidelity metric computed with it.
 *
 * <p>File format: the UTF string {@value #FORMAT}, a 4-byte length and that many bytes of JSON
 * ({@link Descriptor}: config, class order, priority, name), then DJL's parameter stream of the block.
 */
public final class TrainedClassifier implements AutoCloseable {

    public static final String FORMAT = "causalcxr-resnet-classifier-v1";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
    private static final int INFERENCE_BATCH = 64;

    /** What is stored next to the parameters. */
    public record Descriptor(
            String format,
            String name,
            ClassifierConfig config,
            List<String> classes,
            List<String> priority,
            long seed) {}

    private final Model model;
    private final ResNetClassifierNet net;
    private final Descriptor descriptor;
    private final PrimaryFindingTarget target;
    private String digest;

    TrainedClassifier(Model model, ResNetClassifierNet net, Descriptor descriptor, String digest) {
        this.model = model;
        this.net = net;
        this.descriptor = descriptor;
        this.target = PrimaryFindingTarget.fromLabels(descriptor.classes(), descriptor.priority());
        this.digest = digest;
    }

    public String name() {
        return descriptor.name();
    }

    public ClassifierConfig config() {
        return descriptor.config();
    }

    public PrimaryFindingTarget target() {
        return target;
    }

    public long seed() {
        return descriptor.seed();
    }

    /** SHA-256 (hex) of the saved file; null until the network is saved or when it was not loaded from a file. */
    public String digest() {
        return digest;
    }

    /** The feature space of this network; it must have been saved or loaded (the digest identifies it). */
    public FeatureSpace featureSpace() {
        if (digest == null) {
            throw new IllegalStateException(
                    "save the classifier first: a feature space is identified by its file digest");
        }
        return new FeatureSpace(name(), digest, config().featureDimension());
    }

    /** Softmax class probabilities, one row per image (size² floats in [0, 1]). */
    public double[][] predictProbabilities(List<float[]> images) {
        return run(images, false);
    }

    /** Penultimate-layer features, one row per image. */
    public double[][] features(List<float[]> images) {
        return run(images, true);
    }

    private double[][] run(List<float[]> images, boolean features) {
        int size = config().imageSize();
        int pixels = size * size;
        double[][] out = new double[images.size()][];
        for (int start = 0; start < images.size(); start += INFERENCE_BATCH) {
            int n = Math.min(INFERENCE_BATCH, images.size() - start);
            float[] batch = new float[n * pixels];
            for (int i = 0; i < n; i++) {
                float[] image = images.get(start + i);
                if (image.length != pixels) {
                    throw new IllegalArgumentException("image " + (start + i) + " has " + image.length
                            + " values; this network takes " + size + "x" + size);
                }
                System.arraycopy(image, 0, batch, i * pixels, pixels);
            }
            // one sub-manager per batch: every intermediate array is freed when it closes
            try (NDManager batchManager = model.getNDManager().newSubManager()) {
                NDArray x = ResNetClassifierNet.normalize(batchManager.create(batch, new Shape(n, 1, size, size)));
                ParameterStore parameters = new ParameterStore(batchManager, false);
                NDArray result = net.features(parameters, x, false);
                if (!features) {
                    result = net.logitsFromFeatures(parameters, result, false).softmax(1);
                }
                float[] values = result.toFloatArray();
                int columns = (int) result.getShape().get(1);
                for (int i = 0; i < n; i++) {
                    double[] row = new double[columns];
                    for (int c = 0; c < columns; c++) {
                        row[c] = values[i * columns + c];
                    }
                    out[start + i] = row;
                }
            }
        }
        return out;
    }

    /** SHA-256 (hex) over every parameter value in block order: equal for bit-identical networks. */
    public String parameterDigest() {
        MessageDigest md = Digests.sha256();
        for (Pair<String, Parameter> p : net.getParameters()) {
            float[] values = p.getValue().getArray().toFloatArray();
            ByteBuffer buffer = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            buffer.asFloatBuffer().put(values);
            md.update(p.getKey().getBytes(StandardCharsets.UTF_8));
            md.update(buffer.array());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Every parameter's values in block order (for best-epoch selection). */
    List<float[]> snapshotParameters() {
        List<float[]> values = new ArrayList<>();
        for (Pair<String, Parameter> p : net.getParameters()) {
            values.add(p.getValue().getArray().toFloatArray());
        }
        return values;
    }

    void restoreParameters(List<float[]> values) {
        int i = 0;
        for (Pair<String, Parameter> p : net.getParameters()) {
            ArrayValues.overwrite(p.getValue().getArray(), values.get(i++));
        }
    }

    /** Writes the one-file form (atomically) and returns its SHA-256, which this object then reports. */
    public String save(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path partial = parent.resolve(file.getFileName() + ".part");
        try (OutputStream raw = Files.newOutputStream(partial);
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw))) {
            out.writeUTF(FORMAT);
            byte[] json = JSON.writeValueAsBytes(descriptor);
            out.writeInt(json.length);
            out.write(json);
            net.saveParameters(out);
        }
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        digest = fileDigest(file);
        return digest;
    }

    /** Loads a saved classifier onto the device its config names. */
    public static TrainedClassifier load(Path file) throws IOException {
        return load(file, null);
    }

    /**
     * Loads a saved classifier onto {@code device} ({@code cpu}, {@code gpu}, {@code gpu:N}), or onto the
     * device its config names when null: a network trained on a GPU worker can be used on a CPU.
     */
    public static TrainedClassifier load(Path file, String device) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such classifier file");
        }
        Descriptor descriptor;
        Model model = null;
        try (InputStream raw = Files.newInputStream(file);
                DataInputStream in = new DataInputStream(new BufferedInputStream(raw))) {
            String format;
            try {
                format = in.readUTF();
            } catch (IOException e) {
                throw new IOException(file + ": not a " + FORMAT + " file", e);
            }
            if (!FORMAT.equals(format)) {
                throw new IOException(file + ": not a " + FORMAT + " file");
            }
            int length = in.readInt();
            if (length <= 0 || length > 1 << 20) {
                throw new IOException(file + ": corrupt descriptor length " + length);
            }
            descriptor = JSON.readValue(in.readNBytes(length), Descriptor.class);
            ClassifierConfig config = descriptor.config();
            model = Model.newInstance(
                    descriptor.name(), Engines.device(device == null ? config.device() : device), Engines.PYTORCH);
            ResNetClassifierNet net =
                    new ResNetClassifierNet(config, descriptor.classes().size());
            model.setBlock(net);
            net.initialize(model.getNDManager(), DataType.FLOAT32, trainingInputShape(config));
            net.loadParameters(model.getNDManager(), in);
            TrainedClassifier loaded = new TrainedClassifier(model, net, descriptor, fileDigest(file));
            model = null;
            return loaded;
        } catch (MalformedModelException e) {
            throw new IOException(file + ": parameters do not fit the stored architecture: " + e.getMessage(), e);
        } finally {
            if (model != null) {
                model.close();
            }
        }
    }

    /** The input shape training initializes with; DJL stores it with the parameters, so loading uses it too. */
    static Shape trainingInputShape(ClassifierConfig config) {
        return new Shape(config.batchSize(), 1, config.imageSize(), config.imageSize());
    }

    static String fileDigest(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return Digests.sha256Hex(in);
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
