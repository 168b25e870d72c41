package dev.causalcxr.core.reports;

/** Which extractor produced a report's findings. */
public enum ExtractionSource {
    RULES("rules"),
    LLM("llm"),
    /** The LLM answer could not be used; the rule-based result stands in and the reason is recorded. */
    RULES_FALLBACK("rules-fallback");

    private final String label;

    ExtractionSource(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
