package dev.causalcxr.workflows.experiment;

import dev.causalcxr.core.spec.StageName;
import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;

/** Timeouts and retry policy of every activity, in one place. */
public final class StageActivityOptions {
    private StageActivityOptions() {
    }

    /** Non-retryable failure types: bad inputs or config fail the same way on every attempt. */
    static final String[] NON_RETRYABLE = {"StageInputException", "MissingStage", "SpecValidationException"};

    public static ActivityOptions forStage(StageName stage, String taskQueue) {
        Duration startToClose = switch (stage) {
            case INGEST, PARSE_REPORTS -> Duration.ofHours(2);
            default -> Duration.ofHours(12);
        };
        return ActivityOptions.newBuilder()
                .setTaskQueue(taskQueue)
                .setStartToCloseTimeout(startToClose)
                // long stages heartbeat their checkpoint pointer; a silent worker is presumed dead
                .setHeartbeatTimeout(Duration.ofMinutes(2))
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

    public static ActivityOptions bookkeeping(String taskQueue) {
        return ActivityOptions.newBuilder()
                .setTaskQueue(taskQueue)
                .setStartToCloseTimeout(Duration.ofMinutes(5))
                .setRetryOptions(RetryOptions.newBuilder().setInitialInterval(Duration.ofSeconds(1))
                        .setMaximumAttempts(5).build())
                .build();
    }
}
