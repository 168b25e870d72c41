package dev.causalcxr.workflows.retrain;

import dev.causalcxr.activities.TaskQueues;
import dev.causalcxr.activities.retrain.RetrainSchedule;
import dev.causalcxr.activities.retrain.RetrainScheduleActivities;
import dev.causalcxr.activities.retrain.ScheduledTick;
import dev.causalcxr.workflows.experiment.StageActivityOptions;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowCancellationType;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Deterministic: time from {@link Workflow#currentTimeMillis()}, everything else from activities or the input. Ticks
 * fall on {@code anchor + k * every}. The started retrain is a child with a deterministic id ({@code
 * RetrainTriggers.retrainId}), abandoned when this workflow closes, never retried as a duplicate.
 */
public class RetrainScheduleWorkflowImpl implements RetrainScheduleWorkflow {
    private final RetrainScheduleActivities activities =
            Workflow.newActivityStub(RetrainScheduleActivities.class, StageActivityOptions.bookkeeping(TaskQueues.CPU));

    private final List<String> ticks = new ArrayList<>();
    private boolean paused;
    private Promise<RetrainSummary> running;
    private String runningId;

    @Override
    public void run(RetrainSchedule schedule) {
        paused = schedule.paused();
        RetrainSchedule s = schedule;
        for (int tick = 0; ; tick++) {
            if (tick >= s.ticksPerRun() && (running == null || running.isCompleted())) {
                // bound the history; a retrain in flight is awaited by ticks, not carried over
                Workflow.continueAsNew(s);
            }
            long wait = s.nextTickEpochMs() - Workflow.currentTimeMillis();
            if (wait > 0) {
                Workflow.sleep(Duration.ofMillis(wait));
            }
            long at = Workflow.currentTimeMillis();
            if (!tick(s)) {
                return; // the schedule was deleted while no one could cancel this workflow
            }
            s = s.withTick(at, paused);
        }
    }

    /** One tick; false when the schedule is gone. */
    private boolean tick(RetrainSchedule s) {
        if (paused) {
            note(s, "paused: nothing started");
            return true;
        }
        if (running != null && !running.isCompleted()) {
            note(s, "overlap: " + runningId + " still runs; nothing started");
            return true;
        }
        ScheduledTick t = activities.check(s);
        if (t.gone()) {
            ticks.add(t.outcome());
            return false;
        }
        if (t.start() == null) {
            ticks.add(t.outcome());
            return true;
        }
        RetrainWorkflow child = Workflow.newChildWorkflowStub(
                RetrainWorkflow.class,
                ChildWorkflowOptions.newBuilder()
                        .setWorkflowId(t.start().retrainId())
                        .setTaskQueue(TaskQueues.CPU)
                        .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON)
                        .setCancellationType(ChildWorkflowCancellationType.ABANDON)
                        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
                        .build());
        Promise<RetrainSummary> result = Async.function(child::retrain, t.start());
        try {
            Workflow.getWorkflowExecution(child).get();
        } catch (ChildWorkflowFailure e) {
            if (!(e.getCause() instanceof WorkflowExecutionAlreadyStarted)) {
                throw e;
            }
            // started before (by this schedule before a crash, or by an import): a no-op, recorded as such
            result.exceptionally(failure -> null); // the same refusal: seen
            activities.recordStarted(s.scheduleId(), t);
            note(s, "already started: " + t.start().retrainId());
            return true;
        }
        running = result;
        runningId = t.start().retrainId();
        activities.recordStarted(s.scheduleId(), t);
        ticks.add("started " + runningId);
        return true;
    }

    private void note(RetrainSchedule s, String outcome) {
        activities.recordSkip(s.scheduleId(), outcome);
        ticks.add(outcome);
    }

    @Override
    public void pause() {
        paused = true;
    }

    @Override
    public void unpause() {
        paused = false;
    }

    @Override
    public List<String> ticks() {
        return List.copyOf(ticks);
    }
}
