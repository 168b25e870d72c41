package dev.causalcxr.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.causalcxr.activities.TaskQueues;
import dev.causalcxr.activities.runner.RunVerification;
import dev.causalcxr.activities.stages.StageCatalog;
import dev.causalcxr.core.counterfactual.CounterfactualMetrics;
import dev.causalcxr.core.spec.ExperimentSpec;
import dev.causalcxr.core.spec.StageName;
import dev.causalcxr.infra.metadata.PipelineJournal;
import dev.causalcxr.infra.stack.PlatformStack;
import dev.causalcxr.infra.stack.StackConfig;
import dev.causalcxr.workflows.experiment.ExperimentClient;
import dev.causalcxr.workflows.experiment.ExperimentPlan;
import dev.causalcxr.workflows.experiment.PipelineProgress;
import dev.causalcxr.workflows.experiment.RunSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs one experiment end to end from this process: the stack (embedded or configured), in-process
 * workers for both queues, the workflow, a progress bar per stage, then the summary.
 */
final class LocalPipeline {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * @param verifyAgainst an earlier run whose outputs this run's must equal bit for bit (null: no check)
     */
    record Options(
            Set<StageName> force, boolean noCache, Path summaryJson, boolean localWorkers, String verifyAgainst) {}

    private LocalPipeline() {}

    static int run(ExperimentSpec spec, StackConfig config, Options options, ConsoleOutput console) {
        return execute(spec, null, config, options, console);
    }

    /**
     * Follows a run started earlier (by a {@code run} whose process may be gone) to its end, then prints
     * the same summary {@code run} does; its seconds are the run's own, from the journal. Ctrl-C leaves the
     * run going.
     */
    static int attach(String runId, StackConfig config, Options options, ConsoleOutput console) {
        return execute(null, runId, config, options, console);
    }

    /** A new run of {@code spec}, or (spec null) the existing run {@code attachTo}. */
    private static int execute(
            ExperimentSpec spec, String attachTo, StackConfig config, Options options, ConsoleOutput console) {
        long t0 = System.nanoTime();
        boolean attaching = attachTo != null;
        String runId = attaching
                ? attachTo
                : spec.name() + "-"
                        + LocalDateTime.now(ZoneId.systemDefault())
                                .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                        + "-"
                        + UUID.randomUUID().toString().substring(0, 6);
        ExperimentPlan plan =
                attaching ? null : ExperimentPlans.fromSpec(spec, runId, options.force(), options.noCache());
        if (!attaching) {
            // which stages run is explicit: said before anything starts
            console.info(spec.describeStages());
        }
        console.info("starting the stack (data: " + config.dataDir() + ")");
        java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
        try (PlatformStack stack = PlatformStack.start(config);
                WorkerHost workers = options.localWorkers()
                        ? WorkerHost.start(
                                stack,
                                Set.of(TaskQueues.CPU, TaskQueues.GPU),
                                StageCatalog.all(stack.db(), System.getenv()),
                                config.dataDir().resolve("work"))
                        : null) {
            if (options.verifyAgainst() != null
                    && stack.journal().pipelineRun(options.verifyAgainst()).isEmpty()) {
                throw new UsageException("--verify-against: no run " + options.verifyAgainst()
                        + " in this data folder (see `causalcxr status`)");
            }
            if (attaching) {
                PipelineJournal.PipelineRunRow row = stack.journal()
                        .pipelineRun(runId)
                        .orElseThrow(() -> new UsageException(
                                "--attach: no run " + runId + " in this data folder (see `causalcxr status`)"));
                console.info(String.format(
                        Locale.ROOT,
                        "stack up in %.1f s; attached to run %s (spec %s, %s); Ctrl-C leaves it running",
                        (System.nanoTime() - t0) / 1e9,
                        runId,
                        row.specDigest().substring(0, 12),
                        row.status()));
            } else {
                console.info(String.format(
                        Locale.ROOT,
                        "stack up in %.1f s; run %s (spec %s, %s profile)",
                        (System.nanoTime() - t0) / 1e9,
                        runId,
                        spec.digest().substring(0, 12),
                        spec.profile().label()));
            }
            ExperimentClient client = new ExperimentClient(
                    stack.temporal().client(),
                    stack.temporal().stubs(),
                    stack.temporal().namespace());
            if (!attaching) {
                client.start(plan);
            }
            CompletableFuture<RunSummary> result = CompletableFuture.supplyAsync(() -> client.await(runId));
            // Ctrl-C: cancel the run (not one attached to), then let the main thread record it and close the stack
            Thread cancelOnInterrupt = new Thread(() -> {
                if (!attaching && !result.isDone()) {
                    try {
                        client.cancel(runId);
                        result.get(60, TimeUnit.SECONDS);
                    } catch (Exception ignored) {
                        // shutting down anyway
                    }
                    StackCommand.awaitQuietly(closed);
                }
            });
            Runtime.getRuntime().addShutdownHook(cancelOnInterrupt);
            RunSummary summary = watch(client, runId, result, console);
            try {
                Runtime.getRuntime().removeShutdownHook(cancelOnInterrupt);
            } catch (IllegalStateException ignored) {
                // already shutting down
            }
            console.info("syncing tracking …");
            Optional<String> mlflow = stack.awaitTracking(Duration.ofMinutes(20));
            double seconds = attaching ? journaledSeconds(stack, runId, t0) : (System.nanoTime() - t0) / 1e9;
            printSummary(summary, stack, mlflow, seconds, console, config);
            if (options.summaryJson() != null) {
                writeSummaryJson(options.summaryJson(), summary, stack, mlflow, seconds);
            }
            if (!"succeeded".equals(summary.status())) {
                return ExitCodes.FAILURE;
            }
            if (options.verifyAgainst() != null) {
                return verify(stack, options, runId, console);
            }
            return ExitCodes.OK;
        } finally {
            closed.countDown();
        }
    }

    /** An attached run's seconds: from its start in the journal to its end there (or now). */
    private static double journaledSeconds(PlatformStack stack, String runId, long t0) {
        return stack.journal()
                .pipelineRun(runId)
                .map(r -> Duration.between(r.startedAt(), r.finishedAt() == null ? Instant.now() : r.finishedAt())
                                .toMillis()
                        / 1000.0)
                .orElse((System.nanoTime() - t0) / 1e9);
    }

    /** Prints the stage-by-stage comparison with the earlier run; 0 when every output is identical. */
    private static int verify(PlatformStack stack, Options options, String runId, ConsoleOutput console) {
        RunVerification.Result r =
                RunVerification.compare(stack.journal(), stack.objectStore(), options.verifyAgainst(), runId);
        console.println("");
        console.println("verify against " + options.verifyAgainst()
                + (options.noCache() ? "" : "   (without --no-cache, cached stages are equal by construction)"));
        for (RunVerification.StageComparison c : r.stages()) {
            String verdict = !c.inEarlierRun()
                    ? "not in the earlier run"
                    : c.identical()
                            ? "identical (" + c.outputs() + " outputs, artifacts)"
                            : "DIFFERS: " + String.join(", ", c.differingOutputs())
                                    + (c.differingArtifacts().isEmpty()
                                            ? ""
                                            : " (artifacts: " + String.join(", ", c.differingArtifacts()) + ")");
            console.printf("  %-26s %s", c.stage(), verdict);
        }
        Optional<RunVerification.StageComparison> first = r.firstDifference();
        if (first.isPresent()) {
            console.println("first difference: " + first.get().stage());
            return ExitCodes.FAILURE;
        }
        console.println("every stage's outputs are bit-identical to " + options.verifyAgainst());
        return ExitCodes.OK;
    }

    private static RunSummary watch(
            ExperimentClient client, String runId, CompletableFuture<RunSummary> result, ConsoleOutput console) {
        Map<String, String> printed = new LinkedHashMap<>();
        while (true) {
            try {
                RunSummary done = result.get(400, TimeUnit.MILLISECONDS);
                render(client, runId, printed, console, true);
                return done;
            } catch (java.util.concurrent.TimeoutException e) {
                render(client, runId, printed, console, false);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(
                        "the run ended abnormally: " + e.getCause().getMessage(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted");
            }
        }
    }

    private static void render(
            ExperimentClient client,
            String runId,
            Map<String, String> printed,
            ConsoleOutput console,
            boolean finalPass) {
        PipelineProgress p;
        try {
            p = client.progress(runId);
        } catch (RuntimeException e) {
            return; // the query races the workflow's first task; the next poll answers
        }
        for (PipelineProgress.StageState s : p.stages()) {
            boolean finished = !s.status().equals("pending") && !s.status().equals("running");
            if (finished && !s.status().equals(printed.get(s.stage()))) {
                printed.put(s.stage(), s.status());
                String tail = s.status().equals("succeeded") ? (s.cacheHit() ? "cache hit" : "done") : s.status();
                console.progress(
                        String.format(
                                Locale.ROOT,
                                "%-26s %s %5.1f s  %s",
                                s.stage(),
                                ConsoleOutput.bar(s.status().equals("succeeded") ? 1 : 0, 30),
                                s.seconds(),
                                tail),
                        true);
            } else if (s.status().equals("running") && !finalPass) {
                double f = p.currentStageFraction();
                console.progress(
                        String.format(Locale.ROOT, "%-26s %s %3.0f%%", s.stage(), ConsoleOutput.bar(f, 30), f * 100),
                        false);
            }
        }
    }

    private static void printSummary(
            RunSummary s,
            PlatformStack stack,
            Optional<String> mlflow,
            double seconds,
            ConsoleOutput console,
            StackConfig config) {
        console.println("");
        console.printf("run %s: %s in %.1f s", s.runId(), s.status(), seconds);
        if (s.error() != null) {
            console.println("  error: " + s.error());
        }
        // seconds: wall time from the stage's first attempt to its completion, retries and fail-overs included
        console.printf("  %-26s %-10s %-6s %8s %8s", "stage", "status", "cache", "seconds", "attempts");
        for (RunSummary.StageOutcome o : s.stages()) {
            console.printf(
                    "  %-26s %-10s %-6s %8.1f %8s",
                    o.stage(),
                    o.status(),
                    o.cacheHit() ? "hit" : "-",
                    o.seconds(),
                    o.attempts() == 0 ? "-" : String.valueOf(o.attempts()));
        }
        printMetrics(s.metrics(), console);
        if (s.registeredModel() != null) {
            console.println("model: " + s.registeredModel() + "   (./causalcxr counterfactual --model "
                    + s.registeredModel() + " --image IMG.png --finding \"...\" --out DIR)");
        }
        if (mlflow.isPresent()) {
            String runLink = stack.tracker()
                    .mlflowRunId(s.trackingRunId())
                    .map(id -> " (run " + id + ")")
                    .orElse("");
            console.println("MLflow: " + mlflow.get() + runLink);
            if (config.mlflowUri().isEmpty()) {
                console.println("  this embedded server stops with this command; to browse the runs later:");
                console.println(
                        "  ./causalcxr stack --data-dir " + config.dataDir() + "   (prints the MLflow UI address)");
            }
        } else {
            console.println("MLflow: off — " + stack.tracker().offlineReason().orElse("not connected")
                    + "\n  the run is journaled in PostgreSQL; `./causalcxr mlflow sync` replays it into a server.");
        }
    }

    /** Headline metrics grouped by stage, then the downstream arms side by side; the rest is in MLflow. */
    static void printMetrics(Map<String, Double> m, ConsoleOutput console) {
        if (m.isEmpty()) {
            return;
        }
        String[][] groups = {
            {StageName.INGEST.label(), "dataset_studies", "dataset_patients", "dataset_tail_classes"},
            {
                "disentangler",
                "recon_ssim",
                "recon_psnr",
                "swap_ssim_gt",
                "swap_ssim_gt_no_swap_baseline",
                "swap_mae_in_mask",
                "swap_mae_in_mask_no_swap_baseline",
                "leakage_zid_finding_probe",
                "zpath_finding_probe",
                "zpath_identity_probe"
            },
            {
                "counterfactuals",
                "cf_effectiveness",
                "cf_effectiveness_judge",
                "cf_effectiveness_truth_judge",
                "cf_identity_ssim",
                "cf_gt_ssim",
                "cf_gt_ssim_mask",
                "cf_composition_ssim",
                "cf_reversibility_ssim",
                "cf_diversity",
                "cf_diversity_truth",
                "cf_diversity_region",
                "cf_diversity_truth_region",
                "cf_diversity_region_share",
                "cf_off_target_flips",
                "cf_amplification",
                "cf_amplification_judge",
                "cf_amplification_truth",
                "cf_augmentation_images"
            },
            {
                "fidelity (in-domain features)",
                "fid",
                "kid",
                "precision",
                "recall",
                "density",
                "coverage",
                "decoded_fid",
                "decoded_kid"
            }
        };
        for (String[] g : groups) {
            boolean header = false;
            for (int i = 1; i < g.length; i++) {
                Double v = m.get(g[i]);
                if (v == null) {
                    continue;
                }
                if (!header) {
                    console.println("  " + g[0] + ":");
                    header = true;
                }
                Double ablation = m.get(g[i] + "_ablation_no_group");
                console.printf(
                        "    %-36s %10.4f%s",
                        g[i],
                        v,
                        ablation == null
                                ? ""
                                : String.format(java.util.Locale.ROOT, "   (no group supervision: %.4f)", ablation));
            }
        }
        printPerClass(m, console);
        String[] tail = {"effectiveness", "diversity", "fid"};
        if (m.containsKey("tail_effectiveness_optimized")) {
            console.printf("  %-38s %10s %10s", "tail noise (tail-class means)", "optimized", "plain N(0,I)");
            for (String t : tail) {
                console.printf(
                        "    %-36s %10.4f %10.4f",
                        "tail_" + t,
                        m.getOrDefault("tail_" + t + "_optimized", Double.NaN),
                        m.getOrDefault("tail_" + t + "_plain", Double.NaN));
            }
        }
        String[] downstream = {
            "accuracy",
            "balanced_accuracy",
            "macro_f1",
            "auroc",
            "head_recall",
            "tail_recall",
            "head_auroc",
            "tail_auroc"
        };
        if (m.containsKey("accuracy_real")) {
            // without an augmentation set the evaluation has the real arm alone
            boolean augmented = m.containsKey("accuracy_augmented");
            boolean plain = m.containsKey("accuracy_augmented_plain");
            boolean transfer = m.containsKey("accuracy_pretrain_finetune");
            console.printf(
                    "  %-38s %10s%s%s%s",
                    "downstream classifier (test split)",
                    "real",
                    augmented ? String.format("%11s", "augmented") : "",
                    plain ? String.format("%14s", "aug. plain") : "",
                    transfer ? String.format("%16s", "pretrain → ft") : "");
            for (String d : downstream) {
                console.printf(
                        "    %-36s %10.4f%s%s%s",
                        d,
                        m.getOrDefault(d + "_real", Double.NaN),
                        augmented
                                ? String.format(
                                        java.util.Locale.ROOT, "%11.4f", m.getOrDefault(d + "_augmented", Double.NaN))
                                : "",
                        plain
                                ? String.format(
                                        java.util.Locale.ROOT,
                                        "%14.4f",
                                        m.getOrDefault(d + "_augmented_plain", Double.NaN))
                                : "",
                        transfer
                                ? String.format(
                                        java.util.Locale.ROOT,
                                        "%16.4f",
                                        m.getOrDefault(d + "_pretrain_finetune", Double.NaN))
                                : "");
            }
            // the evaluation-only cohort's paired comparisons, when the spec asked for one
            // (with the oracles: what the generator loses against them, and the autoencoder against exact images)
            for (String arm : List.of(
                    "augmented",
                    "augmented_plain",
                    "pretrain_finetune",
                    "oracle",
                    "oracle_codes",
                    "augmented_vs_augmented_plain",
                    "augmented_vs_oracle",
                    "augmented_vs_oracle_codes",
                    "oracle_codes_vs_oracle")) {
                for (String d : List.of("tail_auroc", "tail_recall")) {
                    String key = "power_" + d + "_delta_" + arm;
                    if (m.containsKey(key)) {
                        console.printf(
                                "    %-36s %+10.4f  (95 %% CI %+.4f to %+.4f)",
                                "cohort " + d + ": "
                                        + (arm.contains("_vs_") ? arm.replace("_vs_", " − ") : arm + " − real"),
                                m.get(key),
                                m.getOrDefault(key + "_ci_low", Double.NaN),
                                m.getOrDefault(key + "_ci_high", Double.NaN));
                    }
                }
            }
        }
        console.println("  (" + m.size() + " metrics in all: MLflow and --summary-json)");
    }

    /**
     * Each requested class's counterfactuals as the judge reads them beside its reading of the phantom's exact
     * counterfactuals of the same requests (the most any generator can score by that judge), and the samples'
     * variation as a multiple of the phantom's own: a class's effectiveness means little where the judge cannot see
     * the finding even in the exact image.
     */
    static void printPerClass(Map<String, Double> m, ConsoleOutput console) {
        String generated = CounterfactualMetrics.JUDGE_EFFECTIVENESS + "__";
        SortedSet<String> classes = new TreeSet<>();
        for (String k : m.keySet()) {
            if (k.startsWith(generated)) {
                classes.add(k.substring(generated.length()));
            }
        }
        if (classes.isEmpty()) {
            return;
        }
        console.printf(
                "  %-38s %10s %10s %12s", "counterfactuals per class (judge)", "generated", "exact", "diversity ×");
        for (String c : classes) {
            double diversity = m.getOrDefault(CounterfactualMetrics.DIVERSITY + "__" + c, Double.NaN);
            double truth = m.getOrDefault(CounterfactualMetrics.DIVERSITY_TRUTH + "__" + c, Double.NaN);
            console.printf(
                    "    %-36s %10.4f %10.4f %12.2f",
                    c,
                    m.get(generated + c),
                    m.getOrDefault(
                            CounterfactualMetrics.EFFECTIVENESS_TRUTH + CounterfactualMetrics.JUDGED + "__" + c,
                            Double.NaN),
                    truth > 0 ? diversity / truth : Double.NaN);
        }
    }

    private static void writeSummaryJson(
            Path file, RunSummary s, PlatformStack stack, Optional<String> mlflow, double seconds) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("run_id", s.runId());
        root.put("status", s.status());
        root.put("seconds", seconds);
        Map<String, Object> stages = new LinkedHashMap<>();
        for (RunSummary.StageOutcome o : s.stages()) {
            Map<String, Object> st = new LinkedHashMap<>();
            st.put("cache_hit", o.cacheHit());
            st.put("seconds", o.seconds());
            st.put("attempts", o.attempts());
            st.put("status", o.status());
            st.put("manifest", o.manifestDigest());
            stages.put(o.stage(), st);
        }
        root.put("stages", stages);
        root.put("metrics", s.metrics());
        Map<String, Object> tracking = new LinkedHashMap<>();
        tracking.put("mlflow", mlflow.orElse(null));
        tracking.put(
                "mlflow_run_id", stack.tracker().mlflowRunId(s.trackingRunId()).orElse(null));
        tracking.put("offline_reason", stack.tracker().offlineReason().orElse(null));
        root.put("tracking", tracking);
        if (s.error() != null) {
            root.put("error", s.error());
        }
        if (s.registeredModel() != null) {
            root.put("model", s.registeredModel());
        }
        writeJsonFile(file, root);
    }

    /** A --summary-json file: written beside its final name, then moved there, so a reader never sees half. */
    static void writeJsonFile(Path file, Object document) {
        try {
            writeTextFile(file, JSON.writeValueAsString(document));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** A file a command hands the user: written beside its final name, then moved there. */
    static void writeTextFile(Path file, String content) {
        writeFile(file, tmp -> {
            Files.writeString(tmp, content, java.nio.charset.StandardCharsets.UTF_8);
            return null;
        });
    }

    /** Writes a file's content to the temporary file it is given. */
    @FunctionalInterface
    interface FileContent<T> {
        T writeTo(Path tmp) throws IOException;
    }

    /**
     * A file a command hands the user, written by {@code content} to a temporary file beside its final name and moved
     * there only when that succeeds: a failure (an exception from {@code content} included) leaves no partial file,
     * and an earlier file of that name as it was.
     *
     * @return what {@code content} returned
     */
    static <T> T writeFile(Path file, FileContent<T> content) {
        Path tmp = null;
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            tmp = Files.createTempFile(parent, "." + file.getFileName(), ".tmp");
            T result = content.writeTo(tmp);
            Files.move(
                    tmp,
                    file,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
            return result;
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    org.slf4j.LoggerFactory.getLogger(LocalPipeline.class)
                            .warn("cannot remove the partial file {}: {}", tmp, e.toString());
                }
            }
        }
    }
}
