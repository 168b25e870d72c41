package dev.causalcxr.core.stage;

/**
 * A stage cannot succeed with these inputs or this config (a missing input, bad data, a diverging
 * loss): retrying the same attempt would fail the same way, so the stage runner does not retry it.
 * Stage functions in model-core and the definitions in activities throw it alike.
 *
 * <p>Its message is the one that crosses process boundaries (journal, MLflow, Temporal): write it to say
 * what is wrong and how to fix it, and never put a file path, a patient or study id or report text in it.
 * The stage runner keeps any other exception's message, and this one's cause, in the site-local log only.
 */
public class StageInputException extends RuntimeException {
    public StageInputException(String message) {
        super(message);
    }

    public StageInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
