package dev.causalcxr.core.diffusion;

import dev.causalcxr.core.dataset.Split;
import dev.causalcxr.core.disentangle.EncodedCodes;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.Status;
import dev.causalcxr.core.metrics.fidelity.FeatureDiversity;
import dev.causalcxr.core.metrics.linalg.DenseMatrices;
import dev.causalcxr.core.stage.RunBlobs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How far apart the diffusion model's sampled pathology codes lie, against the encoder's codes they were trained on:
 * the mean pairwise distance of 64 samples per finding, for several DDIM step counts and eta, beside that of the
 * training codes of the studies with the finding. The counterfactuals' variation between samples starts here.
 * Usage: {@code SampledCodeSpread BLOB_DIR FINDING,… [GUIDANCE] [STEPS:ETA,…]} (guidance 2 and six samplers from 10
 * steps eta 0 to 400 steps eta 1 by default) where BLOB_DIR holds a run's blobs (the embedded stack keeps
 * them in {@code DATA_DIR/s3/causalcxr/sha256}); the encoded codes and the diffusion model are found by reading
 * each blob (bench/diffusion/sampled-spread).
 */
public final class SampledCodeSpread {

    private static final Logger LOG = LoggerFactory.getLogger(SampledCodeSpread.class);
    private static final int SAMPLES = 64;
    private static final long SEED = 7L;

    private SampledCodeSpread() {}

    public static void main(String[] args) throws Exception {
        Path blobs = Path.of(args[0]);
        Path codesFile = RunBlobs.first(blobs, EncodedCodes::read);
        Path modelFile = RunBlobs.first(blobs, b -> DiffusionModel.load(b).close());
        EncodedCodes codes = codesFile == null ? null : EncodedCodes.read(codesFile);
        if (codes == null || modelFile == null) {
            throw new IllegalArgumentException("no encoded codes or no diffusion model among the blobs of " + args[0]);
        }
        List<float[]> train = codes.split(Split.TRAIN).stream()
                .map(EncodedCodes.Entry::pathMean)
                .toList();
        LOG.info(String.format(
                "training codes: %d, %d numbers, mean pairwise distance %.2f",
                train.size(), codes.pathDim(), meanPairwiseDistance(train)));
        float guidance = args.length > 2 ? Float.parseFloat(args[2]) : 2f;
        String samplerList = args.length > 3 ? args[3] : "10:0,25:0,25:1,100:0,100:1,400:1";
        List<SamplerConfig> samplers = Arrays.stream(samplerList.split(","))
                .map(s -> s.split(":"))
                .map(s -> new SamplerConfig(Integer.parseInt(s[0].trim()), Float.parseFloat(s[1].trim()), guidance))
                .toList();
        try (DiffusionModel model = DiffusionModel.load(modelFile)) {
            for (String label : args[1].split(",")) {
                Finding finding = Finding.fromLabel(label.trim())
                        .orElseThrow(() -> new IllegalArgumentException("unknown finding " + label));
                List<float[]> real = codesWith(codes.split(Split.TRAIN), finding);
                StringBuilder row = new StringBuilder(String.format(
                        "%-16s training codes %4d: %6.2f | sampled, guidance %.0f:",
                        finding, real.size(), meanPairwiseDistance(real), guidance));
                for (SamplerConfig s : samplers) {
                    float[][] sampled = model.sample(Condition.of(finding), SAMPLES, SEED, s);
                    row.append(String.format(
                            "  %d steps eta %s: %6.2f",
                            s.steps(), formatEta(s.eta()), meanPairwiseDistance(Arrays.asList(sampled))));
                }
                LOG.info(row.toString());
            }
        }
    }

    private static String formatEta(float eta) {
        return eta == Math.rint(eta) ? String.valueOf((int) eta) : String.valueOf(eta);
    }

    /** The pathology codes of the entries with the finding present. */
    static List<float[]> codesWith(List<EncodedCodes.Entry> entries, Finding finding) {
        List<float[]> out = new ArrayList<>();
        for (EncodedCodes.Entry e : entries) {
            if (e.findings().stream().anyMatch(m -> m.finding() == finding && m.status() == Status.PRESENT)) {
                out.add(e.pathMean());
            }
        }
        return out;
    }

    static double meanPairwiseDistance(List<float[]> rows) {
        return FeatureDiversity.meanPairwiseDistance(DenseMatrices.toDouble(rows.toArray(new float[0][])));
    }
}
