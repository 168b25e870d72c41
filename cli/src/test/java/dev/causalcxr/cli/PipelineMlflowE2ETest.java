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
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A whole pipeline run against a real MLflow server (installed into a virtualenv by the test
 * setup), then read back through MLflow's own Python client from a second server on the same
 * stores: params, metrics, the parent/child hierarchy and the artifacts.
 */
@Tag("e2e")
class PipelineMlflowE2ETest {

    @ParameterizedTest(name = "artifacts via {0}")
    @ValueSource(strings = {"s3", "proxy"})
    void pipelineRunReadsBackThroughMlflowsPythonClient(String artifacts, @TempDir Path dir) throws Exception {
        ExperimentSpec spec = ExperimentSpec.parseYaml("""
                name: e2e-mlflow
                seed: 5
                dataset: {studies: 40}
                run: [parse-reports]
                """);
        Map<String, String> env = MlflowTestSupport.env(artifacts);
        Path summaryFile = dir.resolve("summary.json");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, UTF_8);
        int code = LocalPipeline.run(
                spec,
                StackConfig.fromEnvironment(dir.resolve("data"), env),
                new LocalPipeline.Options(Set.of(), false, summaryFile, true, null),
                new ConsoleOutput(ps, ps, false));
        assertEquals(0, code, out.toString(UTF_8));
        JsonNode summary = new ObjectMapper().readTree(summaryFile.toFile());
        String parentId = summary.at("/tracking/mlflow_run_id").asText();
        assertTrue(summary.at("/tracking/mlflow").asText().startsWith("http://127.0.0.1:"), summary.toString());

        // a new server on the same PostgreSQL and bucket: what a user browsing later sees
        try (PlatformStack stack = PlatformStack.start(StackConfig.fromEnvironment(dir.resolve("data"), env), false)) {
            Optional<String> uri = stack.awaitTracking(Duration.ofMinutes(15));
            assertTrue(uri.isPresent(), stack.tracker().offlineReason().orElse(""));
            JsonNode back = MlflowTestSupport.readBack(
                    uri.get(), "causalcxr/e2e-mlflow", stack.objectStore().endpoint());
            Map<String, JsonNode> byName = new HashMap<>();
            back.get("runs").forEach(r -> byName.put(r.get("name").asText(), r));
            assertEquals(3, byName.size(), byName.keySet().toString());
            JsonNode parent = back.get("runs").findParents("run_id").stream()
                    .filter(r -> r.get("run_id").asText().equals(parentId))
                    .findFirst()
                    .orElseThrow();
            assertEquals("FINISHED", parent.get("status").asText());
            assertEquals("5", parent.at("/params/spec.seed").asText());
            assertEquals(spec.digest(), parent.at("/params/spec.digest").asText());
            summary.get("metrics")
                    .fields()
                    .forEachRemaining(m -> assertEquals(
                            m.getValue().asDouble(),
                            parent.at("/metrics/" + m.getKey()).asDouble(),
                            1e-9,
                            m.getKey()));

            JsonNode ingest = byName.get("ingest");
            JsonNode parse = byName.get("parse-reports");
            assertEquals(parentId, ingest.get("parent").asText());
            assertEquals(parentId, parse.get("parent").asText());
            assertEquals(40.0, ingest.at("/metrics/dataset_studies").asDouble());
            assertEquals(1.0, parse.at("/metrics/parser_phantom_present_f1").asDouble());
            assertEquals("false", ingest.at("/tags/causalcxr.cache_hit").asText());
            assertTrue(ingest.at("/params/stage.config").asText().contains("\"studies\":40"));
            List<String> ingestArtifacts = ingest.get("artifacts").findValuesAsText("path");
            assertTrue(ingestArtifacts.contains("ingest/phantom_contact_sheet.png"), ingestArtifacts.toString());
            List<String> parseArtifacts = parse.get("artifacts").findValuesAsText("path");
            assertTrue(
                    parseArtifacts.containsAll(
                            List.of("label-distribution", "parse-reports/parser_vs_phantom_truth.txt")),
                    parseArtifacts.toString());
            assertTrue(ingest.get("artifact_uri")
                    .asText()
                    .startsWith(artifacts.equals("s3") ? "s3://" : "mlflow-artifacts:"));
        }
    }
}
