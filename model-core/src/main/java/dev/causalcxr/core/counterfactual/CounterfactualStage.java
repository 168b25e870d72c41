package dev.causalcxr.core.counterfactual;

import ai.djl.ndarray.NDManager;
import dev.causalcxr.core.dataset.PhantomGroundTruth;
import dev.causalcxr.core.dataset.Split;
import dev.causalcxr.core.diffusion.Condition;
import dev.causalcxr.core.diffusion.DiffusionMetrics;
import dev.causalcxr.core.diffusion.DiffusionModel;
import dev.causalcxr.core.diffusion.PathologyScorer;
import dev.causalcxr.core.diffusion.SamplerConfig;
import dev.causalcxr.core.diffusion.SeedStreams;
import dev.causalcxr.core.diffusion.TradeoffPlot;
import dev.causalcxr.core.diffusion.tailnoise.NoisePrior;
import dev.causalcxr.core.disentangle.DisentanglerDataset;
import dev.causalcxr.core.disentangle.DisentanglerModel;
import dev.causalcxr.core.engine.Engines;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.imaging.ContactSheet;
import dev.causalcxr.core.imaging.GrayImage;
import dev.causalcxr.core.labels.StudyLabels;
import dev.causalcxr.core.metrics.classification.Auroc;
import dev.causalcxr.core.spec.StageName;
import dev.causalcxr.core.stage.StageContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code generate-counterfactuals} stage function: counterfactual soundness metrics on the test
 * split, the guidance-scale trade-off, a grid of counterfactuals, and the tail-balancing augmentation
 * set of the training split (plus the same set sampled from N(0, I) when tuned priors are used and the
 * ablation is asked for). Every seed derives from {@link StageContext#seed()}.
 */
public final class CounterfactualStage {

    public static final String NAME = StageName.Labels.GENERATE_COUNTERFACTUALS;
    /** Output: the {@link AugmentationSet} zip. */
    public static final String OUTPUT_AUGMENTATION = "augmentation";
    /** Output: the same augmentation set with N(0, I) initial noise (plain ablation). */
    public static final String OUTPUT_AUGMENTATION_PLAIN = "augmentation-plain";
    /**
     * Output: the decoder's own images of the augmentation set's requests, {@code D(z_id, ẑ_path)} for the very
     * codes each counterfactual used, without the source's pixels added back. Under residual composition a
     * counterfactual keeps its source's pixels, so its fidelity says little about the decoder; these images' does.
     * Under decoded composition they are the augmentation images themselves.
     */
    public static final String OUTPUT_AUGMENTATION_DECODED = "augmentation-decoded";
    /**
     * Output ({@link CounterfactualConfig#codeOracle()}, phantom data only): the augmentation set's requests answered
     * with the pathology code the encoder reads from each request's exact counterfactual, composed as the generator
     * composes. A generator whose sampler drew exactly that code would give these images, so the downstream arm
     * trained on them separates what the autoencoder loses from what sampling the codes loses.
     */
    public static final String OUTPUT_AUGMENTATION_CODE_ORACLE = "augmentation-code-oracle";

    public static final String ARTIFACT_GRID = "counterfactual-grid";
    /** The sampler settings the stage generated with, as its manifest's params: a registered model's defaults. */
    public static final String PARAM_GUIDANCE = "cf.guidance";

    public static final String PARAM_DDIM_STEPS = "cf.ddimSteps";
    public static final String PARAM_ETA = "cf.eta";
    /** Manifest params: the composition the stage's images were made with, and its localization threshold. */
    public static final String PARAM_COMPOSITION = "cf.composition";

    public static final String PARAM_LOCALIZE_THRESHOLD = "cf.localizeThreshold";
    public static final String ARTIFACT_TRADEOFF = "guidance-tradeoff";
    public static final String ARTIFACT_TRADEOFF_TABLE = "guidance-tradeoff.csv";
    /** Per reader, requested class and other finding: how much the request moved that finding's probability. */
    public static final String ARTIFACT_AMPLIFICATION = "cf-amplification.csv";

    public static final String AUGMENTATION_IMAGES = "cf_augmentation_images";

    private static final Logger LOG = LoggerFactory.getLogger(CounterfactualStage.class);
    private static final int GRID_CELL = 96;

    private CounterfactualStage() {}

    /**
     * What the stage produced.
     *
     * @param summary          every summary metric it logged
     * @param augmentation     the augmentation set file
     * @param plainAugmentation the N(0, I) ablation's set, or null
     * @param images           images in the augmentation set
     * @param seconds          wall time
     */
    public record Result(
            Map<String, Double> summary, Path augmentation, Path plainAugmentation, int images, double seconds) {}

    /**
     * Runs the stage on an imported data set folder.
     *
     * @param labels          the finding labels: each source's findings in the requests (conditions) and
     *                        which studies serve as sources
     * @param groundTruthJson the phantom ground truth for the exact-counterfactual metrics, or null for real data
     * @param priors          learned tail-noise priors by finding (may be empty)
     */
    public static Result run(
            CounterfactualConfig cfg,
            Path datasetDir,
            StudyLabels labels,
            Path groundTruthJson,
            Path disentanglerModel,
            Path diffusionModel,
            Map<Finding, NoisePrior> priors,
            StageContext ctx)
            throws IOException {
        PhantomGroundTruth truth = groundTruthJson == null ? null : PhantomGroundTruth.read(groundTruthJson);
        DisentanglerDataset data = DisentanglerDataset.fromImported(datasetDir, labels, truth, (done, total) -> {
            if (done % 200 == 0 || done.equals(total)) {
                ctx.progress(0.02 * done / total, "loaded " + done + "/" + total + " images");
            }
        });
        DisentanglerModel d = DisentanglerModel.load(disentanglerModel);
        try {
            DiffusionModel m = DiffusionModel.load(diffusionModel, cfg.device());
            try (CounterfactualGenerator gen =
                    CounterfactualGenerator.of(d, m, cfg.usePriors() ? priors : Map.of(), false)) {
                return run(cfg, data, gen.withComposition(cfg.compositionKind(), cfg.localizeThreshold()), priors, ctx);
            } finally {
                m.close();
            }
        } finally {
            d.close();
        }
    }

    /** Runs the stage on loaded data and an open generator (its priors and its composition are the ones used). */
    public static Result run(
            CounterfactualConfig cfg,
            DisentanglerDataset data,
            CounterfactualGenerator gen,
            Map<Finding, NoisePrior> givenPriors,
            StageContext ctx)
            throws IOException {
        long t0 = System.nanoTime();
        if (data.size() != gen.imageSize()) {
            throw new IllegalArgumentException("the data set's images are " + data.size() + " px but the models were"
                    + " trained at " + gen.imageSize() + " px");
        }
        long seed = ctx.seed();
        SamplerConfig sampler = cfg.sampler();
        logParams(cfg, gen, ctx);
        Map<String, Double> summary = new LinkedHashMap<>();

        // 1. soundness metrics on the test split
        List<Finding> known = generatable(gen);
        List<Finding> conditions = new ArrayList<>();
        if (cfg.metricConditions().isEmpty()) {
            conditions.addAll(known);
            conditions.add(Finding.NO_FINDING);
        } else {
            for (String name : cfg.metricConditions()) {
                Finding f = Finding.fromLabel(name).orElseThrow();
                if (f != Finding.NO_FINDING && !known.contains(f)) {
                    throw new IllegalArgumentException("metric_conditions names " + f.label()
                            + ", which the models were not trained on; they know " + known);
                }
                conditions.add(f);
            }
        }
        Split evalSplit = data.indices(Split.TEST).length > 0 ? Split.TEST : Split.VAL;
        List<CounterfactualMetrics.Pair> pairs = CounterfactualMetrics.pairs(
                gen, data, evalSplit, conditions, cfg.metricSources(), SeedStreams.of(seed, 1));
        checkCancelled(ctx, "before the metrics");
        ctx.progress(0.05, "counterfactual metrics: " + pairs.size() + " pairs");
        CounterfactualMetrics.Result metrics;
        // open until the end: it also reads the images the downstream classifier will train on
        try (FindingJudge judge = cfg.judgeCohortStudies() > 0
                ? trainJudgeOnCohort(
                        cfg.judgeCohortStudies(), data, known, seed, cfg.judge(SeedStreams.of(seed, 6)), summary)
                : trainJudge(data, known, cfg.judge(SeedStreams.of(seed, 6)), summary)) {
            metrics = CounterfactualMetrics.evaluate(
                    gen,
                    data,
                    pairs,
                    cfg.samplesPerCondition(),
                    sampler,
                    SeedStreams.of(seed, 2),
                    judge,
                    (done, total) ->
                            ctx.progress(0.05 + 0.35 * done / total, "counterfactual metrics " + done + "/" + total),
                    ctx::cancelled);
            if (judge != null) {
                judgeOnRealImages(judge, data, evalSplit, summary);
            }
            summary.putAll(metrics.summary());
            summary.put("cf_metric_pairs", (double) metrics.pairs());
            publishAmplification(metrics.amplification(), ctx);

            // 2. guidance trade-off
            if (!cfg.guidanceSweep().isEmpty() && pairs.stream().anyMatch(p -> !p.isRemoval())) {
                checkCancelled(ctx, "before the guidance sweep");
                ctx.progress(0.42, "guidance sweep");
                List<DiffusionMetrics.TradeoffPoint> points = CounterfactualMetrics.guidanceSweep(
                        gen,
                        data,
                        pairs,
                        cfg.guidanceSweep().stream().map(Double::floatValue).toList(),
                        cfg.sweepPairs(),
                        cfg.samplesPerCondition(),
                        sampler,
                        SeedStreams.of(seed, 3));
                publishTradeoff(points, ctx);
            }

            // 3. grid
            if (cfg.gridSources() > 0 && cfg.gridConditions() > 0 && cfg.gridSamples() > 0) {
                checkCancelled(ctx, "before the grid");
                ctx.progress(0.5, "counterfactual grid");
                Path grid = ctx.workDir().resolve(ARTIFACT_GRID + ".png");
                writeGrid(cfg, data, gen, evalSplit, SeedStreams.of(seed, 4), grid);
                ctx.addArtifact(ARTIFACT_GRID, grid);
            }

            // 4. augmentation set (and its N(0, I) ablation)
            AugmentationPlan plan = AugmentationPlan.build(
                    data, known, cfg.tailFraction(), cfg.maxPerClass(), cfg.explicitCounts(), SeedStreams.of(seed, 5));
            plan.targets().forEach((f, n) -> ctx.logParam("cf_augmentation_target." + f.key(), String.valueOf(n)));
            Path augFile = ctx.workDir().resolve("augmentation.zip");
            Generated generated = generate(plan, data, gen, sampler, ctx, 0.55, 0.2, "augmentation");
            AugmentationSet set = generated.set();
            set.write(augFile);
            ctx.addOutput(OUTPUT_AUGMENTATION, augFile);
            Path decodedFile = ctx.workDir().resolve("augmentation-decoded.zip");
            generated.decoded().write(decodedFile);
            ctx.addOutput(OUTPUT_AUGMENTATION_DECODED, decodedFile);
            summary.put(AUGMENTATION_IMAGES, (double) set.size());
            if (judge != null) {
                judgeTrainingImages(judge, set, "augmentation", summary);
            }
            summary.put("cf_augmentation_tuned_prior_images", (double) set.entries().stream()
                    .filter(AugmentationSet.Entry::tunedPrior)
                    .count());
            set.countsByTarget().forEach((f, n) -> {
                ctx.logMetric(AUGMENTATION_IMAGES + "__" + f.key(), n, 0);
                ctx.logParam(AUGMENTATION_IMAGES + "." + f.key(), String.valueOf(n));
            });
            if (cfg.codeOracle()) {
                if (isPhantom(data)) {
                    checkCancelled(ctx, "before the code oracle");
                    CodeOracle oracles = codeOracle(set, plan, data, gen);
                    AugmentationSet codeOracle = oracles.composed();
                    // the encoder's reading of each exact counterfactual, then what the decoder makes of it
                    shareSeen(
                            oracles.exact(),
                            oracles.headReading(),
                            oracles.headFindings(),
                            "cf_oracle_code_effectiveness",
                            summary);
                    // the same head on the sources' own codes, counting sources without the target: its false
                    // positives, the baseline the line above is read against
                    shareSeen(
                            oracles.exact(),
                            oracles.sourceReading(),
                            oracles.headFindings(),
                            oracles.sourceLacksTarget(),
                            "cf_oracle_code_false_positive",
                            summary);
                    if (judge != null) {
                        judgeTrainingImages(judge, oracles.exact(), "oracle", summary);
                        judgeTrainingImages(judge, codeOracle, "code_oracle", summary);
                    }
                    Path codeOracleFile = ctx.workDir().resolve("augmentation-code-oracle.zip");
                    codeOracle.write(codeOracleFile);
                    ctx.addOutput(OUTPUT_AUGMENTATION_CODE_ORACLE, codeOracleFile);
                    summary.put(AUGMENTATION_IMAGES + "_code_oracle", (double) codeOracle.size());
                } else {
                    LOG.info(
                            "{}: code_oracle is set, but the data set is not a phantom with ground truth: no code oracle",
                            NAME);
                }
            }
            Path plainFile = null;
            if (cfg.plainAblation()
                    && cfg.usePriors()
                    && !givenPriors.isEmpty()
                    && !gen.priors().isEmpty()) {
                plainFile = ctx.workDir().resolve("augmentation-plain.zip");
                AugmentationSet plain = generate(
                                plan, data, gen.withoutPriors(), sampler, ctx, 0.78, 0.2, "plain augmentation")
                        .set();
                plain.write(plainFile);
                ctx.addOutput(OUTPUT_AUGMENTATION_PLAIN, plainFile);
                if (judge != null) {
                    judgeTrainingImages(judge, plain, "augmentation_plain", summary);
                }
                summary.put(AUGMENTATION_IMAGES + "_plain", (double) plain.size());
            }

            double seconds = (System.nanoTime() - t0) / 1e9;
            summary.put("cf_stage_seconds", seconds);
            summary.forEach(ctx::summaryMetric);
            LOG.info(
                    "{}: {} pairs, {} augmentation images in {} s",
                    NAME,
                    metrics.pairs(),
                    set.size(),
                    String.format(Locale.ROOT, "%.1f", seconds));
            ctx.progress(1.0, "done");
            return new Result(summary, augFile, plainFile, set.size(), seconds);
        }
    }

    /** Images the judge needs at least (two of its batches). */
    static final int JUDGE_MINIMUM_IMAGES = 64;

    /**
     * The independent effectiveness judge ({@link FindingJudge}), trained on the validation split: studies
     * the generator (disentangler, diffusion model, tail priors: all trained on the training split) never
     * saw. Null, with the reason logged, when that split is too small or shows none of the findings.
     */
    static FindingJudge trainJudge(
            DisentanglerDataset data, List<Finding> findings, FindingJudge.Config config, Map<String, Double> summary) {
        int[] val = data.indices(Split.VAL);
        boolean anyPositive = java.util.stream.IntStream.of(val)
                .anyMatch(i -> data.studies().get(i).findings().stream().anyMatch(m -> findings.contains(m.finding())));
        if (val.length < JUDGE_MINIMUM_IMAGES || findings.isEmpty() || !anyPositive) {
            LOG.info(
                    "{}: no independent judge ({} validation studies, {} findings, any shown: {})",
                    NAME,
                    val.length,
                    findings.size(),
                    anyPositive);
            return null;
        }
        List<float[]> images = new ArrayList<>(val.length);
        List<java.util.Set<Finding>> labels = new ArrayList<>(val.length);
        for (int i : val) {
            DisentanglerDataset.Study s = data.studies().get(i);
            images.add(s.pixels());
            java.util.Set<Finding> present = java.util.EnumSet.noneOf(Finding.class);
            s.findings().forEach(m -> present.add(m.finding()));
            labels.add(present);
        }
        long t0 = System.nanoTime();
        FindingJudge judge = FindingJudge.train(images, labels, findings, data.size(), config);
        return recordJudge(judge, findings, t0, summary);
    }

    /**
     * The judge trained on an evaluation-only phantom cohort ({@link JudgeCohort}) when the data set is a
     * phantom (every study has ground truth); otherwise, with the reason logged, on the validation split as
     * {@link #trainJudge} does.
     *
     * @param cohortSeed the stage's seed, from which the cohort is rendered
     */
    static FindingJudge trainJudgeOnCohort(
            int studies,
            DisentanglerDataset data,
            List<Finding> findings,
            long cohortSeed,
            FindingJudge.Config config,
            Map<String, Double> summary)
            throws IOException {
        if (!isPhantom(data) || findings.isEmpty()) {
            LOG.info(
                    "{}: judge_cohort_studies is set, but the data set is not a phantom with ground truth (or no"
                            + " finding is generatable): the judge trains on the validation split",
                    NAME);
            return trainJudge(data, findings, config, summary);
        }
        long t0 = System.nanoTime();
        JudgeCohort.Cohort cohort = JudgeCohort.render(studies, data.size(), cohortSeed, findings);
        FindingJudge judge = FindingJudge.train(cohort.images(), cohort.labels(), findings, data.size(), config);
        summary.put("cf_judge_cohort_studies", (double) studies);
        return recordJudge(judge, findings, t0, summary);
    }

    /** Whether every study of the data set has phantom ground truth (so exact counterfactuals and cohorts exist). */
    private static boolean isPhantom(DisentanglerDataset data) {
        return !data.studies().isEmpty() && data.studies().stream().allMatch(DisentanglerDataset.Study::hasGroundTruth);
    }

    /** What the judge trained on, into the summary. */
    private static FindingJudge recordJudge(
            FindingJudge judge, List<Finding> findings, long startNanos, Map<String, Double> summary) {
        summary.put("cf_judge_training_images", (double) judge.trainingImages());
        summary.put("cf_judge_seconds", (System.nanoTime() - startNanos) / 1e9);
        int[] positives = judge.positives();
        for (int k = 0; k < findings.size(); k++) {
            summary.put("cf_judge_training_positives__" + findings.get(k).key(), (double) positives[k]);
        }
        return judge;
    }

    /**
     * The judge's own reading of real images of the evaluation split, per finding: recall on the studies
     * labelled with it ({@code cf_judge_real_recall__<finding>}) and the rate at which it calls it on studies
     * without it ({@code cf_judge_real_false_positive__<finding>}), and how well it ranks the one above the
     * other at any threshold ({@code cf_judge_real_auroc__<finding>}, 0.5: blind). Effectiveness by the judge is
     * read against these: a judge that misses real nodules cannot confirm generated ones.
     */
    static void judgeOnRealImages(
            FindingJudge judge, DisentanglerDataset data, Split split, Map<String, Double> summary) {
        int[] idx = data.indices(split);
        List<float[]> images = java.util.stream.IntStream.of(idx)
                .mapToObj(i -> data.studies().get(i).pixels())
                .toList();
        float[][] p = judge.probabilities(images);
        for (int k = 0; k < judge.findings().size(); k++) {
            Finding f = judge.findings().get(k);
            int pos = 0;
            int hit = 0;
            int neg = 0;
            int falseHit = 0;
            boolean[] positive = new boolean[idx.length];
            double[] score = new double[idx.length];
            for (int r = 0; r < idx.length; r++) {
                boolean has = data.studies().get(idx[r]).findings().stream().anyMatch(m -> m.finding() == f);
                boolean called = p[r][k] > 0.5f;
                positive[r] = has;
                score[r] = p[r][k];
                if (has) {
                    pos++;
                    hit += called ? 1 : 0;
                } else {
                    neg++;
                    falseHit += called ? 1 : 0;
                }
            }
            summary.put("cf_judge_real_recall__" + f.key(), pos == 0 ? Double.NaN : (double) hit / pos);
            summary.put("cf_judge_real_false_positive__" + f.key(), neg == 0 ? Double.NaN : (double) falseHit / neg);
            summary.put("cf_judge_real_auroc__" + f.key(), Auroc.binary(positive, score));
        }
    }

    /** Findings both models know: generatable by the diffusion model and predicted by the finding head. */
    static List<Finding> generatable(CounterfactualGenerator gen) {
        List<Finding> head = gen.findingScorer().findings();
        return gen.knownFindings().stream()
                .filter(f -> f != Finding.NO_FINDING && head.contains(f))
                .toList();
    }

    /**
     * An augmentation set and the decoder's own images of its requests: {@code D(z_id, ẑ_path)} for the very
     * codes each counterfactual used, without the source's pixels added back (under decoded composition, the set's
     * images themselves).
     */
    private record Generated(AugmentationSet set, AugmentationSet decoded) {}

    private static Generated generate(
            AugmentationPlan plan,
            DisentanglerDataset data,
            CounterfactualGenerator gen,
            SamplerConfig sampler,
            StageContext ctx,
            double from,
            double span,
            String what) {
        List<AugmentationSet.Entry> entries = new ArrayList<>(plan.size());
        List<GrayImage> images = new ArrayList<>(plan.size());
        List<AugmentationSet.Entry> decodedEntries = new ArrayList<>(plan.size());
        List<GrayImage> decodedImages = new ArrayList<>(plan.size());
        int size = gen.imageSize();
        for (int i = 0; i < plan.size(); i++) {
            if (ctx.cancelled()) {
                throw new CancellationException(what + " cancelled after " + i + " of " + plan.size() + " images");
            }
            AugmentationPlan.Item item = plan.items().get(i);
            GrayImage source = GrayImage.fromUnit(
                    size, size, data.studies().get(item.sourceIndex()).pixels());
            CounterfactualGenerator.Generation g =
                    gen.generateDetailed(source, item.condition(), item.target(), 1, item.seed(), sampler);
            AugmentationSet.Entry entry = AugmentationSet.entry(i, item, g);
            entries.add(entry);
            images.add(g.images().get(0));
            decodedEntries.add(entry.withPixels(g.decoded().get(0)));
            decodedImages.add(g.decoded().get(0));
            if ((i + 1) % 25 == 0 || i + 1 == plan.size()) {
                ctx.progress(from + span * (i + 1) / plan.size(), what + " " + (i + 1) + "/" + plan.size());
            }
        }
        return new Generated(
                new AugmentationSet(size, entries, images), new AugmentationSet(size, decodedEntries, decodedImages));
    }

    /**
     * The code oracle of an augmentation set ({@link #OUTPUT_AUGMENTATION_CODE_ORACLE}): entry by entry, the source
     * composed with the pathology code of the phantom's exact counterfactual of the entry's condition (the image
     * the evaluate stage's {@code oracle} arm trains on), so the same sources, conditions and labels.
     */
    static CodeOracle codeOracle(
            AugmentationSet set, AugmentationPlan plan, DisentanglerDataset data, CounterfactualGenerator gen) {
        if (set.size() != plan.size()) {
            throw new IllegalArgumentException(
                    "the augmentation set has " + set.size() + " images for " + plan.size() + " planned requests");
        }
        int size = gen.imageSize();
        List<AugmentationSet.Entry> entries = new ArrayList<>(set.size());
        List<GrayImage> images = new ArrayList<>(set.size());
        List<AugmentationSet.Entry> exactEntries = new ArrayList<>(set.size());
        List<GrayImage> exactImages = new ArrayList<>(set.size());
        float[][] codes = new float[set.size()][];
        List<float[]> sourcePixels = new ArrayList<>(set.size());
        boolean[] sourceLacksTarget = new boolean[set.size()];
        for (int i = 0; i < set.size(); i++) {
            AugmentationSet.Entry entry = set.entries().get(i);
            DisentanglerDataset.Study source =
                    data.studies().get(plan.items().get(i).sourceIndex());
            List<FindingMention> condition =
                    entry.mentions().stream().map(FindingMention::fromJsonMap).toList();
            GrayImage exact = data.counterfactual(source, condition).image();
            float[][] code = gen.disentangler().encode(List.of(exact.toFloat())).pathMean();
            codes[i] = code[0];
            sourcePixels.add(source.pixels());
            Finding target = Finding.fromLabel(entry.target()).orElseThrow();
            sourceLacksTarget[i] = source.findings().stream().noneMatch(m -> m.finding() == target);
            // composed as the generator composes this request (with finding slots: only its findings' slots move)
            GrayImage image = gen.withPathology(
                            GrayImage.fromUnit(size, size, source.pixels()), code, Condition.ofStudy(condition))
                    .get(0);
            entries.add(entry.withPixels(image));
            images.add(image);
            exactEntries.add(entry.withPixels(exact));
            exactImages.add(exact);
        }
        // the sources' own codes in one pass (the encoder batches them)
        float[][] sourceCodes = gen.disentangler().encode(sourcePixels).pathMean();
        PathologyScorer head = gen.findingScorer();
        float[][] headReading;
        float[][] sourceReading;
        try (NDManager m = Engines.pytorch().newBaseManager(head.device())) {
            headReading = set.size() == 0 ? new float[0][] : head.probabilities(m, codes);
            sourceReading = set.size() == 0 ? new float[0][] : head.probabilities(m, sourceCodes);
        }
        return new CodeOracle(
                new AugmentationSet(size, exactEntries, exactImages),
                new AugmentationSet(size, entries, images),
                headReading,
                sourceReading,
                sourceLacksTarget,
                head.findings());
    }

    /**
     * The phantom's exact counterfactuals of an augmentation set's requests, and the same requests answered with
     * their codes through the generator's autoencoder, and the finding head's probabilities on those codes: whether
     * the encoder reads the finding asked for from its exact image at all; and the head's probabilities on the
     * sources' own codes, with which sources lack the target, so that reading has a false-positive rate beside it.
     */
    record CodeOracle(
            AugmentationSet exact,
            AugmentationSet composed,
            float[][] headReading,
            float[][] sourceReading,
            boolean[] sourceLacksTarget,
            List<Finding> headFindings) {}

    /**
     * The independent judge on images a downstream arm trains on: the share of each request whose target finding
     * it sees, {@code cf_<name>_effectiveness_judge} over the set and {@code …__<finding>} per target. The test
     * split's counterfactual metrics sample other sources; these are the very images the arm is given.
     */
    static void judgeTrainingImages(FindingJudge judge, AugmentationSet set, String name, Map<String, Double> summary) {
        if (set.size() == 0) {
            return;
        }
        float[][] p = judge.probabilities(
                set.images().stream().map(GrayImage::toFloat).toList());
        shareSeen(set, p, judge.findings(), "cf_" + name + "_effectiveness_judge", summary);
    }

    /**
     * {@code key}: the share of the set's requests whose target finding the probabilities (one row per entry,
     * columns {@code findings}) call present, and {@code key__<finding>} per target.
     */
    static void shareSeen(
            AugmentationSet set, float[][] p, List<Finding> findings, String key, Map<String, Double> summary) {
        shareSeen(set, p, findings, null, key, summary);
    }

    /** As above, counting only the entries where {@code counted} is true ({@code null}: all). */
    static void shareSeen(
            AugmentationSet set,
            float[][] p,
            List<Finding> findings,
            boolean[] counted,
            String key,
            Map<String, Double> summary) {
        Map<String, double[]> byTarget = new java.util.TreeMap<>();
        double[] all = new double[2];
        for (int i = 0; i < set.size(); i++) {
            if (counted != null && !counted[i]) {
                continue;
            }
            Finding target = Finding.fromLabel(set.entries().get(i).target()).orElseThrow();
            int col = findings.indexOf(target);
            if (col < 0) {
                continue;
            }
            double seen = p[i][col] > 0.5f ? 1 : 0;
            double[] cell = byTarget.computeIfAbsent(target.key(), k -> new double[2]);
            cell[0] += seen;
            cell[1]++;
            all[0] += seen;
            all[1]++;
        }
        if (all[1] > 0) {
            summary.put(key, all[0] / all[1]);
        }
        byTarget.forEach((finding, cell) -> summary.put(key + "__" + finding, cell[0] / cell[1]));
    }

    private static void publishAmplification(List<CounterfactualMetrics.AmplificationCell> cells, StageContext ctx)
            throws IOException {
        StringBuilder table = new StringBuilder("reader,requested,other,mean_change,counterfactuals\n");
        for (CounterfactualMetrics.AmplificationCell c : cells) {
            table.append(String.format(
                    Locale.ROOT,
                    "%s,%s,%s,%.6f,%d%n",
                    c.reader(),
                    c.requested(),
                    c.other().key(),
                    c.meanChange(),
                    c.count()));
        }
        Path csv = ctx.workDir().resolve(ARTIFACT_AMPLIFICATION);
        Files.writeString(csv, table);
        ctx.addArtifact(ARTIFACT_AMPLIFICATION, csv);
    }

    private static void publishTradeoff(List<DiffusionMetrics.TradeoffPoint> points, StageContext ctx)
            throws IOException {
        Path png = ctx.workDir().resolve(ARTIFACT_TRADEOFF + ".png");
        Path csv = ctx.workDir().resolve(ARTIFACT_TRADEOFF + ".csv");
        TradeoffPlot.write(points, "Counterfactuals: guidance scale vs effectiveness and pixel diversity", png);
        StringBuilder table = new StringBuilder("guidance,effectiveness,diversity\n");
        for (DiffusionMetrics.TradeoffPoint p : points) {
            table.append(String.format(Locale.ROOT, "%s,%.6f,%.6f%n", p.guidance(), p.effectiveness(), p.diversity()));
            ctx.logMetric("cf_sweep_effectiveness", p.effectiveness(), Math.round(p.guidance() * 100));
            ctx.logMetric("cf_sweep_diversity", p.diversity(), Math.round(p.guidance() * 100));
        }
        Files.writeString(csv, table);
        ctx.addArtifact(ARTIFACT_TRADEOFF, png);
        ctx.addArtifact(ARTIFACT_TRADEOFF_TABLE, csv);
    }

    /**
     * Rows: test sources; columns: the source, then for each condition (rarest findings first, the
     * last one "No Finding" when there is room) {@code gridSamples} counterfactuals.
     */
    static void writeGrid(
            CounterfactualConfig cfg,
            DisentanglerDataset data,
            CounterfactualGenerator gen,
            Split split,
            long seed,
            Path png)
            throws IOException {
        Map<Finding, Integer> counts = gen.diffusion().trainingFindingCounts();
        List<Finding> findings = new ArrayList<>(generatable(gen));
        findings.sort(
                Comparator.<Finding>comparingInt(f -> counts.getOrDefault(f, 0)).thenComparing(f -> f));
        List<Finding> columns = new ArrayList<>();
        int addConditions = cfg.gridConditions() >= 2 ? cfg.gridConditions() - 1 : cfg.gridConditions();
        columns.addAll(findings.subList(0, Math.min(addConditions, findings.size())));
        if (cfg.gridConditions() >= 2 || columns.isEmpty()) {
            columns.add(Finding.NO_FINDING);
        }
        int[] candidates = data.indices(split);
        int rows = Math.min(cfg.gridSources(), candidates.length);
        int size = gen.imageSize();
        ContactSheet.Builder sheet =
                ContactSheet.builder().cellSize(GRID_CELL).columns(1 + columns.size() * cfg.gridSamples());
        for (int r = 0; r < rows; r++) {
            DisentanglerDataset.Study s = data.studies().get(candidates[r]);
            GrayImage source = GrayImage.fromUnit(size, size, s.pixels());
            sheet.add(source, "SRC " + shortLabel(s.findings()));
            for (int c = 0; c < columns.size(); c++) {
                Finding f = columns.get(c);
                var condition = gen.intervene(s.findings(), List.of(FindingMention.present(f, null, null, null)));
                List<GrayImage> samples = gen.generateDetailed(
                                source,
                                condition,
                                f,
                                cfg.gridSamples(),
                                SeedStreams.of(SeedStreams.of(seed, r), c),
                                cfg.sampler())
                        .images();
                for (int k = 0; k < samples.size(); k++) {
                    sheet.add(
                            samples.get(k), (f == Finding.NO_FINDING ? "NO FINDING" : "+" + f.label()) + " " + (k + 1));
                }
            }
        }
        sheet.writePng(png);
    }

    private static String shortLabel(List<FindingMention> findings) {
        if (findings.isEmpty()) {
            return "NONE";
        }
        return String.join(
                "+",
                findings.stream()
                        .map(m -> m.finding()
                                .key()
                                .substring(0, Math.min(4, m.finding().key().length())))
                        .toList());
    }

    private static void logParams(CounterfactualConfig cfg, CounterfactualGenerator gen, StageContext ctx) {
        ctx.logParam(PARAM_DDIM_STEPS, String.valueOf(cfg.ddimSteps()));
        ctx.logParam(PARAM_ETA, String.valueOf(cfg.eta()));
        ctx.logParam(PARAM_GUIDANCE, String.valueOf(cfg.guidance()));
        ctx.logParam(PARAM_COMPOSITION, gen.composition().key());
        ctx.logParam(PARAM_LOCALIZE_THRESHOLD, String.valueOf(gen.localizeThreshold()));
        ctx.logParam("cf.samplesPerCondition", String.valueOf(cfg.samplesPerCondition()));
        ctx.logParam("cf.metricSources", String.valueOf(cfg.metricSources()));
        ctx.logParam("cf.metricConditions", String.valueOf(cfg.metricConditions()));
        ctx.logParam("cf.guidanceSweep", String.valueOf(cfg.guidanceSweep()));
        ctx.logParam("cf.tailFraction", String.valueOf(cfg.tailFraction()));
        ctx.logParam("cf.maxPerClass", String.valueOf(cfg.maxPerClass()));
        ctx.logParam("cf.classCounts", String.valueOf(cfg.classCounts()));
        ctx.logParam("cf.usePriors", String.valueOf(cfg.usePriors()));
        ctx.logParam("cf.plainAblation", String.valueOf(cfg.plainAblation()));
        ctx.logParam("cf.codeOracle", String.valueOf(cfg.codeOracle()));
        ctx.logParam("cf.judgeCohortStudies", String.valueOf(cfg.judgeCohortStudies()));
        ctx.logParam("cf.judgeSteps", String.valueOf(cfg.judgeSteps()));
        ctx.logParam("cf.judgeDownsamplings", String.valueOf(cfg.judgeDownsamplings()));
        ctx.logParam(
                "cf.priors",
                String.join(
                        ",", gen.priors().keySet().stream().map(Finding::key).toList()));
        ctx.logParam("cf.imageSize", String.valueOf(gen.imageSize()));
    }

    private static void checkCancelled(StageContext ctx, String where) {
        if (ctx.cancelled()) {
            throw new CancellationException(NAME + " cancelled " + where);
        }
    }
}
