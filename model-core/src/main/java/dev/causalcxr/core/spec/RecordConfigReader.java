package dev.causalcxr.core.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a stage's block of the spec into its config record: every record component is a snake_case
 * key, absent keys keep the profile's default, each value is converted on its own so that every
 * bad value is reported (with its field path), and keys that name no component are errors.
 */
public final class RecordConfigReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RecordConfigReader() {}

    public static <R extends Record> R read(ConfigNode n, Class<R> type, R defaults) {
        return read(n, type, defaults, Set.of());
    }

    /**
     * @param fixed components the spec may not set (e.g. {@code seed}, which every stage derives from
     *              the experiment's seed); a key naming one is reported as unknown
     */
    public static <R extends Record> R read(ConfigNode n, Class<R> type, R defaults, Set<String> fixed) {
        return read(n, type, defaults, fixed, r -> List.of());
    }

    /**
     * Reads the block and reports every problem of it: each value that does not convert, then every problem the
     * record's constructor finds ({@link InvalidConfigException}) and every problem {@code check} finds on the record
     * (for a record that does not validate itself when built), each at its field's path. A component whose value does
     * not convert is checked no further: the record is built with its default there, and the problems named after it
     * are dropped. Returns {@code defaults} when there is any problem.
     *
     * @param check the record's own checks, each problem {@code "component: what is wrong"}
     */
    public static <R extends Record> R read(
            ConfigNode n, Class<R> type, R defaults, Set<String> fixed, Function<R, List<String>> check) {
        RecordComponent[] components = type.getRecordComponents();
        Object[] values = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        Set<String> unreadable = new HashSet<>();
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            types[i] = c.getType();
            String key = snake(c.getName());
            try {
                values[i] = c.getAccessor().invoke(defaults);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException("cannot read default " + type.getSimpleName() + "." + c.getName(), e);
            }
            JsonNode v = fixed.contains(c.getName()) ? null : n.raw(key);
            if (v == null) {
                continue;
            }
            try {
                Object value = JSON.readerFor(JSON.getTypeFactory().constructType(c.getGenericType()))
                        .readValue(v);
                if (value == null) {
                    throw new IllegalArgumentException("null");
                }
                values[i] = value;
            } catch (Exception e) {
                n.problem(key, "must be " + describe(c.getType()) + " (got " + v + ")");
                unreadable.add(c.getName());
            }
        }
        n.rejectUnknownKeys();
        R record;
        try {
            Constructor<R> ctor = type.getDeclaredConstructor(types);
            record = ctor.newInstance(values);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof InvalidConfigException invalid) {
                report(n, type, invalid.problems(), unreadable);
            } else {
                // the record's own validation, in no particular field: report it on the block
                n.problem(
                        null, e.getCause() == null ? e.toString() : e.getCause().getMessage());
            }
            return defaults;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + type.getSimpleName(), e);
        }
        List<String> problems = check.apply(record);
        report(n, type, problems, unreadable);
        return unreadable.isEmpty() && problems.isEmpty() ? record : defaults;
    }

    /**
     * Reports a record's problems, each {@code "component: what is wrong"} (a {@code component.key} or {@code
     * component[i]} may point inside it), at the component's snake_case field path, with the record's component names
     * in the text snake_case as well, so that the message speaks the spec's language; a problem that names no
     * component goes on the block. Problems of the components in {@code skip} are dropped.
     */
    static void report(ConfigNode n, Class<? extends Record> type, List<String> problems, Set<String> skip) {
        for (String problem : problems) {
            int colon = problem.indexOf(": ");
            String where = colon > 0 ? problem.substring(0, colon) : "";
            Matcher m = LEADING_NAME.matcher(where);
            String component = m.lookingAt() ? m.group() : "";
            if (skip.contains(component)) {
                continue;
            }
            if (componentNames(type).contains(component)) {
                n.problem(
                        snake(component) + where.substring(component.length()),
                        inSpecTerms(type, problem.substring(colon + 2)));
            } else {
                n.problem(null, inSpecTerms(type, problem));
            }
        }
    }

    private static final Pattern LEADING_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9]*");

    private static Set<String> componentNames(Class<? extends Record> type) {
        Set<String> names = new HashSet<>();
        for (RecordComponent c : type.getRecordComponents()) {
            names.add(c.getName());
        }
        return names;
    }

    /** The text with each camelCase component name of the record written as its spec key. */
    static String inSpecTerms(Class<? extends Record> type, String text) {
        String out = text;
        for (String name : componentNames(type)) {
            if (!name.equals(snake(name))) {
                out = out.replaceAll("\\b" + name + "\\b", snake(name));
            }
        }
        return out;
    }

    /**
     * The record with one component replaced (through its canonical constructor, so its validation runs): how
     * the spec fills in a value that is set once for every stage, e.g. the tail threshold.
     */
    public static <R extends Record> R withComponent(R record, String component, Object value) {
        RecordComponent[] components = record.getClass().getRecordComponents();
        Object[] values = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        boolean found = false;
        try {
            for (int i = 0; i < components.length; i++) {
                types[i] = components[i].getType();
                boolean replaced = components[i].getName().equals(component);
                found |= replaced;
                values[i] = replaced ? value : components[i].getAccessor().invoke(record);
            }
            if (!found) {
                throw new IllegalArgumentException(
                        record.getClass().getSimpleName() + " has no component " + component);
            }
            @SuppressWarnings("unchecked")
            Constructor<R> ctor = (Constructor<R>) record.getClass().getDeclaredConstructor(types);
            return ctor.newInstance(values);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(
                    "cannot rebuild " + record.getClass().getSimpleName(), e);
        }
    }

    /** The keys a config record accepts, for help texts and docs. */
    public static List<String> keys(Class<? extends Record> type) {
        List<String> keys = new ArrayList<>();
        for (RecordComponent c : type.getRecordComponents()) {
            keys.add(snake(c.getName()));
        }
        return keys;
    }

    static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    private static String describe(Class<?> t) {
        if (t == int.class || t == long.class || t == Integer.class || t == Long.class) {
            return "an integer";
        }
        if (t == double.class || t == float.class || t == Double.class || t == Float.class) {
            return "a number";
        }
        if (t == boolean.class || t == Boolean.class) {
            return "true or false";
        }
        if (t == String.class) {
            return "a string";
        }
        if (List.class.isAssignableFrom(t)) {
            return "a list";
        }
        return "a " + t.getSimpleName();
    }
}
