package dev.causalcxr.cli.serve;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A strict {@code multipart/form-data} parser (RFC 7578) for bodies already read into memory within
 * the service's size limit. Strict means: the body starts with the first delimiter (no preamble),
 * every part has a {@code Content-Disposition: form-data} header with a name, header blocks are short
 * and ASCII, a name occurs once, the close delimiter is present; anything else is a
 * {@link HttpError 400} with the reason. Text fields must be UTF-8.
 */
public final class Multipart {
    static final int MAX_PARTS = 32;
    static final int MAX_HEADER_BYTES = 8 * 1024;
    static final int MAX_FIELD_BYTES = 64 * 1024;

    private Multipart() {}

    /**
     * One part.
     *
     * @param filename the file name the client gave, or null for a plain field
     * @param contentType the part's Content-Type, or null
     */
    public record Part(String name, String filename, String contentType, byte[] body) {
        public boolean isFile() {
            return filename != null;
        }
    }

    /** The parts by name, in the order they came. */
    public record Form(Map<String, Part> parts) {
        public Form {
            parts = Collections.unmodifiableMap(new LinkedHashMap<>(parts));
        }

        /** A text field's value (UTF-8), if present. */
        public Optional<String> field(String name) {
            Part p = parts.get(name);
            if (p == null) {
                return Optional.empty();
            }
            if (p.isFile()) {
                throw HttpError.badRequest("form field '" + name + "' must be a plain field, not a file");
            }
            return Optional.of(utf8(p.body(), name));
        }

        public Optional<Part> part(String name) {
            return Optional.ofNullable(parts.get(name));
        }
    }

    /** The boundary of a {@code multipart/form-data} Content-Type header. */
    public static String boundary(String contentType) {
        if (contentType == null) {
            throw HttpError.badRequest("no Content-Type");
        }
        String[] pieces = contentType.split(";");
        if (!pieces[0].trim().equalsIgnoreCase("multipart/form-data")) {
            throw HttpError.badRequest("Content-Type is not multipart/form-data");
        }
        for (int i = 1; i < pieces.length; i++) {
            String p = pieces[i].trim();
            int eq = p.indexOf('=');
            if (eq > 0 && p.substring(0, eq).trim().equalsIgnoreCase("boundary")) {
                String b = p.substring(eq + 1).trim();
                if (b.length() >= 2 && b.startsWith("\"") && b.endsWith("\"")) {
                    b = b.substring(1, b.length() - 1);
                }
                if (b.isEmpty()
                        || b.length() > 70
                        || !b.chars().allMatch(c -> (c > 32 && c < 127) || c == ' ')
                        || b.endsWith(" ")) {
                    throw HttpError.badRequest("malformed multipart boundary");
                }
                return b;
            }
        }
        throw HttpError.badRequest("multipart/form-data without a boundary");
    }

    /** Parses a whole body. */
    public static Form parse(byte[] body, String boundary) {
        byte[] dash = ("--" + boundary).getBytes(StandardCharsets.US_ASCII);
        byte[] delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII);
        if (!startsWith(body, 0, dash)) {
            throw HttpError.badRequest("malformed multipart body: it does not start with the boundary");
        }
        int pos = dash.length;
        Map<String, Part> parts = new LinkedHashMap<>();
        while (true) {
            if (startsWith(body, pos, new byte[] {'-', '-'})) {
                // close delimiter: the epilogue after it is ignored (RFC 2046)
                break;
            }
            pos = skipTransportPadding(body, pos);
            if (!startsWith(body, pos, new byte[] {'\r', '\n'})) {
                throw HttpError.badRequest("malformed multipart body: no line break after a boundary");
            }
            pos += 2;
            int headerEnd = indexOf(
                    body, new byte[] {'\r', '\n', '\r', '\n'}, pos, Math.min(body.length, pos + MAX_HEADER_BYTES));
            if (headerEnd < 0) {
                throw HttpError.badRequest(
                        "malformed multipart body: a part's headers are missing, unterminated or over "
                                + MAX_HEADER_BYTES + " bytes");
            }
            Map<String, String> headers = headers(body, pos, headerEnd);
            pos = headerEnd + 4;
            int end = indexOf(body, delimiter, pos, body.length);
            if (end < 0) {
                throw HttpError.badRequest(
                        "malformed multipart body: a part is not closed by the boundary (truncated upload?)");
            }
            byte[] content = java.util.Arrays.copyOfRange(body, pos, end);
            Part part = part(headers, content);
            if (parts.containsKey(part.name())) {
                throw HttpError.badRequest("form field '" + part.name() + "' occurs more than once");
            }
            if (parts.size() == MAX_PARTS) {
                throw HttpError.badRequest("more than " + MAX_PARTS + " form fields");
            }
            parts.put(part.name(), part);
            pos = end + delimiter.length;
        }
        return new Form(parts);
    }

    private static int skipTransportPadding(byte[] b, int pos) {
        while (pos < b.length && (b[pos] == ' ' || b[pos] == '\t')) {
            pos++;
        }
        return pos;
    }

    private static Map<String, String> headers(byte[] body, int from, int to) {
        Map<String, String> h = new LinkedHashMap<>();
        String block = new String(body, from, to - from, StandardCharsets.ISO_8859_1);
        for (String line : block.split("\r\n", -1)) {
            if (!line.chars().allMatch(c -> (c >= 32 && c < 127) || c == '\t')) {
                throw HttpError.badRequest("malformed multipart body: a part header is not printable ASCII");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw HttpError.badRequest("malformed multipart body: a part header line has no name");
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            if (h.put(name, line.substring(colon + 1).trim()) != null) {
                throw HttpError.badRequest("malformed multipart body: a part repeats its " + name + " header");
            }
        }
        return h;
    }

    private static Part part(Map<String, String> headers, byte[] content) {
        String disposition = headers.get("content-disposition");
        if (disposition == null) {
            throw HttpError.badRequest("malformed multipart body: a part has no Content-Disposition");
        }
        List<String> tokens = splitParameters(disposition);
        if (!tokens.get(0).equalsIgnoreCase("form-data")) {
            throw HttpError.badRequest("malformed multipart body: a part's disposition is not form-data");
        }
        String name = null;
        String filename = null;
        for (int i = 1; i < tokens.size(); i++) {
            String t = tokens.get(i);
            int eq = t.indexOf('=');
            if (eq <= 0) {
                throw HttpError.badRequest("malformed multipart body: a Content-Disposition parameter has no value");
            }
            String key = t.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = unquote(t.substring(eq + 1).trim());
            if (key.equals("name")) {
                name = value;
            } else if (key.equals("filename")) {
                filename = value;
            }
        }
        if (name == null || name.isEmpty()) {
            throw HttpError.badRequest("malformed multipart body: a part has no name");
        }
        if (filename == null && content.length > MAX_FIELD_BYTES) {
            throw HttpError.badRequest("form field '" + name + "' is over " + MAX_FIELD_BYTES + " bytes");
        }
        return new Part(name, filename, headers.get("content-type"), content);
    }

    /** Splits on semicolons outside quoted strings. */
    private static List<String> splitParameters(String value) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (quoted && c == '\\' && i + 1 < value.length()) {
                cur.append(c).append(value.charAt(++i));
                continue;
            }
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ';' && !quoted) {
                out.add(cur.toString().trim());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (quoted) {
            throw HttpError.badRequest(
                    "malformed multipart body: an unterminated quoted string in Content-Disposition");
        }
        out.add(cur.toString().trim());
        return out;
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            StringBuilder b = new StringBuilder();
            for (int i = 1; i < v.length() - 1; i++) {
                char c = v.charAt(i);
                if (c == '\\' && i + 1 < v.length() - 1) {
                    c = v.charAt(++i);
                }
                b.append(c);
            }
            return b.toString();
        }
        return v;
    }

    static String utf8(byte[] bytes, String field) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw HttpError.badRequest("form field '" + field + "' is not UTF-8 text");
        }
    }

    private static boolean startsWith(byte[] b, int at, byte[] prefix) {
        if (at < 0 || at + prefix.length > b.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** The first index of {@code needle} in {@code hay[from, to)}, or -1. */
    static int indexOf(byte[] hay, byte[] needle, int from, int to) {
        byte first = needle[0];
        int last = to - needle.length;
        for (int i = from; i <= last; i++) {
            if (hay[i] == first && startsWith(hay, i, needle)) {
                return i;
            }
        }
        return -1;
    }
}
