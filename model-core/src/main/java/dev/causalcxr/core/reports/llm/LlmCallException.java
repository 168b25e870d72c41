package dev.causalcxr.core.reports.llm;

import dev.causalcxr.core.reports.ReportTextException;

/** A failed call to the chat-completions endpoint; the message never holds report text or the key. */
public class LlmCallException extends ReportTextException {

    public LlmCallException(String message) {
        super(message);
    }
}
