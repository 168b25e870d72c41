package dev.causalcxr.core.dataset;

import java.util.Locale;

/** The input layouts the importer understands. */
public enum ImportFormat {
    /** {@code files/pXX/pNNNNNNNN/sNNNNNNNN/*.jpg|png} with {@code files/pXX/pNNNNNNNN/sNNNNNNNN.txt} reports. */
    MIMIC,
    /** A CheXpert-style CSV: {@code Path}, label columns (1, 0, -1, blank), optional {@code Report}. */
    CHEXPERT,
    /** A plain CSV: {@code path,patient_id,study_id,report}. */
    MANIFEST;

    public static ImportFormat fromString(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
    }
}
