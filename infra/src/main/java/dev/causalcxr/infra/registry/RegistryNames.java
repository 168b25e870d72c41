package dev.causalcxr.infra.registry;

import java.util.Locale;
import java.util.regex.Pattern;

/** The syntax of model names, aliases, component roles and bundle keys (all also valid in MLflow). */
final class RegistryNames {
    private static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern ALIAS = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,63}");
    private static final Pattern VERSION_LIKE = Pattern.compile("[vV][0-9]+");
    private static final Pattern ROLE_SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,249}");

    private RegistryNames() {}

    static void checkModelName(String name) {
        if (name == null || !MODEL_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "invalid model name '" + name + "': use 1 to 128 letters, digits, '-', '_'"
                            + " or '.', starting with a letter or digit (e.g. cxr-generator)");
        }
    }

    static void checkAlias(String alias) {
        if (alias == null || !ALIAS.matcher(alias).matches()) {
            throw new IllegalArgumentException("invalid alias '" + alias + "': use 1 to 64 letters, digits, '-' or '_',"
                    + " starting with a letter (e.g. champion)");
        }
        if (alias.toLowerCase(Locale.ROOT).equals(ModelRegistry.LATEST)) {
            throw new IllegalArgumentException("'latest' cannot be set: it always names the highest version");
        }
        if (VERSION_LIKE.matcher(alias).matches()) {
            throw new IllegalArgumentException("invalid alias '" + alias + "': v<number> is reserved for versions");
        }
    }

    /** A component role is a relative path of plain segments, e.g. {@code tail-noise-prior/Pneumothorax}. */
    static void checkRole(String role) {
        if (role == null || role.isEmpty() || role.length() > 250) {
            throw new IllegalArgumentException("invalid component role '" + role + "'");
        }
        for (String seg : role.split("/", -1)) {
            if (!ROLE_SEGMENT.matcher(seg).matches() || seg.equals(".") || seg.equals("..")) {
                throw new IllegalArgumentException("invalid component role '" + role + "': use segments of letters,"
                        + " digits, '-', '_' or '.' separated by '/' (e.g. tail-noise-prior/Pneumothorax)");
            }
        }
    }

    /** Provenance and metric keys, e.g. {@code spec_digest} or {@code fid/Pneumothorax}. */
    static void checkKey(String what, String key) {
        if (key == null || !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException(
                    "invalid " + what + " key '" + key + "': use letters, digits, '-', '_'," + " '.' or '/'");
        }
    }
}
