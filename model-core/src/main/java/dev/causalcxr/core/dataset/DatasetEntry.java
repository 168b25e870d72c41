package dev.causalcxr.core.dataset;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.Status;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One imported image. Paths are relative to the dataset folder; nothing here identifies a patient
 * directly or contains report text.
 *
 * @param studyId      pseudonymous study id (HMAC of the source's study id, {@link Pseudonymizer#study}); versions
 *                     imported before study ids were pseudonymized hold the source's own
 * @param patientId    pseudonymous patient id (HMAC)
 * @param imageDigest  SHA-256 of the source image file's bytes (duplicate detection, provenance)
 * @param pixelDigest  SHA-256 of the converted 16-bit pixels (stable across JDKs, unlike PNG bytes)
 * @param imagePath    converted 16-bit PNG, e.g. {@code images/<imageDigest>.png}
 * @param reportDigest SHA-256 of the UTF-8 report text, or null when the source has no report
 * @param reportPath   report text file, e.g. {@code reports/<reportDigest>.txt}, or null
 * @param split        patient-disjoint split
 * @param labels       labels given by the source (CheXpert), finding label → status label; may be empty
 * @param width        converted image width
 * @param height       converted image height
 */
public record DatasetEntry(
        String studyId,
        String patientId,
        String imageDigest,
        String pixelDigest,
        String imagePath,
        String reportDigest,
        String reportPath,
        Split split,
        Map<String, String> labels,
        int width,
        int height) {

    public DatasetEntry {
        present(studyId, "studyId");
        present(patientId, "patientId");
        present(imageDigest, "imageDigest");
        present(pixelDigest, "pixelDigest");
        present(imagePath, "imagePath");
        present(split, "split");
        if (labels != null && labels.entrySet().stream().anyMatch(l -> l.getKey() == null || l.getValue() == null)) {
            throw new IllegalArgumentException("a dataset entry with an empty label");
        }
        labels = labels == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(labels));
    }

    private static void present(Object value, String field) {
        if (value == null) {
            throw new IllegalArgumentException("a dataset entry without " + field);
        }
    }

    /** The labels as vocabulary types. */
    public Map<Finding, Status> findingLabels() {
        Map<Finding, Status> m = new EnumMap<>(Finding.class);
        labels.forEach((k, v) -> Finding.fromLabel(k).ifPresent(f -> m.put(f, Status.fromLabel(v))));
        return m;
    }

    /** The line this entry contributes to the dataset version digest. */
    String canonicalLine() {
        StringBuilder l = new StringBuilder();
        labels.forEach((k, v) -> l.append(k).append('=').append(v).append(';'));
        return String.join(
                "\t",
                studyId,
                patientId,
                imageDigest,
                pixelDigest,
                imagePath,
                String.valueOf(reportDigest),
                String.valueOf(reportPath),
                split.label(),
                l.toString(),
                width + "x" + height);
    }
}
