package dev.causalcxr.core.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.core.imaging.GrayImage;
import dev.causalcxr.core.imaging.ImageCodec;
import dev.causalcxr.core.phantom.PhantomSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fid FOLDER FOLDER --feature-net MODEL}: image folders embedded with a saved in-domain network. */
class FeatureFolderFidTest {

    @Test
    void imageFoldersAreEmbeddedWithTheSavedNetworkAndTheResultNamesIt(@TempDir Path dir) throws Exception {
        PhantomSpec spec = PhantomImages.twoFindingSpec(60, 4);
        PrimaryFindingTarget target = PhantomImages.twoFindingTarget();
        LabeledImages images = PhantomImages.images(spec, 0, 60, target);
        Path model = dir.resolve("net.bin");
        String digest;
        try (TrainedClassifier classifier = ClassifierTrainer.train(
                PhantomImages.tinyConfig(1),
                target,
                images,
                2,
                LabeledImages.empty(64),
                1,
                "tiny",
                (e, n, loss, score) -> {},
                () -> false)) {
            digest = classifier.save(model);
        }
        Path a = Files.createDirectories(dir.resolve("a"));
        Path b = Files.createDirectories(dir.resolve("b/nested"));
        for (int i = 0; i < 30; i++) {
            ImageCodec.writePng16(GrayImage.fromUnit(64, 64, images.pixels().get(i)), a.resolve("img" + i + ".png"));
            // 128 px files are fitted to the network's 64 px
            float[] big = new float[128 * 128];
            float[] small = images.pixels().get(30 + i);
            for (int y = 0; y < 128; y++) {
                for (int x = 0; x < 128; x++) {
                    big[y * 128 + x] = small[(y / 2) * 64 + x / 2];
                }
            }
            ImageCodec.writePng16(GrayImage.fromUnit(128, 128, big), b.resolve("img" + i + ".png"));
        }
        FidCommand.Outcome outcome =
                FidCommand.run(new FidCommand.Request(a, dir.resolve("b"), true, true, model, null, 3));
        assertEquals(digest, outcome.space().digest());
        assertTrue(
                outcome.space().name().startsWith("in-domain/tiny"),
                outcome.space().name());
        assertEquals(30, outcome.fid().countA());
        assertEquals(30, outcome.fid().countB());
        assertTrue(outcome.fid().fid() >= 0);
        JsonNode json = new ObjectMapper().readTree(outcome.text());
        assertEquals(digest, json.get("feature_network_digest").asText());
        assertEquals(32, json.get("dimension").asInt());

        FidCommand.Outcome same = FidCommand.run(new FidCommand.Request(a, a, false, false, model, null, 3));
        assertEquals(0.0, same.fid().fid(), 1e-6);
    }
}
