package dev.causalcxr.core.reports.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportCsvReaderTest {

    private static List<ReportRow> read(byte[] csv, int maxChars) {
        List<ReportRow> rows = new ArrayList<>();
        try (ReportCsvReader r = new ReportCsvReader(new ByteArrayInputStream(csv), maxChars)) {
            r.forEachRemaining(rows::add);
        }
        return rows;
    }

    private static List<ReportRow> read(String csv) {
        return read(csv.getBytes(StandardCharsets.UTF_8), 1000);
    }

    @Test
    void quotedFieldsDoubledQuotesAndLineBreaks() {
        List<ReportRow> rows = read("study_id,report\r\n"
                + "s1,Lungs clear.\r\n"
                + "s2,\"FINDINGS:\r\nSmall \"\"left\"\" effusion, no pneumothorax.\nIMPRESSION: effusion\"\r\n"
                + "\"s3\",\"Cardiomegaly.\"\n");
        assertEquals(3, rows.size());
        assertEquals("Lungs clear.", rows.get(0).report());
        assertEquals(
                "FINDINGS:\r\nSmall \"left\" effusion, no pneumothorax.\nIMPRESSION: effusion",
                rows.get(1).report());
        assertEquals("s3", rows.get(2).studyId());
        assertEquals(2, rows.get(1).rowNumber());
        assertEquals(3, rows.get(1).line());
        assertEquals(6, rows.get(2).line());
    }

    @Test
    void columnsInAnyOrderWithExtrasAndBom() {
        List<ReportRow> rows = read("\uFEFFreport,patient,Study_ID\nNo effusion.,p1,s9\n");
        assertEquals("s9", rows.get(0).studyId());
        assertEquals("No effusion.", rows.get(0).report());
    }

    @Test
    void missingColumnNamesTheColumn() {
        ReportCsvException e = assertThrows(ReportCsvException.class, () -> read("study_id,text\ns1,abc\n"));
        assertTrue(e.getMessage().contains("'report'"), e.getMessage());
        e = assertThrows(ReportCsvException.class, () -> read("id,report\ns1,abc\n"));
        assertTrue(e.getMessage().contains("'study_id'"), e.getMessage());
    }

    @Test
    void badRowsBecomeRowErrorsAndTheOthersStillParse() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes("study_id,report\ns1,Lungs clear.\ns2,\n s3 ,\"   \"\ns4,bad ".getBytes(StandardCharsets.UTF_8));
        b.write(0xC3); // a lone lead byte: not UTF-8
        b.write('x');
        b.writeBytes("\ns5,".getBytes(StandardCharsets.UTF_8));
        b.writeBytes("x".repeat(5000).getBytes(StandardCharsets.UTF_8));
        b.writeBytes("\ns6\ns7,Small effusion.\n,orphan report\n".getBytes(StandardCharsets.UTF_8));
        List<ReportRow> rows = read(b.toByteArray(), 1000);
        assertEquals(8, rows.size());
        assertNull(rows.get(0).error());
        assertTrue(rows.get(1).error().contains("report is empty"), rows.get(1).error());
        assertEquals("s3", rows.get(2).studyId());
        assertTrue(rows.get(2).error().contains("report is empty"));
        assertEquals("s4", rows.get(3).studyId());
        assertTrue(rows.get(3).error().contains("not valid UTF-8"));
        assertTrue(rows.get(4).error().contains("limit of 1000"), rows.get(4).error());
        assertTrue(
                rows.get(5).error().contains("expected at least 2"), rows.get(5).error());
        assertEquals("Small effusion.", rows.get(6).report());
        assertTrue(rows.get(7).error().contains("study_id is empty"));
        for (ReportRow r : rows) {
            if (r.error() != null) {
                assertTrue(
                        !r.error().contains("bad")
                                && !r.error().contains("xxx")
                                && !r.error().contains("orphan"),
                        "row errors never quote report text: " + r.error());
            }
        }
    }

    @Test
    void oneMegabyteReportIsRejectedWithoutBufferingIt() {
        StringBuilder sb = new StringBuilder("study_id,report\nbig,\"");
        sb.append("Small effusion. ".repeat(65_536)); // ~1 MB
        sb.append("\"\nsmall,No pneumothorax.\n");
        List<ReportRow> rows = read(sb.toString().getBytes(StandardCharsets.UTF_8), 100_000);
        assertTrue(
                rows.get(0).error().contains("longer than the limit of 100000 characters"),
                rows.get(0).error());
        assertEquals("No pneumothorax.", rows.get(1).report());
    }

    @Test
    void unterminatedQuoteIsARowError() {
        List<ReportRow> rows = read("study_id,report\ns1,ok\ns2,\"never closed\n");
        assertEquals(2, rows.size());
        assertTrue(rows.get(1).error().contains("not closed"));
    }
}
