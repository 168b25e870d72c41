package dev.causalcxr.core.reports.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Selects the parts of a report that state findings. FINDINGS and IMPRESSION (and their synonyms)
 * count; EXAMINATION, INDICATION, HISTORY, TECHNIQUE, COMPARISON and similar headers do not, because
 * "history of pneumonia" or "evaluate for pneumothorax" are not findings of this study. A report
 * without any finding section counts whole, minus the lines under excluded headers.
 */
final class ReportSections {

    /** Headers that introduce findings. */
    private static final Set<String> FINDING_HEADERS = Set.of(
            "FINDINGS",
            "FINDING",
            "IMPRESSION",
            "IMPRESSIONS",
            "CONCLUSION",
            "CONCLUSIONS",
            "OPINION",
            "SUMMARY",
            "FINDINGS AND IMPRESSION",
            "FINDINGS/IMPRESSION",
            "ADDENDUM",
            "REPORT",
            "INTERPRETATION",
            "RESULT",
            "RESULTS");

    /**
     * A header at the start of a line or after a sentence end, with a colon, or alone on its line.
     * Compiled once; longer names come first so "CLINICAL HISTORY" is not read as "HISTORY".
     */
    private static final Pattern HEADER = Pattern.compile("(?im)(?:^|(?<=[.;]))[ \\t]*(?:[-*][ \\t]*)?("
            + "FINDINGS AND IMPRESSION|FINDINGS/IMPRESSION|FINDINGS|FINDING|IMPRESSIONS|IMPRESSION|"
            + "CONCLUSIONS|CONCLUSION|OPINION|SUMMARY|ADDENDUM|INTERPRETATION|RESULTS|RESULT|REPORT|"
            + "FINAL REPORT|EXAMINATION|EXAM|TYPE OF EXAMINATION|STUDY|PROCEDURE|"
            + "CLINICAL INDICATIONS?|INDICATIONS?|CLINICAL HISTORY|CLINICAL INFORMATION|CLINICAL DATA|"
            + "PATIENT HISTORY|MEDICAL HISTORY|HISTORY|REASON FOR EXAM(?:INATION)?|REASON FOR STUDY|"
            + "REASON|TECHNIQUE|TECHNIQUES|COMPARISONS?|PRIOR STUDIES|PRIORS|VIEWS?|"
            + "RECOMMENDATIONS?|NOTIFICATION|COMMUNICATION|DATE|REFERRING PHYSICIAN|WET READ"
            + ")[ \\t]*(?::|$)");

    private ReportSections() {}

    static CharSequence findingText(String report) {
        Matcher m = HEADER.matcher(report);
        List<int[]> headers = new ArrayList<>(); // {start, contentStart, isFindingHeader}
        while (m.find()) {
            String name = m.group(1).toUpperCase(Locale.ROOT);
            headers.add(new int[] {m.start(), m.end(), FINDING_HEADERS.contains(name) ? 1 : 0});
        }
        if (headers.isEmpty()) {
            return report;
        }
        boolean anyFindingSection = headers.stream().anyMatch(h -> h[2] == 1);
        StringBuilder out = new StringBuilder(report.length());
        if (!anyFindingSection) {
            // No FINDINGS/IMPRESSION: keep text outside excluded headers; an excluded header covers
            // the rest of its line (most are one-liners).
            int pos = 0;
            for (int[] h : headers) {
                appendSection(out, report, pos, h[0]);
                int eol = report.indexOf('\n', h[1]);
                pos = eol < 0 ? report.length() : eol;
            }
            appendSection(out, report, pos, report.length());
            return out;
        }
        for (int i = 0; i < headers.size(); i++) {
            int[] h = headers.get(i);
            if (h[2] == 1) {
                int end = i + 1 < headers.size() ? headers.get(i + 1)[0] : report.length();
                appendSection(out, report, h[1], end);
            }
        }
        return out;
    }

    private static void appendSection(StringBuilder out, String report, int from, int to) {
        if (to > from) {
            // a blank line between sections so that one never continues a sentence of another
            out.append(report, from, to).append("\n\n");
        }
    }
}
