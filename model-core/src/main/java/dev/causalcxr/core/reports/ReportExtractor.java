package dev.causalcxr.core.reports;

import dev.causalcxr.core.findings.FindingMention;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the free text of one chest X-ray report into report-level findings: one
 * {@link FindingMention} per finding the report mentions (absent and uncertain ones included), plus
 * {@code No Finding} when nothing but support devices is present or uncertain.
 */
public interface ReportExtractor extends AutoCloseable {

    /** The report-level findings of one report, in {@link dev.causalcxr.core.findings.Finding} order. */
    List<FindingMention> extract(String reportText);

    /** A short name recorded with outputs, e.g. {@code rules} or {@code llm}. */
    String name();

    /** Releases threads or connections (the LLM extractor); a no-op for the rule-based one. */
    @Override
    default void close() {}

    /** The findings with where they came from; extractors with fallbacks override this. */
    default ReportExtraction extractDetailed(String reportText) {
        return ReportExtraction.fromRules(extract(reportText));
    }

    /**
     * Extracts many reports; the result is in input order. A failure of one report is returned as
     * that report's {@link ReportExtraction#error()} and does not stop the others. Extractors that can
     * work concurrently (the LLM one) override this.
     */
    default List<ReportExtraction> extractAll(List<String> reportTexts) {
        List<ReportExtraction> out = new ArrayList<>(reportTexts.size());
        for (String text : reportTexts) {
            try {
                out.add(extractDetailed(text));
            } catch (RuntimeException e) {
                out.add(ReportExtraction.failed(ReportExtraction.safeReason(e)));
            }
        }
        return out;
    }
}
