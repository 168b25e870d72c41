package dev.causalcxr.core.spec;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The platform's version as built, recorded with every run. */
public final class CodeVersion {
    private static final String VERSION = load();

    private CodeVersion() {
    }

    public static String current() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in = CodeVersion.class.getResourceAsStream("/dev/causalcxr/core/version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
