package dev.causalcxr.core.reports.batch;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;

/**
 * Reads a {@code study_id,report} CSV (RFC 4180: quoted fields, doubled quotes, line breaks inside
 * quoted fields, CRLF or LF) one row at a time. It splits records on bytes and decodes each field
 * strictly as UTF-8, so a row with invalid bytes becomes a row error instead of silently garbled
 * text, and the other rows still parse. Fields longer than the configured limit are not buffered
 * beyond it. Extra columns are allowed; their order does not matter.
 */
public final class ReportCsvReader implements Iterator<ReportRow>, AutoCloseable {

    public static final String STUDY_ID_COLUMN = "study_id";
    public static final String REPORT_COLUMN = "report";

    private final InputStream in;
    private final int maxReportChars;
    private final int maxFieldBytes;
    private final int studyIdIndex;
    private final int reportIndex;
    private long line = 1;
    private long rowNumber;
    private ReportRow next;
    private boolean eof;

    /** Raw fields of one record, with per-field overflow flags. */
    private record RawRecord(List<byte[]> fields, List<Boolean> overflow, long startLine, String error) {
    }

    /**
     * @param in             the CSV bytes (closed by {@link #close()})
     * @param maxReportChars longest report accepted, in characters
     * @throws ReportCsvException when the header lacks {@code study_id} or {@code report}
     */
    public ReportCsvReader(InputStream in, int maxReportChars) {
        this.in = in instanceof BufferedInputStream ? in : new BufferedInputStream(in, 1 << 16);
        this.maxReportChars = maxReportChars;
        this.maxFieldBytes = (int) Math.min(Integer.MAX_VALUE - 16L, 4L * maxReportChars + 4);
        RawRecord header = readRecord();
        if (header == null) {
            throw new ReportCsvException("the CSV is empty: expected a header with columns study_id,report");
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < header.fields().size(); i++) {
            String name = decode(header.fields().get(i));
            name = name == null ? "" : name;
            if (i == 0 && name.startsWith("\uFEFF")) {
                name = name.substring(1);
            }
            names.add(name.trim().toLowerCase(Locale.ROOT));
        }
        studyIdIndex = names.indexOf(STUDY_ID_COLUMN);
        reportIndex = names.indexOf(REPORT_COLUMN);
        if (studyIdIndex < 0 || reportIndex < 0) {
            String missing = studyIdIndex < 0 && reportIndex < 0 ? "'study_id' and 'report'"
                    : studyIdIndex < 0 ? "'study_id'" : "'report'";
            throw new ReportCsvException("the CSV header has no column " + missing + " (columns found: "
                    + String.join(", ", names.stream().map(ReportCsvReader::shorten).toList()) + ")");
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
        RawRecord rec;
        do {
            rec = readRecord();
            if (rec == null) {
                return null;
            }
        } while (rec.fields().size() == 1 && rec.fields().get(0).length == 0 && rec.error() == null); // blank line
        rowNumber++;
        String prefix = "row " + rowNumber + " (line " + rec.startLine() + "): ";
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
            return error(rec, studyId, prefix + "has " + rec.fields().size() + " field(s), expected at least "
                    + needed + " (column 'report' missing in this row)");
        }
        if (decode(rec.fields().get(studyIdIndex)) == null) {
            return error(rec, "", prefix + "study_id is not valid UTF-8");
        }
        if (studyId.isEmpty()) {
            return error(rec, "", prefix + "study_id is empty");
        }
        if (rec.overflow().get(reportIndex)) {
            return error(rec, studyId, prefix + "report is longer than the limit of " + maxReportChars
                    + " characters");
        }
        String report = decode(rec.fields().get(reportIndex));
        if (report == null) {
            return error(rec, studyId, prefix + "report is not valid UTF-8");
        }
        if (report.length() > maxReportChars) {
            return error(rec, studyId, prefix + "report is " + report.length() + " characters long, over the limit of "
                    + maxReportChars);
        }
        if (report.isBlank()) {
            return error(rec, studyId, prefix + "report is empty");
        }
        return new ReportRow(rowNumber, rec.startLine(), studyId, report, null);
    }

    private ReportRow error(RawRecord rec, String studyId, String message) {
        return new ReportRow(rowNumber, rec.startLine(), studyId, null, message);
    }

    /** Strict UTF-8; {@code null} when the bytes are not valid UTF-8. */
    private static String decode(byte[] bytes) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            return d.decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** Reads one record, or null at end of input. */
    private RawRecord readRecord() {
        try {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            long startLine = line;
            List<byte[]> fields = new ArrayList<>(2);
            List<Boolean> overflow = new ArrayList<>(2);
            Field field = new Field(maxFieldBytes);
            boolean quoted = false;
            boolean afterQuote = false; // the closing quote of a quoted field was seen
            boolean atFieldStart = true;
            String error = null;
            while (true) {
                if (b < 0) {
                    if (quoted) {
                        error = "a quoted field is not closed before the end of the file";
                    }
                    break;
                }
                if (quoted) {
                    if (b == '"') {
                        int c = in.read();
                        if (c == '"') {
                            field.add('"');
                        } else {
                            quoted = false;
                            afterQuote = true;
                            b = c;
                            continue;
                        }
                    } else {
                        if (b == '\n') {
                            line++;
                        }
                        field.add(b);
                    }
                } else if (b == ',') {
                    fields.add(field.bytes());
                    overflow.add(field.overflow);
                    field = new Field(maxFieldBytes);
                    atFieldStart = true;
                    afterQuote = false;
                    b = in.read();
                    continue;
                } else if (b == '\n' || b == '\r') {
                    if (b == '\r') {
                        in.mark(1);
                        if (in.read() != '\n') {
                            in.reset();
                        }
                    }
                    line++;
                    break;
                } else if (b == '"' && atFieldStart) {
                    quoted = true;
                } else {
                    if (afterQuote && error == null) {
                        error = "unexpected character after the closing quote of field " + (fields.size() + 1);
                    }
                    field.add(b);
                }
                atFieldStart = false;
                b = in.read();
            }
            fields.add(field.bytes());
            overflow.add(field.overflow);
            return new RawRecord(fields, overflow, startLine, error);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the reports CSV", e);
        }
    }

    /** A growable byte buffer that stops storing (and flags) past its limit. */
    private static final class Field {
        private byte[] buf = new byte[64];
        private int len;
        private final int limit;
        boolean overflow;

        Field(int limit) {
            this.limit = limit;
        }

        void add(int b) {
            if (len >= limit) {
                overflow = true;
                return;
            }
            if (len == buf.length) {
                buf = Arrays.copyOf(buf, Math.min(limit, buf.length * 2));
            }
            buf[len++] = (byte) b;
        }

        byte[] bytes() {
            return Arrays.copyOf(buf, len);
        }
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the reports CSV", e);
        }
    }
}
