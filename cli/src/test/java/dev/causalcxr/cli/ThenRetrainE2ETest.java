package dev.causalcxr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.activities.retrain.RetrainTriggers;
import dev.causalcxr.infra.datasets.DatasetCatalog;
import dev.causalcxr.infra.schedules.RetrainSchedules;
import dev.causalcxr.infra.stack.PlatformStack;
import dev.causalcxr.infra.stack.StackConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dataset import --then-retrain} for real: a tiny champion trained on site A, site B's export imported with
 * {@code --then-retrain}, which retrains (warm start, gate, decision); the same export imported again starts nothing,
 * and neither does a third import after the decision. Trains, so e2e.
 */
@Tag("e2e")
class ThenRetrainE2ETest {
    @TempDir
    static Path dir;

    static Path data;
    private final CapturedCli console = new CapturedCli();

    @BeforeAll
    static void championOnSiteA() throws Exception {
        System.setProperty("CAUSALCXR_MLFLOW", "off");
        System.setProperty("CAUSALCXR_PSEUDONYM_KEY", "site-b-key-0123456789abcdef0123456789");
        data = dir.resolve("data");
        Path spec = dir.resolve("tiny.yaml");
        Files.writeString(spec, """
                name: tr
                seed: 5
                dataset: {studies: 60, image_size: 64}
                run: [parse-reports, train-disentangler, train-diffusion]
                stages:
                  train-disentangler: {steps: 4, batch_size: 8, pairs_per_kind: 2, base_width: 4, id_channels: 4,
                                       path_dim: 4, head_hidden: 8, run_ablation: false, eval_pairs: 8,
                                       grid_identities: 2, grid_pathologies: 2}
                  train-diffusion: {train_steps: 10, hidden: 32, blocks: 1, condition_dim: 8, batch_size: 32,
                                    log_interval: 5}
                """);
        Path summary = dir.resolve("summary.json");
        assertEquals(
                0,
                Main.execute(
                        "run",
                        "--spec",
                        spec.toString(),
                        "--data-dir",
                        data.toString(),
                        "--summary-json",
                        summary.toString()));
        JsonNode s = new ObjectMapper().readTree(summary.toFile());
        assertEquals("tr@1", s.path("model").asText());
        assertEquals(0, Main.execute("models", "alias", "tr", "champion", "1", "--data-dir", data.toString()));
    }

    @AfterAll
    static void clear() {
        System.clearProperty("CAUSALCXR_MLFLOW");
        System.clearProperty("CAUSALCXR_PSEUDONYM_KEY");
    }

    private int cli(String... args) {
        return console.run(args);
    }

    private static PlatformStack storage() {
        return PlatformStack.start(StackConfig.fromEnvironment(data, Map.of("CAUSALCXR_MLFLOW", "off")), false);
    }

    @Test
    void anImportRetrainsOnceAndTheSameVersionNeverAgain() throws Exception {
        Path siteB = dir.resolve("site-b-export");
        assertEquals(
                0,
                Main.execute(
                        "phantom",
                        "--out",
                        siteB.toString(),
                        "--studies",
                        "60",
                        "--size",
                        "64",
                        "--site",
                        "b",
                        "--seed",
                        "11",
                        "--without-truth"));
        Path retrainSpec = dir.resolve("retrain.yaml");
        Files.writeString(retrainSpec, """
                retrain:
                  training_set: new-only
                  steps: {train-disentangler: 2, train-diffusion: 2}
                  gate:
                    min_test_studies: 2
                    rules:
                      site-b.recon_ssim: improves 0.5
                """);
        String[] importWithRetrain = {
            "dataset",
            "import",
            "--format",
            "mimic",
            siteB.toString(),
            "--name",
            "site-b",
            "--then-retrain",
            "tr@champion",
            "--retrain-spec",
            retrainSpec.toString(),
            "--data-dir",
            data.toString()
        };
        assertEquals(0, cli(importWithRetrain), console.output());
        String first = console.output();
        String version;
        try (PlatformStack stack = storage()) {
            version = new DatasetCatalog(stack.db())
                    .version("site-b", null)
                    .orElseThrow()
                    .version();
        }
        String id = RetrainTriggers.retrainId("tr", 1, "site-b", version);
        assertTrue(first.contains("retrain " + id + ": "), first);
        // a refused challenger (the gate asks for +0.5 SSIM): the champion stays version 1
        assertTrue(first.contains("not promoted: tr@2 is @challenger"), first);

        assertEquals(0, cli(importWithRetrain), console.output());
        String second = console.output();
        assertTrue(second.contains("unchanged (this version exists already)"), second);
        assertTrue(
                second.contains("no retrain started: site-b@" + version.substring(0, 12)
                        + " was retrained against tr@1 already (" + id + ", by dataset import by user "),
                second);
        try (PlatformStack stack = storage()) {
            assertEquals(2, stack.registry().versions("tr").size(), "one retrain, one challenger");
            List<RetrainSchedules.Trigger> recorded = new RetrainSchedules(stack.db()).triggers("tr");
            assertEquals(1, recorded.size());
            assertEquals(id, recorded.get(0).workflowId());
        }
    }
}
