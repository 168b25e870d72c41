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

/** KID and PRDC against NumPy and the authors' {@code prdc} package. */
class FidelityReferenceTest {

    private static final Logger LOG = LoggerFactory.getLogger(FidelityReferenceTest.class);

    @TempDir
    Path dir;

    @Test
    void kidOverWholeSetsMatchesNumpy() throws IOException {
        double[][] a = FidelityFixtures.correlatedGaussian(250, 24, 0.0, 41);
        double[][] b = FidelityFixtures.correlatedGaussian(250, 24, 0.3, 42);
        Path fileA = write("ka.npy", a);
        Path fileB = write("kb.npy", b);
        double numpy = PythonReference.run("kid_full", fileA.toString(), fileB.toString())
                .get("mmd2")
                .asDouble();
        // one subset of every sample is a permutation of the sets, and MMD² is permutation-invariant
        KidResult ours = KernelInceptionDistance.compute(a, b, 1, 250, 0);
        LOG.info("KID full sets: ours {} numpy {}", ours.mean(), numpy);
        assertEquals(numpy, ours.mean(), 1e-10 * Math.abs(numpy));
        assertEquals(0.0, ours.std(), 0.0);
    }

    @Test
    void prdcMatchesTheReferencePackage() throws IOException {
        double[][] real = FidelityFixtures.correlatedGaussian(300, 16, 0.0, 51);
        double[][] fake = FidelityFixtures.correlatedGaussian(250, 16, 0.4, 52);
        Path realFile = write("real.npy", real);
        Path fakeFile = write("fake.npy", fake);
        JsonNode reference = PythonReference.run("prdc", realFile.toString(), fakeFile.toString(), "5");
        PrdcResult ours = PrecisionRecallDensityCoverage.compute(real, fake, 5);
        LOG.info("PRDC ours {} prdc package {}", ours, reference);
        assertEquals(reference.get("precision").asDouble(), ours.precision(), 1e-12);
        assertEquals(reference.get("recall").asDouble(), ours.recall(), 1e-12);
        assertEquals(reference.get("density").asDouble(), ours.density(), 1e-12);
        assertEquals(reference.get("coverage").asDouble(), ours.coverage(), 1e-12);
    }

    private Path write(String name, double[][] matrix) throws IOException {
        Path file = dir.resolve(name);
        NpyFiles.write(file, matrix, NpyFiles.ElementType.FLOAT64);
        return file;
    }
}
