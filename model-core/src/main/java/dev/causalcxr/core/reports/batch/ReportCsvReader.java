package dev.causalcxr.core.reports.batch;

import dev.causalcxr.core.dataset.CsvReader;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;

/**
 * Reads a {@code study_id,report} CSV one row at a time through the project's {@link CsvReader}
 * (strict RFC 4180 on bytes) and decodes each field strictly as UTF-8, so a row with invalid bytes
 * becomes a row error instead of silently garbled text, and the other rows still parse. Fields longer
 * than the report limit are not buffered beyond it. Extra columns are allowed; their order does not
 * matter.
 */
public final class ReportCsvReader implements Iterator<ReportRow>, AutoCloseable {

    public static final String STUDY_ID_COLUMN = "study_id";
    public static final String REPORT_COLUMN = "report";

    private final CsvReader csv;
    private final int maxReportChars;
    private final int studyIdIndex;
    private final int reportIndex;
    private long rowNumber;
    private ReportRow next;
    private boolean eof;

    /**
     * @param in             the CSV bytes (closed by {@link #close()})
     * @param maxReportChars longest report accepted, in characters
     * @throws ReportCsvException when the header lacks {@code study_id} or {@code report}
     */
    public ReportCsvReader(InputStream in, int maxReportChars) {
        // a UTF-8 character takes at most 4 bytes: a field past this many cannot be a report within the limit
        this.csv = new CsvReader(in, (int) Math.min(Integer.MAX_VALUE - 16L, 4L * maxReportChars + 4));
        this.maxReportChars = maxReportChars;
        CsvReader.Record header = csv.next();
        if (header == null) {
            throw new ReportCsvException("the CSV is empty: expected a header with columns study_id,report");
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < header.fields().size(); i++) {
            String name = decode(header.fields().get(i));
            name = name == null ? "" : name;
            names.add(name.trim().toLowerCase(Locale.ROOT));
        }
        studyIdIndex = names.indexOf(STUDY_ID_COLUMN);
        reportIndex = names.indexOf(REPORT_COLUMN);
        if (studyIdIndex < 0 || reportIndex < 0) {
            String missing = studyIdIndex < 0 && reportIndex < 0
                    ? "'study_id' and 'report'"
                    : studyIdIndex < 0 ? "'study_id'" : "'report'";
            throw new ReportCsvException("the CSV header has no column " + missing + " (columns found: "
                    + String.join(
                            ", ", names.stream().map(ReportCsvReader::shorten).toList()) + ")");
        }
    }

    private static String shorten(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    @Override
    public boolean hasNext() {
        if (next == null && !eof) {
            next = readRow();
            if (next == null) {
                eof = true;
            }
        }
        return next != null;
    }

    @Override
    public ReportRow next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        ReportRow r = next;
        next = null;
        return r;
    }

    private ReportRow readRow() {
        CsvReader.Record rec = csv.next();
        if (rec == null) {
            return null;
        }
        rowNumber++;
        String prefix = "row " + rowNumber + " (line " + rec.line() + "): ";
        String studyId = "";
        if (studyIdIndex < rec.fields().size()) {
            String id = decode(rec.fields().get(studyIdIndex));
            studyId = id == null ? "" : id.trim();
        }
        if (rec.error() != null) {
            return error(rec, studyId, prefix + rec.error());
        }
        int needed = Math.max(studyIdIndex, reportIndex) + 1;
        if (rec.fields().size() < needed) {
            return error(
                    rec,
                    studyId,
                    prefix + "has " + rec.fields().size() + " field(s), expected at least " + needed
                            + " (column 'report' missing in this row)");
        }
        if (decode(rec.fields().get(studyIdIndex)) == null) {
            return error(rec, "", prefix + "study_id is not valid UTF-8");
        }
        if (studyId.isEmpty()) {
            return error(rec, "", prefix + "study_id is empty");
        }
        if (rec.truncated(reportIndex)) {
            return error(rec, studyId, prefix + "report is longer than the limit of " + maxReportChars + " characters");
        }
        String report = decode(rec.fields().get(reportIndex));
        if (report == null) {
            return error(rec, studyId, prefix + "report is not valid UTF-8");
        }
        if (report.length() > maxReportChars) {
            return error(
                    rec,
                    studyId,
                    prefix + "report is " + report.length() + " characters long, over the limit of " + maxReportChars);
        }
        if (report.isBlank()) {
            return error(rec, studyId, prefix + "report is empty");
        }
        return new ReportRow(rowNumber, rec.line(), studyId, report, null);
    }

    private ReportRow error(CsvReader.Record rec, String studyId, String message) {
        return new ReportRow(rowNumber, rec.line(), studyId, null, message);
    }

    /** Strict UTF-8; {@code null} when the bytes are not valid UTF-8. */
    private static String decode(byte[] bytes) {
        CharsetDecoder d = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            return d.decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    @Override
    public void close() {
        csv.close();
    }
}
