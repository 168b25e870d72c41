package dev.causalcxr.core.dataset;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Why one input row was not imported, in two forms: what may leave the site ({@link #toString()}: a
 * keyed reference, the CSV row number and a fixed category) and what stays in the site-local log
 * ({@link #siteLine()}: the source file and the full reason). The file and the reason name study ids
 * and file names, so they never go to the journal, MLflow, Temporal or the console. Neither form ever
 * contains report text.
 *
 * @param ref      keyed reference of the source ({@link Pseudonymizer#reference}), e.g. {@code R0c1d…}
 * @param file     the row's source, e.g. {@code files/p10/<patient>/s50000001/a.png} or {@code list.csv}
 *                 (raw patient id replaced by {@code <patient>}); site-local only
 * @param row      1-based record number in a CSV (1 = header), or 0 for folder layouts
 * @param category a fixed phrase without identifiers or file names, e.g. {@code unreadable image}
 * @param reason   the full reason (may name another file or quote a column); site-local only
 */
public record RowProblem(String ref, String file, long row, String category, String reason) {

    /** A problem whose category is its reason up to the first detail (": …", " (…", " '…'"). */
    static RowProblem of(String ref, String file, long row, String reason) {
        return new RowProblem(ref, file, row, categoryOf(reason), reason);
    }

    static String categoryOf(String reason) {
        int cut = reason.length();
        for (String sep : new String[] {": ", " (", " '"}) {
            int i = reason.indexOf(sep);
            if (i > 0 && i < cut) {
                cut = i;
            }
        }
        return reason.substring(0, cut);
    }

    /** The form that may cross a process boundary: reference, row number, category. */
    @Override
    public String toString() {
        return (row > 0 ? ref + " row " + row : ref) + ": " + category;
    }

    /** The site-local form: reference, source file, row, full reason. */
    public String siteLine() {
        return ref + " " + (row > 0 ? file + " row " + row : file) + ": " + reason;
    }

    /** {@code 2 × unreadable image, 1 × report missing}: categories with their counts, most frequent first. */
    public static String summary(List<RowProblem> problems) {
        Map<String, Long> counts = problems.stream()
                .collect(Collectors.groupingBy(RowProblem::category, TreeMap::new, Collectors.counting()));
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .map(e -> e.getValue() + " × " + e.getKey())
                .collect(Collectors.joining(", "));
    }
}
