package dev.causalcxr.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.core.spec.ExperimentSpec;
import dev.causalcxr.infra.stack.PlatformStack;
import dev.causalcxr.infra.stack.StackConfig;
import dev.causalcxr.infra.tracking.MlflowTestSupport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every stage, tiny networks, against a real MLflow server: the counterfactual grid and the
 * evaluation charts are MLflow artifacts, the tail classes ran as their own child runs, the summary
 * holds the evaluation's headline keys, and the generator is a registered model version in MLflow.
 */
@Tag("e2e")
class FullPipelineE2ETest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyStageRunsAndItsResultsAreInMlflow(@TempDir Path dir) throws Exception {
        ExperimentSpec spec = ExperimentSpec.parseYaml("""
                name: e2e-full
                seed: 9
                dataset: {studies: 240}
                tail_frequency: 0.08
                stages:
                  parse-reports: {}
                  train-disentangler: {steps: 20, batch_size: 8, pairs_per_kind: 2, base_width: 4, id_channels: 4,
                                       path_dim: 4, head_hidden: 8, run_ablation: false, eval_pairs: 8,
                                       grid_identities: 2, grid_pathologies: 2}
                  train-diffusion: {train_steps: 60, hidden: 32, blocks: 1, condition_dim: 8, batch_size: 64,
                                    log_interval: 20}
                  optimize-tail-noise: {iterations: 6, batch_size: 8, evaluation_samples: 8,
                                        comparison_samples: 16, checkpoint_interval: 3}
                  generate-counterfactuals: {ddim_steps: 5, samples_per_condition: 2, metric_sources: 1,
                                             guidance_sweep: [0.0, 2.0], sweep_pairs: 1, max_per_class: 6,
                                             grid_sources: 2, grid_conditions: 2, grid_samples: 2}
                  evaluate: {seed_count: 1, minimum_class_count: 2, oracle_arm: true,
                             classifier: {epochs: 1, stage_widths: [4, 8, 16], batch_size: 16}}
                """);
        Map<String, String> env = MlflowTestSupport.env("s3");
        Path summaryFile = dir.resolve("summary.json");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, UTF_8);
        int code = LocalPipeline.run(
                spec,
                StackConfig.fromEnvironment(dir.resolve("data"), env),
                new LocalPipeline.Options(Set.of(), false, summaryFile, true, null),
                new ConsoleOutput(ps, ps, false));
        assertEquals(0, code, out.toString(UTF_8));
        JsonNode summary = JSON.readTree(summaryFile.toFile());
        assertEquals("e2e-full@1", summary.path("model").asText(), summary.toString());
        JsonNode metrics = summary.get("metrics");
        for (String key : List.of(
                "recon_ssim",
                "cf_effectiveness",
                "cf_identity_ssim",
                "cf_gt_ssim",
                "cf_composition_ssim",
                "cf_reversibility_ssim",
                "cf_amplification",
                "cf_diversity",
                "fid",
                "kid",
                "accuracy_real",
                "accuracy_augmented",
                "balanced_accuracy_real",
                "macro_f1_augmented",
                "head_recall_real",
                "tail_effectiveness_optimized",
                "tail_effectiveness_plain",
                "accuracy_augmented_plain",
                "accuracy_oracle",
                "balanced_accuracy_oracle")) {
            // (tail recall needs tail studies in the tiny test split; the demo's summary has it)
            assertTrue(metrics.has(key), key + " missing from " + metrics);
        }
        assertTrue(metrics.get("cf_diversity").asDouble() > 0, "samples of one condition differ");
        // the oracle arm: one exact counterfactual per generated image (every source is a phantom study)
        assertEquals(
                metrics.get("evaluation_augmentation_images").asDouble(),
                metrics.get("evaluation_oracle_images").asDouble());

        try (PlatformStack stack = PlatformStack.start(StackConfig.fromEnvironment(dir.resolve("data"), env), false)) {
            Optional<String> uri = stack.awaitTracking(Duration.ofMinutes(15));
            assertTrue(uri.isPresent(), stack.tracker().offlineReason().orElse(""));
            JsonNode back = MlflowTestSupport.readBack(
                    uri.get(), "causalcxr/e2e-full", stack.objectStore().endpoint());
            Map<String, JsonNode> byName = new HashMap<>();
            back.get("runs").forEach(r -> byName.put(r.get("name").asText(), r));
            List<String> tailRuns = new ArrayList<>(byName.keySet().stream()
                    .filter(n -> n.startsWith("optimize-tail-noise/"))
                    .toList());
            assertTrue(
                    metrics.get("tail_classes").asInt() == tailRuns.size() && !tailRuns.isEmpty(),
                    "one child run per tail class: " + byName.keySet());
            List<String> cfArtifacts =
                    byName.get("generate-counterfactuals").get("artifacts").findValuesAsText("path");
            assertTrue(cfArtifacts.stream().anyMatch(p -> p.contains("counterfactual-grid")), cfArtifacts.toString());
            assertTrue(cfArtifacts.stream().anyMatch(p -> p.contains("guidance-tradeoff")), cfArtifacts.toString());
            assertTrue(cfArtifacts.stream().anyMatch(p -> p.contains("cf-amplification")), cfArtifacts.toString());
            List<String> evalArtifacts = byName.get("evaluate").get("artifacts").findValuesAsText("path");
            assertTrue(evalArtifacts.stream().anyMatch(p -> p.contains("confusion")), evalArtifacts.toString());
            assertEquals(
                    metrics.get("fid").asDouble(),
                    byName.get("evaluate").at("/metrics/fid").asDouble(),
                    1e-9);

            HttpResponse<String> model = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(uri.get() + "/api/2.0/mlflow/registered-models/get?name="
                                            + URLEncoder.encode("e2e-full", StandardCharsets.UTF_8)))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(200, model.statusCode(), model.body());
            assertTrue(
                    JSON.readTree(model.body())
                                    .at("/registered_model/latest_versions")
                                    .size()
                            >= 1,
                    model.body());
        }
    }
}
