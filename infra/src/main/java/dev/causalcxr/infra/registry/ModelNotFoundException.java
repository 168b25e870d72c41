package dev.causalcxr.infra.registry;

import java.util.List;

/**
 * A model reference names no registered model, version or alias. The message says what exists
 * instead; {@link #alternatives()} lists the same names for callers that offer them.
 */
public class ModelNotFoundException extends RuntimeException {
    private final String reference;
    private final List<String> alternatives;

    public ModelNotFoundException(String message, String reference, List<String> alternatives) {
        super(message);
        this.reference = reference;
        this.alternatives = List.copyOf(alternatives);
    }

    /** The reference (or name) that was asked for. */
    public String reference() {
        return reference;
    }

    /** What exists instead: model names, version references or aliases, depending on what was missing. */
    public List<String> alternatives() {
        return alternatives;
    }
}
