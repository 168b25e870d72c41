package dev.causalcxr.core.dataset;

import java.nio.file.Path;
import java.util.List;

/**
 * The outcome of a non-failing import.
 *
 * @param manifest     what was imported (also written to {@code datasetDir/manifest.json})
 * @param datasetDir   the folder holding the manifest, images and reports
 * @param problems     every row (or header) that was skipped, with its reason
 * @param imported     number of images imported
 * @param skipped      number of rows skipped
 */
public record ImportResult(
        DatasetManifest manifest, Path datasetDir, List<RowProblem> problems, int imported, int skipped) {

    public ImportResult {
        problems = List.copyOf(problems);
    }

    /** {@code imported N, skipped M}: the line the CLI prints last. */
    public String summaryLine() {
        return "imported " + imported + ", skipped " + skipped;
    }
}
