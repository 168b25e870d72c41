package dev.causalcxr.cli;

import dev.causalcxr.infra.metadata.PipelineJournal;
import dev.causalcxr.infra.stack.PlatformStack;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description = "Show recent pipeline runs, or one run's stages, from the metadata journal.")
final class StatusCommand implements Callable<Integer> {
    @Mixin
    DataDirOption dataDir;

    @Parameters(arity = "0..1", paramLabel = "RUN_ID", description = "A run (workflow) id.")
    String runId;

    /** For a run still in flight on a reachable Temporal service: the running stage and its fraction. */
    private void liveProgress(String id, java.time.Instant started, ConsoleOutput console) {
        var config = dataDir.config();
        if (config.temporalAddress().isEmpty()) {
            return;
        }
        try (var temporal = dev.causalcxr.infra.temporal.TemporalConnection.connect(
                config.temporalAddress().get(), config.temporalNamespace())) {
            var client = new dev.causalcxr.workflows.experiment.ExperimentClient(
                    temporal.client(), temporal.stubs(), temporal.namespace());
            var p = client.progress(id);
            double f = p.currentStageFraction();
            console.printf(
                    "  now: %s %s %3.0f%%  (%d of %d stages done, %.0f s since the run started)",
                    p.currentStage(),
                    ConsoleOutput.bar(f, 20),
                    f * 100,
                    p.completedStages(),
                    p.totalStages(),
                    // the workflow's own clock stands still between its tasks: the journal's start is live
                    Duration.between(started, java.time.Instant.now()).toMillis() / 1000.0);
        } catch (RuntimeException e) {
            console.println("  (live progress unavailable: " + e.getMessage() + ")");
        }
    }

    @Override
    public Integer call() {
        ConsoleOutput console = ConsoleOutput.system();
        try (PlatformStack stack = PlatformStack.start(dataDir.config().withMlflowEnabled(false), false)) {
            PipelineJournal journal = stack.journal();
            if (runId == null) {
                List<PipelineJournal.PipelineRunRow> runs = journal.recentPipelineRuns(20);
                if (runs.isEmpty()) {
                    console.println("no runs yet");
                }
                for (PipelineJournal.PipelineRunRow r : runs) {
                    String took = r.finishedAt() == null
                            ? "running"
                            : Duration.between(r.startedAt(), r.finishedAt()).toMillis() / 1000.0 + " s";
                    console.printf(
                            "%-44s %-10s %-12s %s",
                            r.id(), r.status(), r.specDigest().substring(0, 12), took);
                }
                return ExitCodes.OK;
            }
            PipelineJournal.PipelineRunRow run =
                    journal.pipelineRun(runId).orElseThrow(() -> new UsageException("no run " + runId));
            console.printf(
                    "run %s: %s (spec %s, code %s)", run.id(), run.status(), run.specDigest(), run.codeVersion());
            if ("running".equals(run.status())) {
                liveProgress(runId, run.startedAt(), console);
            }
            // wall: from the first attempt's start, so a fail-over's wait and the lost work count
            for (PipelineJournal.StageRunRow s : journal.stageRuns(runId)) {
                console.printf(
                        "  %-26s %-10s attempt %d %-6s %8.1f s wall%s%s",
                        s.stage(),
                        s.status(),
                        s.attempt(),
                        s.cacheHit() ? "hit" : "-",
                        s.wallSeconds(),
                        s.attempt() > 1 && s.seconds() != null
                                ? String.format(java.util.Locale.ROOT, " (last attempt %.1f s)", s.seconds())
                                : "",
                        s.error() == null ? "" : "  error: " + s.error());
            }
            return ExitCodes.OK;
        }
    }
}
