package dev.causalcxr.core.counterfactual;

import dev.causalcxr.core.dataset.Split;
import dev.causalcxr.core.diffusion.Condition;
import dev.causalcxr.core.diffusion.DiffusionModel;
import dev.causalcxr.core.diffusion.SamplerConfig;
import dev.causalcxr.core.disentangle.DisentanglerDataset;
import dev.causalcxr.core.disentangle.DisentanglerModel;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.imaging.GrayImage;
import dev.causalcxr.core.metrics.classification.Auroc;
import dev.causalcxr.core.stage.RunBlobs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Two questions about a run's generator, answered in pixels against the phantom's exact counterfactuals (no
 * classifier; bench/generator/identity-direction):
 *
 * <ol>
 *   <li><b>Do the sampled finding slots lie where the encoder puts them?</b> Per finding, the mean norm of its slot in
 *       the encoder's codes of a fresh cohort's training studies that show it, against the slot the diffusion model
 *       samples for a request adding it (100 DDIM steps, eta 0.5, at each guidance scale), with the sampled change's
 *       strength inside the finding's mask and its size outside it.</li>
 *   <li><b>How much of a finding does the identity code hold, and is it one direction?</b> The finding's mean shift
 *       of z_id, estimated three ways on the cohort's training split: from exact pairs (the phantom lends the finding
 *       to 64 studies; phantom only), from the population (mean z_id of the studies with it minus without) and
 *       within patients (the same patient's studies with it minus without). Printed: the cosine of each source's own
 *       identity shift with each direction, and the code oracle's and one sampled code's change with z_id moved
 *       along it.</li>
 * </ol>
 *
 * <p>{@code in} = the change's projection onto the exact change inside the finding mask (1: drawn at full strength
 * where the phantom draws it), {@code out} = its RMS outside the mask against the exact change's RMS. Usage:
 * {@code IdentityDirectionCheck BLOB_DIR FINDING,…}; {@code -Ddisentangler=DIGEST -Ddiffusion=DIGEST} pick the blobs
 * when the folder holds several models ({@link RunBlobs#named}).
 */
public final class IdentityDirectionCheck {

    private static final int SOURCES = 24;
    private static final int DIRECTION_PAIRS = 64;
    private static final float[] GUIDANCES = {1f, 2f};

    private IdentityDirectionCheck() {}

    public static void main(String[] args) throws Exception {
        Path blobs = Path.of(args[0]);
        Path disentanglerFile = RunBlobs.named(
                blobs, "disentangler", b -> DisentanglerModel.load(b).close());
        Path diffusionFile =
                RunBlobs.named(blobs, "diffusion", b -> DiffusionModel.load(b).close());
        try (CounterfactualGenerator gen = CounterfactualGenerator.open(disentanglerFile, diffusionFile, Map.of())) {
            DisentanglerDataset data = FindingStrength.cohort(2000, gen.imageSize());
            DisentanglerModel model = gen.disentangler();
            List<DisentanglerDataset.Study> train = data.studies().stream()
                    .filter(s -> s.split() == Split.TRAIN)
                    .toList();
            DisentanglerModel.Encoding trainCodes = model.encode(
                    train.stream().map(DisentanglerDataset.Study::pixels).toList());
            List<DisentanglerDataset.Study> heldOut = data.studies().stream()
                    .filter(s -> s.split() != Split.TRAIN)
                    .toList();
            float[][] heldOutIds = model.encode(heldOut.stream()
                            .map(DisentanglerDataset.Study::pixels)
                            .toList())
                    .identity();
            for (String label : args[1].split(",")) {
                Finding finding = Finding.fromLabel(label.trim())
                        .orElseThrow(() -> new IllegalArgumentException("unknown finding " + label));
                System.out.println(measure(
                        gen,
                        model,
                        data,
                        train,
                        trainCodes.identity(),
                        trainCodes.pathMean(),
                        heldOut,
                        heldOutIds,
                        finding));
            }
        }
    }

    private static String measure(
            CounterfactualGenerator gen,
            DisentanglerModel model,
            DisentanglerDataset data,
            List<DisentanglerDataset.Study> train,
            float[][] ids,
            float[][] paths,
            List<DisentanglerDataset.Study> heldOut,
            float[][] heldOutIds,
            Finding finding) {
        int dim = ids[0].length;
        int width = model.config().findingSlots();
        int slot = model.net().slotStart() + model.vocabulary().indexOf(finding) * width;
        double[] with = new double[dim];
        double[] without = new double[dim];
        int withCount = 0;
        double cohortSlot = 0;
        Map<Integer, List<Integer>> patientWith = new HashMap<>();
        Map<Integer, List<Integer>> patientWithout = new HashMap<>();
        for (int i = 0; i < train.size(); i++) {
            boolean has = train.get(i).findings().stream().anyMatch(m -> m.finding() == finding);
            add(has ? with : without, ids[i], 1);
            if (has) {
                withCount++;
                cohortSlot += FindingStrength.slotNorm(paths[i], slot, width);
            }
            (has ? patientWith : patientWithout)
                    .computeIfAbsent(train.get(i).patient(), k -> new ArrayList<>())
                    .add(i);
        }
        if (withCount == 0) {
            return finding + ": no training study of the cohort shows it";
        }
        float[] population = new float[dim];
        for (int d = 0; d < dim; d++) {
            population[d] = (float) (with[d] / withCount - without[d] / (train.size() - withCount));
        }
        double[] withinSum = new double[dim];
        int patients = 0;
        for (Map.Entry<Integer, List<Integer>> e : patientWith.entrySet()) {
            List<Integer> others = patientWithout.get(e.getKey());
            if (others == null) {
                continue;
            }
            patients++;
            for (int i : e.getValue()) {
                add(withinSum, ids[i], 1.0 / e.getValue().size());
            }
            for (int i : others) {
                add(withinSum, ids[i], -1.0 / others.size());
            }
        }
        // a linear read-out of the finding from the spatial z_id: the score z_id · direction on held-out studies
        boolean[] positive = new boolean[heldOut.size()];
        double[] populationScore = new double[heldOut.size()];
        double[] pooledScore = new double[heldOut.size()];
        float[] pooledDirection = pooled(population, model.identityShape());
        for (int i = 0; i < heldOut.size(); i++) {
            positive[i] = heldOut.get(i).findings().stream().anyMatch(m -> m.finding() == finding);
            populationScore[i] = dot(heldOutIds[i], population);
            pooledScore[i] = dot(pooled(heldOutIds[i], model.identityShape()), pooledDirection);
        }
        double spatialAuroc = Auroc.binary(positive, populationScore);
        double pooledAuroc = Auroc.binary(positive, pooledScore);
        float[] withinPatients = new float[dim];
        for (int d = 0; d < dim; d++) {
            withinPatients[d] = patients == 0 ? 0f : (float) (withinSum[d] / patients);
        }
        List<DisentanglerDataset.Study> lenders = new ArrayList<>();
        List<DisentanglerDataset.Study> sources = new ArrayList<>();
        List<DisentanglerDataset.Study> directionSources = new ArrayList<>();
        for (DisentanglerDataset.Study s : data.studies()) {
            if (s.truthFindings().stream().anyMatch(m -> m.finding() == finding)) {
                lenders.add(s);
            } else if (!DisentanglerDataset.renderable(s.truthFindings())) {
                continue;
            } else if (s.split() == Split.TRAIN) {
                if (directionSources.size() < DIRECTION_PAIRS) {
                    directionSources.add(s);
                }
            } else if (sources.size() < SOURCES) {
                sources.add(s);
            }
        }
        double[] pairSum = new double[dim];
        for (int i = 0; i < directionSources.size(); i++) {
            DisentanglerDataset.Study source = directionSources.get(i);
            DisentanglerDataset.Counterfactual exact =
                    data.lendFinding(source, lenders.get((7 * i) % lenders.size()), finding);
            float[][] e = model.encode(List.of(exact.image().toFloat(), source.pixels()))
                    .identity();
            add(pairSum, e[0], 1.0 / directionSources.size());
            add(pairSum, e[1], -1.0 / directionSources.size());
        }
        float[] pairs = new float[dim];
        for (int d = 0; d < dim; d++) {
            pairs[d] = (float) pairSum[d];
        }
        float[][] directions = {null, pairs, population, withinPatients};
        String[] names = {"z_id as is", "+ pairs", "+ population", "+ within patients"};
        double[][] in = new double[2][directions.length];
        double[][] out = new double[2][directions.length];
        double[] cosine = new double[directions.length];
        double[] guidedIn = new double[GUIDANCES.length];
        double[] guidedOut = new double[GUIDANCES.length];
        double[] guidedSlot = new double[GUIDANCES.length];
        double oracleSlot = 0;
        int counted = 0;
        CounterfactualGenerator plain = gen.withoutPriors();
        for (int i = 0; i < sources.size(); i++) {
            DisentanglerDataset.Study source = sources.get(i);
            DisentanglerDataset.Study lender = lenders.get(i % lenders.size());
            DisentanglerDataset.Counterfactual exact = data.lendFinding(source, lender, finding);
            float[] src = source.pixels();
            float[] truth = FindingStrength.minus(exact.image().toFloat(), src);
            if (FindingStrength.rms(truth) < 1e-4) {
                continue; // the phantom draws nothing of this finding at this size here
            }
            counted++;
            List<FindingMention> mentions = new ArrayList<>(source.truthFindings());
            lender.truthFindings().stream().filter(m -> m.finding() == finding).forEach(mentions::add);
            Condition condition = Condition.ofStudy(mentions);
            List<Finding> findings =
                    mentions.stream().map(FindingMention::finding).toList();
            DisentanglerModel.Encoding enc = model.encode(List.of(exact.image().toFloat(), src));
            float[] identity = enc.identity()[1];
            float[] shift = FindingStrength.minus(enc.identity()[0], identity);
            float[] own = model.keepFindingSlots(enc.pathMean()[1], findings);
            float[] oracle = model.transplantFindingSlots(own, enc.pathMean()[0], findings);
            oracleSlot += FindingStrength.slotNorm(enc.pathMean()[0], slot, width);
            float[] reconstruction = model.decode(new float[][] {identity}, new float[][] {own})
                    .get(0)
                    .toFloat();
            for (int g = 0; g < GUIDANCES.length; g++) {
                float[][] codes = plain.sampleCodes(condition, 2, 77L + i, new SamplerConfig(100, 0.5f, GUIDANCES[g]));
                for (float[] code : codes) {
                    float[] moved = model.transplantFindingSlots(own, code, findings);
                    float[] change = FindingStrength.minus(
                            model.decode(new float[][] {identity}, new float[][] {moved})
                                    .get(0)
                                    .toFloat(),
                            reconstruction);
                    guidedIn[g] += FindingStrength.projection(change, truth, exact.findingMask()) / codes.length;
                    guidedOut[g] += rmsOutside(change, exact.findingMask()) / FindingStrength.rms(truth) / codes.length;
                    guidedSlot[g] += FindingStrength.slotNorm(code, slot, width) / codes.length;
                }
            }
            float[] sampled = model.transplantFindingSlots(
                    own, plain.sampleCodes(condition, 1, 77L + i, new SamplerConfig(100, 0.5f, 2f))[0], findings);
            for (int r = 0; r < directions.length; r++) {
                float[] id = directions[r] == null ? identity : plus(identity, directions[r]);
                if (directions[r] != null) {
                    cosine[r] += cos(shift, directions[r]);
                }
                List<GrayImage> decoded = model.decode(new float[][] {id, id}, new float[][] {oracle, sampled});
                for (int k = 0; k < 2; k++) {
                    float[] change = FindingStrength.minus(decoded.get(k).toFloat(), reconstruction);
                    in[k][r] += FindingStrength.projection(change, truth, exact.findingMask());
                    out[k][r] += rmsOutside(change, exact.findingMask()) / FindingStrength.rms(truth);
                }
            }
        }
        StringBuilder text = new StringBuilder(String.format(
                "%s: %d sources, %d cohort training studies with it, %d patients with and without it%n",
                finding, counted, withCount, patients));
        text.append(String.format(
                "  slot norm: cohort codes with it %.2f, exact images %.2f, sampled",
                cohortSlot / withCount, oracleSlot / counted));
        for (int g = 0; g < GUIDANCES.length; g++) {
            text.append(String.format(
                    " | guidance %.0f: %.2f (in %.2f, out %.2f)",
                    GUIDANCES[g], guidedSlot[g] / counted, guidedIn[g] / counted, guidedOut[g] / counted));
        }
        text.append(String.format(
                "%n  the finding read from z_id by its mean direction, held-out AUROC: spatial map %.2f, channel means %.2f",
                spatialAuroc, pooledAuroc));
        text.append(String.format(
                "%n  identity shift: |z_id| %.1f, |direction| pairs %.2f, population %.2f, within patients %.2f;"
                        + " cosine of each source's shift with them %.2f / %.2f / %.2f%n",
                FindingStrength.slotNorm(ids[0], 0, dim),
                FindingStrength.slotNorm(pairs, 0, dim),
                FindingStrength.slotNorm(population, 0, dim),
                FindingStrength.slotNorm(withinPatients, 0, dim),
                cosine[1] / counted,
                cosine[2] / counted,
                cosine[3] / counted));
        String[] rows = {"code oracle", "sampled, guidance 2"};
        for (int k = 0; k < 2; k++) {
            text.append(String.format("  %-20s", rows[k]));
            for (int r = 0; r < directions.length; r++) {
                text.append(
                        String.format(" | %s: in %.2f out %.2f", names[r], in[k][r] / counted, out[k][r] / counted));
            }
            text.append('\n');
        }
        return text.toString();
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    /** The channel means of a flattened (channels, height, width) code: the form the leakage probe reads. */
    private static float[] pooled(float[] code, int[] shape) {
        int area = shape[1] * shape[2];
        float[] out = new float[shape[0]];
        for (int c = 0; c < shape[0]; c++) {
            double s = 0;
            for (int p = 0; p < area; p++) {
                s += code[c * area + p];
            }
            out[c] = (float) (s / area);
        }
        return out;
    }

    private static void add(double[] sum, float[] v, double weight) {
        for (int d = 0; d < v.length; d++) {
            sum[d] += weight * v[d];
        }
    }

    private static double cos(float[] a, float[] b) {
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        return ab / Math.sqrt(aa * bb + 1e-20);
    }

    private static float[] plus(float[] a, float[] b) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] + b[i];
        }
        return out;
    }

    private static double rmsOutside(float[] v, boolean[] mask) {
        double s = 0;
        for (int i = 0; i < v.length; i++) {
            if (!mask[i]) {
                s += (double) v[i] * v[i];
            }
        }
        return Math.sqrt(s / v.length);
    }
}
