package dev.causalcxr.cli;

import dev.causalcxr.activities.TaskQueues;
import dev.causalcxr.activities.retrain.RetrainActivitiesImpl;
import dev.causalcxr.activities.retrain.RetrainRequest;
import dev.causalcxr.activities.retrain.RetrainTriggers;
import dev.causalcxr.activities.retrain.TestSplit;
import dev.causalcxr.activities.stages.StageCatalog;
import dev.causalcxr.core.spec.RetrainConfig;
import dev.causalcxr.infra.registry.ModelRegistry;
import dev.causalcxr.infra.schedules.RetrainSchedules;
import dev.causalcxr.infra.stack.PlatformStack;
import dev.causalcxr.infra.stack.StackConfig;
import dev.causalcxr.workflows.experiment.RunSummary;
import dev.causalcxr.workflows.retrain.RetrainSummary;
import dev.causalcxr.workflows.retrain.RetrainWorkflow;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "retrain",
        mixinStandardHelpOptions = true,
        description = {
            "Fine-tune a model on new data and promote the challenger when the spec's gate passes.",
            "The challenger is warm-started from the model's weights; champion and challenger are compared on the",
            "frozen test splits of its data and of the new data. A challenger that passes is promoted (the old",
            "version keeps @previous), one that fails is kept as @challenger with the failed rules. Every move",
            "goes to `models history`. Exit 0 either way, 1 when the retrain failed, 2 for bad input (nothing",
            "registered)."
        })
final class RetrainCommand implements Callable<Integer> {
    @Mixin
    DataDirOption dataDir;

    @Option(names = "--model", required = true, paramLabel = "NAME@ALIAS", description = "The champion.")
    String model;

    @Option(
            names = "--dataset",
            required = true,
            paramLabel = "NAME[@VERSION]",
            description = "The new data, from the catalogue (`dataset import`); its newest version without @VERSION.")
    String dataset;

    @Option(
            names = "--spec",
            paramLabel = "FILE",
            description = "A YAML file with a retrain: block (training set, steps, gate); the defaults without it.")
    Path spec;

    @Option(
            names = "--summary-json",
            paramLabel = "FILE",
            description = "Write the outcome as JSON: the training run's stages and seconds, each split's metrics for"
                    + " champion and challenger, every gate rule's outcome.")
    Path summaryJson;

    @Option(
            names = "--no-local-workers",
            description = "Do not run workers in this process (workers started with `causalcxr worker` do the work).")
    boolean noLocalWorkers;

    @Override
    public Integer call() {
        if (!model.contains("@")) {
            throw new UsageException("--model needs NAME@ALIAS (or NAME@VERSION): which version is the champion");
        }
        String specText = null;
        if (spec != null) {
            try {
                specText = Files.readString(spec, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UsageException(FileErrors.cannot("cannot read the spec", spec, e));
            }
            RetrainConfig.parseYaml(specText); // every problem at once, exit 2
        }
        return run(dataDir.config(), model, dataset, specText, !noLocalWorkers, summaryJson, ConsoleOutput.system());
    }

    static int run(
            StackConfig config,
            String model,
            String dataset,
            String specText,
            boolean localWorkers,
            Path summaryJson,
            ConsoleOutput console) {
        return run(config, model, dataset, specText, localWorkers, summaryJson, console, null);
    }

    /**
     * Starts a retrain and waits for it.
     *
     * @param trigger null: a retrain asked for by hand, under a fresh id; otherwise what triggered it (an import's
     *     {@code --then-retrain}): the id is derived from the champion version and the data set version
     *     ({@link RetrainTriggers#retrainId}), and nothing starts when that pair is not due ({@link RetrainTriggers})
     *     or was started before
     */
    static int run(
            StackConfig config,
            String model,
            String dataset,
            String specText,
            boolean localWorkers,
            Path summaryJson,
            ConsoleOutput console,
            String trigger) {
        long t0 = System.nanoTime();
        String actor = ModelRegistry.currentUser();
        console.info("starting the stack (data: " + config.dataDir() + ")");
        try (PlatformStack stack = PlatformStack.start(config);
                WorkerHost workers = localWorkers
                        ? WorkerHost.start(
                                stack,
                                Set.of(TaskQueues.CPU, TaskQueues.GPU),
                                StageCatalog.all(stack.db(), System.getenv()),
                                config.dataDir().resolve("work"))
                        : null) {
            // bad input is said before anything starts: nothing trained, nothing registered
            RetrainActivitiesImpl.Resolved resolved = WorkerHost.retrainActivities(stack)
                    .resolve(new RetrainRequest(null, model, dataset, specText, actor));
            String pinned =
                    resolved.newData().dataset() + "@" + resolved.newData().version();
            String retrainId;
            if (trigger == null) {
                retrainId = "retrain-" + model.substring(0, model.indexOf('@')) + "-"
                        + LocalDateTime.now(ZoneId.systemDefault())
                                .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                        + "-" + UUID.randomUUID().toString().substring(0, 6);
            } else {
                RetrainTriggers.Check due =
                        WorkerHost.retrainTriggers(stack).check(resolved.lineage(), resolved.newData());
                if (due.due() == null) {
                    console.println("no retrain started: " + due.reason());
                    return ExitCodes.OK;
                }
                retrainId = due.due().retrainId();
            }
            RetrainRequest request = new RetrainRequest(retrainId, model, pinned, specText, actor);
            console.info(String.format(
                    Locale.ROOT,
                    "retrain %s: %s (run %s) on %s@%s, training set %s",
                    retrainId,
                    resolved.champion().reference(),
                    resolved.championRunId(),
                    resolved.newData().dataset(),
                    resolved.newData().version().substring(0, 12),
                    resolved.config().trainingSet().label()));
            WorkflowClient client = stack.temporal().client();
            RetrainWorkflow wf = client.newWorkflowStub(
                    RetrainWorkflow.class,
                    WorkflowOptions.newBuilder()
                            .setTaskQueue(TaskQueues.CPU)
                            .setWorkflowId(retrainId)
                            .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
                            .build());
            RetrainSchedules record = new RetrainSchedules(stack.db());
            boolean startedHere = true;
            try {
                WorkflowClient.start(wf::retrain, request);
            } catch (WorkflowExecutionAlreadyStarted e) {
                // a schedule of the running stack started this very pair a moment ago
                startedHere = false;
            }
            record.recordTrigger(
                    resolved.champion().name(),
                    resolved.champion().version(),
                    resolved.newData().dataset(),
                    resolved.newData().version(),
                    retrainId,
                    trigger == null ? actor : trigger);
            if (!startedHere) {
                console.println("no retrain started: " + retrainId + " was started already");
                return ExitCodes.OK;
            }
            RetrainSummary summary = WorkflowStub.fromTyped(wf).getResult(RetrainSummary.class);
            stack.awaitTracking(java.time.Duration.ofMinutes(5));
            double seconds = (System.nanoTime() - t0) / 1e9;
            print(summary, seconds, console);
            if (summaryJson != null) {
                writeSummaryJson(summaryJson, summary, seconds);
            }
            return "failed".equals(summary.status()) ? ExitCodes.FAILURE : ExitCodes.OK;
        }
    }

    /** The summary as the workflow returned it, with the command's wall time. */
    static void writeSummaryJson(Path file, RetrainSummary summary, double seconds) {
        Map<String, Object> doc = new java.util.LinkedHashMap<>();
        doc.put("wall_seconds", seconds);
        doc.put("retrain", summary);
        LocalPipeline.writeJsonFile(file, doc);
    }

    /** The decision, the training run's stages, each split's numbers side by side and every rule's outcome. */
    static void print(RetrainSummary s, double seconds, ConsoleOutput console) {
        console.println("");
        console.printf("retrain %s: %s in %.1f s", s.retrainId(), s.status(), seconds);
        if (s.error() != null) {
            console.println("  error: " + s.error());
            return;
        }
        console.println("  training set: " + s.trainingSet());
        RunSummary t = s.training();
        console.printf("  training run %s: %s", t.runId(), t.status());
        for (RunSummary.StageOutcome o : t.stages()) {
            console.printf(
                    "    %-26s %-10s %-6s %8.1f s", o.stage(), o.status(), o.cacheHit() ? "hit" : "-", o.seconds());
        }
        for (int i = 0; i < s.splits().size(); i++) {
            TestSplit split = s.splits().get(i);
            console.printf(
                    "  test split %s (%s, %d studies, digest %s)",
                    split.dataset(),
                    split.role(),
                    split.testStudies(),
                    split.testDigest().substring(0, 12));
            Map<String, Double> champ = s.championMetrics().get(i);
            Map<String, Double> chal = s.challengerMetrics().get(i);
            Set<String> keys = new TreeSet<>(champ.keySet());
            keys.retainAll(chal.keySet());
            console.printf("    %-36s %10s %10s", "metric", "champion", "challenger");
            for (String k : keys) {
                if (k.startsWith("recon_")
                        || k.startsWith("swap_")
                        || k.equals("fid")
                        || k.equals("kid")
                        || k.startsWith("decoded_")
                        || k.startsWith("cf_")
                        || k.startsWith("balanced_accuracy")
                        || k.startsWith("tail_recall")) {
                    console.printf("    %-36s %10.4f %10.4f", k, champ.get(k), chal.get(k));
                }
            }
        }
        console.println("  gate:");
        s.decision().outcomes().forEach(line -> console.println("    " + line));
        console.println(
                s.decision().promoted()
                        ? "promoted: " + s.decision().challenger() + " is the champion (the old one keeps @previous)"
                        : "not promoted: " + s.decision().challenger() + " is @challenger; "
                                + s.decision().champion() + " stays champion — "
                                + s.decision().reason());
    }
}
