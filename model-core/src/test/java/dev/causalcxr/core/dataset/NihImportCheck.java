package dev.causalcxr.core.dataset;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Imports a ChestX-ray14 folder (its Data_Entry CSV with the images under its folder) with the NIH importer and
 * prints the summary, the first problems and the present-label frequencies. Usage: {@code NihImportCheck CSV OUT}.
 */
public final class NihImportCheck {
    private NihImportCheck() {}

    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        ImportResult r = DatasetImporter.run(new ImportOptions(
                ImportFormat.NIH,
                Path.of(args[0]),
                Path.of(args[1]),
                "nih-check",
                64,
                "0123456789abcdef-nih-check".getBytes(StandardCharsets.UTF_8),
                false,
                SplitProportions.defaults()));
        System.out.println(
                r.summaryLine() + String.format(java.util.Locale.ROOT, " in %.1f s", (System.nanoTime() - t0) / 1e9));
        r.problems().stream().limit(5).forEach(System.out::println);
        System.out.println("patients "
                + r.manifest().entries().stream()
                        .map(DatasetEntry::patientId)
                        .distinct()
                        .count());
        System.out.println("present frequencies " + r.manifest().presentFrequencies());
    }
}
