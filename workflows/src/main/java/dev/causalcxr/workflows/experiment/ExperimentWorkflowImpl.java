package dev.causalcxr.workflows.experiment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.activities.TaskQueues;
import dev.causalcxr.activities.pipeline.ModelRegistration;
import dev.causalcxr.activities.pipeline.PipelineActivities;
import dev.causalcxr.activities.pipeline.RunFinish;
import dev.causalcxr.activities.pipeline.RunStart;
import dev.causalcxr.activities.runner.StageRequest;
import dev.causalcxr.activities.runner.StageResult;
import dev.causalcxr.activities.stages.StageActivities;
import dev.causalcxr.core.spec.StageName;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Deterministic: no I/O, clocks, randomness or threads; all configuration arrives in the plan. */
public class ExperimentWorkflowImpl implements ExperimentWorkflow {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PipelineActivities bookkeeping =
            Workflow.newActivityStub(PipelineActivities.class, StageActivityOptions.bookkeeping(TaskQueues.CPU));
    private final List<PipelineProgress.StageState> states = new ArrayList<>();
    private String runId;
    private String current;
    private long startedAt;
    private boolean cancelRequested;
    private CancellationScope currentScope;

    @Override
    public RunSummary run(ExperimentPlan plan) {
        runId = plan.runId();
        startedAt = Workflow.currentTimeMillis();
        for (ExperimentPlan.StagePlan s : plan.stages()) {
            states.add(new PipelineProgress.StageState(s.stage().label(), "pending", false, 0));
        }
        String trackingRun = bookkeeping.beginRun(new RunStart(
                plan.runId(),
                plan.experiment(),
                plan.specName(),
                plan.specDigest(),
                plan.specJson(),
                plan.codeVersion(),
                plan.seed(),
                plan.profile()));
        Map<String, String> manifests = new LinkedHashMap<>();
        if (plan.presetManifests() != null) {
            // a retrain's training set (or a test split) stands in for stages that do not run here
            manifests.putAll(new TreeMap<>(plan.presetManifests()));
        }
        Map<String, Double> metrics = new TreeMap<>();
        List<RunSummary.StageOutcome> outcomes = new ArrayList<>();
        String status = "succeeded";
        String error = null;
        for (int i = 0; i < plan.stages().size(); i++) {
            ExperimentPlan.StagePlan s = plan.stages().get(i);
            if (cancelRequested) {
                status = "cancelled";
                break;
            }
            String stage = s.stage().label();
            current = stage;
            states.set(i, new PipelineProgress.StageState(stage, "running", false, 0));
            Map<String, String> inputs = new TreeMap<>();
            for (StageName in : s.inputStages()) {
                inputs.put(in.label(), manifests.get(in.label()));
            }
            if (s.extraInputs() != null) {
                inputs.putAll(s.extraInputs());
            }
            StageRequest req = new StageRequest(
                    plan.runId(), plan.experiment(), stage, s.configJson(), s.seed(), inputs, s.force(), trackingRun);
            // every activity carries a summary for the Temporal UI: the stage (or tail class), spec and run
            java.util.function.Function<String, StageActivities> stubFor = label -> Workflow.newActivityStub(
                    StageActivities.class,
                    StageActivityOptions.forStage(s.stage(), s.taskQueue(), summary(plan, label)));
            StageActivities stub = stubFor.apply(stage);
            StageResult[] result = new StageResult[1];
            // the workflow's clock: deterministic on replay, and it spans every attempt (the activity's own
            // seconds cover only the attempt that finished)
            long stageStart = Workflow.currentTimeMillis();
            try {
                currentScope = Workflow.newCancellationScope(() -> result[0] = dispatch(stub, s.stage(), req, stubFor));
                currentScope.run();
            } catch (ActivityFailure | CanceledFailure e) {
                boolean cancelled =
                        cancelRequested || e instanceof CanceledFailure || e.getCause() instanceof CanceledFailure;
                double wall = (Workflow.currentTimeMillis() - stageStart) / 1000.0;
                states.set(i, new PipelineProgress.StageState(stage, cancelled ? "cancelled" : "failed", false, wall));
                outcomes.add(
                        new RunSummary.StageOutcome(stage, cancelled ? "cancelled" : "failed", false, wall, null, 0));
                status = cancelled ? "cancelled" : "failed";
                error = cancelled ? "cancelled during " + stage : stage + ": " + rootMessage(e);
                break;
            } finally {
                currentScope = null;
            }
            StageResult r = result[0];
            manifests.put(stage, r.manifestDigest());
            metrics.putAll(r.metrics());
            double wall = (Workflow.currentTimeMillis() - stageStart) / 1000.0;
            states.set(i, new PipelineProgress.StageState(stage, "succeeded", r.cacheHit(), wall));
            outcomes.add(new RunSummary.StageOutcome(
                    stage, "succeeded", r.cacheHit(), wall, r.manifestDigest(), r.attempt()));
        }
        current = null;
        String registered = null;
        boolean complete = manifests.containsKey(StageName.TRAIN_DISENTANGLER.label())
                && manifests.containsKey(StageName.TRAIN_DIFFUSION.label());
        if (status.equals("succeeded")
                && complete
                && !plan.evaluationOnly()
                && Workflow.getVersion("register-model", Workflow.DEFAULT_VERSION, 1) == 1) {
            try {
                registered = bookkeeping.registerModel(new ModelRegistration(
                        plan.runId(),
                        plan.registerAs() == null ? plan.specName() : plan.registerAs(),
                        new TreeMap<>(manifests),
                        plan.specDigest(),
                        plan.codeVersion(),
                        metrics));
            } catch (ActivityFailure e) {
                status = "failed";
                error = "registering the model failed: " + rootMessage(e);
            }
        }
        RunSummary summary = new RunSummary(plan.runId(), status, outcomes, metrics, trackingRun, error, registered);
        String summaryJson;
        try {
            summaryJson = JSON.writeValueAsString(summary);
        } catch (JsonProcessingException e) {
            // a run whose record cannot be written is not a success: fail it with the reason, journal what can be
            status = "failed";
            error = "the run summary cannot be serialized: " + e.getOriginalMessage();
            summary = new RunSummary(plan.runId(), status, outcomes, Map.of(), trackingRun, error, registered);
            summaryJson = JSON.createObjectNode()
                    .put("run_id", plan.runId())
                    .put("status", status)
                    .put("error", error)
                    .toString();
        }
        String finalStatus = status;
        String finalJson = summaryJson;
        // bookkeeping must happen even when the run was cancelled
        Workflow.newDetachedCancellationScope(() -> bookkeeping.finishRun(
                        new RunFinish(plan.runId(), trackingRun, finalStatus, finalJson, metrics)))
                .run();
        return summary;
    }

    /** What the Temporal UI shows beside an activity: no data, only names the spec and the run already carry. */
    static String summary(ExperimentPlan plan, String stageLabel) {
        String digest = plan.specDigest() == null ? "" : plan.specDigest();
        return stageLabel + " · " + plan.specName() + " (spec " + digest.substring(0, Math.min(12, digest.length()))
                + ") · run " + plan.runId();
    }

    private static StageResult dispatch(
            StageActivities stub,
            StageName stage,
            StageRequest req,
            java.util.function.Function<String, StageActivities> stubFor) {
        return switch (stage) {
            case INGEST -> stub.ingest(req);
            case PARSE_REPORTS -> stub.parseReports(req);
            case TRAIN_DISENTANGLER -> stub.trainDisentangler(req);
            case TRAIN_DIFFUSION -> stub.trainDiffusion(req);
            case OPTIMIZE_TAIL_NOISE -> optimizeTailNoise(stub, req, stubFor);
            case GENERATE_COUNTERFACTUALS -> stub.generateCounterfactuals(req);
            case EVALUATE -> stub.evaluate(req);
        };
    }

    /**
     * Fan-out and join: one activity per class with a prior (the tail classes by default), started together, each with its own cache key,
     * heartbeats and retries; then the join stage that collects the priors and runs the ablation.
     * Every class is waited for even when one fails, so the others finish (and are cached) before
     * the stage reports the failure.
     */
    private static StageResult optimizeTailNoise(
            StageActivities stub, StageRequest req, java.util.function.Function<String, StageActivities> stubFor) {
        long started = Workflow.currentTimeMillis();
        List<String> classes = stub.tailNoiseClasses(req);
        List<Promise<StageResult>> perClass = new ArrayList<>();
        for (String key : classes) {
            StageRequest classRequest = new StageRequest(
                    req.pipelineRunId(),
                    req.experiment(),
                    req.stage() + "/" + key,
                    req.configJson(),
                    req.seed(),
                    req.inputs(),
                    req.force(),
                    req.parentTrackingRunId());
            perClass.add(Async.function(stubFor.apply(classRequest.stage())::optimizeTailNoiseClass, classRequest));
        }
        RuntimeException failure = null;
        try {
            Promise.allOf(perClass).get();
        } catch (RuntimeException e) {
            failure = e;
        }
        Map<String, String> inputs = new TreeMap<>(req.inputs());
        boolean allCached = true;
        int attempts = 0;
        for (int i = 0; i < perClass.size(); i++) {
            try {
                StageResult r = perClass.get(i).get();
                inputs.put(r.stage(), r.manifestDigest());
                allCached &= r.cacheHit();
                attempts = Math.max(attempts, r.attempt());
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
        StageResult join = stub.optimizeTailNoise(new StageRequest(
                req.pipelineRunId(),
                req.experiment(),
                req.stage(),
                req.configJson(),
                req.seed(),
                inputs,
                req.force(),
                req.parentTrackingRunId()));
        // the stage's time, cache state and attempts cover its per-class activities, not only the join
        return new StageResult(
                join.stage(),
                join.manifestDigest(),
                join.cacheHit() && allCached,
                (Workflow.currentTimeMillis() - started) / 1000.0,
                join.metrics(),
                join.trackingRunId(),
                Math.max(attempts, join.attempt()));
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof ApplicationFailure af) {
            return af.getOriginalMessage();
        }
        return t.getMessage();
    }

    @Override
    public PipelineProgress progress() {
        int done = (int) states.stream()
                .filter(s -> !s.status().equals("pending") && !s.status().equals("running"))
                .count();
        long elapsed = startedAt == 0 ? 0 : Workflow.currentTimeMillis() - startedAt;
        return new PipelineProgress(
                runId, current, 0, done, states.size(), List.copyOf(states), elapsed, cancelRequested);
    }

    @Override
    public void cancel() {
        cancelRequested = true;
        if (currentScope != null) {
            currentScope.cancel("cancel requested");
        }
    }
}
