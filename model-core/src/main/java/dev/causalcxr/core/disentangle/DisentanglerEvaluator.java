package dev.causalcxr.core.disentangle;

import ai.djl.ndarray.NDManager;
import dev.causalcxr.core.dataset.Split;
import dev.causalcxr.core.diffusion.PathologyScorer;
import dev.causalcxr.core.engine.Engines;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.imaging.ContactSheet;
import dev.causalcxr.core.imaging.GrayImage;
import dev.causalcxr.core.metrics.classification.Auroc;
import dev.causalcxr.core.metrics.image.ImageErrors;
import dev.causalcxr.core.metrics.image.MaskedError;
import dev.causalcxr.core.metrics.image.Ssim;
import dev.causalcxr.core.metrics.linalg.DenseMatrices;
import dev.causalcxr.core.metrics.probe.LinearProbe;
import dev.causalcxr.core.metrics.probe.LinearProbeConfig;
import dev.causalcxr.core.metrics.probe.ProbeResult;
import dev.causalcxr.core.phantom.PhantomRenderer;
import dev.causalcxr.core.random.SplitMix64;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.IntStream;

/** Test-split metrics and pictures of a trained {@link DisentanglerModel}. */
public final class DisentanglerEvaluator {

    private static final int RECON_GRID_STUDIES = 16;

    private DisentanglerEvaluator() {}

    /** (A, B): A's anatomy, B's pathology; B has findings and is another patient. */
    record SwapPair(int anatomy, int pathology) {}

    public static DisentanglerMetrics evaluate(DisentanglerModel model, DisentanglerDataset data, long seed) {
        int[] test = data.indices(Split.TEST);
        if (test.length == 0) {
            throw new IllegalArgumentException("the data set has no test studies");
        }
        int size = data.size();
        List<float[]> images =
                IntStream.of(test).mapToObj(i -> data.studies().get(i).pixels()).toList();
        DisentanglerModel.Encoding codes = model.encode(images);
        List<GrayImage> recon = model.decode(codes.identity(), codes.pathMean());
        double ssim = 0;
        double psnr = 0;
        for (int i = 0; i < test.length; i++) {
            float[] r = recon.get(i).toFloat();
            ssim += Ssim.compute(r, images.get(i), size, size, 1.0);
            psnr += ImageErrors.psnr(r, images.get(i), 1.0);
        }
        ssim /= test.length;
        psnr /= test.length;

        double[] swap = swapMetrics(model, data, test, codes, seed);

        int[] primary = IntStream.of(test)
                .map(i -> data.primaryClass(data.studies().get(i)))
                .toArray();
        int[] patient =
                IntStream.of(test).map(i -> data.studies().get(i).patient()).toArray();
        LinearProbeConfig probe = LinearProbeConfig.defaults(seed);
        ProbeResult zIdFinding = probe(DenseMatrices.toDouble(codes.pooledIdentity()), primary, probe);
        ProbeResult zPathFinding = probe(DenseMatrices.toDouble(codes.pathMean()), primary, probe);
        ProbeResult zPathIdentity = probe(DenseMatrices.toDouble(codes.pathMean()), patient, probe);
        return new DisentanglerMetrics(
                ssim,
                psnr,
                swap[0],
                swap[1],
                swap[2],
                swap[3],
                swap[4],
                swap[5],
                zIdFinding == null ? Double.NaN : zIdFinding.balancedAccuracy(),
                zPathFinding == null ? Double.NaN : zPathFinding.balancedAccuracy(),
                zPathIdentity == null ? Double.NaN : zPathIdentity.balancedAccuracy(),
                zIdFinding == null ? Double.NaN : zIdFinding.chanceBalancedAccuracy(),
                zPathIdentity == null ? Double.NaN : zPathIdentity.chanceBalancedAccuracy(),
                test.length,
                (int) swap[6]);
    }

    private static ProbeResult probe(double[][] features, int[] labels, LinearProbeConfig cfg) {
        if (Arrays.stream(labels).distinct().count() < 2) {
            return null;
        }
        return LinearProbe.evaluate(features, labels, cfg);
    }

    /**
     * Deterministic swap pairs among the test studies that have phantom ground truth; the pathology
     * side shows a finding (its rendered findings, whatever its labels say).
     */
    static List<SwapPair> swapPairs(DisentanglerDataset data, int[] test, int count, long seed) {
        int[] anatomies = IntStream.of(test)
                .filter(i -> data.studies().get(i).hasGroundTruth())
                .toArray();
        int[] pathologies = IntStream.of(anatomies)
                .filter(i -> !data.studies().get(i).truthFindings().isEmpty()
                        && DisentanglerDataset.renderable(data.studies().get(i).truthFindings()))
                .toArray();
        List<SwapPair> pairs = new ArrayList<>();
        if (anatomies.length == 0 || pathologies.length == 0) {
            return pairs;
        }
        SplitMix64 rng = new SplitMix64(SplitMix64.derive(seed, 0x5BA9));
        for (int attempt = 0; pairs.size() < count && attempt < 20 * count; attempt++) {
            int a = anatomies[rng.nextInt(anatomies.length)];
            int b = pathologies[rng.nextInt(pathologies.length)];
            if (data.studies().get(a).patient() != data.studies().get(b).patient()) {
                pairs.add(new SwapPair(a, b));
            }
        }
        return pairs;
    }

    /** swap SSIM, PSNR, MAE in mask, MAE out of mask, no-swap SSIM, no-swap MAE in mask, pair count. */
    private static double[] swapMetrics(
            DisentanglerModel model,
            DisentanglerDataset data,
            int[] test,
            DisentanglerModel.Encoding codes,
            long seed) {
        List<SwapPair> pairs = swapPairs(data, test, model.config().evalPairs(), seed);
        if (pairs.isEmpty()) {
            return new double[] {Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0};
        }
        int[] position = new int[data.studies().size()];
        for (int i = 0; i < test.length; i++) {
            position[test[i]] = i;
        }
        int n = pairs.size();
        float[][] identity = new float[2 * n][];
        float[][] pathology = new float[2 * n][];
        for (int k = 0; k < n; k++) {
            identity[k] = codes.identity()[position[pairs.get(k).anatomy()]];
            pathology[k] = codes.pathMean()[position[pairs.get(k).pathology()]];
            // the no-swap baseline: A's own reconstruction
            identity[n + k] = identity[k];
            pathology[n + k] = codes.pathMean()[position[pairs.get(k).anatomy()]];
        }
        List<GrayImage> decoded = model.decode(identity, pathology);
        int size = data.size();
        double ssim = 0;
        double psnr = 0;
        double in = 0;
        double out = 0;
        double baseSsim = 0;
        double baseIn = 0;
        int inCount = 0;
        for (int k = 0; k < n; k++) {
            SwapPair p = pairs.get(k);
            // the exact swap: A's anatomy with what B's image shows
            DisentanglerDataset.Counterfactual gt = data.counterfactual(
                    data.studies().get(p.anatomy()),
                    data.studies().get(p.pathology()).truthFindings());
            float[] truth = gt.image().toFloat();
            float[] swapped = decoded.get(k).toFloat();
            float[] baseline = decoded.get(n + k).toFloat();
            ssim += Ssim.compute(swapped, truth, size, size, 1.0);
            psnr += ImageErrors.psnr(swapped, truth, 1.0);
            baseSsim += Ssim.compute(baseline, truth, size, size, 1.0);
            MaskedError e = ImageErrors.maskedAbsoluteError(swapped, truth, gt.findingMask());
            MaskedError b = ImageErrors.maskedAbsoluteError(baseline, truth, gt.findingMask());
            out += e.outsideMeanAbsoluteError();
            if (e.insidePixels() > 0) {
                in += e.insideMeanAbsoluteError();
                baseIn += b.insideMeanAbsoluteError();
                inCount++;
            }
        }
        return new double[] {
            ssim / n,
            psnr / n,
            inCount == 0 ? Double.NaN : in / inCount,
            out / n,
            baseSsim / n,
            inCount == 0 ? Double.NaN : baseIn / inCount,
            n
        };
    }

    /**
     * Whether the pathology encoder reads each finding from the phantom's exact image of it: for every finding the
     * head predicts and the phantom draws, up to {@code perClass} test studies without it (seeded), each with the
     * finding added by the renderer; the finding head on the encoder's code of that image ({@code
     * exact_read__<finding>}: the share it calls present) and on the study's own code ({@code
     * exact_read_false_positive__<finding>}), and how well the head's probability tells the two apart without a
     * threshold ({@code exact_read_auroc__<finding>}), with {@code exact_read_min} and {@code exact_read_mean} of the
     * shares over the findings. The counterfactual stage's code oracle asks the same on the training split's
     * requests; this one answers at the end of training, before any diffusion, so an encoder that misses a finding
     * is seen where it is made. Empty without phantom ground truth.
     */
    public static Map<String, Double> exactFindingReading(
            DisentanglerModel model, DisentanglerDataset data, int perClass, long seed) {
        if (model.vocabulary().isEmpty()) {
            return new TreeMap<>();
        }
        PathologyScorer head = model.findingScorer();
        return exactFindingReading(
                head.findings(),
                images -> {
                    try (NDManager m = Engines.pytorch().newBaseManager(head.device())) {
                        return head.probabilities(m, model.encode(images).pathMean());
                    }
                },
                data,
                perClass,
                seed);
    }

    /**
     * {@link #exactFindingReading(DisentanglerModel, DisentanglerDataset, int, long)} with any reader of images:
     * {@code read} gives, per image, the probability of each of {@code findings} in that order.
     */
    static Map<String, Double> exactFindingReading(
            List<Finding> findings,
            Function<List<float[]>, float[][]> read,
            DisentanglerDataset data,
            int perClass,
            long seed) {
        int[] sources = IntStream.of(data.indices(Split.TEST))
                .filter(i -> data.studies().get(i).hasGroundTruth()
                        && DisentanglerDataset.renderable(data.studies().get(i).truthFindings()))
                .toArray();
        Map<String, Double> out = new TreeMap<>();
        if (sources.length == 0 || perClass <= 0 || findings.isEmpty()) {
            return out;
        }
        // the reading of every source's own image, once: each finding reads its false positives from these
        float[][] ownRead = read.apply(IntStream.of(sources)
                .mapToObj(i -> data.studies().get(i).pixels())
                .toList());
        double min = Double.NaN;
        double sum = 0;
        int classes = 0;
        for (int col = 0; col < findings.size(); col++) {
            Finding f = findings.get(col);
            if (!PhantomRenderer.RENDERABLE.contains(f)) {
                continue;
            }
            // positions in sources of the studies without f
            int[] lacking = IntStream.range(0, sources.length)
                    .filter(k -> data.studies().get(sources[k]).truthFindings().stream()
                            .noneMatch(m -> m.finding() == f))
                    .toArray();
            new SplitMix64(SplitMix64.derive(seed, 0xE8AC7L + f.ordinal())).shuffle(lacking);
            int n = Math.min(perClass, lacking.length);
            if (n == 0) {
                continue;
            }
            List<float[]> exact = new ArrayList<>(n);
            for (int k = 0; k < n; k++) {
                DisentanglerDataset.Study s = data.studies().get(sources[lacking[k]]);
                List<FindingMention> withF = new ArrayList<>(s.truthFindings());
                withF.add(FindingMention.present(f, null, null, null));
                exact.add(data.counterfactual(s, withF).image().toFloat());
            }
            float[][] exactRead = read.apply(exact);
            double hits = 0;
            double falsePositives = 0;
            // exact images against their sources, threshold-free: the reading a positive weight or a bias
            // does not move
            boolean[] isExact = new boolean[2 * n];
            double[] scores = new double[2 * n];
            for (int k = 0; k < n; k++) {
                float own = ownRead[lacking[k]][col];
                hits += exactRead[k][col] > 0.5f ? 1 : 0;
                falsePositives += own > 0.5f ? 1 : 0;
                isExact[k] = true;
                scores[k] = exactRead[k][col];
                scores[n + k] = own;
            }
            double share = hits / n;
            out.put("exact_read__" + f.key(), share);
            out.put("exact_read_false_positive__" + f.key(), falsePositives / n);
            out.put("exact_read_auroc__" + f.key(), Auroc.binary(isExact, scores));
            min = Double.isNaN(min) ? share : Math.min(min, share);
            sum += share;
            classes++;
        }
        if (classes > 0) {
            out.put("exact_read_min", min);
            out.put("exact_read_mean", sum / classes);
        }
        return out;
    }

    /** Originals next to their reconstructions, for the first test studies. */
    public static void writeReconstructionGrid(DisentanglerModel model, DisentanglerDataset data, Path file)
            throws IOException {
        int[] test = data.indices(Split.TEST);
        int n = Math.min(RECON_GRID_STUDIES, test.length);
        List<float[]> images = IntStream.range(0, n)
                .mapToObj(i -> data.studies().get(test[i]).pixels())
                .toList();
        DisentanglerModel.Encoding codes = model.encode(images);
        List<GrayImage> recon = model.decode(codes.identity(), codes.pathMean());
        ContactSheet.Builder sheet =
                ContactSheet.builder().cellSize(Math.max(64, data.size())).columns(8);
        for (int i = 0; i < n; i++) {
            sheet.add(GrayImage.fromUnit(data.size(), data.size(), images.get(i)), "INPUT");
            sheet.add(recon.get(i), "RECON");
        }
        sheet.writePng(file);
    }

    /**
     * The swap grid: one row per identity A, one column pair per pathology B. The first row shows the
     * B sources; each later row starts with A, then for every B the swap D(z_id(A), z_path(B)) and,
     * where phantom ground truth exists, the exact counterfactual next to it.
     */
    public static void writeSwapGrid(DisentanglerModel model, DisentanglerDataset data, Path file, long seed)
            throws IOException {
        int[] test = data.indices(Split.TEST);
        DisentanglerConfig cfg = model.config();
        List<SwapPair> pairs = swapPairs(data, test, 4 * cfg.gridPathologies() * cfg.gridIdentities(), seed);
        List<Integer> rows = new ArrayList<>();
        List<Integer> columns = new ArrayList<>();
        for (SwapPair p : pairs) {
            if (rows.size() < cfg.gridIdentities() && !rows.contains(p.anatomy())) {
                rows.add(p.anatomy());
            }
            if (columns.size() < cfg.gridPathologies() && !columns.contains(p.pathology())) {
                columns.add(p.pathology());
            }
        }
        if (rows.isEmpty()) {
            // data without ground truth: identities and pathologies are simply test studies
            for (int i = 0; i < test.length && rows.size() < cfg.gridIdentities(); i++) {
                rows.add(test[i]);
            }
            for (int i = test.length - 1; i >= 0 && columns.size() < cfg.gridPathologies(); i--) {
                columns.add(test[i]);
            }
        }
        List<float[]> rowImages =
                rows.stream().map(i -> data.studies().get(i).pixels()).toList();
        List<float[]> colImages =
                columns.stream().map(i -> data.studies().get(i).pixels()).toList();
        DisentanglerModel.Encoding rowCodes = model.encode(rowImages);
        DisentanglerModel.Encoding colCodes = model.encode(colImages);
        float[][] identity = new float[rows.size() * columns.size()][];
        float[][] pathology = new float[identity.length][];
        for (int r = 0; r < rows.size(); r++) {
            for (int c = 0; c < columns.size(); c++) {
                identity[r * columns.size() + c] = rowCodes.identity()[r];
                pathology[r * columns.size() + c] = colCodes.pathMean()[c];
            }
        }
        List<GrayImage> swaps = model.decode(identity, pathology);
        int size = data.size();
        GrayImage blank = GrayImage.fromUnit(size, size, new float[size * size]);
        ContactSheet.Builder sheet =
                ContactSheet.builder().cellSize(Math.max(64, size)).columns(1 + 2 * columns.size());
        sheet.add(blank, null);
        for (int c = 0; c < columns.size(); c++) {
            sheet.add(GrayImage.fromUnit(size, size, colImages.get(c)), "PATH " + (c + 1));
            sheet.add(blank, null);
        }
        for (int r = 0; r < rows.size(); r++) {
            DisentanglerDataset.Study a = data.studies().get(rows.get(r));
            sheet.add(GrayImage.fromUnit(size, size, rowImages.get(r)), "ID " + (r + 1));
            for (int c = 0; c < columns.size(); c++) {
                sheet.add(swaps.get(r * columns.size() + c), "SWAP");
                DisentanglerDataset.Study b = data.studies().get(columns.get(c));
                if (a.hasGroundTruth() && b.hasGroundTruth() && DisentanglerDataset.renderable(b.truthFindings())) {
                    sheet.add(data.counterfactual(a, b.truthFindings()).image(), "TRUTH");
                } else {
                    sheet.add(blank, "NO TRUTH");
                }
            }
        }
        sheet.writePng(file);
    }
}
