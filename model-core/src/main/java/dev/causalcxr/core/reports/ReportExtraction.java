package dev.causalcxr.core.reports;

import dev.causalcxr.core.findings.FindingMention;
import java.util.List;

/**
 * The outcome of extracting one report.
 *
 * @param findings       report-level findings (empty when {@code error} is set)
 * @param source         which extractor produced them
 * @param fallbackReason why the LLM answer was not used ({@code null} unless {@code RULES_FALLBACK});
 *                       never contains report text or credentials
 * @param attempts       endpoint calls made for this report (0 for rules and cache hits)
 * @param cached         true when the answer came from the extraction cache
 * @param error          why the report could not be extracted at all, or {@code null}
 */
public record ReportExtraction(
        List<FindingMention> findings,
        ExtractionSource source,
        String fallbackReason,
        int attempts,
        boolean cached,
        String error) {

    public ReportExtraction {
        findings = findings == null ? List.of() : List.copyOf(findings);
    }

    public static ReportExtraction fromRules(List<FindingMention> findings) {
        return new ReportExtraction(findings, ExtractionSource.RULES, null, 0, false, null);
    }

    public static ReportExtraction failed(String error) {
        return new ReportExtraction(List.of(), null, null, 0, false, error);
    }

    public boolean ok() {
        return error == null;
    }

    /**
     * A description of a failure that is safe to log or store: the exception type and, for our own
     * exceptions, their message (which we write without report text); never a foreign message that
     * could quote the input.
     */
    public static String safeReason(Throwable e) {
        if (e instanceof ReportTextException) {
            return e.getMessage();
        }
        return "extractor failed: " + e.getClass().getSimpleName();
    }
}
