package dev.causalcxr.core.dataset;

import java.util.Locale;

/** The input layouts the importer understands. */
public enum ImportFormat {
    /** {@code files/pXX/pNNNNNNNN/sNNNNNNNN/*.jpg|png} with {@code files/pXX/pNNNNNNNN/sNNNNNNNN.txt} reports. */
    MIMIC,
    /** A CheXpert-style CSV: {@code Path}, label columns (1, 0, -1, blank), optional {@code Report}. */
    CHEXPERT,
    /** A plain CSV: {@code path,patient_id,study_id,report}. */
    MANIFEST,
    /**
     * NIH ChestX-ray14's own layout: its {@code Data_Entry_2017.csv}-style label CSV ({@code Image Index},
     * {@code Finding Labels} pipe-separated, {@code Patient ID}, {@code Follow-up #}, other columns ignored)
     * and the images anywhere under the CSV's folder, found by file name; labels only, no reports.
     */
    NIH;

    public static ImportFormat fromString(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
    }
}
