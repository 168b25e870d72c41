package dev.causalcxr.core.spec;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The platform's version as built, recorded with every run: the project version and the git commit
 * the build came from ({@code unknown} for a build outside a git checkout; {@code dirty} when the
 * working tree had uncommitted changes).
 */
public final class CodeVersion {
    private static final Properties BUILD = load();

    private CodeVersion() {}

    public static String current() {
        return value("version");
    }

    /** The commit id, or {@code unknown}. */
    public static String gitCommit() {
        return value("git.commit");
    }

    /** True when the build's working tree differed from its commit. */
    public static boolean gitDirty() {
        return Boolean.parseBoolean(value("git.dirty"));
    }

    /** {@code COMMIT} or {@code COMMIT-dirty}, as recorded in provenance. */
    public static String gitDescription() {
        return gitCommit() + (gitDirty() ? "-dirty" : "");
    }

    private static String value(String key) {
        String v = BUILD.getProperty(key, "unknown");
        // an unresolved placeholder: the build could not read git
        return v.isBlank() || v.startsWith("${") ? "unknown" : v;
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = CodeVersion.class.getResourceAsStream("/dev/causalcxr/core/version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // provenance says "unknown"
        }
        return p;
    }
}
