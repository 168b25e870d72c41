package dev.causalcxr.core.findings;

import java.util.Locale;

public enum Severity {
    MILD,
    MODERATE,
    SEVERE,
    UNSPECIFIED;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Severity fromLabel(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
    }
}
