package dev.causalcxr.cli;

import dev.causalcxr.core.spec.ValidationException;

/** Wrong use of a command (exit code 2). */
final class UsageException extends ValidationException {
    UsageException(String message) {
        super(message);
    }
}
