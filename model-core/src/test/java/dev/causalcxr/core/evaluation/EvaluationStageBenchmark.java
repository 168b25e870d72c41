package dev.causalcxr.core.evaluation;

import dev.causalcxr.core.dataset.DatasetEntry;
import dev.causalcxr.core.dataset.DatasetImporter;
import dev.causalcxr.core.dataset.DatasetManifest;
import dev.causalcxr.core.dataset.ImportFormat;
import dev.causalcxr.core.dataset.ImportOptions;
import dev.causalcxr.core.dataset.PhantomDatasetWriter;
import dev.causalcxr.core.dataset.PhantomGroundTruth;
import dev.causalcxr.core.dataset.Split;
import dev.causalcxr.core.dataset.SplitProportions;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.labels.StudyLabels;
import dev.causalcxr.core.phantom.PhantomGenerator;
import dev.causalcxr.core.phantom.PhantomSpec;
import dev.causalcxr.core.phantom.PhantomStudy;
import dev.causalcxr.core.stage.RecordingStageContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The whole evaluate stage on the quick profile's phantom (2,000 studies, 64 px), with an <em>oracle</em>
 * augmentation: exact phantom counterfactuals that add a tail finding (copied from a real tail study
 * of the training split) to training studies without it — the best a counterfactual generator could
 * deliver, so this measures the pipeline and the headroom, not a trained generator.
 * With POWER_COHORT &gt; 0 both arms are also scored on an evaluation-only cohort of that many studies (every tail
 * class common, {@link PowerCohort}), and augmented − real is printed with its paired-bootstrap 95 % interval on the
 * test split and on the cohort: whether even exact counterfactuals move the tail measurably.
 * Usage: EvaluationStageBenchmark WORK_DIR [PER_TAIL_CLASS] [SEEDS] [EPOCHS] [POWER_COHORT]
 */
public final class EvaluationStageBenchmark {

    private EvaluationStageBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        int perTailClass = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int seeds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int epochs = args.length > 3 ? Integer.parseInt(args[3]) : 12;
        int powerCohort = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        if (Files.exists(work)) {
            try (var walk = Files.walk(work)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(work);
        PhantomSpec spec = PhantomSpec.defaults();
        PhantomDatasetWriter.write(spec, work.resolve("phantom"));
        Path dataset = work.resolve("dataset");
        DatasetImporter.run(new ImportOptions(
                ImportFormat.MIMIC,
                work.resolve("phantom"),
                dataset,
                "quick",
                64,
                "benchmark-key-0123456789".getBytes(StandardCharsets.UTF_8),
                true,
                SplitProportions.defaults()));
        DatasetManifest manifest = DatasetManifest.read(dataset.resolve("manifest.json"));
        // the data set knows its studies by pseudonym: the truth, pseudonymized as the ingest stage does, maps back
        Path truthFile = work.resolve("phantom").resolve(PhantomGroundTruth.FILE_NAME);
        List<String> originalIds = PhantomGroundTruth.read(truthFile).studies().stream()
                .map(PhantomGroundTruth.StudyTruth::studyId)
                .toList();
        PhantomGroundTruth pseudonymous = PhantomGroundTruth.pseudonymizeInPlace(
                truthFile, "benchmark-key-0123456789".getBytes(StandardCharsets.UTF_8), manifest);

        EvaluationConfig config = EvaluationConfig.quick()
                .withSeedCount(seeds)
                .withClassifier(ClassifierConfig.quick().withEpochs(epochs))
                .withPowerCohortStudies(powerCohort);
        PhantomGenerator generator = new PhantomGenerator(spec);
        Map<String, PhantomStudy> byOriginalId = new HashMap<>();
        generator.studies().forEach(s -> byOriginalId.put(s.studyId(), s));
        Map<String, PhantomStudy> byStudy = new HashMap<>();
        for (int i = 0; i < originalIds.size(); i++) {
            byStudy.put(pseudonymous.studies().get(i).studyId(), byOriginalId.get(originalIds.get(i)));
        }
        List<PhantomStudy> train = manifest.entries().stream()
                .filter(e -> e.split() == Split.TRAIN)
                .map(DatasetEntry::studyId)
                .map(byStudy::get)
                .toList();
        List<Finding> tail = manifest.tailClasses(config.tailFrequency()).stream()
                .map(l -> Finding.fromLabel(l).orElseThrow())
                .toList();
        List<AugmentedSample> augmentation = new ArrayList<>();
        StringBuilder made = new StringBuilder();
        for (Finding finding : tail) {
            List<FindingMention> mentions = train.stream()
                    .flatMap(s -> s.findings().stream())
                    .filter(m -> m.finding() == finding)
                    .toList();
            List<PhantomStudy> hosts =
                    train.stream().filter(s -> !s.has(finding)).toList();
            if (mentions.isEmpty()) {
                continue;
            }
            for (int i = 0; i < perTailClass; i++) {
                PhantomStudy host = hosts.get((i * 7919 + finding.ordinal() * 131) % hosts.size());
                List<FindingMention> findings = new ArrayList<>(host.findings());
                findings.add(mentions.get(i % mentions.size()));
                Set<Finding> condition = EnumSet.noneOf(Finding.class);
                findings.forEach(m -> condition.add(m.finding()));
                augmentation.add(AugmentedSample.of(
                        generator.renderCounterfactual(host, findings).image(), condition));
            }
            made.append(finding.label()).append(" (").append(mentions.size()).append(" real) ");
        }
        RecordingStageContext ctx = new RecordingStageContext(Files.createDirectories(work.resolve("stage")), 2026);
        long t0 = System.nanoTime();
        EvaluationResult result = EvaluationStage.run(
                config, dataset, StudyLabels.fromManifest(manifest), null, augmentation, null, null, true, ctx);
        double seconds = (System.nanoTime() - t0) / 1e9;

        List<String> lines = new ArrayList<>();
        lines.add(String.format(
                Locale.ROOT,
                "Evaluate stage on the quick phantom: %s train / %s val / %s test images, "
                        + "%d oracle counterfactuals (%d per tail class: %s), %d seeds x %d epochs, %s: %.0f s.",
                ctx.param("train_images"),
                ctx.param("val_images"),
                ctx.param("test_images"),
                augmentation.size(),
                perTailClass,
                made.toString().strip(),
                seeds,
                epochs,
                config.classifier().architectureName(),
                seconds));
        lines.add("");
        lines.add("Classes (priority, rarest first): " + ctx.param("class_priority") + "; tail: "
                + ctx.param("tail_classes") + ".");
        lines.add("Feature network: " + result.featureNetwork().name() + " sha256 "
                + result.featureNetwork().digest().substring(0, 16) + "…");
        lines.add("");
        lines.add("| metric | real | augmented | augmented − real |");
        lines.add("|---|---|---|---|");
        DownstreamResult d = result.downstream();
        row(lines, "accuracy", d.real().accuracy(), d.augmented().accuracy());
        row(
                lines,
                "balanced accuracy",
                d.real().balancedAccuracy(),
                d.augmented().balancedAccuracy());
        row(lines, "macro-F1", d.real().macroF1(), d.augmented().macroF1());
        row(lines, "AUROC (macro, one-vs-rest)", d.real().auroc(), d.augmented().auroc());
        row(lines, "head recall", d.real().headRecall(), d.augmented().headRecall());
        row(lines, "tail recall", d.real().tailRecall(), d.augmented().tailRecall());
        for (int c = 0; c < d.classLabels().size(); c++) {
            row(
                    lines,
                    "recall " + d.classLabels().get(c) + (d.tailClasses().contains(c) ? " (tail)" : "") + " ["
                            + d.real().perSeed().get(0).support()[c] + " test]",
                    d.real().recall().get(c),
                    d.augmented().recall().get(c));
        }
        lines.add("");
        lines.add("Augmented − real, paired bootstrap over test studies and seeds (95 % CI):");
        lines.add("");
        lines.add("| metric | test split | evaluation-only cohort |");
        lines.add("|---|---|---|");
        for (String m : PairedBootstrap.METRICS) {
            lines.add(String.format(
                    Locale.ROOT,
                    "| %s | %s | %s |",
                    m,
                    paired(ctx, "", m),
                    powerCohort > 0 ? paired(ctx, "power/", m) : "—"));
        }
        if (powerCohort > 0) {
            lines.add("");
            lines.add("Cohort: " + ctx.param("power_cohort_studies")
                    + " studies; per tail class AUROC real → augmented:");
            for (int c = 0; c < d.classLabels().size(); c++) {
                if (d.tailClasses().contains(c)) {
                    String key = result.target().classKeys().get(c);
                    lines.add(String.format(
                            Locale.ROOT,
                            "- %s: %.3f → %.3f",
                            d.classLabels().get(c),
                            ctx.lastMetric("power/auroc_real/" + key),
                            ctx.lastMetric("power/auroc_augmented/" + key)));
                }
            }
        }
        lines.add("");
        if (result.fidelity() != null) {
            var o = result.fidelity().overall();
            lines.add(String.format(
                    Locale.ROOT,
                    "Fidelity of the augmentation set against the real test split "
                            + "(in-domain features, %d-d): FID %.3f, KID %.4f ± %.4f, precision %.3f, recall %.3f, "
                            + "density %.3f, coverage %.3f.",
                    result.fidelity().space().dimension(),
                    o.fid().fid(),
                    o.kid().mean(),
                    o.kid().std(),
                    o.prdc().precision(),
                    o.prdc().recall(),
                    o.prdc().density(),
                    o.prdc().coverage()));
        }
        Path charts = Path.of(System.getProperty(
                "causalcxr.bench.charts", work.resolve("charts").toString()));
        Files.createDirectories(charts);
        Files.copy(
                ctx.artifact(EvaluationStage.ARTIFACT_CONFUSION),
                charts.resolve("confusion-matrices.png"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(
                ctx.artifact(EvaluationStage.ARTIFACT_RECALL),
                charts.resolve("per-class-recall.png"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        System.out.println(String.join("\n", lines));
    }

    private static String paired(RecordingStageContext ctx, String prefix, String metric) {
        String k = "paired_delta/" + DownstreamEvaluation.AUGMENTED + "/" + metric;
        if (!ctx.hasMetric(prefix + k)) {
            return "n/a";
        }
        return String.format(
                Locale.ROOT,
                "%+.3f (%+.3f to %+.3f)",
                ctx.lastMetric(prefix + k),
                ctx.lastMetric(prefix + "paired_delta_ci_low/" + DownstreamEvaluation.AUGMENTED + "/" + metric),
                ctx.lastMetric(prefix + "paired_delta_ci_high/" + DownstreamEvaluation.AUGMENTED + "/" + metric));
    }

    private static void row(List<String> lines, String name, MeanStd real, MeanStd augmented) {
        lines.add(String.format(
                Locale.ROOT,
                "| %s | %s | %s | %s |",
                name,
                text(real),
                text(augmented),
                Double.isNaN(real.mean()) || Double.isNaN(augmented.mean())
                        ? "n/a"
                        : String.format(Locale.ROOT, "%+.3f", augmented.mean() - real.mean())));
    }

    private static String text(MeanStd v) {
        return Double.isNaN(v.mean()) ? "n/a" : String.format(Locale.ROOT, "%.3f ± %.3f", v.mean(), v.std());
    }
}
