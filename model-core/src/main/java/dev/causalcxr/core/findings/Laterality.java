package dev.causalcxr.core.findings;

import java.util.Locale;

public enum Laterality {
    LEFT,
    RIGHT,
    BILATERAL,
    UNSPECIFIED;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Laterality fromLabel(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
    }
}
