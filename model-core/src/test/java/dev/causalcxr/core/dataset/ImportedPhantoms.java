package dev.causalcxr.core.dataset;

import dev.causalcxr.core.phantom.PhantomSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Phantom data sets imported as the ingest stage imports them, for tests that need an imported data set. */
public final class ImportedPhantoms {

    private ImportedPhantoms() {}

    /**
     * Writes the phantom to {@code phantomDir} (MIMIC-CXR-JPG-like layout), imports it strictly at 64 px into
     * {@code datasetDir} under {@code name}, pseudonymized with {@code key}, and gives its ground truth the data
     * set's pseudonyms, as the ingest stage does.
     *
     * @return the ground-truth file
     */
    public static Path write(PhantomSpec spec, Path phantomDir, Path datasetDir, String name, String key)
            throws Exception {
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        PhantomDatasetWriter.write(spec, phantomDir);
        DatasetImporter.run(new ImportOptions(
                ImportFormat.MIMIC, phantomDir, datasetDir, name, 64, keyBytes, true, SplitProportions.defaults()));
        Path truth = phantomDir.resolve(PhantomGroundTruth.FILE_NAME);
        PhantomGroundTruth.pseudonymizeInPlace(
                truth, keyBytes, DatasetManifest.read(datasetDir.resolve("manifest.json")));
        return truth;
    }
}
