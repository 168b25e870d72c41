package dev.causalcxr.core.diffusion.tailnoise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.causalcxr.core.findings.Finding;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NoisePriorsTest {

    private static Path saved(Path dir, Finding f, float mean) {
        Path file = dir.resolve(f.key() + ".prior");
        new NoisePrior(f, new float[] {mean, -mean}, new float[] {0.1f, 0.2f}).save(file, Map.of());
        return file;
    }

    @Test
    void loadsThePriorsAmongNamedFilesByTheirTailClassAndIgnoresTheOtherFiles(@TempDir Path dir) {
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("train-disentangler/model", dir.resolve("model.bin"));
        files.put("optimize-tail-noise/prior/pneumothorax", saved(dir, Finding.PNEUMOTHORAX, 0.5f));
        files.put("optimize-tail-noise/prior/fracture", saved(dir, Finding.FRACTURE, 1.5f));
        Map<Finding, NoisePrior> priors = NoisePriors.load(files, "optimize-tail-noise/prior/");
        assertEquals(java.util.Set.of(Finding.PNEUMOTHORAX, Finding.FRACTURE), priors.keySet());
        assertArrayEquals(
                new float[] {1.5f, -1.5f}, priors.get(Finding.FRACTURE).mean());
        assertEquals(Map.of(), NoisePriors.load(files, "tail-noise-prior/"), "a registered model's roles differ");
    }

    @Test
    void twoPriorsOfOneClassAreRefused(@TempDir Path dir) {
        Path a = saved(dir, Finding.FRACTURE, 1f);
        assertThrows(
                IllegalArgumentException.class,
                () -> NoisePriors.load(
                        Map.of("tail-noise-prior/fracture", a, "tail-noise-prior/other", a), "tail-noise-prior/"));
    }
}
