package dev.causalcxr.core.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvReaderTest {

    private static List<CsvReader.Record> parse(String s) {
        return CsvReader.parse(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String field(CsvReader.Record r, int i) {
        return new String(r.fields().get(i), StandardCharsets.UTF_8);
    }

    @Test
    void quotedFieldsMaySpanLinesAndContainCommasAndQuotes() {
        List<CsvReader.Record> r = parse("a,b,c\r\n1,\"x, \"\"quoted\"\"\nsecond line\",3\r\n4,5,6\n");
        assertEquals(3, r.size());
        assertEquals("x, \"quoted\"\nsecond line", field(r.get(1), 1));
        assertEquals("3", field(r.get(1), 2));
        assertEquals(4, r.get(2).line());
        assertEquals("4", field(r.get(2), 0));
    }

    @Test
    void emptyFieldsAndMissingFinalNewline() {
        List<CsvReader.Record> r = parse("a,b\n,\"\"\n\n1,2");
        assertEquals(3, r.size());
        assertEquals("", field(r.get(1), 0));
        assertEquals("", field(r.get(1), 1));
        assertEquals("2", field(r.get(2), 1));
    }

    @Test
    void aStreamStoresAtMostTheLimitOfAFieldFlagsItAndReadsOnAfterAMalformedRecord() {
        byte[] csv = "id,text\n1,abcdefghij\n2,x\"y\n3,ok\n".getBytes(StandardCharsets.UTF_8);
        try (CsvReader r = new CsvReader(new java.io.ByteArrayInputStream(csv), 4)) {
            assertEquals("id", field(r.next(), 0));
            CsvReader.Record long1 = r.next();
            assertEquals("abcd", field(long1, 1), "only the limit is kept");
            assertEquals(true, long1.truncated(1));
            assertEquals(false, long1.truncated(0));
            CsvReader.Record bad = r.next();
            assertEquals("a quote inside the unquoted field 2", bad.error());
            CsvReader.Record next = r.next();
            assertNull(next.error());
            assertEquals(4, next.number());
            assertEquals(4, next.line());
            assertNull(r.next(), "end of input");
        }
    }

    @Test
    void byteOrderMarkIsSkipped() {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 'a', ',', 'b'};
        assertEquals("a", new String(CsvReader.parse(bom).get(0).fields().get(0), StandardCharsets.UTF_8));
    }

    @Test
    void malformedRecordsAreFlagged() {
        assertNotNull(parse("a,b\n1,\"unterminated\n").get(1).error());
        assertNotNull(parse("a,b\n1,\"x\"y\n").get(1).error());
        assertNotNull(parse("a,b\n1,x\"y\n").get(1).error());
        assertNull(parse("a,b\n1,\"ok\"\n").get(1).error());
    }
}
