package dev.causalcxr.core.metrics.io;

import java.io.IOException;

/**
 * A feature matrix file that was read but does not hold a matrix: a value that is not a number, rows of different
 * lengths, no rows, a malformed .npy header. Bad input, unlike the other {@link IOException}s of reading it.
 */
public class MalformedMatrixException extends IOException {

    private static final long serialVersionUID = 1L;

    public MalformedMatrixException(String message) {
        super(message);
    }

    public MalformedMatrixException(String message, Throwable cause) {
        super(message, cause);
    }
}
