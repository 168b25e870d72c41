package dev.causalcxr.core.dataset;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 4180 CSV on raw bytes: comma separated, fields optionally in double quotes, {@code ""} for a
 * quote inside a quoted field, quoted fields may span lines, CRLF or LF line ends, optional UTF-8
 * BOM. Works on bytes so each field can be decoded with a strict UTF-8 decoder on its own, and a
 * bad byte in one report marks only that row.
 */
public final class CsvReader {

    /**
     * One record. {@code number} is 1-based (1 = header); {@code line} the line it starts on;
     * {@code error} non-null when the record is malformed (its fields are then unreliable).
     */
    public record Record(long number, long line, List<byte[]> fields, String error) {
    }

    private CsvReader() {
    }

    public static List<Record> parse(byte[] d) {
        List<Record> out = new ArrayList<>();
        int i = 0;
        if (d.length >= 3 && (d[0] & 0xFF) == 0xEF && (d[1] & 0xFF) == 0xBB && (d[2] & 0xFF) == 0xBF) {
            i = 3;
        }
        long line = 1;
        long number = 0;
        List<byte[]> fields = new ArrayList<>();
        ByteArrayOutputStream field = new ByteArrayOutputStream();
        boolean inQuotes = false;
        boolean quoted = false;
        boolean afterQuote = false;
        String error = null;
        long startLine = 1;
        boolean any = false;
        while (i < d.length) {
            byte b = d[i];
            if (inQuotes) {
                if (b == '"') {
                    if (i + 1 < d.length && d[i + 1] == '"') {
                        field.write('"');
                        i += 2;
                        continue;
                    }
                    inQuotes = false;
                    afterQuote = true;
                } else {
                    if (b == '\n') {
                        line++;
                    }
                    field.write(b);
                }
                i++;
                continue;
            }
            if (b == ',') {
                fields.add(field.toByteArray());
                field.reset();
                quoted = false;
                afterQuote = false;
                any = true;
            } else if (b == '\r' || b == '\n') {
                if (b == '\r' && i + 1 < d.length && d[i + 1] == '\n') {
                    i++;
                }
                fields.add(field.toByteArray());
                boolean blank = !any && fields.size() == 1 && fields.get(0).length == 0 && !quoted;
                if (!blank) {
                    out.add(new Record(++number, startLine, List.copyOf(fields), error));
                }
                fields = new ArrayList<>();
                field.reset();
                quoted = false;
                afterQuote = false;
                any = false;
                error = null;
                line++;
                startLine = line;
            } else if (b == '"') {
                if (field.size() == 0 && !quoted) {
                    inQuotes = true;
                    quoted = true;
                } else if (error == null) {
                    error = "stray quote character in a field";
                }
                any = true;
            } else {
                if (afterQuote && error == null) {
                    error = "characters after a closing quote";
                }
                field.write(b);
                any = true;
            }
            i++;
        }
        if (inQuotes) {
            error = "unterminated quoted field";
        }
        if (any || field.size() > 0 || quoted || inQuotes) {
            fields.add(field.toByteArray());
            out.add(new Record(++number, startLine, List.copyOf(fields), error));
        }
        return out;
    }
}
