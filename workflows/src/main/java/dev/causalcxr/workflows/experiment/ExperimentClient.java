package dev.causalcxr.workflows.experiment;

import dev.causalcxr.activities.TaskQueues;
import dev.causalcxr.activities.runner.CheckpointPointer;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.converter.DataConverter;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.Optional;

/** Starts experiment workflows and reads their progress, including the running stage's fraction. */
public final class ExperimentClient {
    private final WorkflowClient client;
    private final WorkflowServiceStubs stubs;
    private final String namespace;

    public ExperimentClient(WorkflowClient client, WorkflowServiceStubs stubs, String namespace) {
        this.client = client;
        this.stubs = stubs;
        this.namespace = namespace;
    }

    public void start(ExperimentPlan plan) {
        ExperimentWorkflow wf = client.newWorkflowStub(
                ExperimentWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setTaskQueue(TaskQueues.CPU)
                        .setWorkflowId(plan.runId())
                        .build());
        WorkflowClient.start(wf::run, plan);
    }

    /** The workflow's progress, with the running stage's fraction from its last heartbeat. */
    public PipelineProgress progress(String runId) {
        PipelineProgress p =
                client.newWorkflowStub(ExperimentWorkflow.class, runId).progress();
        return p.currentStage() == null
                ? p
                : p.withCurrentStageFraction(runningStageFraction(runId).orElse(0.0));
    }

    public void cancel(String runId) {
        client.newWorkflowStub(ExperimentWorkflow.class, runId).cancel();
    }

    public RunSummary await(String runId) {
        return WorkflowStub.fromTyped(client.newWorkflowStub(ExperimentWorkflow.class, runId))
                .getResult(RunSummary.class);
    }

    /** The fraction done of the running stage, from its last heartbeat, when it has one. */
    public Optional<Double> runningStageFraction(String runId) {
        var resp = stubs.blockingStub()
                .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                        .setNamespace(namespace)
                        .setExecution(WorkflowExecution.newBuilder()
                                .setWorkflowId(runId)
                                .build())
                        .build());
        for (PendingActivityInfo a : resp.getPendingActivitiesList()) {
            if (a.hasHeartbeatDetails() && a.getHeartbeatDetails().getPayloadsCount() > 0) {
                CheckpointPointer p = DataConverter.getDefaultInstance()
                        .fromPayloads(
                                0,
                                Optional.of(a.getHeartbeatDetails()),
                                CheckpointPointer.class,
                                CheckpointPointer.class);
                if (p != null) {
                    return Optional.of(p.fraction());
                }
            }
        }
        return Optional.empty();
    }
}
