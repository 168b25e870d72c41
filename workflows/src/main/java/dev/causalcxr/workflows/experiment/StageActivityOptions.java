package dev.causalcxr.workflows.experiment;

import dev.causalcxr.core.spec.StageName;
import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;

/** Timeouts and retry policy of every activity, in one place. */
public final class StageActivityOptions {
    private StageActivityOptions() {}

    /** Non-retryable failure types: bad inputs or config fail the same way on every attempt. */
    /**
     * How long a stage attempt may go without a heartbeat before Temporal retries it elsewhere. Activity options are
     * not matched on replay: histories recorded with the earlier 120 s replay against this value
     * (ExperimentWorkflowReplayTest), so runs in flight need no {@code Workflow.getVersion} for it.
     */
    public static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(20);

    static final String[] NON_RETRYABLE = {"StageInputException", "MissingStage", "SpecValidationException"};

    public static ActivityOptions forStage(StageName stage, String taskQueue) {
        Duration startToClose = switch (stage) {
            case INGEST, PARSE_REPORTS -> Duration.ofHours(2);
            default -> Duration.ofHours(12);
        };
        return ActivityOptions.newBuilder()
                .setTaskQueue(taskQueue)
                .setStartToCloseTimeout(startToClose)
                // a silent worker is presumed dead and the stage moves to another one: attempts beat every 5 s
                // while they run (KeepAliveHeartbeat), so 20 s is four missed beats, and fail-over takes seconds
                .setHeartbeatTimeout(HEARTBEAT_TIMEOUT)
                .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED)
                .setRetryOptions(RetryOptions.newBuilder()
                        .setInitialInterval(Duration.ofSeconds(2))
                        .setBackoffCoefficient(2.0)
                        .setMaximumInterval(Duration.ofMinutes(1))
                        .setMaximumAttempts(3)
                        .setDoNotRetry(NON_RETRYABLE)
                        .build())
                .build();
    }

    /**
     * {@link #forStage(StageName, String)} with a summary that the Temporal UI shows beside the activity (what
     * runs where): the stage, the spec and the run. Summaries are user metadata, not matched on replay.
     */
    public static ActivityOptions forStage(StageName stage, String taskQueue, String summary) {
        return ActivityOptions.newBuilder(forStage(stage, taskQueue))
                .setSummary(summary)
                .build();
    }

    /**
     * Journal, tracking and registry writes around the stages. Their retries span about 90 s (1, 2, 4, 8, 16, 30,
     * 30 s apart): a database or object-store outage of a minute, or a restart of either, fails attempts but not
     * the run. Activity options are not matched on replay (see {@link #HEARTBEAT_TIMEOUT}).
     */
    public static ActivityOptions bookkeeping(String taskQueue) {
        return ActivityOptions.newBuilder()
                .setTaskQueue(taskQueue)
                .setStartToCloseTimeout(Duration.ofMinutes(5))
                .setRetryOptions(RetryOptions.newBuilder()
                        .setInitialInterval(Duration.ofSeconds(1))
                        .setBackoffCoefficient(2.0)
                        .setMaximumInterval(Duration.ofSeconds(30))
                        .setMaximumAttempts(8)
                        .build())
                .build();
    }
}
