package dev.causalcxr.core.metrics.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.causalcxr.core.metrics.PythonReference;
import dev.causalcxr.core.metrics.io.NpyFiles;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** SSIM (mean and full map) and PSNR against scikit-image on a non-square image. */
class SsimScikitImageReferenceTest {

    private static final Logger LOG = LoggerFactory.getLogger(SsimScikitImageReferenceTest.class);

    @TempDir
    Path dir;

    @Test
    void matchesScikitImage() throws IOException {
        int width = ImageMetricsTest.WIDTH;
        int height = ImageMetricsTest.HEIGHT;
        float[] a = ImageMetricsTest.smoothPattern();
        float[] b = ImageMetricsTest.add(a, ImageMetricsTest.noise(a.length, 5), 0.1f);
        double dataRange = 2.0; // not 1, so a data-range mix-up would show
        Path fileA = dir.resolve("a.npy");
        Path fileB = dir.resolve("b.npy");
        Path mapFile = dir.resolve("map.npy");
        NpyFiles.write(fileA, rows(a, width, height), NpyFiles.ElementType.FLOAT32);
        NpyFiles.write(fileB, rows(b, width, height), NpyFiles.ElementType.FLOAT32);
        JsonNode reference = PythonReference.run(
                "ssim", fileA.toString(), fileB.toString(), Double.toString(dataRange), mapFile.toString());
        SsimMap ours = Ssim.map(a, b, width, height, dataRange);
        LOG.info(
                "SSIM ours {} scikit-image {}; PSNR ours {} scikit-image {}",
                ours.mean(),
                reference.get("ssim").asDouble(),
                ImageErrors.psnr(a, b, dataRange),
                reference.get("psnr").asDouble());
        assertEquals(reference.get("ssim").asDouble(), ours.mean(), 1e-12);
        assertEquals(reference.get("psnr").asDouble(), ImageErrors.psnr(a, b, dataRange), 1e-10);
        double[][] referenceMap = NpyFiles.read(mapFile);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                assertEquals(referenceMap[y][x], ours.values()[y * width + x], 1e-12, "pixel " + x + "," + y);
            }
        }
    }

    private static double[][] rows(float[] image, int width, int height) {
        double[][] out = new double[height][width];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                out[y][x] = image[y * width + x];
            }
        }
        return out;
    }
}
