package dev.causalcxr.cli;

/** Wrong use of a command (exit code 2). */
final class UsageException extends RuntimeException {
    UsageException(String message) {
        super(message);
    }
}
