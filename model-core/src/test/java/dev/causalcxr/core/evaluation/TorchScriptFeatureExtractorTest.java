package dev.causalcxr.core.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TorchScriptFeatureExtractorTest {

    @Test
    void aFileThatIsNotTorchScriptGivesAClearError(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("inception.pt");
        Files.write(bad, new byte[] {1, 2, 3, 4});
        IOException e = assertThrows(
                IOException.class,
                () -> TorchScriptFeatureExtractor.load(bad, TorchScriptFeatureExtractor.Options.inception()));
        assertTrue(
                e.getMessage().contains("not a loadable TorchScript file")
                        && e.getMessage().contains("inception.pt"),
                e.getMessage());
        assertThrows(
                java.nio.file.NoSuchFileException.class,
                () -> TorchScriptFeatureExtractor.load(
                        dir.resolve("missing.pt"), TorchScriptFeatureExtractor.Options.inception()));
    }

    /**
     * A stand-in TorchScript network (mean of each channel, times 2), committed as a test resource
     * (made by make-stand-in-torchscript.py with PyTorch 1.13); no Inception weights exist here and
     * none are downloaded.
     */
    @Test
    void aTorchScriptNetworkIsLoadedAndItsOutputIsTheFeatureVector(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("stand-in.pt");
        try (java.io.InputStream in = getClass().getResourceAsStream("stand-in.pt")) {
            assertNotNull(in, "the stand-in TorchScript file is a test resource");
            Files.copy(in, file);
        }
        TorchScriptFeatureExtractor.Options options =
                new TorchScriptFeatureExtractor.Options("stand-in", 8, 3, 255f, "cpu");
        try (TorchScriptFeatureExtractor extractor = TorchScriptFeatureExtractor.load(file, options)) {
            assertEquals(3, extractor.space().dimension());
            assertEquals("stand-in", extractor.space().name());
            assertEquals(TrainedClassifier.fileDigest(file), extractor.space().digest());
            float[] half = new float[64];
            java.util.Arrays.fill(half, 0.5f);
            double[][] features = extractor.extract(List.of(half, new float[64]));
            assertArrayEquals(new double[] {255, 255, 255}, features[0], 1e-4);
            assertArrayEquals(new double[] {0, 0, 0}, features[1], 0.0);
        }
    }
}
