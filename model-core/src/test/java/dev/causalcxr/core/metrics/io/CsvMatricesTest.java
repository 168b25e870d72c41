package dev.causalcxr.core.metrics.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvMatricesTest {

    @TempDir
    Path dir;

    @Test
    void readsCommaSeparatedWithHeaderAndBlankLines() throws IOException {
        Path file = dir.resolve("f.csv");
        Files.writeString(file, "f0,f1,f2\n1,2.5,-3e-2\n\n# comment\n4, 5 ,6\n");
        double[][] m = FeatureMatrixFiles.read(file);
        assertEquals(2, m.length);
        assertArrayEquals(new double[] {1, 2.5, -0.03}, m[0], 0.0);
        assertArrayEquals(new double[] {4, 5, 6}, m[1], 0.0);
    }

    @Test
    void readsWhitespaceSeparated() throws IOException {
        Path file = dir.resolve("f.txt");
        Files.writeString(file, "1 2\t3\n4  5 6\n");
        assertArrayEquals(new double[] {4, 5, 6}, CsvMatrices.read(file)[1], 0.0);
    }

    @Test
    void raggedRowsAndStrayTextAreErrorsWithLineNumbers() throws IOException {
        Path ragged = dir.resolve("ragged.csv");
        Files.writeString(ragged, "1,2,3\n4,5\n");
        IOException e = assertThrows(IOException.class, () -> CsvMatrices.read(ragged));
        assertTrue(e.getMessage().contains(":2:"), e.getMessage());
        Path stray = dir.resolve("stray.csv");
        Files.writeString(stray, "1,2\n3,x\n");
        assertThrows(IOException.class, () -> CsvMatrices.read(stray));
    }

    @Test
    void npyAndCsvGiveTheSameMatrix() throws IOException {
        double[][] m = {{0.25, 1}, {2, -8}};
        Path npy = dir.resolve("m.npy");
        NpyFiles.write(npy, m, NpyFiles.ElementType.FLOAT64);
        Path csv = dir.resolve("m.csv");
        Files.writeString(csv, "0.25,1\n2,-8\n");
        assertTrue(FeatureMatrixFiles.isFeatureMatrixFile(npy));
        assertArrayEquals(FeatureMatrixFiles.read(npy)[1], FeatureMatrixFiles.read(csv)[1], 0.0);
    }
}
