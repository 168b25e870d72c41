package dev.causalcxr.core.reports.batch;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.Status;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a batch run did: row counts and the label distribution (per finding, how many studies have it
 * present, uncertain and absent) for logging and for the condition vocabulary of later stages.
 */
public record ReportBatchSummary(
        long rows, long parsed, long errors, long llmFallbacks, Map<Finding, Map<Status, Long>> labelCounts) {

    /** Flat metric map, e.g. {@code present.pleural_effusion -> 12}. */
    public Map<String, Long> toMetrics() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("rows", rows);
        m.put("parsed", parsed);
        m.put("errors", errors);
        m.put("llm_fallbacks", llmFallbacks);
        labelCounts.forEach((f, byStatus) -> byStatus.forEach((s, n) -> m.put(s.label() + "." + f.key(), n)));
        return m;
    }
}
