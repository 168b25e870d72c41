package dev.causalcxr.workflows.retrain;

import dev.causalcxr.activities.TaskQueues;
import dev.causalcxr.activities.retrain.ChainPlan;
import dev.causalcxr.activities.retrain.ChainStage;
import dev.causalcxr.activities.retrain.RetrainActivities;
import dev.causalcxr.activities.retrain.RetrainDecision;
import dev.causalcxr.activities.retrain.RetrainDecisionRequest;
import dev.causalcxr.activities.retrain.RetrainPreparation;
import dev.causalcxr.activities.retrain.RetrainRequest;
import dev.causalcxr.core.spec.StageName;
import dev.causalcxr.workflows.experiment.ExperimentPlan;
import dev.causalcxr.workflows.experiment.ExperimentWorkflow;
import dev.causalcxr.workflows.experiment.RunSummary;
import dev.causalcxr.workflows.experiment.StageActivityOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Deterministic: no I/O, clocks, randomness or threads. The planning activity decides every run; each run is an
 * experiment workflow (a child), so the stage activities, cache, checkpoints and journal are the pipeline's own.
 * The runs go one after another: on a shared machine, parallel training only slows each.
 */
public class RetrainWorkflowImpl implements RetrainWorkflow {
    private final RetrainActivities activities =
            Workflow.newActivityStub(RetrainActivities.class, StageActivityOptions.bookkeeping(TaskQueues.CPU));

    @Override
    public RetrainSummary retrain(RetrainRequest request) {
        RetrainPreparation prep;
        try {
            prep = activities.prepare(request);
        } catch (ActivityFailure e) {
            return failed(request, null, null, "the retrain could not start: " + rootMessage(e));
        }
        RunSummary training = runChain(prep, prep.training());
        if (!"succeeded".equals(training.status()) || training.registeredModel() == null) {
            return failed(request, prep, training, "fine-tuning " + training.status() + ": " + training.error());
        }
        List<Map<String, Double>> championMetrics = new ArrayList<>();
        List<String> championEvaluations = new ArrayList<>();
        for (ChainPlan chain : prep.championEvaluations()) {
            RunSummary s = runChain(prep, chain);
            if (!"succeeded".equals(s.status())) {
                return failed(request, prep, training, chain.purpose() + " " + s.status() + ": " + s.error());
            }
            championMetrics.add(s.metrics());
            championEvaluations.add(evaluateManifest(s));
        }
        Map<String, String> challengerManifests = new TreeMap<>();
        for (RunSummary.StageOutcome o : training.stages()) {
            challengerManifests.put(o.stage(), o.manifestDigest());
        }
        List<Map<String, Double>> challengerMetrics = new ArrayList<>();
        List<String> challengerEvaluations = new ArrayList<>();
        for (ChainPlan chain : activities.challengerEvaluations(prep, challengerManifests)) {
            RunSummary s = runChain(prep, chain);
            if (!"succeeded".equals(s.status())) {
                return failed(request, prep, training, chain.purpose() + " " + s.status() + ": " + s.error());
            }
            challengerMetrics.add(s.metrics());
            challengerEvaluations.add(evaluateManifest(s));
        }
        RetrainDecision decision = activities.decide(new RetrainDecisionRequest(
                request,
                prep,
                training.registeredModel(),
                championMetrics,
                challengerMetrics,
                championEvaluations,
                challengerEvaluations));
        return new RetrainSummary(
                request.retrainId(),
                decision.promoted() ? "promoted" : "challenger",
                prep.trainingSet(),
                prep.splits(),
                training,
                championMetrics,
                challengerMetrics,
                decision,
                null);
    }

    /** The run's evaluate manifest digest, or null when it had no evaluate stage. */
    private static String evaluateManifest(RunSummary run) {
        return run.stages().stream()
                .filter(o -> StageName.EVALUATE.label().equals(o.stage()))
                .map(RunSummary.StageOutcome::manifestDigest)
                .findFirst()
                .orElse(null);
    }

    /** One run of the retrain, as a child experiment workflow on the CPU queue (its stages go where they belong). */
    private static RunSummary runChain(RetrainPreparation prep, ChainPlan chain) {
        List<ExperimentPlan.StagePlan> stages = new ArrayList<>();
        for (ChainStage s : chain.stages()) {
            StageName stage = StageName.fromLabel(s.stage())
                    .orElseThrow(() -> ApplicationFailure.newNonRetryableFailure(
                            "unknown stage " + s.stage(), "RetrainInputException"));
            List<StageName> inputs = s.inputStages().stream()
                    .map(l -> StageName.fromLabel(l).orElseThrow())
                    .toList();
            stages.add(new ExperimentPlan.StagePlan(
                    stage, TaskQueues.forStage(stage), s.configJson(), s.seed(), inputs, false, s.extraInputs()));
        }
        ExperimentPlan plan = new ExperimentPlan(
                chain.runId(),
                prep.experiment(),
                prep.specName(),
                prep.specDigest(),
                prep.specJson(),
                prep.codeVersion(),
                prep.seed(),
                prep.profile(),
                stages,
                chain.presetManifests(),
                prep.modelName(),
                chain.evaluationOnly());
        ExperimentWorkflow child = Workflow.newChildWorkflowStub(
                ExperimentWorkflow.class,
                ChildWorkflowOptions.newBuilder()
                        .setWorkflowId(chain.runId())
                        .setTaskQueue(TaskQueues.CPU)
                        .build());
        return child.run(plan);
    }

    private static RetrainSummary failed(
            RetrainRequest request, RetrainPreparation prep, RunSummary training, String error) {
        return new RetrainSummary(
                request.retrainId(),
                "failed",
                prep == null ? null : prep.trainingSet(),
                prep == null ? List.of() : prep.splits(),
                training,
                List.of(),
                List.of(),
                null,
                error);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof ApplicationFailure af ? af.getOriginalMessage() : t.getMessage();
    }
}
