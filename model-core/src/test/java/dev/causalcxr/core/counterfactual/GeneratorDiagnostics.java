package dev.causalcxr.core.counterfactual;

import ai.djl.ndarray.NDManager;
import dev.causalcxr.core.dataset.Split;
import dev.causalcxr.core.dataset.SplitProportions;
import dev.causalcxr.core.diffusion.Condition;
import dev.causalcxr.core.diffusion.DiffusionConfig;
import dev.causalcxr.core.diffusion.DiffusionModel;
import dev.causalcxr.core.diffusion.DiffusionTraining;
import dev.causalcxr.core.diffusion.PathologyScorer;
import dev.causalcxr.core.diffusion.SamplerConfig;
import dev.causalcxr.core.diffusion.SeedStreams;
import dev.causalcxr.core.disentangle.DisentanglerConfig;
import dev.causalcxr.core.disentangle.DisentanglerDataset;
import dev.causalcxr.core.disentangle.DisentanglerEvaluator;
import dev.causalcxr.core.disentangle.DisentanglerMetrics;
import dev.causalcxr.core.disentangle.DisentanglerModel;
import dev.causalcxr.core.disentangle.DisentanglerTrainer;
import dev.causalcxr.core.engine.Engines;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.imaging.GrayImage;
import dev.causalcxr.core.phantom.PhantomGenerator;
import dev.causalcxr.core.phantom.PhantomRenderer;
import dev.causalcxr.core.phantom.PhantomSpec;
import dev.causalcxr.core.stage.RecordingStageContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where does a finding get lost on its way through the generator? For every rendered finding, on the
 * quick profile (64 px phantom), this trains the disentangler (and the diffusion model) and measures,
 * stage by stage:
 * <ol>
 *   <li>{@code signal}: how strongly the finding changes the image at all (mean |with − without| over the
 *       pixels it changes by more than 0.01, and how many pixels that is), from the phantom's exact renders;</li>
 *   <li>{@code head_real}: the finding head's recall on real images that show it (z_path of the image):
 *       does the encoder put it into z_path?</li>
 *   <li>{@code head_oracle}: the same head on the exact counterfactual "source + finding": what a perfect
 *       generator would score with the pipeline's judge;</li>
 *   <li>{@code carry_recon}: 1 − |recon − x| / |x_without − x| over the finding's pixels: does the
 *       reconstruction draw it (1) or leave it out (0)?</li>
 *   <li>{@code swap_eff}: D(z_id(A), z_path(B)) with B showing it and A not, re-encoded and judged by the
 *       head: does the decoder draw it from z_path?</li>
 *   <li>{@code code_eff}: the head on codes sampled by the diffusion model for "A's findings + it"
 *       (before decoding): does the sampler reach the right codes?</li>
 *   <li>{@code cf_eff}: the pipeline's effectiveness (sample, decode, re-encode, head).</li>
 *   <li>{@code judge_*}: the same images by an independent image judge; {@code judge_fp_decoded} is its rate on
 *       A decoded with its own codes (no swap), the false-positive baseline of {@code judge_swap};</li>
 *   <li>{@code head_fp}: the finding head's rate on real images without the finding, the false-positive baseline of
 *       {@code head_real} (a head that says yes to everything has recall 1).</li>
 * </ol>
 * Tail classes are rare in the 2,000-study cohort, so the per-class measurements use a separate,
 * evaluation-only phantom cohort (other seed, other patients) in which every finding is common.
 *
 * <p>Usage: {@code GeneratorDiagnostics OUT_DIR [steps=800] [diffusionSteps=1500]}; config overrides as
 * system properties {@code -Ddiag.<field>=value} for the fields read in {@link #variant}, and
 * {@code -Ddiag.size=PX} (phantom size, default 64) and {@code -Ddiag.device=gpu} (where the disentangler
 * and the diffusion model train; the judge stays on the CPU).
 */
public final class GeneratorDiagnostics {

    private static final int PER_CLASS = 40;
    private static final float CHANGED = 0.01f;
    private static FindingJudge judge;

    private GeneratorDiagnostics() {}

    /**
     * The harness's report: standard output, which {@code bench/generator/run} keeps as
     * {@code bench/generator/NAME.log} (the file its RESULTS.md cites); logging goes to standard error at WARN.
     */
    private static void report(String format, Object... args) {
        System.out.printf(Locale.ROOT, format, args);
    }

    private static void reportLine(Object line) {
        report("%s%n", line);
    }

    static DisentanglerConfig variant(DisentanglerConfig base) {
        DisentanglerConfig.Builder b = base.toBuilder();
        String v;
        if ((v = System.getProperty("diag.pathDim")) != null) {
            b.pathDim(Integer.parseInt(v));
        }
        if ((v = System.getProperty("diag.pathGrid")) != null) {
            b.pathGrid(Integer.parseInt(v));
        }
        if ((v = System.getProperty("diag.seed")) != null) {
            b.seed(Long.parseLong(v));
        }
        if ((v = System.getProperty("diag.findingBalancedShare")) != null) {
            b.findingBalancedShare(Double.parseDouble(v));
        }
        if ((v = System.getProperty("diag.decoderMapGrid")) != null) {
            b.decoderMapGrid(Integer.parseInt(v));
        }
        if ((v = System.getProperty("diag.findingMaskWeight")) != null) {
            b.findingMaskWeight(Double.parseDouble(v));
        }
        if ((v = System.getProperty("diag.identityPairsByFinding")) != null) {
            b.identityPairsByFinding(Boolean.parseBoolean(v));
        }
        if ((v = System.getProperty("diag.findingPositiveWeight")) != null) {
            b.findingPositiveWeight(Double.parseDouble(v));
        }
        if ((v = System.getProperty("diag.identitySwapWeight")) != null) {
            b.identitySwapWeight(Double.parseDouble(v));
        }
        if ((v = System.getProperty("diag.pathologySwapWeight")) != null) {
            b.pathologySwapWeight(Double.parseDouble(v));
        }
        if ((v = System.getProperty("diag.auxWeight")) != null) {
            b.auxWeight(Double.parseDouble(v));
        }
        if ((v = System.getProperty("diag.cycleWeight")) != null) {
            b.cycleWeight(Double.parseDouble(v));
        }
        if ((v = System.getProperty("diag.adversarialWeight")) != null) {
            b.adversarialWeight(Double.parseDouble(v));
        }
        if ((v = System.getProperty("diag.klWeight")) != null) {
            b.klWeight(Double.parseDouble(v));
        }
        if ((v = System.getProperty("diag.exactSwaps")) != null) {
            b.exactSwaps(Integer.parseInt(v));
        }
        if ((v = System.getProperty("diag.exactSwapWeight")) != null) {
            b.exactSwapWeight(Double.parseDouble(v));
        }
        if ((v = System.getProperty("diag.augmentShift")) != null) {
            b.augmentShift(Integer.parseInt(v));
        }
        if ((v = System.getProperty("diag.findingSlots")) != null) {
            b.findingSlots(Integer.parseInt(v));
        }
        if ((v = System.getProperty("diag.slotSwaps")) != null) {
            b.slotSwaps(Integer.parseInt(v));
        }
        if ((v = System.getProperty("diag.slotSwapWeight")) != null) {
            b.slotSwapWeight(Double.parseDouble(v));
        }
        if ((v = System.getProperty("diag.findingLayers")) != null) {
            b.findingLayers(Boolean.parseBoolean(v));
        }
        return b.build();
    }

    /** A phantom cohort of the demo's kind; {@code everyFinding} non-null: every rendered finding at that frequency. */
    private static DisentanglerDataset cohort(int studies, int size, long seed, Double everyFinding) {
        PhantomSpec spec =
                PhantomSpec.defaults().withStudies(studies).withSize(size).withSeed(seed);
        if (everyFinding != null) {
            Map<Finding, Double> frequencies = new EnumMap<>(Finding.class);
            PhantomSpec.defaultFrequencies().keySet().forEach(f -> frequencies.put(f, everyFinding));
            spec = spec.withClassFrequencies(frequencies);
        }
        return DisentanglerDataset.fromPhantom(new PhantomGenerator(spec), SplitProportions.defaults(), (d, t) -> {});
    }

    public static void main(String[] args) throws Exception {
        Path out = Files.createDirectories(Path.of(args.length > 0 ? args[0] : "model-core/target/diagnostics"));
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 800;
        int diffusionSteps = args.length > 2 ? Integer.parseInt(args[2]) : 1500;
        int size = Integer.getInteger("diag.size", 64);
        String device = System.getProperty("diag.device", "cpu");
        long t0 = System.nanoTime();
        // -Ddiag.trainFrequency=F: every rendered finding at F in the training cohort (is the tail limited by
        // its few examples?); unset: the phantom's own long-tailed frequencies, as in the demo.
        // -Ddiag.trainStudies=N: N training-cohort studies instead of the demo's 2,000 (same frequencies)
        String trainFrequency = System.getProperty("diag.trainFrequency");
        DisentanglerDataset data = cohort(
                Integer.getInteger("diag.trainStudies", 2000),
                size,
                42,
                trainFrequency == null ? null : Double.parseDouble(trainFrequency));
        // evaluation-only cohort: new patients, every rendered finding frequent
        DisentanglerDataset probe = cohort(600, size, 9001, 0.2);
        // the independent judge: trained on a third cohort (other patients again) that no generator sees
        DisentanglerDataset judgeCohort = cohort(Integer.getInteger("diag.judgeStudies", 1200), size, 9002, 0.2);
        report("data %.1f s%n", (System.nanoTime() - t0) / 1e9);
        long tj = System.nanoTime();
        FindingJudge.Config judgeConfig = judgeConfig();
        List<Finding> rendered = data.vocabulary().stream()
                .filter(PhantomRenderer.RENDERABLE::contains)
                .toList();
        judge = FindingJudge.train(
                judgeCohort.studies().stream()
                        .map(DisentanglerDataset.Study::pixels)
                        .toList(),
                judgeCohort.studies().stream()
                        .map(s -> (java.util.Set<Finding>) s.truthFindings().stream()
                                .map(FindingMention::finding)
                                .collect(java.util.stream.Collectors.toSet()))
                        .toList(),
                rendered,
                size,
                judgeConfig);
        report(
                "judge %s, %d studies: %.1f s%n",
                judgeConfig, judgeCohort.studies().size(), (System.nanoTime() - tj) / 1e9);
        if (steps == 0) {
            // the judge alone: can an image classifier see each finding at this size at all?
            reportLine("| finding | judge_real | judge_fp | judge_auroc |");
            reportLine("|---|---|---|---|");
            for (Finding f : rendered) {
                List<float[]> with = probe.studies().stream()
                        .filter(s -> has(s, f))
                        .limit(PER_CLASS)
                        .map(DisentanglerDataset.Study::pixels)
                        .toList();
                List<float[]> lacking = probe.studies().stream()
                        .filter(s -> !has(s, f))
                        .limit(PER_CLASS)
                        .map(DisentanglerDataset.Study::pixels)
                        .toList();
                double[] reading = judgeReading(with, lacking, judge.column(f));
                report("| %s | %.2f | %.2f | %.3f |%n", f.label(), reading[0], reading[1], reading[2]);
            }
            judge.close();
            return;
        }
        DisentanglerConfig cfg = variant(
                        DisentanglerConfig.quick().toBuilder().device(device).build())
                .withSteps(steps)
                .withAblation(false)
                .withCheckpointInterval(1_000_000);
        reportLine("config " + cfg);
        long tTrain = System.nanoTime();
        RecordingStageContext ctx = RecordingStageContext.under(out.resolve("work"), 42)
                .onLogMetric((key, value, step) -> {
                    if (key.equals("loss_total") && step % 100 == 0) {
                        report("step %d loss %.4f %.0f s%n", step, value, (System.nanoTime() - tTrain) / 1e9);
                    }
                });
        try (DisentanglerModel model = DisentanglerModel.create(cfg, data.vocabulary(), data.size())) {
            // -Ddiag.pretrainFrequency=F: first the configured steps on a synthetic cohort of other patients with every
            // finding at F, then as many on the data (a fresh optimizer and schedule): twice the steps in all
            String pretrainFrequency = System.getProperty("diag.pretrainFrequency");
            if (pretrainFrequency != null) {
                double f = Double.parseDouble(pretrainFrequency);
                DisentanglerDataset pretrain = cohort(2000, size, 4242, f);
                if (!pretrain.vocabulary().equals(data.vocabulary())) {
                    throw new IllegalStateException("the pretraining cohort's findings differ from the data's");
                }
                try (DisentanglerTrainer pre =
                        new DisentanglerTrainer(model, pretrain, ctx, "pretrain", 0, "pretrain_")) {
                    DisentanglerTrainer.Result r = pre.train();
                    report("pretrained %d steps on every finding at %.2f, %.1f s%n", r.steps(), f, r.seconds());
                }
            }
            try (DisentanglerTrainer trainer = new DisentanglerTrainer(model, data, ctx, "diag", 0, "")) {
                DisentanglerTrainer.Result r = trainer.train();
                report(
                        "disentangler %d steps %.1f s (%.0f ms/step) last %s%n",
                        r.steps(), r.seconds(), r.meanStepMillis(), r.last());
            }
            DisentanglerMetrics m = DisentanglerEvaluator.evaluate(model, data, 42);
            reportLine("disentangler metrics " + m);
            DisentanglerEvaluator.writeSwapGrid(model, data, out.resolve("swap-grid.png"), 42);
            Map<Finding, double[]> perClass = disentanglerDiagnostics(model, probe);

            // diffusion on the training codes, as train-diffusion does
            int[] train = data.indices(Split.TRAIN);
            DisentanglerModel.Encoding codes = model.encode(java.util.stream.IntStream.of(train)
                    .mapToObj(i -> data.studies().get(i).pixels())
                    .toList());
            List<List<FindingMention>> findings = new ArrayList<>();
            for (int i : train) {
                findings.add(data.studies().get(i).findings());
            }
            float[][] trainingCodes = model.gateFindingSlots(codes.pathMean(), findings);
            DiffusionConfig dcfg = new DiffusionConfig(
                    cfg.pathDim(), 256, 3, 64, 1000, diffusionSteps, 256, 1e-3f, 0.1f, 42L, 1_000_000, 100, device);
            long t2 = System.nanoTime();
            Path diffFile = DiffusionTraining.run(
                            dcfg, trainingCodes, findings, RecordingStageContext.under(out.resolve("diffusion"), 42))
                    .modelFile();
            report("diffusion %d steps %.1f s%n", diffusionSteps, (System.nanoTime() - t2) / 1e9);
            try (DiffusionModel dm = DiffusionModel.load(diffFile);
                    CounterfactualGenerator trained = CounterfactualGenerator.of(model, dm, Map.of(), false)) {
                // both ways of composing the image, on the same models, sources and seeds
                for (Composition composition : compositions()) {
                    for (SamplerConfig sampler : samplers()) {
                        CounterfactualGenerator gen = trained.withComposition(composition);
                        report("%n");
                        reportLine("composition " + composition);
                        if (System.getProperty("diag.guidances") != null) {
                            reportLine("guidance " + sampler.guidance());
                        }
                        generatorDiagnostics(gen, probe, perClass, sampler);
                        // the pipeline's own metrics on the training cohort's test split, as generate-counterfactuals
                        // runs them
                        CounterfactualConfig q = CounterfactualConfig.quick();
                        List<Finding> conditions = new ArrayList<>(gen.knownFindings());
                        conditions.add(Finding.NO_FINDING);
                        List<CounterfactualMetrics.Pair> pairs = CounterfactualMetrics.pairs(
                                gen, data, Split.TEST, conditions, q.metricSources(), SeedStreams.of(42, 1));
                        CounterfactualMetrics.Result r = CounterfactualMetrics.evaluate(
                                gen,
                                data,
                                pairs,
                                q.samplesPerCondition(),
                                sampler,
                                SeedStreams.of(42, 2),
                                (x, y) -> {},
                                () -> false);
                        reportLine("pipeline cf metrics (quick config, test split of the training cohort, "
                                + composition + "):");
                        r.summary().forEach((k, v) -> report("  %s %.4f%n", k, v));
                        printTable(perClass);
                    }
                }
            }
        }
        judge.close();
        report("total %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    /** The quick sampler, or one per guidance scale of -Ddiag.guidances=G1,G2,… (same models, sources, seeds). */
    private static List<SamplerConfig> samplers() {
        SamplerConfig q = CounterfactualConfig.quick().sampler();
        String v = System.getProperty("diag.guidances");
        if (v == null) {
            return List.of(q);
        }
        return java.util.Arrays.stream(v.split(","))
                .map(g -> new SamplerConfig(q.steps(), q.eta(), Float.parseFloat(g.trim())))
                .toList();
    }

    private static List<Composition> compositions() {
        String v = System.getProperty("diag.compositions");
        if (v == null) {
            return List.of(Composition.values());
        }
        return java.util.Arrays.stream(v.split(","))
                .map(c -> Composition.valueOf(c.trim().toUpperCase(Locale.ROOT)))
                .toList();
    }

    private static void printTable(Map<Finding, double[]> perClass) {
        report("%n");
        reportLine(
                "| finding | signal | px | head_real | head_oracle | carry_recon | swap_eff | code_eff"
                        + " | cf_eff | judge_real | judge_fp | judge_oracle | judge_swap | judge_cf | judge_fp_decoded | head_fp |");
        reportLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        perClass.forEach((f, v) -> report(
                "| %s | %.3f | %.0f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |%n",
                f.label(), v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13],
                v[14]));
    }

    private static List<FindingMention> without(List<FindingMention> ms, Finding f) {
        return ms.stream().filter(m -> m.finding() != f).toList();
    }

    private static FindingMention mentionOf(DisentanglerDataset.Study s, Finding f) {
        return s.truthFindings().stream()
                .filter(m -> m.finding() == f)
                .findFirst()
                .orElseThrow();
    }

    private static boolean has(DisentanglerDataset.Study s, Finding f) {
        return s.truthFindings().stream().anyMatch(m -> m.finding() == f);
    }

    /**
     * Per finding: {signal, pixels, head_real, head_oracle, carry_recon, swap_eff, code_eff, cf_eff, then the judge's
     * seven columns, head_fp} (code_eff, cf_eff and judge_cf are filled in by {@link #generatorDiagnostics}).
     */
    static Map<Finding, double[]> disentanglerDiagnostics(DisentanglerModel model, DisentanglerDataset probe) {
        Map<Finding, double[]> out = new EnumMap<>(Finding.class);
        List<DisentanglerDataset.Study> all = probe.studies();
        PathologyScorer head = model.findingScorer();
        for (Finding f : model.vocabulary()) {
            if (!PhantomRenderer.RENDERABLE.contains(f)) {
                continue;
            }
            int col = head.column(f);
            List<DisentanglerDataset.Study> with =
                    all.stream().filter(s -> has(s, f)).limit(PER_CLASS).toList();
            List<DisentanglerDataset.Study> lacking =
                    all.stream().filter(s -> !has(s, f)).limit(PER_CLASS).toList();
            int n = Math.min(with.size(), lacking.size());
            double signal = 0;
            double pixels = 0;
            double carry = 0;
            List<float[]> withImages = new ArrayList<>();
            List<float[]> oracle = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                DisentanglerDataset.Study s = with.get(k);
                withImages.add(s.pixels());
                float[] yes = s.pixels();
                float[] no = probe.counterfactual(s, without(s.truthFindings(), f))
                        .image()
                        .toFloat();
                double[] sp = changed(yes, no);
                signal += sp[0];
                pixels += sp[1];
                DisentanglerDataset.Study a = lacking.get(k);
                List<FindingMention> plus = new ArrayList<>(a.truthFindings());
                plus.add(mentionOf(s, f));
                oracle.add(probe.counterfactual(a, plus).image().toFloat());
            }
            DisentanglerModel.Encoding enc = model.encode(withImages);
            List<GrayImage> recon = model.decode(enc.identity(), enc.pathMean());
            for (int k = 0; k < n; k++) {
                DisentanglerDataset.Study s = with.get(k);
                float[] yes = s.pixels();
                float[] no = probe.counterfactual(s, without(s.truthFindings(), f))
                        .image()
                        .toFloat();
                carry += carry(recon.get(k).toFloat(), yes, no);
            }
            double headReal = recall(head, enc.pathMean(), col);
            double headOracle = recall(head, model.encode(oracle).pathMean(), col);
            // swap: A's anatomy, B's pathology
            DisentanglerModel.Encoding encA = model.encode(lacking.subList(0, n).stream()
                    .map(DisentanglerDataset.Study::pixels)
                    .toList());
            List<GrayImage> swaps = model.decode(encA.identity(), enc.pathMean());
            // the same sources decoded with their own codes: the judge's false positives on decoded images, the
            // baseline judge_swap is read against (judge_fp is on real images, which are sharper)
            List<GrayImage> ownDecoded = model.decode(encA.identity(), encA.pathMean());
            double swapEff = recall(
                    head,
                    model.encode(swaps.stream().map(GrayImage::toFloat).toList())
                            .pathMean(),
                    col);
            int jc = judge.column(f);
            out.put(f, new double[] {
                signal / n,
                pixels / n,
                headReal,
                headOracle,
                carry / n,
                swapEff,
                Double.NaN,
                Double.NaN,
                judged(withImages, jc),
                judged(
                        lacking.subList(0, n).stream()
                                .map(DisentanglerDataset.Study::pixels)
                                .toList(),
                        jc),
                judged(oracle, jc),
                judged(swaps.stream().map(GrayImage::toFloat).toList(), jc),
                Double.NaN,
                judged(ownDecoded.stream().map(GrayImage::toFloat).toList(), jc),
                recall(head, encA.pathMean(), col)
            });
        }
        return out;
    }

    static void generatorDiagnostics(
            CounterfactualGenerator gen, DisentanglerDataset probe, Map<Finding, double[]> out, SamplerConfig sampler) {
        PathologyScorer head = gen.findingScorer();
        int perSource = 4;
        for (Map.Entry<Finding, double[]> e : out.entrySet()) {
            Finding f = e.getKey();
            int col = head.column(f);
            List<DisentanglerDataset.Study> lacking =
                    probe.studies().stream().filter(s -> !has(s, f)).limit(10).toList();
            double code = 0;
            double cf = 0;
            double judgedCf = 0;
            int count = 0;
            for (int k = 0; k < lacking.size(); k++) {
                DisentanglerDataset.Study a = lacking.get(k);
                Condition c = gen.intervene(a.findings(), List.of(FindingMention.present(f, null, null, null)));
                CounterfactualGenerator.Generation g = gen.generateDetailed(
                        GrayImage.fromUnit(probe.size(), probe.size(), a.pixels()),
                        c,
                        perSource,
                        SeedStreams.of(7, k),
                        sampler);
                code += recall(head, g.codes(), col) * perSource;
                List<float[]> images =
                        g.images().stream().map(GrayImage::toFloat).toList();
                cf += recall(head, gen.disentangler().encode(images).pathMean(), col) * perSource;
                judgedCf += judged(images, judge.column(f)) * perSource;
                count += perSource;
            }
            e.getValue()[6] = code / count;
            e.getValue()[7] = cf / count;
            e.getValue()[12] = judgedCf / count;
        }
    }

    private static double recall(PathologyScorer head, float[][] codes, int col) {
        if (codes.length == 0) {
            return Double.NaN;
        }
        try (NDManager m = Engines.pytorch().newBaseManager(head.device())) {
            float[][] p = head.probabilities(m, codes);
            int hit = 0;
            for (float[] row : p) {
                hit += row[col] > 0.5f ? 1 : 0;
            }
            return (double) hit / p.length;
        }
    }

    /** The quick judge, with -Ddiag.judgeSteps / judgeWidth / judgeDownsamplings overriding its fields. */
    private static FindingJudge.Config judgeConfig() {
        FindingJudge.Config q = FindingJudge.Config.quick(11);
        return new FindingJudge.Config(
                Integer.getInteger("diag.judgeWidth", q.width()),
                Integer.getInteger("diag.judgeSteps", q.steps()),
                q.batchSize(),
                q.learningRate(),
                q.seed(),
                q.maxPool(),
                Integer.getInteger("diag.judgeDownsamplings", q.downsamplings()));
    }

    /**
     * The judge on images with the finding and without it, from one pass: {recall, false-positive rate} at 0.5
     * and the threshold-free AUROC.
     */
    private static double[] judgeReading(List<float[]> with, List<float[]> lacking, int col) {
        List<float[]> all = new java.util.ArrayList<>(with);
        all.addAll(lacking);
        float[][] p = judge.probabilities(all);
        boolean[] positive = new boolean[all.size()];
        double[] scores = new double[all.size()];
        int hits = 0;
        int falseHits = 0;
        for (int i = 0; i < all.size(); i++) {
            positive[i] = i < with.size();
            scores[i] = p[i][col];
            boolean called = p[i][col] > 0.5f;
            hits += positive[i] && called ? 1 : 0;
            falseHits += !positive[i] && called ? 1 : 0;
        }
        return new double[] {
            (double) hits / with.size(),
            (double) falseHits / lacking.size(),
            dev.causalcxr.core.metrics.classification.Auroc.binary(positive, scores)
        };
    }

    private static double judged(List<float[]> images, int col) {
        if (images.isEmpty() || col < 0) {
            return Double.NaN;
        }
        int hit = 0;
        for (float[] p : judge.probabilities(images)) {
            hit += p[col] > 0.5f ? 1 : 0;
        }
        return (double) hit / images.size();
    }

    /** {mean |yes − no| over the changed pixels, changed pixel count}. */
    static double[] changed(float[] yes, float[] no) {
        double sum = 0;
        int count = 0;
        for (int i = 0; i < yes.length; i++) {
            double d = Math.abs(yes[i] - no[i]);
            if (d > CHANGED) {
                sum += d;
                count++;
            }
        }
        return new double[] {count == 0 ? 0 : sum / count, count};
    }

    /** 1 − Σ|img − yes| / Σ|no − yes| over the pixels the finding changes. */
    static double carry(float[] img, float[] yes, float[] no) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < yes.length; i++) {
            double d = Math.abs(yes[i] - no[i]);
            if (d > CHANGED) {
                num += Math.abs(img[i] - yes[i]);
                den += d;
            }
        }
        return den == 0 ? Double.NaN : 1 - num / den;
    }
}
