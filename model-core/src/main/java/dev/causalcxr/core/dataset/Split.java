package dev.causalcxr.core.dataset;

import java.util.Locale;

/** The patient-disjoint partition a study belongs to. */
public enum Split {
    TRAIN,
    VAL,
    TEST;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
