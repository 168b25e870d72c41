package dev.causalcxr.core.reports.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Laterality;
import dev.causalcxr.core.findings.Severity;
import dev.causalcxr.core.findings.Status;
import dev.causalcxr.core.findings.Zone;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON schema the LLM answers in, the instructions that carry it, and the validation of an
 * answer. Validation collects every problem (not just the first) so that one retry can fix them all.
 */
public final class FindingsAnswerSchema {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> FINDINGS = Arrays.stream(Finding.values())
            .filter(f -> f != Finding.NO_FINDING)
            .map(Finding::label)
            .toList();
    private static final List<String> STATUSES = labels(Status.values());
    private static final List<String> SEVERITIES = labels(Severity.values());
    private static final List<String> LATERALITIES = labels(Laterality.values());
    private static final List<String> ZONES = labels(Zone.values());

    private FindingsAnswerSchema() {}

    private static List<String> labels(Enum<?>[] values) {
        return Arrays.stream(values)
                .map(v -> v.name().toLowerCase(java.util.Locale.ROOT))
                .toList();
    }

    /** The JSON schema of an answer: {@code {"findings": [{finding, status, severity, laterality, zone}]}}. */
    public static Map<String, Object> schema() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("finding", Map.of("type", "string", "enum", FINDINGS));
        props.put("status", Map.of("type", "string", "enum", STATUSES));
        props.put("severity", Map.of("type", "string", "enum", SEVERITIES));
        props.put("laterality", Map.of("type", "string", "enum", LATERALITIES));
        props.put("zone", Map.of("type", "string", "enum", ZONES));
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("type", "object");
        item.put("properties", props);
        item.put("required", List.of("finding", "status", "severity", "laterality", "zone"));
        item.put("additionalProperties", false);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("type", "object");
        root.put("properties", Map.of("findings", Map.of("type", "array", "items", item)));
        root.put("required", List.of("findings"));
        root.put("additionalProperties", false);
        return root;
    }

    public static String schemaJson() {
        try {
            return JSON.writeValueAsString(schema());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The system prompt: the task, the labelling rules and the schema. */
    public static String systemPrompt() {
        return """
                You label chest X-ray reports. Read the report the user sends and list every finding it \
                mentions, from FINDINGS and IMPRESSION only (ignore indication, history, technique and \
                comparison). For each finding give:
                - finding: one of %s;
                - status: present, absent (negated, resolved or removed) or uncertain (hedged: possible, \
                likely, may represent, cannot be excluded, suspicious or concerning for, versus);
                - severity: mild (trace, small, minimal, mild), moderate, severe (large, severe, marked, \
                extensive) or unspecified;
                - laterality: left, right, bilateral or unspecified;
                - zone: upper, middle, lower or unspecified.
                Stable, unchanged or persistent findings are present. List a finding once, with its \
                strongest status (present over uncertain over absent). Use unspecified for anything the \
                report does not state; support devices have no severity, laterality or zone.
                Answer with only a JSON object that follows this JSON schema, no prose:
                %s""".formatted(String.join(", ", FINDINGS), schemaJson());
    }

    /** One problem with an answer; {@code value} is what the model wrote (kept out of logs). */
    public record Problem(String path, String message, String value) {}

    /** The outcome of validating one answer: findings when valid, problems otherwise. */
    public record Validation(List<FindingMention> findings, List<Problem> problems) {

        public boolean valid() {
            return problems.isEmpty();
        }

        /** For the model: every problem with the offending value (short). */
        public String retryMessage() {
            StringBuilder sb = new StringBuilder("Your previous answer was invalid:");
            for (Problem p : problems) {
                sb.append("\n- ").append(p.path()).append(": ").append(p.message());
                if (p.value() != null) {
                    String v = p.value().length() > 40 ? p.value().substring(0, 40) + "..." : p.value();
                    sb.append(" (got \"").append(v).append("\")");
                }
            }
            sb.append("\nAnswer again with only a JSON object that follows the schema.");
            return sb.toString();
        }

        /** For logs and recorded fallback reasons: paths and messages, no values the model wrote. */
        public String safeSummary() {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < problems.size() && i < 5; i++) {
                if (i > 0) {
                    sb.append("; ");
                }
                sb.append(problems.get(i).path())
                        .append(": ")
                        .append(problems.get(i).message());
            }
            if (problems.size() > 5) {
                sb.append("; and ").append(problems.size() - 5).append(" more");
            }
            return sb.toString();
        }
    }

    /** Parses and validates the assistant's content. Code fences around the JSON are tolerated. */
    public static Validation validate(String content) {
        List<Problem> problems = new ArrayList<>();
        if (content == null || content.isBlank()) {
            return new Validation(List.of(), List.of(new Problem("$", "empty answer", null)));
        }
        String text = stripFences(content.trim());
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return new Validation(List.of(), List.of(new Problem("$", "not valid JSON", null)));
        }
        if (root == null || !root.isObject()) {
            return new Validation(List.of(), List.of(new Problem("$", "must be a JSON object", null)));
        }
        root.fieldNames().forEachRemaining(n -> {
            if (!n.equals("findings")) {
                problems.add(new Problem("$." + safeName(n), "unexpected property", null));
            }
        });
        JsonNode arr = root.get("findings");
        if (arr == null || !arr.isArray()) {
            problems.add(new Problem("$.findings", "missing or not an array", null));
            return new Validation(List.of(), problems);
        }
        List<FindingMention> out = new ArrayList<>();
        for (int i = 0; i < arr.size(); i++) {
            JsonNode item = arr.get(i);
            String path = "$.findings[" + i + "]";
            if (!item.isObject()) {
                problems.add(new Problem(path, "must be an object", null));
                continue;
            }
            int before = problems.size();
            item.fieldNames().forEachRemaining(n -> {
                if (!List.of("finding", "status", "severity", "laterality", "zone")
                        .contains(n)) {
                    problems.add(new Problem(path + "." + safeName(n), "unexpected property", null));
                }
            });
            String finding = field(item, path, "finding", FINDINGS, problems);
            String status = field(item, path, "status", STATUSES, problems);
            String severity = field(item, path, "severity", SEVERITIES, problems);
            String laterality = field(item, path, "laterality", LATERALITIES, problems);
            String zone = field(item, path, "zone", ZONES, problems);
            if (problems.size() == before) {
                out.add(new FindingMention(
                        Finding.fromLabel(finding).orElseThrow(),
                        Status.fromLabel(status),
                        Severity.fromLabel(severity),
                        Laterality.fromLabel(laterality),
                        Zone.fromLabel(zone)));
            }
        }
        return new Validation(problems.isEmpty() ? out : List.of(), problems);
    }

    private static String field(JsonNode item, String path, String name, List<String> allowed, List<Problem> problems) {
        JsonNode v = item.get(name);
        if (v == null || v.isNull()) {
            problems.add(new Problem(path + "." + name, "missing", null));
            return null;
        }
        if (!v.isTextual()) {
            problems.add(new Problem(path + "." + name, "must be a string, one of " + allowed, null));
            return null;
        }
        String s = v.asText().trim();
        if (!allowed.contains(s)) {
            problems.add(new Problem(path + "." + name, "unknown " + name + ", must be one of " + allowed, s));
            return null;
        }
        return s;
    }

    private static String safeName(String n) {
        return n.matches("[A-Za-z_]{1,30}") ? n : "<property>";
    }

    private static String stripFences(String s) {
        if (s.startsWith("```")) {
            int nl = s.indexOf('\n');
            int end = s.lastIndexOf("```");
            if (nl > 0 && end > nl) {
                return s.substring(nl + 1, end).trim();
            }
        }
        return s;
    }
}
