package dev.causalcxr.core.counterfactual;

import dev.causalcxr.core.dataset.SplitProportions;
import dev.causalcxr.core.diffusion.Condition;
import dev.causalcxr.core.diffusion.DiffusionModel;
import dev.causalcxr.core.diffusion.SamplerConfig;
import dev.causalcxr.core.disentangle.DisentanglerDataset;
import dev.causalcxr.core.disentangle.DisentanglerModel;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.imaging.GrayImage;
import dev.causalcxr.core.phantom.PhantomGenerator;
import dev.causalcxr.core.phantom.PhantomSpec;
import dev.causalcxr.core.stage.RunBlobs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How strongly a run's generator draws a finding it is asked to add, judged against the phantom's exact
 * counterfactual of the same request (no classifier involved). For sources of a fresh phantom cohort that lack the
 * finding, each given a lender's rendering of it: {@code in-mask} = the projection of the change onto the exact
 * change inside the finding's mask (1: drawn at full strength where the phantom draws it; 0: not at all), {@code
 * energy} = the change's RMS over the whole image against the exact change's (location-free, so comparable for
 * sampled codes that place the finding elsewhere). Rows: the autoencoder's own change (the exact image and the source
 * each encoded and decoded), the code oracle (the exact image's finding slots moved into the source, as the
 * counterfactual stage composes it), the exact image's whole code (its shared part too, the slots of findings it
 * lacks set to 0), the oracle's slots scaled ×2, the lender's own slots (a slot swap as training makes them), and
 * plain-noise samples at two sampler settings; the mean norm of the finding's slots; and how far the finding moves
 * the identity code (‖z_id(exact) − z_id(source)‖ / ‖z_id(source)‖). Usage: {@code FindingStrength BLOB_DIR
 * FINDING,…} where BLOB_DIR holds a run's blobs ({@code DATA_DIR/s3/causalcxr/sha256}); bench/generator/finding-strength.
 */
public final class FindingStrength {

    private static final Logger LOG = LoggerFactory.getLogger(FindingStrength.class);
    private static final int SOURCES = 24;
    private static final int SAMPLES = 4;
    private static final long COHORT_SEED = 1042L;

    private FindingStrength() {}

    public static void main(String[] args) throws Exception {
        Path blobs = Path.of(args[0]);
        Path disentanglerFile = RunBlobs.named(
                blobs, "disentangler", b -> DisentanglerModel.load(b).close());
        Path diffusionFile =
                RunBlobs.named(blobs, "diffusion", b -> DiffusionModel.load(b).close());
        try (CounterfactualGenerator gen = CounterfactualGenerator.open(disentanglerFile, diffusionFile, Map.of())) {
            DisentanglerDataset data = cohort(1200, gen.imageSize());
            DisentanglerModel model = gen.disentangler();
            for (String label : args[1].split(",")) {
                Finding finding = Finding.fromLabel(label.trim())
                        .orElseThrow(() -> new IllegalArgumentException("unknown finding " + label));
                LOG.info(measure(gen, model, data, finding));
            }
        }
    }

    /** A fresh phantom cohort of the default spec (seed {@value #COHORT_SEED}), split as the pipeline splits. */
    static DisentanglerDataset cohort(int studies, int imageSize) {
        PhantomSpec spec = PhantomSpec.defaults();
        spec = new PhantomSpec(
                studies,
                spec.minStudiesPerPatient(),
                spec.maxStudiesPerPatient(),
                imageSize,
                COHORT_SEED,
                spec.classFrequencies(),
                spec.severityMix(),
                spec.uncertaintyRate());
        return DisentanglerDataset.fromPhantom(new PhantomGenerator(spec), SplitProportions.defaults(), (d, t) -> {});
    }

    private static String measure(
            CounterfactualGenerator gen, DisentanglerModel model, DisentanglerDataset data, Finding finding) {
        List<DisentanglerDataset.Study> lenders = new ArrayList<>();
        List<DisentanglerDataset.Study> sources = new ArrayList<>();
        for (DisentanglerDataset.Study s : data.studies()) {
            boolean has = s.truthFindings().stream().anyMatch(m -> m.finding() == finding);
            if (has) {
                lenders.add(s);
            } else if (sources.size() < SOURCES && DisentanglerDataset.renderable(s.truthFindings())) {
                sources.add(s);
            }
        }
        if (lenders.isEmpty()) {
            return finding + ": no study of the cohort shows it";
        }
        int slotStart = model.net().slotStart();
        int width = model.config().findingSlots();
        int k = model.vocabulary().indexOf(finding);
        String[] rows = {
            "autoencoder",
            "code oracle",
            "whole code",
            "oracle x2",
            "lender's slots",
            "25 steps eta 0",
            "100 steps eta 1"
        };
        int sampledFrom = 5;
        double[] inMask = new double[rows.length];
        double[] energy = new double[rows.length];
        double[] slotNorm = new double[rows.length];
        int[] counted = new int[rows.length];
        int skipped = 0;
        double identityMoved = 0;
        SamplerConfig[] samplers = {new SamplerConfig(25, 0f, 2f), new SamplerConfig(100, 1f, 2f)};
        CounterfactualGenerator plain = gen.withoutPriors();
        for (int i = 0; i < sources.size(); i++) {
            DisentanglerDataset.Study source = sources.get(i);
            DisentanglerDataset.Study lender = lenders.get(i % lenders.size());
            DisentanglerDataset.Counterfactual exact = data.lendFinding(source, lender, finding);
            float[] ex = exact.image().toFloat();
            float[] src = source.pixels();
            float[] trueChange = minus(ex, src);
            if (rms(trueChange) < 1e-4) {
                skipped++;
                continue; // the phantom draws nothing of this finding at this size here
            }
            List<FindingMention> mentions = new ArrayList<>(source.truthFindings());
            lender.truthFindings().stream().filter(m -> m.finding() == finding).forEach(mentions::add);
            Condition condition = Condition.ofStudy(mentions);
            GrayImage sourceImage = GrayImage.fromUnit(data.size(), data.size(), source.pixels());
            DisentanglerModel.Encoding enc = model.encode(List.of(ex, src, lender.pixels()));
            float[] exactCode = enc.pathMean()[0];
            identityMoved += Math.sqrt(squaredDistance(enc.identity()[0], enc.identity()[1])
                    / squaredDistance(enc.identity()[1], new float[enc.identity()[1].length]));
            List<GrayImage> recon = model.decode(
                    new float[][] {enc.identity()[0], enc.identity()[1]}, new float[][] {exactCode, enc.pathMean()[1]});
            float[] autoChange = minus(recon.get(0).toFloat(), recon.get(1).toFloat());
            float[] doubled = exactCode.clone();
            for (int d = slotStart + k * width; d < slotStart + (k + 1) * width; d++) {
                doubled[d] *= 2f;
            }
            float[][] changes = new float[sampledFrom][];
            changes[0] = autoChange;
            changes[1] = minus(
                    gen.withPathology(sourceImage, new float[][] {exactCode}, condition)
                            .get(0)
                            .toFloat(),
                    src);
            // the exact image's whole code, shared part included, gated as the decoder saw codes in training
            float[] gated = model.keepFindingSlots(
                    exactCode, mentions.stream().map(FindingMention::finding).toList());
            changes[2] = minus(
                    gen.withPathology(sourceImage, new float[][] {gated}).get(0).toFloat(), src);
            changes[3] = minus(
                    gen.withPathology(sourceImage, new float[][] {doubled}, condition)
                            .get(0)
                            .toFloat(),
                    src);
            changes[4] = minus(
                    gen.withPathology(sourceImage, new float[][] {enc.pathMean()[2]}, condition)
                            .get(0)
                            .toFloat(),
                    src);
            for (int r = 0; r < sampledFrom; r++) {
                inMask[r] += projection(changes[r], trueChange, exact.findingMask());
                energy[r] += rms(changes[r]) / rms(trueChange);
                counted[r]++;
            }
            slotNorm[1] += slotNorm(exactCode, slotStart + k * width, width);
            slotNorm[3] += 2 * slotNorm(exactCode, slotStart + k * width, width);
            slotNorm[4] += slotNorm(enc.pathMean()[2], slotStart + k * width, width);
            for (int s = 0; s < samplers.length; s++) {
                int r = sampledFrom + s;
                long seed = 1000L * i + s;
                CounterfactualGenerator.Generation g =
                        plain.generateDetailed(sourceImage, condition, SAMPLES, seed, samplers[s]);
                List<GrayImage> images = g.images();
                float[][] codes = g.codes();
                for (int n = 0; n < SAMPLES; n++) {
                    float[] change = minus(images.get(n).toFloat(), src);
                    inMask[r] += projection(change, trueChange, exact.findingMask());
                    energy[r] += rms(change) / rms(trueChange);
                    slotNorm[r] += slotNorm(codes[n], slotStart + k * width, width);
                    counted[r]++;
                }
            }
        }
        StringBuilder out = new StringBuilder(String.format(
                "%-16s %d sources (%d with nothing drawn left out), %d lenders | identity code moved by the finding %.3f |",
                finding,
                sources.size() - skipped,
                skipped,
                lenders.size(),
                identityMoved / Math.max(1, sources.size() - skipped)));
        for (int r = 0; r < rows.length; r++) {
            out.append(String.format(
                    " %s: in-mask %.2f energy %.2f%s |",
                    rows[r],
                    inMask[r] / counted[r],
                    energy[r] / counted[r],
                    r == 0 || r == 2 ? "" : String.format(" slot norm %.2f", slotNorm[r] / counted[r])));
        }
        return out.toString();
    }

    static float[] minus(float[] a, float[] b) {
        float[] out = new float[a.length];
        for (int p = 0; p < a.length; p++) {
            out[p] = a[p] - b[p];
        }
        return out;
    }

    static double projection(float[] change, float[] truth, boolean[] mask) {
        double dot = 0;
        double norm = 0;
        for (int p = 0; p < change.length; p++) {
            if (mask[p]) {
                dot += (double) change[p] * truth[p];
                norm += (double) truth[p] * truth[p];
            }
        }
        return norm == 0 ? 0 : dot / norm;
    }

    private static double squaredDistance(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            s += d * d;
        }
        return s;
    }

    static double rms(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return Math.sqrt(s / v.length);
    }

    static double slotNorm(float[] code, int from, int width) {
        double s = 0;
        for (int d = from; d < from + width; d++) {
            s += (double) code[d] * code[d];
        }
        return Math.sqrt(s);
    }
}
