package dev.causalcxr.cli.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.core.diffusion.SamplerConfig;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Laterality;
import dev.causalcxr.core.findings.Severity;
import dev.causalcxr.core.findings.Zone;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reads a {@code POST /v1/counterfactuals} body, multipart/form-data (a browser form, {@code curl -F})
 * or JSON, into a {@link Parsed} request with every field checked that can be checked without the
 * model. Unknown fields are refused (a typo must not silently fall back to a default). Reasons name
 * the field and the allowed values, never the uploaded content.
 *
 * <p>Fields: {@code image} (a file; JSON: {@code image_base64}) or {@code dataset} + {@code study};
 * {@code finding} (text, as the CLI's {@code --finding}) or {@code condition} (a JSON array of
 * {@code {"finding", "severity", "laterality", "zone"}}); {@code n}, {@code seed}, {@code guidance},
 * {@code steps}, {@code eta} (the CLI's defaults: n 8, seed 0, and the model's sampler settings, which
 * {@link #read} leaves empty for the model to fill in); {@code model}
 * ({@code NAME[@VERSION|@ALIAS]}, default the served one); {@code format} ({@code json}, {@code png},
 * {@code zip}); {@code deadline_ms}.
 */
public final class RequestReader {
    static final Set<String> FIELDS = Set.of(
            "model",
            "image",
            "image_base64",
            "dataset",
            "study",
            "finding",
            "condition",
            "n",
            "seed",
            "guidance",
            "steps",
            "eta",
            "format",
            "deadline_ms");
    static final float MAX_GUIDANCE = 50f;
    private static final ObjectMapper JSON = new ObjectMapper();

    private RequestReader() {}

    /** What to answer with. */
    public enum Format {
        JSON,
        PNG,
        ZIP;

        static Format parse(String s) {
            try {
                return valueOf(s.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw HttpError.badRequest("format must be json, png or zip");
            }
        }
    }

    /**
     * A request checked as far as it can be without the model.
     *
     * @param mentions the structured condition, or null when {@code finding} text was given
     * @param format   null when the request did not say (the Accept header decides)
     */
    public record Parsed(
            String model,
            byte[] image,
            String dataset,
            String study,
            String finding,
            List<FindingMention> mentions,
            int n,
            long seed,
            Float guidance,
            Integer steps,
            Float eta,
            Format format,
            Long deadlineMs) {

        /** The sampler: the request's settings, the model's for those it left out. */
        public SamplerConfig sampler(SamplerConfig model) {
            return model.overriddenBy(steps, eta, guidance);
        }
    }

    private record Raw(
            String model,
            byte[] image,
            String dataset,
            String study,
            String finding,
            JsonNode condition,
            String n,
            String seed,
            String guidance,
            String steps,
            String eta,
            String format,
            String deadlineMs) {}

    /** Reads a body by its Content-Type. */
    public static Parsed read(String contentType, byte[] body, ServeSettings settings) {
        String type =
                contentType == null ? "" : contentType.split(";")[0].strip().toLowerCase(Locale.ROOT);
        Raw raw = switch (type) {
            case "multipart/form-data" -> fromMultipart(Multipart.parse(body, Multipart.boundary(contentType)));
            case "application/json" -> fromJson(body);
            default -> throw HttpError.badRequest("Content-Type must be multipart/form-data or application/json");
        };
        return check(raw, settings);
    }

    private static Raw fromMultipart(Multipart.Form form) {
        for (String name : form.parts().keySet()) {
            if (!FIELDS.contains(name) || name.equals("image_base64")) {
                throw HttpError.badRequest("unknown form field '" + name + "'; the fields are " + fieldList());
            }
        }
        byte[] image = form.part("image")
                .map(p -> {
                    if (!p.isFile()) {
                        throw HttpError.badRequest("form field 'image' must be a file upload");
                    }
                    return p.body();
                })
                .orElse(null);
        JsonNode condition = null;
        if (form.part("condition").isPresent()) {
            condition = parseJson(
                    form.field("condition").get().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    "condition is not valid JSON");
        }
        return new Raw(
                form.field("model").orElse(null),
                image,
                form.field("dataset").orElse(null),
                form.field("study").orElse(null),
                form.field("finding").orElse(null),
                condition,
                form.field("n").orElse(null),
                form.field("seed").orElse(null),
                form.field("guidance").orElse(null),
                form.field("steps").orElse(null),
                form.field("eta").orElse(null),
                form.field("format").orElse(null),
                form.field("deadline_ms").orElse(null));
    }

    private static Raw fromJson(byte[] body) {
        JsonNode root = parseJson(body, "the body is not valid JSON");
        if (!root.isObject()) {
            throw HttpError.badRequest("the JSON body must be an object");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!FIELDS.contains(name) || name.equals("image")) {
                throw HttpError.badRequest("unknown field '" + name + "'; the fields are "
                        + fieldList().replace("image, ", "image_base64, "));
            }
        }
        byte[] image = null;
        if (root.hasNonNull("image_base64")) {
            if (!root.get("image_base64").isTextual()) {
                throw HttpError.badRequest("image_base64 must be a string");
            }
            try {
                image = Base64.getDecoder()
                        .decode(root.get("image_base64").asText().replaceAll("\\s", ""));
            } catch (IllegalArgumentException e) {
                throw HttpError.badRequest("image_base64 is not base64");
            }
        }
        Function<String, String> text = name -> {
            JsonNode v = root.get(name);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isValueNode()) {
                throw HttpError.badRequest(name + " must be a string or a number");
            }
            return v.asText();
        };
        JsonNode condition = root.hasNonNull("condition") ? root.get("condition") : null;
        return new Raw(
                text.apply("model"),
                image,
                text.apply("dataset"),
                text.apply("study"),
                text.apply("finding"),
                condition,
                text.apply("n"),
                text.apply("seed"),
                text.apply("guidance"),
                text.apply("steps"),
                text.apply("eta"),
                text.apply("format"),
                text.apply("deadline_ms"));
    }

    private static JsonNode parseJson(byte[] bytes, String reason) {
        try {
            JsonNode n = JSON.readTree(bytes);
            if (n == null || n.isMissingNode()) {
                throw HttpError.badRequest(reason);
            }
            return n;
        } catch (IOException e) {
            throw HttpError.badRequest(reason);
        }
    }

    private static String fieldList() {
        return FIELDS.stream().sorted().collect(Collectors.joining(", "));
    }

    private static Parsed check(Raw r, ServeSettings s) {
        boolean byStudy = r.dataset() != null || r.study() != null;
        if ((r.image() == null) == !byStudy) {
            throw HttpError.badRequest(
                    r.image() == null
                            ? "no source image: upload one as 'image', or name 'dataset' and 'study'"
                            : "give the source as 'image' or as 'dataset' with 'study', not both");
        }
        if (byStudy && (blank(r.dataset()) || blank(r.study()))) {
            throw HttpError.badRequest("a study source needs both 'dataset' (NAME[@VERSION]) and 'study'");
        }
        if (r.image() != null && r.image().length > s.maxUploadBytes()) {
            throw tooLarge(r.image().length, s.maxUploadBytes());
        }
        if ((r.finding() == null) == (r.condition() == null)) {
            throw HttpError.badRequest(
                    r.finding() == null
                            ? "no finding: give 'finding' as text (\"moderate right pleural effusion\") or 'condition' as structured findings"
                            : "give 'finding' or 'condition', not both");
        }
        if (r.finding() != null && r.finding().isBlank()) {
            throw HttpError.badRequest("'finding' is empty");
        }
        if (r.finding() != null && r.finding().length() > 1000) {
            throw HttpError.badRequest("'finding' is over 1000 characters");
        }
        List<FindingMention> mentions = r.condition() == null ? null : mentions(r.condition());
        int n = integer(r.n(), "n", 8);
        if (n < 1 || n > s.maxN()) {
            throw HttpError.badRequest(
                    "n out of range: " + n + "; this service makes 1 to " + s.maxN() + " per request");
        }
        long seed = longValue(r.seed(), "seed", 0L);
        Float guidance = r.guidance() == null ? null : decimal(r.guidance(), "guidance", 0f);
        if (guidance != null && (!Float.isFinite(guidance) || guidance < 0f || guidance > MAX_GUIDANCE)) {
            throw HttpError.badRequest("guidance out of range: it must be between 0 and " + (int) MAX_GUIDANCE);
        }
        Integer steps = r.steps() == null ? null : integer(r.steps(), "steps", 0);
        if (steps != null && steps < 1) {
            throw HttpError.badRequest("steps out of range: at least 1");
        }
        Float eta = r.eta() == null ? null : decimal(r.eta(), "eta", 0f);
        if (eta != null && !(eta >= 0f && eta <= 1f)) {
            throw HttpError.badRequest("eta out of range: it must be between 0 and 1");
        }
        Long deadline = r.deadlineMs() == null ? null : longValue(r.deadlineMs(), "deadline_ms", 0L);
        if (deadline != null && (deadline < 1 || deadline > s.deadline().toMillis())) {
            throw HttpError.badRequest(
                    "deadline_ms out of range: 1 to " + s.deadline().toMillis());
        }
        String model = blank(r.model()) ? null : r.model().strip();
        return new Parsed(
                model,
                r.image(),
                byStudy ? r.dataset().strip() : null,
                byStudy ? r.study().strip() : null,
                r.finding(),
                mentions,
                n,
                seed,
                guidance,
                steps,
                eta,
                r.format() == null ? null : Format.parse(r.format()),
                deadline);
    }

    static HttpError tooLarge(long bytes, long limit) {
        return HttpError.badRequest(
                String.format(Locale.ROOT, "too large: the upload has %,d bytes; the limit is %,d", bytes, limit));
    }

    /** A structured condition: [{"finding": "Pleural Effusion", "severity": "moderate", "laterality": "right", "zone": "lower"}]. */
    static List<FindingMention> mentions(JsonNode condition) {
        JsonNode list = condition.isObject() ? JSON.createArrayNode().add(condition) : condition;
        if (!list.isArray() || list.isEmpty()) {
            throw HttpError.badRequest("condition must be a non-empty JSON array of {\"finding\", \"severity\", "
                    + "\"laterality\", \"zone\"} objects");
        }
        if (list.size() > Finding.values().length) {
            throw HttpError.badRequest("condition has more findings than the vocabulary");
        }
        List<FindingMention> out = new ArrayList<>();
        Set<Finding> seen = new HashSet<>();
        for (JsonNode m : list) {
            if (!m.isObject()) {
                throw HttpError.badRequest("each condition entry must be an object with a 'finding'");
            }
            for (Iterator<String> it = m.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!Set.of("finding", "severity", "laterality", "zone").contains(k)) {
                    throw HttpError.badRequest(
                            "unknown condition key '" + k + "'; the keys are finding, severity, laterality, zone");
                }
            }
            String label = m.path("finding").asText("");
            Finding f = Finding.fromLabel(label)
                    .orElseThrow(() -> HttpError.badRequest("unknown finding '" + label
                            + "'; the vocabulary is "
                            + Arrays.stream(Finding.values())
                                    .map(Finding::label)
                                    .collect(Collectors.joining(", "))));
            if (!seen.add(f)) {
                throw HttpError.badRequest("condition names " + f.label() + " twice");
            }
            out.add(FindingMention.present(
                    f,
                    attribute(m, "severity", Severity::fromLabel, Severity.values()),
                    attribute(m, "laterality", Laterality::fromLabel, Laterality.values()),
                    attribute(m, "zone", Zone::fromLabel, Zone.values())));
        }
        return out;
    }

    private static <E extends Enum<E>> E attribute(JsonNode m, String key, Function<String, E> parse, E[] values) {
        JsonNode v = m.get(key);
        if (v == null || v.isNull() || v.asText().isBlank()) {
            return null;
        }
        try {
            return parse.apply(v.asText());
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("unknown " + key + " '" + v.asText() + "'; it is one of "
                    + Arrays.stream(values)
                            .map(x -> x.name().toLowerCase(Locale.ROOT))
                            .collect(Collectors.joining(", ")));
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static int integer(String v, String name, int dflt) {
        if (v == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw HttpError.badRequest(name + " must be a whole number");
        }
    }

    private static long longValue(String v, String name, long dflt) {
        if (v == null) {
            return dflt;
        }
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            throw HttpError.badRequest(name + " must be a whole number (64-bit)");
        }
    }

    private static float decimal(String v, String name, float dflt) {
        if (v == null) {
            return dflt;
        }
        try {
            return Float.parseFloat(v.strip());
        } catch (NumberFormatException e) {
            throw HttpError.badRequest(name + " must be a number");
        }
    }
}
