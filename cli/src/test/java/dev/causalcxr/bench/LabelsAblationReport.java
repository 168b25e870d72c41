package dev.causalcxr.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.activities.runner.StageManifest;
import dev.causalcxr.core.dataset.DatasetBundle;
import dev.causalcxr.core.dataset.DatasetEntry;
import dev.causalcxr.core.dataset.DatasetManifest;
import dev.causalcxr.core.dataset.PhantomGroundTruth;
import dev.causalcxr.core.dataset.Split;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.labels.LabelAgreement;
import dev.causalcxr.core.labels.LabelSource;
import dev.causalcxr.core.labels.StudyLabels;
import dev.causalcxr.infra.stack.PlatformStack;
import dev.causalcxr.infra.stack.StackConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The tables of the label-source ablation ({@code bench/labels/run}): for runs of the same spec and seed
 * that differ only in where their labels come from, the headline numbers side by side, counterfactual
 * effectiveness per class, and the report parser's labels against the phantom truth per finding.
 * Reads the runs' {@code --summary-json} files and, from the data folder's object store, the labels
 * parse-reports published, the phantom truth and the tail classes.
 *
 * <p>Usage: {@code LabelsAblationReport DATA_DIR summary-ARM.json...}; prints Markdown.
 */
public final class LabelsAblationReport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LabelsAblationReport() {}

    /** One run: its arm name (from {@code summary-ARM.json}) and its summary. */
    private record Arm(String name, JsonNode summary) {
        double metric(String key) {
            JsonNode v = summary.path("metrics").get(key);
            return v == null || v.isNull() ? Double.NaN : v.asDouble();
        }

        String manifest(String stage) {
            return summary.at("/stages/" + stage + "/manifest").asText();
        }
    }

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args[0]);
        List<Arm> arms = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            Path file = Path.of(args[i]);
            String name =
                    file.getFileName().toString().replaceFirst("^summary-", "").replaceFirst("\\.json$", "");
            arms.add(new Arm(name, JSON.readTree(file.toFile())));
        }
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("CAUSALCXR_MLFLOW", "off");
        List<String> out = new ArrayList<>();
        try (PlatformStack stack = PlatformStack.start(StackConfig.fromEnvironment(dataDir, env), false)) {
            Path tmp = Files.createTempDirectory("labels-report");
            Arm first = arms.get(0);
            StageManifest ingest = manifest(stack, first.manifest("ingest"));
            DatasetManifest dataset = DatasetBundle.readManifest(
                    fetch(stack, ingest.outputs().get("dataset").digest(), tmp));
            StudyLabels truth = StudyLabels.fromTruth(PhantomGroundTruth.read(
                    fetch(stack, ingest.outputs().get("phantom-truth").digest(), tmp)));
            Map<String, StudyLabels> labels = new LinkedHashMap<>();
            Map<String, String> tailClasses = new LinkedHashMap<>();
            for (Arm a : arms) {
                StageManifest parse = manifest(stack, a.manifest("parse-reports"));
                out.add("- " + a.name() + ": parse-reports config " + parse.configJson());
                labels.put(
                        a.name(),
                        StudyLabels.read(
                                fetch(stack, parse.outputs().get("labels").digest(), tmp)));
                StageManifest tail = manifest(stack, a.manifest("optimize-tail-noise"));
                JsonNode table = JSON.readTree(
                        fetch(stack, tail.outputs().get("tail-classes").digest(), tmp)
                                .toFile());
                List<String> names = new ArrayList<>();
                table.path("classes")
                        .forEach(c ->
                                names.add(Finding.fromLabel(c.path("finding").asText())
                                        .map(Finding::label)
                                        .orElse(c.path("finding").asText())));
                tailClasses.put(a.name(), String.join(", ", names));
            }
            out.add("");
            headline(out, arms, labels, tailClasses);
            perClass(out, arms);
            List<String> train = dataset.entries().stream()
                    .filter(e -> e.split() == Split.TRAIN)
                    .map(DatasetEntry::studyId)
                    .distinct()
                    .toList();
            for (Arm a : arms) {
                StudyLabels l = labels.get(a.name());
                if (l.source() != LabelSource.TRUTH) {
                    agreement(out, a.name(), LabelAgreement.compare(l, truth, train));
                }
            }
        }
        out.forEach(System.out::println);
    }

    private static void headline(
            List<String> out, List<Arm> arms, Map<String, StudyLabels> labels, Map<String, String> tailClasses) {
        out.add("| | "
                + String.join(
                        " | ",
                        arms.stream()
                                .map(a -> "labels: " + labels.get(a.name()).source()
                                        + (a.name().equals("llm") ? " (llm)" : ""))
                                .toList())
                + " |");
        out.add("|---" + "|---".repeat(arms.size()) + "|");
        text(out, arms, "tail classes (optimize-tail-noise)", a -> tailClasses.get(a.name()));
        row(out, arms, "disentangler recon SSIM", "recon_ssim");
        row(out, arms, "swap SSIM to ground truth", "swap_ssim_gt");
        row(out, arms, "swap PSNR to ground truth", "swap_psnr_gt");
        row(out, arms, "swap error inside the finding mask", "swap_mae_in_mask");
        row(out, arms, "z_path finding probe (balanced acc., on the run's labels)", "zpath_finding_probe");
        row(out, arms, "z_id finding leakage probe (on the run's labels)", "leakage_zid_finding_probe");
        row(out, arms, "diffusion final loss", "diffusion_final_loss");
        row(
                out,
                arms,
                "tail prior effectiveness, optimized / plain",
                "tail_effectiveness_optimized",
                "tail_effectiveness_plain");
        row(out, arms, "cf effectiveness (all pairs)", "cf_effectiveness");
        row(out, arms, "cf identity SSIM outside the finding region", "cf_identity_ssim");
        row(out, arms, "cf SSIM to the exact counterfactual", "cf_gt_ssim");
        row(out, arms, "cf composition / reversibility SSIM", "cf_composition_ssim", "cf_reversibility_ssim");
        row(out, arms, "cf diversity", "cf_diversity");
        row(out, arms, "augmentation images", "cf_augmentation_images");
        row(out, arms, "FID / KID (in-domain features of the run)", "fid", "kid");
        for (String m : List.of("accuracy", "balanced_accuracy", "macro_f1", "tail_recall", "head_recall")) {
            row(
                    out,
                    arms,
                    m + " real / +cf / +plain, the run's own test targets",
                    m + "_real",
                    m + "_augmented",
                    m + "_augmented_plain");
        }
        for (String m : List.of("accuracy", "balanced_accuracy", "macro_f1", "tail_recall", "head_recall")) {
            out.add("| " + m + " real / +cf / +plain, the truth's test targets | "
                    + String.join(
                            " | ",
                            arms.stream()
                                    .map(a -> labels.get(a.name()).source() == LabelSource.TRUTH
                                            ? values(a, m + "_real", m + "_augmented", m + "_augmented_plain")
                                            : values(
                                                    a,
                                                    m + "_real_vs_truth",
                                                    m + "_augmented_vs_truth",
                                                    m + "_augmented_plain_vs_truth"))
                                    .toList())
                    + " |");
        }
        out.add("| test targets equal to the truth's | "
                + String.join(
                        " | ",
                        arms.stream()
                                .map(a -> labels.get(a.name()).source() == LabelSource.TRUTH
                                        ? "1 (are the truth)"
                                        : fmt(a.metric("evaluation_test_targets_agreement_vs_truth")))
                                .toList())
                + " |");
        row(out, arms, "pipeline seconds", "__seconds");
        out.add("");
    }

    private static void perClass(List<String> out, List<Arm> arms) {
        TreeSet<String> classes = new TreeSet<>();
        for (Arm a : arms) {
            a.summary().path("metrics").fieldNames().forEachRemaining(k -> {
                if (k.startsWith("cf_effectiveness__")) {
                    classes.add(k.substring("cf_effectiveness__".length()));
                }
            });
        }
        out.add("| counterfactual effectiveness / SSIM to the exact counterfactual, per condition | "
                + String.join(" | ", arms.stream().map(Arm::name).toList()) + " |");
        out.add("|---" + "|---".repeat(arms.size()) + "|");
        classes.remove("no_finding");
        for (String c : classes) {
            row(out, arms, "add " + c.replace('_', ' '), "cf_effectiveness__" + c, "cf_gt_ssim__" + c);
        }
        row(out, arms, "remove every finding", "cf_effectiveness__no_finding", "cf_gt_ssim__no_finding");
        out.add("");
    }

    private static void agreement(List<String> out, String arm, LabelAgreement a) {
        out.add(String.format(
                Locale.ROOT,
                "Labels of the %s arm against the phantom truth, %d training studies "
                        + "(what the generator trains on): agreement %.4f of the (study, finding) cells, mean κ %.3f; "
                        + "where both call a finding present: severity %.3f (%d), laterality %.3f (%d), zone %.3f (%d).",
                arm,
                a.studies(),
                a.overallAgreement(),
                a.meanKappa(),
                a.severity().value(),
                a.severity().stated(),
                a.laterality().value(),
                a.laterality().stated(),
                a.zone().value(),
                a.zone().stated()));
        out.add("");
        out.add("| finding | in truth | labelled present | both | missed | added | recall | precision | κ |");
        out.add("|---|---|---|---|---|---|---|---|---|");
        for (LabelAgreement.FindingAgreement f : a.findings()) {
            out.add(String.format(
                    Locale.ROOT,
                    "| %s | %d | %d | %d | %d | %d | %s | %s | %s |",
                    f.finding().label(),
                    f.both() + f.onlyB(),
                    f.both() + f.onlyA(),
                    f.both(),
                    f.onlyB(),
                    f.onlyA(),
                    fmt(f.recall()),
                    fmt(f.precision()),
                    fmt(f.kappa())));
        }
        out.add("");
    }

    private static void row(List<String> out, List<Arm> arms, String label, String... keys) {
        out.add("| " + label + " | "
                + String.join(" | ", arms.stream().map(a -> values(a, keys)).toList()) + " |");
    }

    private static void text(List<String> out, List<Arm> arms, String label, Function<Arm, String> value) {
        out.add("| " + label + " | "
                + String.join(" | ", arms.stream().map(value).toList()) + " |");
    }

    private static String values(Arm a, String... keys) {
        List<String> v = new ArrayList<>();
        for (String k : keys) {
            v.add(
                    k.equals("__seconds")
                            ? String.format(
                                    Locale.ROOT,
                                    "%.0f",
                                    a.summary().path("seconds").asDouble())
                            : fmt(a.metric(k)));
        }
        return String.join(" / ", v);
    }

    private static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "–";
        }
        if (v == Math.rint(v) && Math.abs(v) >= 2) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.3f", v);
    }

    private static StageManifest manifest(PlatformStack stack, String digest) {
        return stack.objectStore().readJson(digest, StageManifest.class);
    }

    private static Path fetch(PlatformStack stack, String digest, Path dir) throws Exception {
        Path file = Files.createTempFile(dir, "object-", ".bin");
        stack.objectStore().getToFile(digest, file);
        return file;
    }
}
