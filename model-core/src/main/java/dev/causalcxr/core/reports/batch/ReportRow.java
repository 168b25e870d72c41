package dev.causalcxr.core.reports.batch;

/**
 * One data row of a reports CSV.
 *
 * @param rowNumber 1-based data row number (the header is row 0)
 * @param line      1-based line of the file where the row starts
 * @param studyId   the study id ("" when unreadable)
 * @param report    the report text, or {@code null} when {@code error} is set
 * @param error     why the row cannot be parsed, written without report text, or {@code null}
 */
public record ReportRow(long rowNumber, long line, String studyId, String report, String error) {

    public boolean ok() {
        return error == null;
    }
}
