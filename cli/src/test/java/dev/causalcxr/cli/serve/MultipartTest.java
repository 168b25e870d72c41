package dev.causalcxr.cli.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MultipartTest {
    static final String B = "----cxrBoundary7MA4YWxkTrZu0gW";

    static byte[] body(String... chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String c : chunks) {
            out.writeBytes(c.getBytes(StandardCharsets.ISO_8859_1));
        }
        return out.toByteArray();
    }

    @Test
    void fieldsAndAFileAreReadWithTheirBytesIntact() {
        String binary = new String(
                new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0, '-', '-', (byte) 0xFF},
                StandardCharsets.ISO_8859_1);
        byte[] b = body(
                "--" + B + "\r\n",
                "Content-Disposition: form-data; name=\"finding\"\r\n\r\n",
                "moderate right pleural effusion\r\n",
                "--" + B + "\r\n",
                "Content-Disposition: form-data; name=\"image\"; filename=\"a;b \\\"x\\\".png\"\r\n",
                "Content-Type: image/png\r\n\r\n",
                binary + "\r\n",
                "--" + B + "--\r\n",
                "epilogue is ignored");
        Multipart.Form f = Multipart.parse(b, Multipart.boundary("multipart/form-data; boundary=" + B));
        assertEquals("moderate right pleural effusion", f.field("finding").orElseThrow());
        Multipart.Part image = f.part("image").orElseThrow();
        assertTrue(image.isFile());
        assertEquals("a;b \"x\".png", image.filename());
        assertEquals("image/png", image.contentType());
        assertArrayEquals(binary.getBytes(StandardCharsets.ISO_8859_1), image.body());
        assertFalse(f.field("n").isPresent());
    }

    @Test
    void theBoundaryIsTakenFromAQuotedParameterToo() {
        assertEquals("abc def", Multipart.boundary("Multipart/Form-Data; charset=utf-8; boundary=\"abc def\""));
        assertThrows(HttpError.class, () -> Multipart.boundary("application/json"));
        assertThrows(HttpError.class, () -> Multipart.boundary("multipart/form-data"));
        assertThrows(HttpError.class, () -> Multipart.boundary("multipart/form-data; boundary=" + "x".repeat(71)));
        assertThrows(HttpError.class, () -> Multipart.boundary(null));
    }

    @Test
    void malformedBodiesAreRefusedWithAReason() {
        String[][] bad = {
            {
                "preamble\r\n--" + B + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--" + B + "--",
                "does not start"
            },
            {"--" + B + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx", "not closed"},
            {"--" + B + "\r\nContent-Disposition: form-data; name=\"a\"\r\nx\r\n--" + B + "--", "headers"},
            {"--" + B + "\r\nContent-Type: text/plain\r\n\r\nx\r\n--" + B + "--", "no Content-Disposition"},
            {"--" + B + "\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--" + B + "--", "not form-data"},
            {"--" + B + "\r\nContent-Disposition: form-data\r\n\r\nx\r\n--" + B + "--", "no name"},
            {"--" + B + "\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--" + B + "--", "unterminated"},
            {
                "--" + B + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--" + B
                        + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\ny\r\n--" + B + "--",
                "more than once"
            },
            {
                "--" + B
                        + "\r\nContent-Disposition: form-data; name=\"a\"\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\n"
                        + "x\r\n--" + B + "--",
                "repeats"
            },
            {"--" + B + "garbage\r\n", "no line break"},
            {"", "does not start"},
        };
        for (String[] c : bad) {
            HttpError e = assertThrows(HttpError.class, () -> Multipart.parse(body(c[0]), B), c[0]);
            assertEquals(400, e.status());
            assertTrue(e.reason().contains(c[1]), e.reason() + " for " + c[0]);
        }
    }

    @Test
    void aTextFieldMustBeUtf8AndShort() {
        byte[] latin1 = body(
                "--" + B + "\r\nContent-Disposition: form-data; name=\"finding\"\r\n\r\n",
                "caf\u00e9",
                "\r\n--" + B + "--");
        HttpError e =
                assertThrows(HttpError.class, () -> Multipart.parse(latin1, B).field("finding"));
        assertTrue(e.reason().contains("not UTF-8"), e.reason());
        byte[] huge = body(
                "--" + B + "\r\nContent-Disposition: form-data; name=\"finding\"\r\n\r\n",
                "x".repeat(Multipart.MAX_FIELD_BYTES + 1),
                "\r\n--" + B + "--");
        assertThrows(HttpError.class, () -> Multipart.parse(huge, B));
    }

    @Test
    void tooManyPartsAreRefused() {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i <= Multipart.MAX_PARTS; i++) {
            s.append("--")
                    .append(B)
                    .append("\r\nContent-Disposition: form-data; name=\"f")
                    .append(i)
                    .append("\"\r\n\r\nv\r\n");
        }
        s.append("--").append(B).append("--");
        HttpError e = assertThrows(HttpError.class, () -> Multipart.parse(body(s.toString()), B));
        assertTrue(e.reason().contains("more than " + Multipart.MAX_PARTS), e.reason());
    }
}
