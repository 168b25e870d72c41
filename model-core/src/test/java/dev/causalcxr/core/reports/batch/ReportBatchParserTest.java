package dev.causalcxr.core.reports.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.Status;
import dev.causalcxr.core.reports.rules.RuleBasedReportExtractor;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportBatchParserTest {

    @Test
    void writesOneLinePerRowWithErrorsInPlace(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream csv = new ByteArrayOutputStream();
        csv.writeBytes(("study_id,report\n"
                        + "a,\"FINDINGS: Moderate right pleural effusion.\nIMPRESSION: No pneumothorax.\"\n"
                        + "b,\n"
                        + "c,secret ")
                .getBytes(StandardCharsets.UTF_8));
        csv.write(0xFF);
        csv.writeBytes("\nd,\"Lungs clear.\"\n".getBytes(StandardCharsets.UTF_8));
        Path in = dir.resolve("reports.csv");
        Files.write(in, csv.toByteArray());
        Path out = dir.resolve("findings.jsonl");

        ReportBatchSummary summary =
                new ReportBatchParser(new RuleBasedReportExtractor(), new ReportBatchConfig(1000, 2)).parse(in, out);

        assertEquals(4, summary.rows());
        assertEquals(2, summary.parsed());
        assertEquals(2, summary.errors());
        assertEquals(1L, summary.labelCounts().get(Finding.PLEURAL_EFFUSION).get(Status.PRESENT));
        List<String> lines = Files.readAllLines(out);
        assertEquals(4, lines.size());
        ObjectMapper json = new ObjectMapper();
        JsonNode a = json.readTree(lines.get(0));
        assertEquals("a", a.get("study_id").asText());
        JsonNode pe = null;
        for (JsonNode f : a.get("findings")) {
            if (f.get("finding").asText().equals("Pleural Effusion")) {
                pe = f;
            }
        }
        assertEquals("present", pe.get("status").asText());
        assertEquals("moderate", pe.get("severity").asText());
        assertEquals("right", pe.get("laterality").asText());
        assertEquals("unspecified", pe.get("zone").asText());
        assertTrue(json.readTree(lines.get(1)).get("error").asText().contains("report is empty"));
        assertTrue(json.readTree(lines.get(2)).get("error").asText().contains("not valid UTF-8"));
        assertEquals("d", json.readTree(lines.get(3)).get("study_id").asText());
        String all = String.join("\n", lines);
        assertFalse(
                all.contains("secret") || all.contains("Lungs clear") || all.contains("Moderate right"),
                "output never carries report text");
        assertEquals(4, FindingsJsonl.read(out).size());
    }
}
