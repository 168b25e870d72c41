package dev.causalcxr.core.spec;

/**
 * What a person gave is not valid: a spec, a setting in the environment, a command-line option. Nothing
 * was started; fixing the input fixes it. The {@code causalcxr} command exits 2 for it (and for nothing
 * else but its own usage errors); every other exception is a failure (exit 1).
 */
public class ValidationException extends RuntimeException {
    public ValidationException(String message) {
        super(message);
    }
}
