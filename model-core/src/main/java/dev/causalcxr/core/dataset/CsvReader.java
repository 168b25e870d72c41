package dev.causalcxr.core.dataset;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The project's one CSV reader: strict RFC 4180 on raw bytes, one record at a time. Comma separated,
 * fields optionally in double quotes, {@code ""} for a quote inside a quoted field, quoted fields may
 * span lines, CRLF or LF line ends, an optional UTF-8 byte-order mark, blank lines skipped. It works on
 * bytes so each field can be decoded with a strict UTF-8 decoder on its own (a bad byte in one report
 * marks only that row), and it stores at most {@code maxFieldBytes} of a field (a longer one is flagged
 * as truncated instead of being buffered whole). A malformed record (a quote inside an unquoted field,
 * characters after a closing quote, an unterminated quoted field) carries an error; the next record is
 * read normally.
 */
public final class CsvReader implements AutoCloseable {

    /**
     * One record. {@code number} is 1-based (1 = header); {@code line} the line it starts on;
     * {@code error} non-null when the record is malformed (its fields are then unreliable);
     * {@code truncatedFields} the indices of fields longer than the reader's limit.
     */
    @SuppressWarnings("JavaLangClash") // nested: callers write CsvReader.Record
    public record Record(long number, long line, List<byte[]> fields, String error, Set<Integer> truncatedFields) {
        public Record {
            fields = List.copyOf(fields);
            truncatedFields = Set.copyOf(truncatedFields);
        }

        public boolean truncated(int field) {
            return truncatedFields.contains(field);
        }
    }

    private final InputStream in;
    private final int maxFieldBytes;
    private long line = 1;
    private long number;
    private boolean started;

    /** Reads {@code in} (closed by {@link #close()}), keeping at most {@code maxFieldBytes} of any field. */
    public CsvReader(InputStream in, int maxFieldBytes) {
        this.in = in instanceof BufferedInputStream ? in : new BufferedInputStream(in, 1 << 16);
        this.maxFieldBytes = maxFieldBytes;
    }

    /** Every record of a whole file in memory, no field limit. */
    public static List<Record> parse(byte[] bytes) {
        List<Record> out = new ArrayList<>();
        try (CsvReader r = new CsvReader(new ByteArrayInputStream(bytes), Integer.MAX_VALUE - 16)) {
            for (Record rec = r.next(); rec != null; rec = r.next()) {
                out.add(rec);
            }
        }
        return out;
    }

    /** The next non-blank record, or null at the end of the input. */
    public Record next() {
        try {
            if (!started) {
                started = true;
                skipByteOrderMark();
            }
            while (true) {
                int b = in.read();
                if (b < 0) {
                    return null;
                }
                if (b == '\n' || b == '\r') {
                    endOfLine(b); // a blank line
                    continue;
                }
                return readRecord(b);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CSV", e);
        }
    }

    private void skipByteOrderMark() throws IOException {
        in.mark(3);
        if (!(in.read() == 0xEF && in.read() == 0xBB && in.read() == 0xBF)) {
            in.reset();
        }
    }

    private void endOfLine(int b) throws IOException {
        if (b == '\r') {
            in.mark(1);
            if (in.read() != '\n') {
                in.reset();
            }
        }
        line++;
    }

    private Record readRecord(int first) throws IOException {
        long startLine = line;
        List<byte[]> fields = new ArrayList<>();
        Set<Integer> truncated = new TreeSet<>();
        Field field = new Field(maxFieldBytes);
        boolean quoted = false;
        boolean afterQuote = false; // the closing quote of a quoted field was seen
        boolean atFieldStart = true;
        String error = null;
        int b = first;
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
                if (field.overflow) {
                    truncated.add(fields.size());
                }
                fields.add(field.bytes());
                field = new Field(maxFieldBytes);
                atFieldStart = true;
                afterQuote = false;
                b = in.read();
                continue;
            } else if (b == '\n' || b == '\r') {
                endOfLine(b);
                break;
            } else if (b == '"') {
                if (atFieldStart) {
                    quoted = true;
                } else if (error == null) {
                    error = afterQuote
                            ? "unexpected character after the closing quote of field " + (fields.size() + 1)
                            : "a quote inside the unquoted field " + (fields.size() + 1);
                }
            } else {
                if (afterQuote && error == null) {
                    error = "unexpected character after the closing quote of field " + (fields.size() + 1);
                }
                field.add(b);
            }
            atFieldStart = false;
            b = in.read();
        }
        if (field.overflow) {
            truncated.add(fields.size());
        }
        fields.add(field.bytes());
        return new Record(++number, startLine, fields, error, truncated);
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
                buf = Arrays.copyOf(buf, (int) Math.min(limit, buf.length * 2L));
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
            throw new UncheckedIOException("cannot close the CSV", e);
        }
    }
}
