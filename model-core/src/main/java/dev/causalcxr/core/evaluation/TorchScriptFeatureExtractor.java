package dev.causalcxr.core.evaluation;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.causalcxr.core.engine.Engines;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Features from a user-supplied TorchScript network, normally an Inception-v3 FID feature extractor
 * (the standard FID feature space, labelled {@code inception}). Grayscale images are replicated to
 * the channels the network takes and scaled by {@link Options#valueScale()} (255 for the common
 * TorchScript Inception files, which take 0..255 floats); the first output, flattened per image, is
 * the feature vector. Nothing is ever downloaded: without a file there is no Inception FID.
 */
public final class TorchScriptFeatureExtractor implements FeatureExtractor {

    /** The label every Inception FID carries. */
    public static final String INCEPTION = "inception";

    private static final int INFERENCE_BATCH = 16;

    /**
     * @param name       feature-space name to record, e.g. {@code inception}
     * @param inputSize  edge length the network takes
     * @param channels   input channels (the grayscale image is replicated)
     * @param valueScale factor applied to [0, 1] pixels
     * @param device     {@code cpu}, {@code gpu} or {@code gpu:N}
     */
    public record Options(String name, int inputSize, int channels, float valueScale, String device) {
        /** Inception-v3 conventions: 299 px, RGB, values 0..255. */
        public static Options inception() {
            return new Options(INCEPTION, 299, 3, 255f, "cpu");
        }

        public Options withDevice(String deviceName) {
            return new Options(name, inputSize, channels, valueScale, deviceName);
        }
    }

    private final Model model;
    private final Options options;
    private final FeatureSpace space;

    private TorchScriptFeatureExtractor(Model model, Options options, String digest, int dimension) {
        this.model = model;
        this.options = options;
        this.space = new FeatureSpace(options.name(), digest, dimension);
    }

    /** Loads a TorchScript file; fails with a clear message when it is missing or not TorchScript. */
    public static TorchScriptFeatureExtractor load(Path torchScriptFile, Options options) throws IOException {
        if (!Files.isRegularFile(torchScriptFile)) {
            throw new NoSuchFileException(torchScriptFile.toString(), null, "no such TorchScript file");
        }
        String digest = TrainedClassifier.fileDigest(torchScriptFile);
        Model model = Model.newInstance(options.name(), Engines.device(options.device()), Engines.PYTORCH);
        boolean handedOver = false;
        try {
            try {
                model.load(torchScriptFile.toAbsolutePath());
            } catch (MalformedModelException | EngineException | IOException e) {
                throw new IOException(
                        torchScriptFile + ": not a loadable TorchScript file (" + e.getMessage() + ")", e);
            }
            TorchScriptFeatureExtractor extractor = new TorchScriptFeatureExtractor(model, options, digest, -1);
            int dimension = extractor.extract(List.of(new float[options.inputSize() * options.inputSize()]))[0].length;
            TorchScriptFeatureExtractor sized = new TorchScriptFeatureExtractor(model, options, digest, dimension);
            handedOver = true;
            return sized;
        } catch (EngineException e) {
            throw new IOException(
                    torchScriptFile + ": the TorchScript network does not take "
                            + options.channels() + "x" + options.inputSize() + "x" + options.inputSize() + " images ("
                            + e.getMessage() + ")",
                    e);
        } finally {
            if (!handedOver) {
                model.close();
            }
        }
    }

    @Override
    public FeatureSpace space() {
        return space;
    }

    @Override
    public int imageSize() {
        return options.inputSize();
    }

    @Override
    public double[][] extract(List<float[]> images) {
        int size = options.inputSize();
        int pixels = size * size;
        int channels = options.channels();
        double[][] out = new double[images.size()][];
        for (int start = 0; start < images.size(); start += INFERENCE_BATCH) {
            int n = Math.min(INFERENCE_BATCH, images.size() - start);
            float[] batch = new float[n * channels * pixels];
            for (int i = 0; i < n; i++) {
                float[] image = images.get(start + i);
                if (image.length != pixels) {
                    throw new IllegalArgumentException("image " + (start + i) + " has " + image.length
                            + " values; the network takes " + size + "x" + size);
                }
                for (int c = 0; c < channels; c++) {
                    int offset = (i * channels + c) * pixels;
                    for (int p = 0; p < pixels; p++) {
                        batch[offset + p] = image[p] * options.valueScale();
                    }
                }
            }
            try (NDManager batchManager = model.getNDManager().newSubManager()) {
                NDArray x = batchManager.create(batch, new Shape(n, channels, size, size));
                NDList result = model.getBlock().forward(new ParameterStore(batchManager, false), new NDList(x), false);
                NDArray features = result.get(0).reshape(n, -1);
                float[] values = features.toFloatArray();
                int columns = (int) features.getShape().get(1);
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

    @Override
    public void close() {
        model.close();
    }
}
