package dev.causalcxr.core.findings;

import java.util.Locale;

public enum Status {
    PRESENT,
    ABSENT,
    UNCERTAIN;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Status fromLabel(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
    }
}
