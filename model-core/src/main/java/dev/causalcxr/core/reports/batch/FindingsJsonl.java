package dev.causalcxr.core.reports.batch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.reports.ExtractionSource;
import dev.causalcxr.core.reports.ReportExtraction;
import dev.causalcxr.core.reports.ReportTextException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The findings JSONL format, one object per study:
 * {@code {"study_id": "...", "findings": [{"finding": ..., "status": ..., "severity": ...,
 * "laterality": ..., "zone": ...}]}}, or {@code {"study_id": "...", "error": "reason"}} for a row
 * that could not be parsed. LLM-produced rows also carry {@code "source"} and, for fallbacks,
 * {@code "fallback_reason"}. Report text is never written.
 */
public final class FindingsJsonl {

    private static final ObjectMapper JSON = new ObjectMapper();

    private FindingsJsonl() {}

    /** One parsed line: findings, or an error. */
    public record Entry(String studyId, List<FindingMention> findings, String error) {}

    public static String findingsLine(String studyId, ReportExtraction extraction) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("study_id", studyId);
        if (!extraction.ok()) {
            m.put("error", extraction.error());
            return write(m);
        }
        m.put(
                "findings",
                extraction.findings().stream().map(FindingMention::toJsonMap).toList());
        if (extraction.source() != null && extraction.source() != ExtractionSource.RULES) {
            m.put("source", extraction.source().label());
            if (extraction.fallbackReason() != null) {
                m.put("fallback_reason", extraction.fallbackReason());
            }
        }
        return write(m);
    }

    public static String errorLine(String studyId, String error) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("study_id", studyId);
        m.put("error", error);
        return write(m);
    }

    private static String write(Map<String, Object> m) {
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a findings line", e);
        }
    }

    /** Parses one findings list given as a JSON array node. */
    public static List<FindingMention> parseFindings(JsonNode array) {
        List<FindingMention> out = new ArrayList<>();
        for (JsonNode f : array) {
            Map<String, Object> m = new LinkedHashMap<>();
            f.fields()
                    .forEachRemaining(e -> m.put(
                            e.getKey(),
                            e.getValue().isNull() ? null : e.getValue().asText()));
            out.add(FindingMention.fromJsonMap(m));
        }
        return out;
    }

    /** Reads a findings JSONL file, keyed by study id in file order. */
    public static Map<String, Entry> read(Path file) {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(r, file.getFileName().toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Reads findings JSONL from a reader; {@code name} labels line errors. */
    public static Map<String, Entry> read(BufferedReader r, String name) {
        Map<String, Entry> out = new LinkedHashMap<>();
        try {
            String lineText;
            int lineNo = 0;
            while ((lineText = r.readLine()) != null) {
                lineNo++;
                if (lineText.isBlank()) {
                    continue;
                }
                Entry e;
                try {
                    JsonNode n = JSON.readTree(lineText);
                    String id = n.path("study_id").asText("");
                    if (id.isEmpty()) {
                        throw new ReportTextException("no study_id");
                    }
                    if (n.hasNonNull("error")) {
                        e = new Entry(id, List.of(), n.get("error").asText());
                    } else if (n.path("findings").isArray()) {
                        e = new Entry(id, parseFindings(n.get("findings")), null);
                    } else {
                        throw new ReportTextException("no findings array");
                    }
                } catch (IOException | IllegalArgumentException | ReportTextException ex) {
                    throw new ReportTextException(name + " line " + lineNo + ": not a findings line ("
                            + ex.getClass().getSimpleName() + ")");
                }
                out.put(e.studyId(), e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name, e);
        }
        return out;
    }
}
