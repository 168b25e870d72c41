package dev.causalcxr.core.reports;

/**
 * A problem with a report or its extraction whose message is written by us and is guaranteed not to
 * contain report text or credentials, so it may be logged and stored in outputs.
 */
public class ReportTextException extends RuntimeException {

    public ReportTextException(String message) {
        super(message);
    }

    public ReportTextException(String message, Throwable cause) {
        super(message, cause);
    }
}
