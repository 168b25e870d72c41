package dev.causalcxr.core.evaluation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.causalcxr.core.metrics.fidelity.FidResult;
import dev.causalcxr.core.metrics.fidelity.FrechetDistance;
import dev.causalcxr.core.metrics.fidelity.KernelInceptionDistance;
import dev.causalcxr.core.metrics.fidelity.KidResult;
import dev.causalcxr.core.metrics.io.FeatureMatrixFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The work behind {@code causalcxr fid PATH_A PATH_B [--kid] [--json] [--feature-net MODEL|--inception FILE.pt]}.
 * Each path is a 2-D feature matrix ({@code .npy} float32/float64, or CSV/TSV/TXT) used as is, or a
 * folder of images embedded with the chosen network: a saved {@link TrainedClassifier}
 * ({@code --feature-net}) or an Inception TorchScript file ({@code --inception}). Bad inputs fail
 * with an {@link IllegalArgumentException} or {@link IOException} whose message names the path.
 */
public final class FidCommand {

    private static final ObjectMapper JSON = new ObjectMapper();

    private FidCommand() {}

    /**
     * @param pathA      first feature matrix or image folder
     * @param pathB      second one
     * @param kid        also compute KID (100 subsets of up to 1,000)
     * @param json       format the text as one JSON object
     * @param featureNet saved classifier file for image folders, or null
     * @param inception  Inception TorchScript file for image folders, or null
     * @param seed       seed of the KID subsets
     */
    public record Request(
            Path pathA, Path pathB, boolean kid, boolean json, Path featureNet, Path inception, long seed) {
        public Request {
            if (pathA == null || pathB == null) {
                throw new IllegalArgumentException("fid needs two paths");
            }
            if (featureNet != null && inception != null) {
                throw new IllegalArgumentException("give --feature-net or --inception, not both");
            }
        }
    }

    /**
     * @param space the feature space (a network's name and digest, or {@code precomputed})
     * @param fid   the Fréchet distance
     * @param kid   KID, or null when not asked for
     * @param text  what the command prints: {@code fid: <value>} (and {@code kid: <mean> ± <std>}) or one JSON object
     */
    public record Outcome(FeatureSpace space, FidResult fid, KidResult kid, String text) {}

    public static Outcome run(Request request) throws IOException {
        boolean needsNetwork = isFolder(request.pathA()) || isFolder(request.pathB());
        FeatureExtractor extractor = null;
        try {
            if (needsNetwork) {
                extractor = openExtractor(request);
            }
            double[][] a = load(request.pathA(), extractor);
            double[][] b = load(request.pathB(), extractor);
            if (a[0].length != b[0].length) {
                throw new IllegalArgumentException("feature dimensions differ: " + request.pathA() + " has "
                        + a[0].length + " columns, " + request.pathB() + " has " + b[0].length);
            }
            FeatureSpace space = extractor != null ? extractor.space() : FeatureSpace.precomputed(a[0].length);
            FidResult fid = FrechetDistance.compute(a, b);
            KidResult kid = request.kid()
                    ? KernelInceptionDistance.compute(
                            a,
                            b,
                            KernelInceptionDistance.DEFAULT_SUBSETS,
                            KernelInceptionDistance.DEFAULT_SUBSET_SIZE,
                            request.seed())
                    : null;
            String text = request.json() ? json(space, fid, kid) : plain(fid, kid);
            return new Outcome(space, fid, kid, text);
        } finally {
            if (extractor != null) {
                extractor.close();
            }
        }
    }

    private static boolean isFolder(Path path) {
        return Files.isDirectory(path);
    }

    private static FeatureExtractor openExtractor(Request request) throws IOException {
        if (request.featureNet() != null) {
            // the CLI embeds on the CPU, wherever the network was trained
            return ClassifierFeatureExtractor.load(request.featureNet(), "cpu");
        }
        if (request.inception() != null) {
            return TorchScriptFeatureExtractor.load(
                    request.inception(), TorchScriptFeatureExtractor.Options.inception());
        }
        throw new IllegalArgumentException("an image folder needs a feature network: give --feature-net MODEL "
                + "(a saved in-domain classifier) or --inception FILE.pt");
    }

    private static double[][] load(Path path, FeatureExtractor extractor) throws IOException {
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString(), null, "no such feature matrix or image folder");
        }
        double[][] features;
        if (Files.isDirectory(path)) {
            features = extractor.extractFolder(path);
        } else if (FeatureMatrixFiles.isFeatureMatrixFile(path)) {
            features = FeatureMatrixFiles.read(path);
        } else {
            throw new IllegalArgumentException(
                    path + ": not a feature matrix (.npy, .csv, .tsv, .txt) or an image folder");
        }
        if (features.length < 2) {
            throw new IllegalArgumentException(
                    path + ": " + features.length + " feature row(s); FID needs at least 2 samples");
        }
        if (features[0].length < 1) {
            throw new IllegalArgumentException(path + ": feature rows are empty");
        }
        return features;
    }

    static String plain(FidResult fid, KidResult kid) {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "fid: %.6f", fid.fid()));
        if (kid != null) {
            out.append(String.format(Locale.ROOT, "%nkid: %.6f ± %.6f", kid.mean(), kid.std()));
        }
        return out.toString();
    }

    static String json(FeatureSpace space, FidResult fid, KidResult kid) {
        ObjectNode node = JSON.createObjectNode();
        node.put("fid", fid.fid());
        if (kid != null) {
            node.put("kid_mean", kid.mean());
            node.put("kid_std", kid.std());
            node.put("kid_subsets", kid.subsets());
            node.put("kid_subset_size", kid.subsetSize());
        }
        node.put("feature_space", space.name());
        if (space.digest() == null) {
            node.putNull("feature_network_digest");
        } else {
            node.put("feature_network_digest", space.digest());
        }
        node.put("dimension", fid.dimension());
        node.put("count_a", fid.countA());
        node.put("count_b", fid.countB());
        return node.toString();
    }
}
