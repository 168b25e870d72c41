package dev.causalcxr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.infra.temporal.TemporalConnection;
import io.temporal.api.enums.v1.EventType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The Temporal server of the local cluster is stopped and started again (same port, same database file) while a
 * stage trains: the run in flight, its workers and its client all carry on, and the run completes and registers
 * its model.
 */
@Tag("e2e")
class TemporalRestartE2ETest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final LocalClusterFixture CLUSTER =
            new LocalClusterFixture(Path.of("target", "e2e-temporal-restart").toAbsolutePath(), Map.of());
    private static final String SPEC = """
            name: e2e-temporal-restart
            seed: 17
            dataset: {studies: 120}
            run: [parse-reports, train-disentangler, train-diffusion]
            stages:
              train-disentangler: {steps: 60, checkpoint_interval: 10, batch_size: 8, pairs_per_kind: 2, base_width: 4,
                                   id_channels: 4, path_dim: 4, head_hidden: 8, run_ablation: false, eval_pairs: 8,
                                   grid_identities: 2, grid_pathologies: 2}
              train-diffusion: {train_steps: 40, hidden: 32, blocks: 1, condition_dim: 8, batch_size: 64, log_interval: 20}
            """;

    @BeforeAll
    static void startCluster() throws Exception {
        assertEquals(0, CLUSTER.start(1, 1), "docker/local-cluster start failed: " + CLUSTER.startOutput());
    }

    @AfterAll
    static void stopCluster() throws Exception {
        CLUSTER.stop();
    }

    @Test
    void aRunInFlightCompletesWhenTheTemporalServerRestartsMidStage() throws Exception {
        Path spec = CLUSTER.dir.resolve("restart.yaml");
        Files.writeString(spec, SPEC);
        Path out = CLUSTER.dir.resolve("run.out");
        Path summary = CLUSTER.dir.resolve("summary.json");
        Process run = CLUSTER.cli(
                out,
                "run",
                "--data-dir",
                CLUSTER.data.toString(),
                "--spec",
                spec.toString(),
                "--no-local-workers",
                "--summary-json",
                summary.toString());
        Instant restartedAt;
        try {
            CLUSTER.awaitCheckpointingWorker("train-disentangler", run, out, Duration.ofMinutes(20));
            restartedAt = Instant.now();
            assertEquals(
                    0,
                    CLUSTER.restartTemporal(),
                    "restart-temporal failed: "
                            + LocalClusterFixture.tail(CLUSTER.dir.resolve("cluster-restart-temporal.out"), 30));
            assertTrue(run.waitFor(30, TimeUnit.MINUTES), "the run did not end: " + LocalClusterFixture.tail(out, 30));
        } finally {
            run.destroyForcibly();
        }
        System.out.printf(
                "Temporal restarted %s after the first checkpoint; the run ended %s later%n",
                restartedAt, Duration.between(restartedAt, Instant.now()));
        assertEquals(0, run.exitValue(), "the run failed across the restart: " + LocalClusterFixture.tail(out, 60));
        JsonNode s = JSON.readTree(summary.toFile());
        assertEquals("succeeded", s.path("status").asText(), s.toString());
        assertEquals("e2e-temporal-restart@1", s.path("model").asText(), s.toString());
        for (String stage : new String[] {"ingest", "parse-reports", "train-disentangler", "train-diffusion"}) {
            assertEquals("succeeded", s.at("/stages/" + stage + "/status").asText(), stage + ": " + s);
        }
        assertTrue(Files.exists(CLUSTER.logs.resolve("temporal.out.1")), "the server really was restarted");
        // the workflow's history outlived the server process: the restarted server has all of it, from its file
        String address = Files.readAllLines(CLUSTER.logs.resolve("env")).stream()
                .filter(l -> l.startsWith("export TEMPORAL_ADDRESS="))
                .map(l -> l.substring("export TEMPORAL_ADDRESS=".length()))
                .findFirst()
                .orElseThrow();
        try (TemporalConnection temporal = TemporalConnection.connect(address, "default")) {
            var events =
                    temporal.client().fetchHistory(s.path("run_id").asText()).getEvents();
            assertEquals(
                    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
                    events.get(0).getEventType());
            assertEquals(
                    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
                    events.get(events.size() - 1).getEventType());
        }
    }
}
