package dev.causalcxr.core.diffusion;

import dev.causalcxr.core.dataset.Split;
import dev.causalcxr.core.disentangle.EncodedCodes;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.stage.RecordingStageContext;
import dev.causalcxr.core.stage.RunBlobs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the diffusion model's narrow sampled codes come from too short a training: retrains the model on a finished
 * run's encoded training codes for each given step count (the quick profile's other settings, seed 42) and prints,
 * per finding, the sampled codes' mean pairwise distance for each sampler beside the training codes'. Usage:
 * {@code DiffusionFit BLOB_DIR STEPS,… FINDING,… [STEPS:ETA,…]} (bench/diffusion/fit).
 */
public final class DiffusionFit {

    private static final Logger LOG = LoggerFactory.getLogger(DiffusionFit.class);
    private static final int SAMPLES = 64;
    private static final long SEED = 7L;
    private static final float GUIDANCE = 2f;

    private DiffusionFit() {}

    public static void main(String[] args) throws Exception {
        Path blobs = Path.of(args[0]);
        Path codesFile = RunBlobs.first(blobs, EncodedCodes::read);
        if (codesFile == null) {
            throw new IllegalArgumentException("no encoded codes among the blobs of " + args[0]);
        }
        EncodedCodes codes = EncodedCodes.read(codesFile);
        List<EncodedCodes.Entry> train = codes.split(Split.TRAIN);
        float[][] z = train.stream().map(EncodedCodes.Entry::pathMean).toArray(float[][]::new);
        List<Condition> conditions =
                train.stream().map(e -> Condition.ofStudy(e.findings())).toList();
        List<Finding> findings = Arrays.stream(args[2].split(","))
                .map(s -> Finding.fromLabel(s.trim()).orElseThrow(() -> new IllegalArgumentException("finding " + s)))
                .toList();
        List<SamplerConfig> samplers = Arrays.stream(
                        (args.length > 3 ? args[3] : "100:0,100:0.5,100:1,400:1").split(","))
                .map(s -> s.split(":"))
                .map(s -> new SamplerConfig(Integer.parseInt(s[0].trim()), Float.parseFloat(s[1].trim()), GUIDANCE))
                .toList();
        StringBuilder header = new StringBuilder("training codes per finding:");
        for (Finding f : findings) {
            List<float[]> withFinding = SampledCodeSpread.codesWith(train, f);
            header.append(String.format(
                    "  %s %d: %.2f",
                    f.label(), withFinding.size(), SampledCodeSpread.meanPairwiseDistance(withFinding)));
        }
        LOG.info(header.toString());
        for (Finding f : findings) {
            int total = 0,
                    unspecifiedSeverity = 0,
                    unspecifiedLaterality = 0,
                    unspecifiedZone = 0,
                    alone = 0,
                    exact = 0;
            List<float[]> aloneCodes = new ArrayList<>();
            for (int i = 0; i < train.size(); i++) {
                Condition c = conditions.get(i);
                var m = c.present().stream().filter(x -> x.finding() == f).findFirst();
                if (m.isEmpty()) {
                    continue;
                }
                total++;
                unspecifiedSeverity += m.get().severity().name().equals("UNSPECIFIED") ? 1 : 0;
                unspecifiedLaterality += m.get().laterality().name().equals("UNSPECIFIED") ? 1 : 0;
                unspecifiedZone += m.get().zone().name().equals("UNSPECIFIED") ? 1 : 0;
                if (c.present().size() == 1) {
                    alone++;
                    aloneCodes.add(z[i]);
                }
                exact += c.equals(Condition.of(f)) ? 1 : 0;
            }
            LOG.info(String.format(
                    "census %-16s %4d studies; unspecified severity %d, laterality %d, zone %d; alone %d (spread %.2f);"
                            + " exactly Condition.of %d",
                    f.label(),
                    total,
                    unspecifiedSeverity,
                    unspecifiedLaterality,
                    unspecifiedZone,
                    alone,
                    aloneCodes.size() > 1 ? SampledCodeSpread.meanPairwiseDistance(aloneCodes) : Double.NaN,
                    exact));
        }
        for (String stepsText : args[1].split(",")) {
            String[] stepsAndDropout = stepsText.trim().split("@");
            int steps = Integer.parseInt(stepsAndDropout[0]);
            float attributeDropout = stepsAndDropout.length > 1 ? Float.parseFloat(stepsAndDropout[1]) : 0f;
            if (steps == 0) {
                continue;
            }
            DiffusionConfig config = new DiffusionConfig(
                    codes.pathDim(), 256, 3, 64, 1000, steps, 256, 1e-3f, 0.1f, 42L, 0, 50, "cpu", attributeDropout);
            Path dir = Files.createTempDirectory("diffusion-fit");
            long t0 = System.nanoTime();
            DiffusionTraining.Result result =
                    DiffusionTraining.runWithConditions(config, z, conditions, new RecordingStageContext(dir, 42L));
            double seconds = (System.nanoTime() - t0) / 1e9;
            try (DiffusionModel model = DiffusionModel.load(result.modelFile())) {
                LOG.info(String.format(
                        "%d steps, attribute dropout %.2f: %.0f s, final loss %.4f",
                        steps, attributeDropout, seconds, result.finalLoss()));
                for (Finding f : findings) {
                    StringBuilder row = new StringBuilder(String.format("  %-16s", f.label()));
                    for (SamplerConfig s : samplers) {
                        float[][] sampled = model.sample(Condition.of(f), SAMPLES, SEED, s);
                        row.append(String.format(
                                "  %d:%s %6.2f",
                                s.steps(), s.eta(), SampledCodeSpread.meanPairwiseDistance(Arrays.asList(sampled))));
                    }
                    LOG.info(row.toString());
                }
            }
        }
    }
}
