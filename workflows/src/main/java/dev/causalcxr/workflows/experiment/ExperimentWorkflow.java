package dev.causalcxr.workflows.experiment;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** Runs an experiment's stages in order as activities; only references pass through it. */
@WorkflowInterface
public interface ExperimentWorkflow {

    @WorkflowMethod
    RunSummary run(ExperimentPlan plan);

    @QueryMethod
    PipelineProgress progress();

    /** Stops the run: the running stage is cancelled and no further stage starts. */
    @SignalMethod
    void cancel();
}
