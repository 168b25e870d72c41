package dev.causalcxr.core.counterfactual;

import ai.djl.ndarray.NDManager;
import dev.causalcxr.core.dataset.Split;
import dev.causalcxr.core.diffusion.Condition;
import dev.causalcxr.core.diffusion.DiffusionMetrics;
import dev.causalcxr.core.diffusion.PathologyScorer;
import dev.causalcxr.core.diffusion.SamplerConfig;
import dev.causalcxr.core.diffusion.SeedStreams;
import dev.causalcxr.core.disentangle.DisentanglerDataset;
import dev.causalcxr.core.disentangle.DisentanglerModel;
import dev.causalcxr.core.engine.Engines;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.imaging.GrayImage;
import dev.causalcxr.core.metrics.image.ImageErrors;
import dev.causalcxr.core.metrics.image.Ssim;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;

/**
 * Counterfactual soundness over (source study, target condition) pairs (DESIGN.md, "Metrics"):
 *
 * <ul>
 *   <li>{@value #EFFECTIVENESS}: fraction of counterfactuals whose re-encoded z_path gets an aux-head
 *       probability &gt; 0.5 for the added finding; for the "no finding" (removal) condition, whose
 *       probability is &lt; 0.5 for every finding removed;</li>
 *   <li>{@value #IDENTITY_SSIM} / {@value #IDENTITY_PSNR}: to the source outside the finding region
 *       (the union of the phantom masks of the source's and the condition's findings), the whole image
 *       without ground truth;</li>
 *   <li>{@value #GT_SSIM}: to the exact phantom counterfactual (NaN without ground truth);</li>
 *   <li>{@value #GT_SSIM_MASK}: the same inside the finding region only, where the finding is drawn
 *       (NaN without ground truth);</li>
 *   <li>{@value #COMPOSITION_SSIM}: the source conditioned on its own findings, to the source; per finding
 *       ({@code __<finding key>}), over the sources that show it;</li>
 *   <li>{@value #REVERSIBILITY_SSIM}: each counterfactual taken back to the source's condition by the
 *       generator (codes sampled with the pair's seed), to the source;</li>
 *   <li>{@value #DIVERSITY}: mean pairwise RMS pixel distance between the n samples of one pair;</li>
 *   <li>{@value #DIVERSITY_TRUTH}: the same distance between n exact phantom counterfactuals of the pair, the
 *       added finding drawn anew in each as the data set's own studies show it ({@link PhantomVariation}):
 *       the variation a generator should reach (NaN without ground truth and for removals);</li>
 *   <li>{@value #DIVERSITY_REGION} and {@value #DIVERSITY_TRUTH_REGION}: both diversities restricted to the
 *       pixels where the exact counterfactuals vary (where the added finding can land), and
 *       {@value #DIVERSITY_REGION_SHARE}: the share of the generator's sample-to-sample squared differences
 *       that falls there (1 for the phantom's own variation): variety of the finding, not noise over the whole
 *       image (NaN without ground truth, for removals and where the exact counterfactuals do not vary);</li>
 *   <li>{@value #JUDGE_EFFECTIVENESS} (when a {@link FindingJudge} is given): effectiveness as above, but
 *       decided by that image classifier, which the generator never trained with or against, instead of
 *       the generator's own finding head on re-encoded codes;</li>
 *   <li>attribute amplification, the findings a request did not ask to change (every finding the reader
 *       predicts but the one added, the ones removed and "No Finding"), read on the source and on each of its
 *       counterfactuals: {@value #OFF_TARGET_CHANGE}, the mean |Δ probability|; {@value #OFF_TARGET_FLIPS}, the
 *       share whose decision at 0.5 flips; {@value #AMPLIFICATION}, the largest rise of one of them (0 when none
 *       rises). Read by the finding head on re-encoded codes and, with a judge, by the judge (suffix
 *       {@value #JUDGED}). {@value #AMPLIFICATION_TRUTH} reads the exact phantom counterfactual the same way: the
 *       rise the reader itself sees where only the asked-for finding changed (NaN without ground truth).</li>
 *   <li>{@value #EFFECTIVENESS_TRUTH}: effectiveness of the exact phantom counterfactual of each pair, read as the
 *       generator's counterfactuals are (the finding head on its re-encoded code; with a judge also by the judge,
 *       suffix {@value #JUDGED}): the most a generator can score by that reader, per class the ceiling a class's
 *       effectiveness is read against (NaN without ground truth).</li>
 * </ul>
 * Overall values are means over all counterfactuals (composition: over sources); per-class values
 * carry the suffix {@code __<finding key>} or {@value #REMOVAL_CLASS}.
 */
public final class CounterfactualMetrics {

    public static final String EFFECTIVENESS = "cf_effectiveness";
    public static final String IDENTITY_SSIM = "cf_identity_ssim";
    public static final String IDENTITY_PSNR = "cf_identity_psnr";
    public static final String GT_SSIM = "cf_gt_ssim";
    public static final String GT_SSIM_MASK = "cf_gt_ssim_mask";
    public static final String COMPOSITION_SSIM = "cf_composition_ssim";
    public static final String REVERSIBILITY_SSIM = "cf_reversibility_ssim";
    public static final String DIVERSITY = "cf_diversity";
    public static final String DIVERSITY_TRUTH = "cf_diversity_truth";
    public static final String DIVERSITY_REGION = "cf_diversity_region";
    public static final String DIVERSITY_TRUTH_REGION = "cf_diversity_truth_region";
    public static final String DIVERSITY_REGION_SHARE = "cf_diversity_region_share";
    /** Effectiveness by the independent image judge (absent without one). */
    public static final String JUDGE_EFFECTIVENESS = "cf_effectiveness_judge";
    /** Attribute amplification: mean |Δ probability| of the findings a request did not ask to change. */
    public static final String OFF_TARGET_CHANGE = "cf_off_target_change";
    /** Attribute amplification: the share of those findings whose decision at 0.5 flips. */
    public static final String OFF_TARGET_FLIPS = "cf_off_target_flips";
    /** Attribute amplification: the largest rise of one of those findings, 0 when none rises. */
    public static final String AMPLIFICATION = "cf_amplification";
    /** {@value #AMPLIFICATION} of the exact phantom counterfactual: what the reader itself confuses (NaN without truth). */
    public static final String AMPLIFICATION_TRUTH = "cf_amplification_truth";
    /** {@value #EFFECTIVENESS} of the exact phantom counterfactual: the reader's ceiling (NaN without truth). */
    public static final String EFFECTIVENESS_TRUTH = "cf_effectiveness_truth";
    /** The suffix of a metric read by the independent judge instead of the finding head. */
    public static final String JUDGED = "_judge";
    /** The class key of the removal ("No Finding") condition. */
    public static final String REMOVAL_CLASS = "no_finding";
    /** The summary keys, overall. */
    public static final List<String> KEYS = List.of(
            EFFECTIVENESS,
            IDENTITY_SSIM,
            IDENTITY_PSNR,
            GT_SSIM,
            GT_SSIM_MASK,
            COMPOSITION_SSIM,
            REVERSIBILITY_SSIM,
            DIVERSITY,
            DIVERSITY_TRUTH,
            DIVERSITY_REGION,
            DIVERSITY_TRUTH_REGION,
            DIVERSITY_REGION_SHARE,
            OFF_TARGET_CHANGE,
            OFF_TARGET_FLIPS,
            AMPLIFICATION,
            AMPLIFICATION_TRUTH,
            EFFECTIVENESS_TRUTH);
    /** PSNR of (nearly) identical pixels is capped here so that means stay finite. */
    static final double PSNR_CAP = 100.0;

    private CounterfactualMetrics() {}

    /**
     * One (source, condition) pair.
     *
     * @param sourceIndex index of the source study in the data set
     * @param classKey    the target finding's key, or {@value #REMOVAL_CLASS}
     * @param target      the finding added, or null for removal
     * @param removed     the findings removed (removal pairs)
     * @param condition   the condition sampled
     */
    public record Pair(int sourceIndex, String classKey, Finding target, Set<Finding> removed, Condition condition) {
        public boolean isRemoval() {
            return target == null;
        }
    }

    /** The metric values. */
    public record Result(
            Map<String, Double> summary, int pairs, int counterfactuals, List<AmplificationCell> amplification) {}

    /** The finding head's reading, in {@link AmplificationCell#reader()}. */
    public static final String READER_HEAD = "finding_head";
    /** The independent judge's reading, in {@link AmplificationCell#reader()}. */
    public static final String READER_JUDGE = "judge";

    /**
     * How much a request for one class moved a reader's probability of one finding it did not ask to change: the
     * mean of cf − source over the class's counterfactuals (positive: amplified).
     *
     * @param reader    {@value #READER_HEAD} or {@value #READER_JUDGE}
     * @param requested the class key asked for, or {@value #REMOVAL_CLASS}
     */
    public record AmplificationCell(String reader, String requested, Finding other, double meanChange, int count) {}

    /**
     * For every condition, up to {@code sourcesPerCondition} studies of {@code split} (seeded order) that
     * lack the finding (removal: that have a finding); studies whose exact counterfactual the phantom can
     * render come first. A study showing a finding the generator was never trained on is no source: its
     * own condition cannot be written for the model (a finding seen only in the test split, which a
     * site's split can give).
     *
     * @param conditions findings to add; {@link Finding#NO_FINDING} means "remove the source's findings"
     */
    public static List<Pair> pairs(
            CounterfactualGenerator gen,
            DisentanglerDataset data,
            Split split,
            List<Finding> conditions,
            int sourcesPerCondition,
            long seed) {
        int[] candidates = data.indices(split);
        if (candidates.length == 0) {
            throw new IllegalArgumentException("the data set has no " + split + " studies to take sources from");
        }
        Set<Finding> known = EnumSet.copyOf(gen.knownFindings());
        List<Pair> out = new ArrayList<>();
        for (Finding f : new LinkedHashSet<>(conditions)) {
            boolean removal = f == Finding.NO_FINDING;
            long classSeed = SeedStreams.of(seed, f.ordinal());
            List<Integer> eligible = new ArrayList<>();
            for (int i : candidates) {
                DisentanglerDataset.Study s = data.studies().get(i);
                boolean has = s.findings().stream().anyMatch(m -> m.finding() == f);
                boolean expressible = s.findings().stream().allMatch(m -> known.contains(m.finding()));
                if (expressible && (removal ? !s.findings().isEmpty() : !has)) {
                    eligible.add(i);
                }
            }
            eligible.sort(Comparator.comparing(
                            (Integer i) -> !renderable(data.studies().get(i), f))
                    .thenComparingLong(i -> SeedStreams.of(
                            classSeed, data.studies().get(i).studyId().hashCode()))
                    .thenComparing(i -> data.studies().get(i).studyId()));
            for (int i : eligible.subList(0, Math.min(sourcesPerCondition, eligible.size()))) {
                DisentanglerDataset.Study s = data.studies().get(i);
                if (removal) {
                    Set<Finding> removed = EnumSet.noneOf(Finding.class);
                    s.findings().forEach(m -> removed.add(m.finding()));
                    out.add(new Pair(
                            i,
                            REMOVAL_CLASS,
                            null,
                            removed,
                            gen.intervene(
                                    s.findings(),
                                    List.of(FindingMention.present(Finding.NO_FINDING, null, null, null)))));
                } else {
                    out.add(new Pair(
                            i,
                            f.key(),
                            f,
                            Set.of(),
                            gen.intervene(s.findings(), List.of(FindingMention.present(f, null, null, null)))));
                }
            }
        }
        return out;
    }

    private static boolean renderable(DisentanglerDataset.Study s, Finding added) {
        if (!s.hasGroundTruth() || !DisentanglerDataset.renderable(s.truthFindings())) {
            return false;
        }
        return added == Finding.NO_FINDING
                || DisentanglerDataset.renderable(List.of(FindingMention.present(added, null, null, null)));
    }

    /**
     * Evaluates the pairs: n counterfactuals each, seeds {@code SeedStreams.of(seed, pair index)}.
     *
     * @param progress called with (pairs done, pairs) after each pair
     * @param cancelled checked before each pair; a cancelled run throws {@link CancellationException}
     */
    public static Result evaluate(
            CounterfactualGenerator gen,
            DisentanglerDataset data,
            List<Pair> pairs,
            int n,
            SamplerConfig sampler,
            long seed,
            BiConsumer<Integer, Integer> progress,
            BooleanSupplier cancelled) {
        return evaluate(gen, data, pairs, n, sampler, seed, null, progress, cancelled);
    }

    /**
     * As {@link #evaluate(CounterfactualGenerator, DisentanglerDataset, List, int, SamplerConfig, long, BiConsumer,
     * BooleanSupplier)}, with effectiveness also decided by an independent judge (null: none); its values are
     * {@value #JUDGE_EFFECTIVENESS} overall and per class. The generated images and seeds are the same.
     */
    public static Result evaluate(
            CounterfactualGenerator gen,
            DisentanglerDataset data,
            List<Pair> pairs,
            int n,
            SamplerConfig sampler,
            long seed,
            FindingJudge judge,
            BiConsumer<Integer, Integer> progress,
            BooleanSupplier cancelled) {
        if (n < 2) {
            throw new IllegalArgumentException(
                    "the metrics need n >= 2 counterfactuals per pair (diversity), got " + n);
        }
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("no (source, condition) pairs to evaluate");
        }
        PathologyScorer scorer = gen.findingScorer();
        DisentanglerModel model = gen.disentangler();
        int size = gen.imageSize();
        Map<String, Acc> perClass = new TreeMap<>();
        Acc all = new Acc();
        Map<Integer, Double> composition = new LinkedHashMap<>();
        PhantomVariation variation = null;
        // reader → requested class → other finding → [Σ(cf − source), count]
        Map<String, Map<String, Map<Finding, double[]>>> cells = new TreeMap<>();
        int done = 0;
        for (int p = 0; p < pairs.size(); p++) {
            if (cancelled.getAsBoolean()) {
                throw new CancellationException(
                        "counterfactual metrics cancelled after " + p + " of " + pairs.size() + " pairs");
            }
            Pair pair = pairs.get(p);
            DisentanglerDataset.Study source = data.studies().get(pair.sourceIndex());
            GrayImage sourceImage = GrayImage.fromUnit(size, size, source.pixels());
            float[] src = source.pixels();
            long pairSeed = SeedStreams.of(seed, p);
            CounterfactualGenerator.Generation g =
                    gen.generateDetailed(sourceImage, pair.condition(), pair.target(), n, pairSeed, sampler);
            List<float[]> cfs = g.images().stream().map(GrayImage::toFloat).toList();
            DisentanglerModel.Encoding enc = model.encode(cfs);
            Acc acc = perClass.computeIfAbsent(pair.classKey(), k -> new Acc());

            // effectiveness on the re-encoded pathology codes, and what else the request changed
            float[][] probs;
            float[] sourceProbs;
            float[] sourceJudged = null;
            try (NDManager m = Engines.pytorch().newBaseManager(scorer.device())) {
                probs = scorer.probabilities(m, enc.pathMean());
                sourceProbs = scorer.probabilities(m, model.encode(List.of(src)).pathMean())[0];
            }
            for (float[] pr : probs) {
                double e = effective(scorer, pair, pr);
                acc.add(Metric.EFFECTIVENESS, e);
                all.add(Metric.EFFECTIVENESS, e);
                OffTarget o = OffTarget.of(scorer.findings(), pair, sourceProbs, pr);
                acc.add(o, false);
                all.add(o, false);
                OffTarget.accumulate(scorer.findings(), pair, sourceProbs, pr, cellsFor(cells, READER_HEAD, pair));
            }
            if (judge != null) {
                sourceJudged = judge.probabilities(List.of(src))[0];
                for (float[] pr : judge.probabilities(cfs)) {
                    double e = effective(judge.findings(), pair, pr);
                    acc.add(Metric.JUDGE_EFFECTIVENESS, e);
                    all.add(Metric.JUDGE_EFFECTIVENESS, e);
                    OffTarget o = OffTarget.of(judge.findings(), pair, sourceJudged, pr);
                    acc.add(o, true);
                    all.add(o, true);
                    OffTarget.accumulate(judge.findings(), pair, sourceJudged, pr, cellsFor(cells, READER_JUDGE, pair));
                }
            }

            // identity outside the finding region, and the exact counterfactual where known: the source's
            // anatomy showing what was asked for; the region is where the asked-for findings and what the
            // source image really shows lie (its rendered findings, whatever its labels say)
            boolean[] outside = null;
            boolean[] inside = null;
            float[] truth = null;
            DisentanglerDataset.Counterfactual exact = exactCounterfactual(data, pair);
            if (exact != null) {
                boolean[] sourceMask =
                        data.counterfactual(source, source.truthFindings()).findingMask();
                boolean[] region = exact.findingMask().clone();
                for (int i = 0; i < region.length; i++) {
                    region[i] |= sourceMask[i];
                }
                outside = ImageErrors.invert(region);
                inside = region;
                truth = exact.image().toFloat();
            }
            if (truth != null) {
                // what the readers see change in the exact counterfactual: their own confusion of findings, what a
                // perfect generator would score
                float[] truthRead;
                try (NDManager m = Engines.pytorch().newBaseManager(scorer.device())) {
                    truthRead =
                            scorer.probabilities(m, model.encode(List.of(truth)).pathMean())[0];
                }
                double headRise = OffTarget.of(scorer.findings(), pair, sourceProbs, truthRead)
                        .largestRise();
                acc.add(Metric.AMPLIFICATION_TRUTH, headRise);
                all.add(Metric.AMPLIFICATION_TRUTH, headRise);
                double headSees = effective(scorer, pair, truthRead);
                acc.add(Metric.EFFECTIVENESS_TRUTH, headSees);
                all.add(Metric.EFFECTIVENESS_TRUTH, headSees);
                if (judge != null) {
                    float[] truthJudged = judge.probabilities(List.of(truth))[0];
                    double rise = OffTarget.of(judge.findings(), pair, sourceJudged, truthJudged)
                            .largestRise();
                    acc.add(Metric.AMPLIFICATION_TRUTH_JUDGE, rise);
                    all.add(Metric.AMPLIFICATION_TRUTH_JUDGE, rise);
                    double judgeSees = effective(judge.findings(), pair, truthJudged);
                    acc.add(Metric.EFFECTIVENESS_TRUTH_JUDGE, judgeSees);
                    all.add(Metric.EFFECTIVENESS_TRUTH_JUDGE, judgeSees);
                }
            }
            for (float[] cf : cfs) {
                double ssim = outside == null
                        ? Ssim.compute(cf, src, size, size, 1.0)
                        : Ssim.computeOver(cf, src, size, size, 1.0, outside);
                double psnr = Math.min(
                        PSNR_CAP,
                        outside == null ? ImageErrors.psnr(cf, src, 1.0) : ImageErrors.psnr(cf, src, 1.0, outside));
                double gt = truth == null ? Double.NaN : Ssim.compute(cf, truth, size, size, 1.0);
                // NaN where the region is empty (a removal from a source that shows nothing)
                double gtInside = truth == null ? Double.NaN : Ssim.computeOver(cf, truth, size, size, 1.0, inside);
                acc.add(Metric.IDENTITY_SSIM, ssim);
                all.add(Metric.IDENTITY_SSIM, ssim);
                acc.add(Metric.IDENTITY_PSNR, psnr);
                all.add(Metric.IDENTITY_PSNR, psnr);
                acc.add(Metric.GT_SSIM, gt);
                all.add(Metric.GT_SSIM, gt);
                acc.add(Metric.GT_SSIM_MASK, gtInside);
                all.add(Metric.GT_SSIM_MASK, gtInside);
            }

            // reversibility: each counterfactual taken back to the source's own condition, as the generator
            // makes any counterfactual of an image
            Condition back = gen.resolve(Condition.ofStudy(source.findings()));
            float[][] backCodes = gen.sampleCodes(back, n, pairSeed, sampler);
            List<GrayImage> restored = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                // the counterfactuals are encoded above already: their codes, not a second encoding
                restored.addAll(gen.withPathology(
                        g.images().get(i), enc.identity()[i], enc.pathMean()[i], new float[][] {backCodes[i]}, back));
            }
            for (GrayImage r : restored) {
                double s = Ssim.compute(r.toFloat(), src, size, size, 1.0);
                acc.add(Metric.REVERSIBILITY_SSIM, s);
                all.add(Metric.REVERSIBILITY_SSIM, s);
            }

            double div = diversity(g.images());
            acc.add(Metric.DIVERSITY, div);
            all.add(Metric.DIVERSITY, div);
            if (truth != null && !pair.isRemoval()) {
                if (variation == null) {
                    variation = new PhantomVariation(data);
                }
                List<GrayImage> truthRenders =
                        variation.renders(source, drawnFindings(pair), pair.target(), n, pairSeed);
                double trueDiv = diversity(truthRenders);
                acc.add(Metric.DIVERSITY_TRUTH, trueDiv);
                all.add(Metric.DIVERSITY_TRUTH, trueDiv);
                boolean[] region = varyingPixels(truthRenders);
                double divInRegion = diversity(g.images(), region);
                acc.add(Metric.DIVERSITY_REGION, divInRegion);
                all.add(Metric.DIVERSITY_REGION, divInRegion);
                double trueDivInRegion = diversity(truthRenders, region);
                acc.add(Metric.DIVERSITY_TRUTH_REGION, trueDivInRegion);
                all.add(Metric.DIVERSITY_TRUTH_REGION, trueDivInRegion);
                double share = regionShare(g.images(), region);
                acc.add(Metric.DIVERSITY_REGION_SHARE, share);
                all.add(Metric.DIVERSITY_REGION_SHARE, share);
            }

            // composition: once per source
            if (!composition.containsKey(pair.sourceIndex())) {
                List<GrayImage> same = gen.generate(
                        sourceImage, back, n, SeedStreams.of(seed ^ 0xC0FFEEL, pair.sourceIndex()), sampler);
                double sum = 0;
                for (GrayImage s : same) {
                    sum += Ssim.compute(s.toFloat(), src, size, size, 1.0);
                }
                composition.put(pair.sourceIndex(), sum / same.size());
            }
            done++;
            progress.accept(done, pairs.size());
        }
        Map<String, Double> summary = new LinkedHashMap<>();
        for (Metric m : Metric.values()) {
            if (!m.judged || judge != null) {
                summary.put(m.key, all.mean(m));
            }
        }
        summary.put(
                COMPOSITION_SSIM,
                composition.values().stream()
                        .mapToDouble(Double::doubleValue)
                        .average()
                        .orElse(Double.NaN));
        // keep the documented order of the overall keys
        Map<String, Double> ordered = new LinkedHashMap<>();
        for (String k : KEYS) {
            ordered.put(k, summary.get(k));
        }
        for (Metric m : Metric.values()) {
            if (m.judged && judge != null) {
                ordered.put(m.key, summary.get(m.key));
            }
        }
        perClass.forEach((cls, acc) -> {
            for (Metric m : Metric.values()) {
                if (!m.judged || judge != null) {
                    ordered.put(m.key + "__" + cls, acc.mean(m));
                }
            }
        });
        // per finding: the composition of the sources that show it (a source counts once for each of its findings)
        Map<String, double[]> compositionByFinding = new TreeMap<>();
        composition.forEach((sourceIndex, ssim) -> {
            for (FindingMention m : data.studies().get(sourceIndex).findings()) {
                double[] sumCount =
                        compositionByFinding.computeIfAbsent(m.finding().key(), k -> new double[2]);
                sumCount[0] += ssim;
                sumCount[1]++;
            }
        });
        compositionByFinding.forEach(
                (key, sumCount) -> ordered.put(COMPOSITION_SSIM + "__" + key, sumCount[0] / sumCount[1]));
        List<AmplificationCell> amplification = new ArrayList<>();
        cells.forEach((reader, byClass) ->
                byClass.forEach((cls, byFinding) -> byFinding.forEach((f, sumCount) -> amplification.add(
                        new AmplificationCell(reader, cls, f, sumCount[0] / sumCount[1], (int) sumCount[1])))));
        return new Result(ordered, pairs.size(), all.count(Metric.DIVERSITY) * n, List.copyOf(amplification));
    }

    /**
     * The phantom's exact counterfactual of a pair: the source's anatomy with the condition's findings drawn (none for
     * a removal), or null where there is no ground truth or the phantom cannot draw the source's or the asked-for
     * findings.
     */
    static DisentanglerDataset.Counterfactual exactCounterfactual(DisentanglerDataset data, Pair pair) {
        DisentanglerDataset.Study source = data.studies().get(pair.sourceIndex());
        List<FindingMention> drawn = drawnFindings(pair);
        if (!source.hasGroundTruth()
                || !DisentanglerDataset.renderable(drawn)
                || !DisentanglerDataset.renderable(source.truthFindings())) {
            return null;
        }
        return data.counterfactual(source, drawn);
    }

    /** The findings a pair's condition asks the image to show ("No Finding" draws nothing). */
    private static List<FindingMention> drawnFindings(Pair pair) {
        return pair.condition().present().stream()
                .filter(m -> m.finding() != Finding.NO_FINDING)
                .toList();
    }

    private static Map<Finding, double[]> cellsFor(
            Map<String, Map<String, Map<Finding, double[]>>> cells, String reader, Pair pair) {
        return cells.computeIfAbsent(reader, k -> new TreeMap<>())
                .computeIfAbsent(pair.classKey(), k -> new TreeMap<>());
    }

    private static double effective(PathologyScorer scorer, Pair pair, float[] probabilities) {
        return effective(scorer.findings(), pair, probabilities);
    }

    /** 1 when the probabilities (columns = {@code findings}) show what the pair asked for, 0 when not, NaN when they cannot tell. */
    static double effective(List<Finding> findings, Pair pair, float[] probabilities) {
        if (!pair.isRemoval()) {
            int col = findings.indexOf(pair.target());
            return col < 0 ? Double.NaN : probabilities[col] > 0.5f ? 1 : 0;
        }
        boolean any = false;
        for (Finding f : pair.removed()) {
            int col = findings.indexOf(f);
            if (col >= 0) {
                any = true;
                if (probabilities[col] >= 0.5f) {
                    return 0;
                }
            }
        }
        return any ? 1 : Double.NaN;
    }

    /**
     * The guidance-scale trade-off: for each scale, effectiveness (as in {@link #evaluate}) and pixel
     * diversity averaged over the first {@code maxPairs} pairs that add a finding, same seeds at every scale.
     */
    public static List<DiffusionMetrics.TradeoffPoint> guidanceSweep(
            CounterfactualGenerator gen,
            DisentanglerDataset data,
            List<Pair> pairs,
            List<Float> scales,
            int maxPairs,
            int n,
            SamplerConfig sampler,
            long seed) {
        if (n < 2) {
            throw new IllegalArgumentException("the trade-off needs n >= 2 samples per scale, got " + n);
        }
        List<Pair> chosen =
                pairs.stream().filter(p -> !p.isRemoval()).limit(maxPairs).toList();
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException("no pair adds a finding: nothing to sweep");
        }
        PathologyScorer scorer = gen.findingScorer();
        int size = gen.imageSize();
        List<DiffusionMetrics.TradeoffPoint> points = new ArrayList<>();
        for (float scale : scales) {
            SamplerConfig s = sampler.withGuidance(scale);
            double eff = 0;
            int effCount = 0;
            double div = 0;
            for (int p = 0; p < chosen.size(); p++) {
                Pair pair = chosen.get(p);
                DisentanglerDataset.Study source = data.studies().get(pair.sourceIndex());
                List<GrayImage> images = gen.generateDetailed(
                                GrayImage.fromUnit(size, size, source.pixels()),
                                pair.condition(),
                                pair.target(),
                                n,
                                SeedStreams.of(seed, p),
                                s)
                        .images();
                float[][] codes = gen.disentangler()
                        .encode(images.stream().map(GrayImage::toFloat).toList())
                        .pathMean();
                try (NDManager m = Engines.pytorch().newBaseManager(scorer.device())) {
                    for (float[] pr : scorer.probabilities(m, codes)) {
                        double e = effective(scorer, pair, pr);
                        if (!Double.isNaN(e)) {
                            eff += e;
                            effCount++;
                        }
                    }
                }
                div += diversity(images);
            }
            points.add(new DiffusionMetrics.TradeoffPoint(
                    scale, effCount == 0 ? Double.NaN : eff / effCount, div / chosen.size()));
        }
        return points;
    }

    /** Mean pairwise RMS pixel distance (pixels in [0, 1]) of n ≥ 2 images; 0 means identical samples. */
    public static double diversity(List<GrayImage> images) {
        return diversity(images, null);
    }

    /**
     * Mean pairwise RMS pixel distance of n ≥ 2 images over the pixels where {@code region} is true (every pixel
     * when it is null); NaN when the region is empty.
     */
    public static double diversity(List<GrayImage> images, boolean[] region) {
        if (images.size() < 2) {
            throw new IllegalArgumentException("diversity needs at least 2 images, got " + images.size());
        }
        List<float[]> px = images.stream().map(GrayImage::toFloat).toList();
        double sum = 0;
        int pairs = 0;
        for (int i = 0; i < px.size(); i++) {
            for (int j = i + 1; j < px.size(); j++) {
                sum += Math.sqrt(
                        region == null
                                ? ImageErrors.meanSquaredError(px.get(i), px.get(j))
                                : ImageErrors.meanSquaredError(px.get(i), px.get(j), region));
                pairs++;
            }
        }
        return sum / pairs;
    }

    /** The pixels where the images do not all agree (by more than half a grey level of 8 bits). */
    static boolean[] varyingPixels(List<GrayImage> images) {
        List<float[]> px = images.stream().map(GrayImage::toFloat).toList();
        boolean[] varying = new boolean[px.get(0).length];
        for (int p = 0; p < varying.length; p++) {
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (float[] image : px) {
                min = Math.min(min, image[p]);
                max = Math.max(max, image[p]);
            }
            varying[p] = max - min > 0.5f / 255;
        }
        return varying;
    }

    /**
     * The share of the images' pairwise squared differences that falls inside {@code region}; NaN when the images
     * are all the same.
     */
    static double regionShare(List<GrayImage> images, boolean[] region) {
        List<float[]> px = images.stream().map(GrayImage::toFloat).toList();
        double inside = 0;
        double total = 0;
        for (int i = 0; i < px.size(); i++) {
            for (int j = i + 1; j < px.size(); j++) {
                float[] a = px.get(i);
                float[] b = px.get(j);
                for (int p = 0; p < a.length; p++) {
                    double d = (double) a[p] - b[p];
                    total += d * d;
                    if (region[p]) {
                        inside += d * d;
                    }
                }
            }
        }
        return total == 0 ? Double.NaN : inside / total;
    }

    private enum Metric {
        EFFECTIVENESS(CounterfactualMetrics.EFFECTIVENESS),
        IDENTITY_SSIM(CounterfactualMetrics.IDENTITY_SSIM),
        IDENTITY_PSNR(CounterfactualMetrics.IDENTITY_PSNR),
        GT_SSIM(CounterfactualMetrics.GT_SSIM),
        GT_SSIM_MASK(CounterfactualMetrics.GT_SSIM_MASK),
        REVERSIBILITY_SSIM(CounterfactualMetrics.REVERSIBILITY_SSIM),
        DIVERSITY(CounterfactualMetrics.DIVERSITY),
        DIVERSITY_TRUTH(CounterfactualMetrics.DIVERSITY_TRUTH),
        DIVERSITY_REGION(CounterfactualMetrics.DIVERSITY_REGION),
        DIVERSITY_TRUTH_REGION(CounterfactualMetrics.DIVERSITY_TRUTH_REGION),
        DIVERSITY_REGION_SHARE(CounterfactualMetrics.DIVERSITY_REGION_SHARE),
        OFF_TARGET_CHANGE(CounterfactualMetrics.OFF_TARGET_CHANGE),
        OFF_TARGET_FLIPS(CounterfactualMetrics.OFF_TARGET_FLIPS),
        AMPLIFICATION(CounterfactualMetrics.AMPLIFICATION),
        AMPLIFICATION_TRUTH(CounterfactualMetrics.AMPLIFICATION_TRUTH),
        EFFECTIVENESS_TRUTH(CounterfactualMetrics.EFFECTIVENESS_TRUTH),
        JUDGE_EFFECTIVENESS(CounterfactualMetrics.JUDGE_EFFECTIVENESS, true),
        OFF_TARGET_CHANGE_JUDGE(CounterfactualMetrics.OFF_TARGET_CHANGE + JUDGED, true),
        OFF_TARGET_FLIPS_JUDGE(CounterfactualMetrics.OFF_TARGET_FLIPS + JUDGED, true),
        AMPLIFICATION_JUDGE(CounterfactualMetrics.AMPLIFICATION + JUDGED, true),
        AMPLIFICATION_TRUTH_JUDGE(CounterfactualMetrics.AMPLIFICATION_TRUTH + JUDGED, true),
        EFFECTIVENESS_TRUTH_JUDGE(CounterfactualMetrics.EFFECTIVENESS_TRUTH + JUDGED, true);

        final String key;
        /** Decided by the independent judge: present only when there is one. */
        final boolean judged;

        Metric(String key) {
            this(key, false);
        }

        Metric(String key, boolean judged) {
            this.key = key;
            this.judged = judged;
        }
    }

    /**
     * One counterfactual's reading of the findings its request did not ask to change, against its source's: the
     * mean |Δ probability|, the share whose decision at 0.5 flips and the largest rise (0 when none rises); NaN
     * when the reader predicts no such finding.
     */
    record OffTarget(double meanAbsoluteChange, double flips, double largestRise) {

        /**
         * @param findings the reader's columns
         * @param source   its probabilities on the source image
         * @param cf       its probabilities on the counterfactual
         */
        static OffTarget of(List<Finding> findings, Pair pair, float[] source, float[] cf) {
            double change = 0;
            int flips = 0;
            double rise = 0;
            int n = 0;
            for (int c = 0; c < findings.size(); c++) {
                Finding f = findings.get(c);
                if (!isOffTarget(f, pair)) {
                    continue;
                }
                double delta = (double) cf[c] - source[c];
                change += Math.abs(delta);
                flips += (cf[c] > 0.5f) != (source[c] > 0.5f) ? 1 : 0;
                rise = Math.max(rise, delta);
                n++;
            }
            return n == 0
                    ? new OffTarget(Double.NaN, Double.NaN, Double.NaN)
                    : new OffTarget(change / n, (double) flips / n, rise);
        }

        /** Adds cf − source of every finding the request did not ask to change to {@code into}'s [sum, count]. */
        static void accumulate(
                List<Finding> findings, Pair pair, float[] source, float[] cf, Map<Finding, double[]> into) {
            for (int c = 0; c < findings.size(); c++) {
                Finding f = findings.get(c);
                if (isOffTarget(f, pair)) {
                    double[] sumCount = into.computeIfAbsent(f, k -> new double[2]);
                    sumCount[0] += (double) cf[c] - source[c];
                    sumCount[1]++;
                }
            }
        }

        /** Neither the finding added nor one removed nor "No Finding", which every request changes. */
        private static boolean isOffTarget(Finding f, Pair pair) {
            return f != pair.target() && !pair.removed().contains(f) && f != Finding.NO_FINDING;
        }
    }

    /** Sums and counts per metric, NaN values skipped. */
    private static final class Acc {
        private final double[] sum = new double[Metric.values().length];
        private final int[] count = new int[Metric.values().length];

        void add(Metric m, double v) {
            if (!Double.isNaN(v)) {
                sum[m.ordinal()] += v;
                count[m.ordinal()]++;
            }
        }

        double mean(Metric m) {
            return count[m.ordinal()] == 0 ? Double.NaN : sum[m.ordinal()] / count[m.ordinal()];
        }

        int count(Metric m) {
            return count[m.ordinal()];
        }

        void add(OffTarget o, boolean judged) {
            add(judged ? Metric.OFF_TARGET_CHANGE_JUDGE : Metric.OFF_TARGET_CHANGE, o.meanAbsoluteChange());
            add(judged ? Metric.OFF_TARGET_FLIPS_JUDGE : Metric.OFF_TARGET_FLIPS, o.flips());
            add(judged ? Metric.AMPLIFICATION_JUDGE : Metric.AMPLIFICATION, o.largestRise());
        }
    }
}
