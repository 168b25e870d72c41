package dev.causalcxr.core.stage;

/**
 * A stage cannot succeed with these inputs or this config (a missing input, bad data, a diverging
 * loss): retrying the same attempt would fail the same way, so the stage runner does not retry it.
 * Stage functions in model-core and the definitions in activities throw it alike.
 */
public class StageInputException extends RuntimeException {
    public StageInputException(String message) {
        super(message);
    }

    public StageInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
