package dev.causalcxr.activities.retrain;

import dev.causalcxr.core.spec.ValidationException;

/**
 * A retrain asked for something that does not exist or cannot be compared: an unknown model or alias, a data set
 * without a test split, a gate naming a split the retrain has not. Said before anything trains or is registered.
 */
public final class RetrainInputException extends ValidationException {
    public RetrainInputException(String message) {
        super(message);
    }
}
