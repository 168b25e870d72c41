package dev.causalcxr.workflows.retrain;

import dev.causalcxr.activities.retrain.RetrainSchedule;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;

/**
 * A retrain schedule, as a durable workflow of ours rather than a Temporal Schedule: the embedded stack's in-process
 * Java test server implements no Schedule API (temporalio/sdk-java #1954, #2388). Every {@code every}, a tick
 * starts a {@link RetrainWorkflow} when the data set has a version newer than the champion's training data that was
 * not retrained against this champion yet; a tick while a retrain it started still runs starts nothing (overlap
 * policy skip). Paused and unpaused by signal, deleted by cancellation (a running retrain goes on).
 */
@WorkflowInterface
public interface RetrainScheduleWorkflow {
    @WorkflowMethod
    void run(RetrainSchedule schedule);

    @SignalMethod
    void pause();

    @SignalMethod
    void unpause();

    /** What this run of the workflow did: one line per tick, oldest first (since the last continue-as-new). */
    @QueryMethod
    List<String> ticks();
}
