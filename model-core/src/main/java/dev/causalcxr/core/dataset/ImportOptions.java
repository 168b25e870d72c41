package dev.causalcxr.core.dataset;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What to import and how.
 *
 * @param format       input layout
 * @param source       MIMIC: the folder holding {@code files/} (or {@code files/} itself); CSV formats: the CSV file
 * @param outputDir    where the data set is written ({@code manifest.json}, {@code images/}, {@code reports/});
 *                     must not exist or be empty. Written through a sibling staging folder and one rename,
 *                     so it is complete or absent.
 * @param name         data set name
 * @param size         edge length of the converted square images (aspect kept, black padding)
 * @param pseudonymKey HMAC key for patient ids (≥ 16 bytes); from config/env, never stored with the data
 * @param strict       true: any bad row fails the import and nothing is written
 * @param split        train/val/test proportions
 */
public record ImportOptions(
        ImportFormat format,
        Path source,
        Path outputDir,
        String name,
        int size,
        byte[] pseudonymKey,
        boolean strict,
        SplitProportions split) {

    public ImportOptions {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(outputDir, "outputDir");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(pseudonymKey, "pseudonymKey");
        if (size < 16 || size > 4096) {
            throw new IllegalArgumentException("size must be in 16..4096: " + size);
        }
        split = split == null ? SplitProportions.defaults() : split;
        pseudonymKey = pseudonymKey.clone();
    }

    @Override
    public byte[] pseudonymKey() {
        return pseudonymKey.clone();
    }

    @Override
    public String toString() {
        return "ImportOptions[format=" + format + ", source=" + source + ", outputDir=" + outputDir + ", name=" + name
                + ", size=" + size + ", strict=" + strict + ", split=" + split + "]";
    }
}
