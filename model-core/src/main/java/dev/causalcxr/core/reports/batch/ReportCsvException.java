package dev.causalcxr.core.reports.batch;

import dev.causalcxr.core.reports.ReportTextException;

/** The CSV as a whole cannot be read (e.g. a required column is missing from the header). */
public class ReportCsvException extends ReportTextException {

    public ReportCsvException(String message) {
        super(message);
    }
}
