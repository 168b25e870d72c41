package dev.causalcxr.core.metrics.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Loads a feature matrix (rows = samples) from a {@code .npy} file or from delimited text. */
public final class FeatureMatrixFiles {

    private static final Logger LOG = LoggerFactory.getLogger(FeatureMatrixFiles.class);

    private FeatureMatrixFiles() {}

    /** True when the path names a file this class can read (.npy, .csv, .tsv, .txt). */
    public static boolean isFeatureMatrixFile(Path path) {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(path)
                && (name.endsWith(".npy") || name.endsWith(".csv") || name.endsWith(".tsv") || name.endsWith(".txt"));
    }

    public static double[][] read(Path path) throws IOException {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        double[][] matrix = name.endsWith(".npy") ? NpyFiles.read(path) : CsvMatrices.read(path);
        LOG.debug("read feature matrix {} ({} x {})", path, matrix.length, matrix.length == 0 ? 0 : matrix[0].length);
        return matrix;
    }
}
