package dev.causalcxr.activities.runner;

/**
 * A stage cannot succeed with these inputs or this config (bad data, a diverging loss): retrying
 * the same attempt would fail the same way, so it is not retried.
 */
public class StageInputException extends RuntimeException {
    public StageInputException(String message) {
        super(message);
    }

    public StageInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
