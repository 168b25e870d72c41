package dev.causalcxr.core.findings;

import java.util.Locale;

public enum Zone {
    UPPER,
    MIDDLE,
    LOWER,
    UNSPECIFIED;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Zone fromLabel(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
    }
}
