package dev.causalcxr.infra.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.causalcxr.infra.stack.PlatformStack;
import dev.causalcxr.infra.stack.StackConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Tracking against a real MLflow server (PostgreSQL backend store, S3 artifacts), read back in Python. */
@Tag("e2e")
class MlflowTrackingE2ETest {

    @ParameterizedTest(name = "artifacts via {0}")
    @ValueSource(strings = {"s3", "proxy"})
    void runsParamsMetricsAndArtifactsReadBackThroughThePythonClient(String artifacts, @TempDir Path dir)
            throws Exception {
        try (PlatformStack stack =
                PlatformStack.start(StackConfig.fromEnvironment(dir, MlflowTestSupport.env(artifacts)), false)) {
            Optional<String> uri = stack.awaitTracking(Duration.ofMinutes(15));
            assertTrue(
                    uri.isPresent(),
                    "MLflow server did not come up: "
                            + stack.tracker().offlineReason().orElse(""));
            // the database URI and its password never appear on a command line (visible to all users in ps)
            List<String> commandLines = ProcessHandle.current()
                    .descendants()
                    .map(h -> h.info().commandLine().orElse(""))
                    .toList();
            assertTrue(commandLines.stream().anyMatch(c -> c.contains("mlflow")), commandLines.toString());
            assertTrue(
                    commandLines.stream().noneMatch(c -> c.contains("postgresql")), "a database URI on a command line");
            Tracker t = stack.tracker();
            String parent = t.startRun("causalcxr/e2e", "pipeline", null, Map.of("causalcxr.pipeline_run", "p1"));
            t.logParams(parent, Map.of("spec.seed", "42", "spec.name", "e2e"));
            String child = t.startRun("causalcxr/e2e", "ingest", parent, Map.of("causalcxr.stage", "ingest"));
            t.logParams(child, Map.of("stage.seed", "7"));
            for (int step = 0; step < 1500; step++) {
                t.logMetric(child, "loss", 1.0 / (step + 1), step);
            }
            t.logMetric(child, "recon_ssim", 0.93, 0);
            Path png = dir.resolve("grid.png");
            Files.write(png, new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
            t.logArtifact(child, "grids/recon.png", png);
            t.endRun(child, "FINISHED");
            t.logMetric(parent, "recon_ssim", 0.93, 0);
            t.endRun(parent, "FINISHED");
            stack.awaitTracking(Duration.ofMinutes(1));

            JsonNode back = MlflowTestSupport.readBack(
                    uri.get(), "causalcxr/e2e", stack.objectStore().endpoint());
            Map<String, JsonNode> byName = new HashMap<>();
            back.get("runs").forEach(r -> byName.put(r.get("name").asText(), r));
            JsonNode p = byName.get("pipeline");
            JsonNode c = byName.get("ingest");
            assertEquals("42", p.get("params").get("spec.seed").asText());
            assertEquals("7", c.get("params").get("stage.seed").asText());
            assertEquals(
                    p.get("run_id").asText(), c.get("parent").asText(), "the stage run is a child of the pipeline run");
            assertEquals(1500, c.get("metric_history_lengths").get("loss").asInt(), "every step is there (batched)");
            assertEquals(1.0 / 1500, c.get("metrics").get("loss").asDouble(), 1e-12);
            assertEquals(0.93, c.get("metrics").get("recon_ssim").asDouble(), 1e-12);
            assertEquals("FINISHED", c.get("status").asText());
            assertEquals(List.of("grids/recon.png"), c.get("artifacts").findValuesAsText("path"));
            assertEquals(7, c.get("artifacts").get(0).get("size").asInt());
            assertTrue(
                    c.get("artifact_uri").asText().startsWith(artifacts.equals("s3") ? "s3://" : "mlflow-artifacts:"),
                    c.get("artifact_uri").asText());
        }
    }

    @Test
    void runsJournaledWhileMlflowWasOffAreReplayedBySync(@TempDir Path dir) throws Exception {
        Map<String, String> off = new HashMap<>(MlflowTestSupport.env("proxy"));
        off.put("CAUSALCXR_MLFLOW", "off");
        try (PlatformStack stack = PlatformStack.start(StackConfig.fromEnvironment(dir, off), false)) {
            assertTrue(stack.awaitTracking(Duration.ofSeconds(5)).isEmpty());
            Tracker t = stack.tracker();
            String run = t.startRun("causalcxr/offline", "offline-run", null, Map.of());
            t.logParams(run, Map.of("a", "1"));
            t.logMetric(run, "fid", 12.5, 0);
            Path f = dir.resolve("note.txt");
            Files.writeString(f, "artifact");
            t.logArtifact(run, "note.txt", f);
            t.endRun(run, "FINISHED");
        }
        // the same data folder, now with a server: the journal is replayed on connect
        try (PlatformStack stack =
                PlatformStack.start(StackConfig.fromEnvironment(dir, MlflowTestSupport.env("proxy")), false)) {
            Optional<String> uri = stack.awaitTracking(Duration.ofMinutes(15));
            assertTrue(uri.isPresent(), stack.tracker().offlineReason().orElse(""));
            assertEquals(0, stack.tracker().syncAll().runs(), "nothing left to sync");
            JsonNode r = MlflowTestSupport.readBack(
                            uri.get(), "causalcxr/offline", stack.objectStore().endpoint())
                    .get("runs")
                    .get(0);
            assertEquals("1", r.get("params").get("a").asText());
            assertEquals(12.5, r.get("metrics").get("fid").asDouble());
            assertEquals("note.txt", r.get("artifacts").get(0).get("path").asText());
            assertEquals("FINISHED", r.get("status").asText());
        }
    }
}
