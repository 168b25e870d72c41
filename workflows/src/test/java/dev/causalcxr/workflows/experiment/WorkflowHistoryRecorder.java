package dev.causalcxr.workflows.experiment;

import dev.causalcxr.activities.TaskQueues;
import dev.causalcxr.activities.pipeline.ModelRegistration;
import dev.causalcxr.activities.pipeline.PipelineActivities;
import dev.causalcxr.activities.pipeline.RunFinish;
import dev.causalcxr.activities.pipeline.RunStart;
import dev.causalcxr.activities.runner.StageRequest;
import dev.causalcxr.activities.runner.StageResult;
import dev.causalcxr.activities.stages.StageActivities;
import dev.causalcxr.core.spec.StageName;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Records the experiment workflow's event histories that {@link ExperimentWorkflowReplayTest} replays
 * against the current code: a whole pipeline with the tail-noise fan-out and model registration, and a
 * two-stage pipeline. The activities are scripted (the workflow only sees their results). Run it
 * when a workflow change is meant to be recorded as a new baseline, keeping the old files: histories
 * of runs that may still be in flight must go on replaying.
 * Usage: {@code WorkflowHistoryRecorder OUTPUT_DIR SUFFIX}.
 */
public final class WorkflowHistoryRecorder {

    private WorkflowHistoryRecorder() {}

    static final List<StageName> ALL_STAGES = List.of(StageName.values());

    static ExperimentPlan plan(String runId, List<StageName> stages) {
        List<ExperimentPlan.StagePlan> plans = new java.util.ArrayList<>();
        for (int i = 0; i < stages.size(); i++) {
            StageName s = stages.get(i);
            String queue = TaskQueues.forStage(s);
            plans.add(new ExperimentPlan.StagePlan(
                    s, queue, "{}", 10L + i, i == 0 ? List.of() : List.of(stages.get(i - 1)), false));
        }
        return new ExperimentPlan(runId, "causalcxr/replay", "replay", "spec-digest", "{}", "test", 1L, "quick", plans);
    }

    public static void main(String[] args) throws Exception {
        Path out =
                Path.of(args.length > 0 ? args[0] : "workflows/src/test/resources/dev/causalcxr/workflows/histories");
        String suffix = args.length > 1 ? args[1] : "v1";
        Files.createDirectories(out);
        record(out.resolve("experiment-full-fan-out-" + suffix + ".json"), plan("replay-full", ALL_STAGES));
        record(
                out.resolve("experiment-ingest-parse-" + suffix + ".json"),
                plan("replay-short", ALL_STAGES.subList(0, 2)));
    }

    private static void record(Path file, ExperimentPlan plan) throws Exception {
        try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
            Worker cpu = env.newWorker(TaskQueues.CPU);
            cpu.registerWorkflowImplementationTypes(ExperimentWorkflowImpl.class);
            ScriptedStages stages = new ScriptedStages();
            cpu.registerActivitiesImplementations(new ScriptedBookkeeping(), stages);
            env.newWorker(TaskQueues.GPU).registerActivitiesImplementations(stages);
            env.start();
            WorkflowClient client = env.getWorkflowClient();
            ExperimentWorkflow wf = client.newWorkflowStub(
                    ExperimentWorkflow.class,
                    WorkflowOptions.newBuilder()
                            .setTaskQueue(TaskQueues.CPU)
                            .setWorkflowId(plan.runId())
                            .build());
            RunSummary s = wf.run(plan);
            if (!s.status().equals("succeeded")) {
                throw new IllegalStateException("recording run " + s.status() + ": " + s.error());
            }
            Files.writeString(file, client.fetchHistory(plan.runId()).toJson(true), StandardCharsets.UTF_8);
            System.out.println("recorded " + file);
        }
    }

    /** Stage activities that answer at once with a made-up manifest reference. */
    static final class ScriptedStages implements StageActivities {
        private static StageResult done(StageRequest r) {
            return new StageResult(
                    r.stage(),
                    "manifest-" + r.stage().replace('/', '-'),
                    false,
                    1.0,
                    Map.of(r.stage().replace('/', '_') + "_metric", 0.5),
                    "tracking-" + r.stage(),
                    1);
        }

        @Override
        public StageResult ingest(StageRequest r) {
            return done(r);
        }

        @Override
        public StageResult parseReports(StageRequest r) {
            return done(r);
        }

        @Override
        public StageResult trainDisentangler(StageRequest r) {
            return done(r);
        }

        @Override
        public StageResult trainDiffusion(StageRequest r) {
            return done(r);
        }

        @Override
        public List<String> tailNoiseClasses(StageRequest r) {
            return List.of("fracture", "pneumothorax");
        }

        @Override
        public StageResult optimizeTailNoiseClass(StageRequest r) {
            return done(r);
        }

        @Override
        public StageResult optimizeTailNoise(StageRequest r) {
            return done(r);
        }

        @Override
        public StageResult generateCounterfactuals(StageRequest r) {
            return done(r);
        }

        @Override
        public StageResult evaluate(StageRequest r) {
            return done(r);
        }
    }

    static final class ScriptedBookkeeping implements PipelineActivities {
        @Override
        public String beginRun(RunStart start) {
            return "tracking-run";
        }

        @Override
        public void finishRun(RunFinish finish) {}

        @Override
        public String registerModel(ModelRegistration registration) {
            return registration.modelName() + "@1";
        }
    }
}
