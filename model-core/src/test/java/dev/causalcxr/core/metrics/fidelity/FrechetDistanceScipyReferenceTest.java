package dev.causalcxr.core.metrics.fidelity;

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

/** FID against the scipy.linalg.sqrtm route used by pytorch-fid, on random correlated feature sets. */
class FrechetDistanceScipyReferenceTest {

    private static final Logger LOG = LoggerFactory.getLogger(FrechetDistanceScipyReferenceTest.class);

    @TempDir
    Path dir;

    @Test
    void agreesWithScipyOn300x64() throws IOException {
        compare(
                FidelityFixtures.correlatedGaussian(300, 64, 0.0, 101),
                FidelityFixtures.correlatedGaussian(400, 64, 0.2, 102),
                "300x64 vs 400x64");
    }

    @Test
    void agreesWithScipyOn1000x128() throws IOException {
        compare(
                FidelityFixtures.correlatedGaussian(1000, 128, 0.0, 201),
                FidelityFixtures.correlatedGaussian(800, 128, -0.1, 202),
                "1000x128 vs 800x128");
    }

    @Test
    void agreesWithScipyOnFloat32FilesWithStrongCorrelation() throws IOException {
        // float32 storage, as feature extractors usually write; a low-rank-plus-noise covariance
        double[][] a = FidelityFixtures.correlatedGaussian(600, 96, 0.0, 301);
        double[][] b = FidelityFixtures.correlatedGaussian(600, 96, 0.0, 302);
        for (int i = 0; i < a.length; i++) {
            double shared = a[i][0];
            for (int j = 0; j < 96; j++) {
                a[i][j] = 0.1 * a[i][j] + shared * (j % 7);
                b[i][j] = b[i][j] * (1 + j / 48.0);
            }
        }
        Path fileA = dir.resolve("a32.npy");
        Path fileB = dir.resolve("b32.npy");
        NpyFiles.write(fileA, a, NpyFiles.ElementType.FLOAT32);
        NpyFiles.write(fileB, b, NpyFiles.ElementType.FLOAT32);
        // both sides read the same float32 values back
        double ours = FrechetDistance.compute(NpyFiles.read(fileA), NpyFiles.read(fileB))
                .fid();
        double scipy = PythonReference.run("fid", fileA.toString(), fileB.toString())
                .get("fid")
                .asDouble();
        LOG.info(
                "FID float32 600x96: ours {} scipy {} relative difference {}",
                ours,
                scipy,
                Math.abs(ours - scipy) / Math.abs(scipy));
        assertEquals(scipy, ours, 1e-6 * Math.abs(scipy));
    }

    private void compare(double[][] a, double[][] b, String label) throws IOException {
        Path fileA = dir.resolve("a.npy");
        Path fileB = dir.resolve("b.npy");
        NpyFiles.write(fileA, a, NpyFiles.ElementType.FLOAT64);
        NpyFiles.write(fileB, b, NpyFiles.ElementType.FLOAT64);
        JsonNode reference = PythonReference.run("fid", fileA.toString(), fileB.toString());
        double scipy = reference.get("fid").asDouble();
        FidResult ours = FrechetDistance.compute(a, b);
        double relative = Math.abs(ours.fid() - scipy) / Math.abs(scipy);
        LOG.info("FID {}: ours {} scipy {} relative difference {}", label, ours.fid(), scipy, relative);
        assertEquals(scipy, ours.fid(), 1e-6 * Math.abs(scipy), label);
    }
}
