package dev.causalcxr.core.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads a stage's block of the spec into its config record: every record component is a snake_case
 * key, absent keys keep the profile's default, each value is converted on its own so that every
 * bad value is reported (with its field path), and keys that name no component are errors.
 */
public final class RecordConfigReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RecordConfigReader() {}

    public static <R extends Record> R read(ConfigNode n, Class<R> type, R defaults) {
        return read(n, type, defaults, java.util.Set.of());
    }

    /**
     * @param fixed components the spec may not set (e.g. {@code seed}, which every stage derives from
     *              the experiment's seed); a key naming one is reported as unknown
     */
    public static <R extends Record> R read(ConfigNode n, Class<R> type, R defaults, java.util.Set<String> fixed) {
        RecordComponent[] components = type.getRecordComponents();
        Object[] values = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        boolean ok = true;
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
                values[i] = JSON.readerFor(JSON.getTypeFactory().constructType(c.getGenericType()))
                        .readValue(v);
                if (values[i] == null) {
                    throw new IllegalArgumentException("null");
                }
            } catch (Exception e) {
                n.problem(key, "must be " + describe(c.getType()) + " (got " + v + ")");
                ok = false;
            }
        }
        n.rejectUnknownKeys();
        if (!ok) {
            return defaults;
        }
        try {
            Constructor<R> ctor = type.getDeclaredConstructor(types);
            return ctor.newInstance(values);
        } catch (InvocationTargetException e) {
            // the record's own validation: report it on the block
            n.problem(null, e.getCause() == null ? e.toString() : e.getCause().getMessage());
            return defaults;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + type.getSimpleName(), e);
        }
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
