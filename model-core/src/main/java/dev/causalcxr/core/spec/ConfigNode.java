package dev.causalcxr.core.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads one object of a spec while remembering its field path, collecting every problem instead
 * of stopping at the first, and flagging keys nobody asked for as unknown.
 */
public final class ConfigNode {
    private final JsonNode node;
    private final String path;
    private final List<SpecProblem> problems;
    private final Set<String> consumed = new HashSet<>();

    private ConfigNode(JsonNode node, String path, List<SpecProblem> problems) {
        this.node = node;
        this.path = path;
        this.problems = problems;
    }

    /** A root reader; {@code node} may be null (then every field takes its default). */
    public static ConfigNode root(JsonNode node, String path, List<SpecProblem> problems) {
        if (node != null && !node.isNull() && !node.isObject()) {
            problems.add(new SpecProblem(path.isEmpty() ? "(root)" : path, "must be a mapping"));
            node = null;
        }
        return new ConfigNode(
                node == null || node.isNull() ? JsonNodeFactory.instance.objectNode() : node, path, problems);
    }

    public String path() {
        return path;
    }

    public String pathOf(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    public boolean has(String key) {
        return node.has(key) && !node.get(key).isNull();
    }

    public void problem(String key, String message) {
        problems.add(new SpecProblem(key == null ? path : pathOf(key), message));
    }

    private JsonNode take(String key) {
        consumed.add(key);
        JsonNode v = node.get(key);
        return v == null || v.isNull() ? null : v;
    }

    public String string(String key, String defaultValue, String... allowed) {
        JsonNode v = take(key);
        if (v == null) {
            if (defaultValue == null) {
                problem(key, "is required");
            }
            return defaultValue;
        }
        if (!v.isTextual() && !v.isNumber() && !v.isBoolean()) {
            problem(key, "must be a string");
            return defaultValue;
        }
        String s = v.asText();
        if (allowed.length > 0 && !Arrays.asList(allowed).contains(s)) {
            problem(key, "must be one of " + String.join(", ", allowed) + " (got '" + s + "')");
            return defaultValue;
        }
        return s;
    }

    /** An optional string: null when absent. */
    public String optionalString(String key) {
        JsonNode v = take(key);
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            problem(key, "must be a string");
            return null;
        }
        return v.asText();
    }

    public long integer(String key, long defaultValue, long min, long max) {
        JsonNode v = take(key);
        if (v == null) {
            return defaultValue;
        }
        if (!v.canConvertToLong()
                || !(v.isIntegralNumber() || (v.isTextual() && v.asText().matches("-?\\d+")))) {
            problem(key, "must be an integer");
            return defaultValue;
        }
        long x = v.isTextual() ? Long.parseLong(v.asText()) : v.asLong();
        if (x < min || x > max) {
            problem(key, "must be between " + min + " and " + max + " (got " + x + ")");
            return defaultValue;
        }
        return x;
    }

    public int integer(String key, int defaultValue, int min, int max) {
        return (int) integer(key, (long) defaultValue, (long) min, (long) max);
    }

    public double number(String key, double defaultValue, double min, double max) {
        JsonNode v = take(key);
        if (v == null) {
            return defaultValue;
        }
        if (!v.isNumber()) {
            problem(key, "must be a number");
            return defaultValue;
        }
        double x = v.asDouble();
        if (!(x >= min && x <= max)) {
            problem(key, "must be between " + min + " and " + max + " (got " + x + ")");
            return defaultValue;
        }
        return x;
    }

    public boolean bool(String key, boolean defaultValue) {
        JsonNode v = take(key);
        if (v == null) {
            return defaultValue;
        }
        if (!v.isBoolean()) {
            problem(key, "must be true or false");
            return defaultValue;
        }
        return v.asBoolean();
    }

    public List<String> strings(String key, List<String> defaultValue) {
        JsonNode v = take(key);
        if (v == null) {
            return defaultValue;
        }
        if (!v.isArray()) {
            problem(key, "must be a list of strings");
            return defaultValue;
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isTextual()) {
                problem(key + "[" + i + "]", "must be a string");
            } else {
                out.add(v.get(i).asText());
            }
        }
        return out;
    }

    /** A nested object (an empty one when absent). */
    public ConfigNode object(String key) {
        JsonNode v = take(key);
        return root(v, pathOf(key), problems);
    }

    /** The raw node of a key, marking it consumed (for maps with free keys). */
    public JsonNode raw(String key) {
        return take(key);
    }

    public Iterator<String> fieldNames() {
        return node.fieldNames();
    }

    /** Reports every key of this object that no reader asked for. */
    public void rejectUnknownKeys() {
        Iterator<String> it = node.fieldNames();
        while (it.hasNext()) {
            String k = it.next();
            if (!consumed.contains(k)) {
                problems.add(new SpecProblem(pathOf(k), "unknown key"));
            }
        }
    }
}
