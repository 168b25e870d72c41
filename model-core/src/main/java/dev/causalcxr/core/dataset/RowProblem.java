package dev.causalcxr.core.dataset;

/**
 * Why one input row was not imported. {@code file} is the source file with any raw patient id
 * replaced by {@code <patient>}; {@code reason} is a fixed phrase. Neither ever contains report
 * text, so problems are safe to log and to show.
 *
 * @param file   the row's source, e.g. {@code files/p10/<patient>/s50000001/a.png} or {@code list.csv}
 * @param row    1-based record number in a CSV (1 = header), or 0 for folder layouts
 * @param reason what is wrong
 */
public record RowProblem(String file, long row, String reason) {

    @Override
    public String toString() {
        return (row > 0 ? file + " row " + row : file) + ": " + reason;
    }
}
