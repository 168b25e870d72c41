package dev.causalcxr.cli;

import static dev.causalcxr.cli.CanarySite.FILE_CANARY;
import static dev.causalcxr.cli.CanarySite.REPORT_CANARY;
import static dev.causalcxr.cli.CanarySite.assertNoCanary;
import static dev.causalcxr.cli.CanarySite.assertNoCanaryInDatabase;
import static dev.causalcxr.cli.CanarySite.assertNoCanaryInFiles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.core.files.SiteLog;
import dev.causalcxr.infra.metadata.DbEndpoint;
import dev.causalcxr.infra.temporal.TemporalConnection;
import io.temporal.api.common.v1.WorkflowExecution;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The canary test on the production topology ({@code docker/local-cluster}: a real Temporal server with its
 * persistent database, the stack, and worker JVMs each in its own process): a canary site goes through a strict
 * import that fails, then a lenient run during which the GPU worker training the disentangler is killed with
 * SIGKILL and another takes over. Then no canary may be anywhere outside the report store and the site log:
 * the real server's workflow histories (read through its API, and its database file byte for byte), every
 * process's console and log file, the clients' output, both PostgreSQL databases, and every file under the data
 * folder (object store, MLflow artifacts, work folders, including the killed worker's).
 */
@Tag("e2e")
class CanaryClusterE2ETest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DIR = Path.of("target", "e2e-canary-cluster").toAbsolutePath();
    private static final LocalClusterFixture CLUSTER =
            new LocalClusterFixture(DIR, Map.of("CAUSALCXR_PSEUDONYM_KEY", "canary-cluster-site-key-0123456789"));

    @BeforeAll
    static void startCluster() throws Exception {
        int rc = CLUSTER.start(2, 1);
        assertEquals(0, rc, "docker/local-cluster start failed: " + CLUSTER.startOutput());
    }

    @AfterAll
    static void stopCluster() throws Exception {
        CLUSTER.stop();
    }

    private static String spec(Path site, boolean strict) {
        return """
                name: canary-cluster
                seed: 5
                tail_frequency: 0.1
                dataset: {source: import, name: canary-site, format: mimic, path: %s, strict: %s}
                run: [parse-reports, train-disentangler, train-diffusion]
                stages:
                  train-disentangler: {steps: 60, checkpoint_interval: 10, batch_size: 8, pairs_per_kind: 2,
                                       base_width: 4, id_channels: 4, path_dim: 4, head_hidden: 8,
                                       run_ablation: false, eval_pairs: 8, grid_identities: 2, grid_pathologies: 2}
                  train-diffusion: {train_steps: 30, hidden: 32, blocks: 1, condition_dim: 8, batch_size: 32,
                                    log_interval: 10}
                """.formatted(site, strict);
    }

    @Test
    void noCanaryLeavesTheSiteThroughAFailedImportAWorkerKilledMidStageOrTheRealTemporalServer() throws Exception {
        Path input = DIR.resolve("input");
        Path site = CanarySite.write(input, 100, true);

        Path strictSpec = DIR.resolve("strict.yaml");
        Files.writeString(strictSpec, spec(site, true));
        Path strictOut = DIR.resolve("run-strict.out");
        Process strict = CLUSTER.cli(
                strictOut,
                "run",
                "--data-dir",
                CLUSTER.data.toString(),
                "--spec",
                strictSpec.toString(),
                "--no-local-workers");
        assertTrue(strict.waitFor(15, TimeUnit.MINUTES), LocalClusterFixture.tail(strictOut, 30));
        assertNotEquals(0, strict.exitValue(), LocalClusterFixture.tail(strictOut, 30));
        String strictText = Files.readString(strictOut);
        assertTrue(strictText.contains("unreadable image"), strictText);

        Path spec = DIR.resolve("lenient.yaml");
        Files.writeString(spec, spec(site, false));
        Path out = DIR.resolve("run.out");
        Path summary = DIR.resolve("summary.json");
        Process run = CLUSTER.run(out, spec, summary);
        try {
            String victim = CLUSTER.awaitCheckpointingWorker("train-disentangler", run, out, Duration.ofMinutes(20));
            CLUSTER.kill9(victim);
            assertTrue(run.waitFor(30, TimeUnit.MINUTES), "the run did not end: " + LocalClusterFixture.tail(out, 30));
        } finally {
            run.destroyForcibly();
        }
        assertEquals(0, run.exitValue(), "the run failed: " + LocalClusterFixture.tail(out, 60));
        JsonNode s = JSON.readTree(summary.toFile());
        assertTrue(s.at("/stages/train-disentangler/attempts").asInt() >= 2, s.toString());

        // the real server's histories, through its API: every workflow of the namespace
        try (TemporalConnection temporal = TemporalConnection.connect(CLUSTER.temporalAddress(), "default")) {
            List<WorkflowExecution> runs = temporal.client()
                    .listExecutions("")
                    .map(m -> m.getExecution())
                    .toList();
            assertTrue(runs.size() >= 2, "both runs are in the server's histories: " + runs.size());
            for (WorkflowExecution w : runs) {
                String history = temporal.client()
                        .fetchHistory(w.getWorkflowId(), w.getRunId())
                        .toJson(false);
                assertNoCanary("the workflow history of " + w.getWorkflowId(), history);
            }
        }

        // both PostgreSQL databases of the running stack (the platform's and MLflow's), every table
        Map<String, String> stack = CLUSTER.stackEnvironment();
        DbEndpoint db = new DbEndpoint(
                stack.get("CAUSALCXR_DB_URL"), stack.get("CAUSALCXR_DB_USER"), stack.get("CAUSALCXR_DB_PASSWORD"));
        assertNoCanaryInDatabase(db);
        assertNoCanaryInDatabase(db.withDatabase("mlflow"));

        // every file of the data folder (the Temporal database file, the processes' logs and consoles, the
        // object store, MLflow's artifacts, PostgreSQL's files, the work folders) but the report store (the
        // dataset bundle) and the site log; and every other file the test's processes wrote
        Path siteLog = CLUSTER.data.resolve(SiteLog.RELATIVE_PATH);
        String detail = Files.readString(siteLog);
        assertTrue(detail.contains(FILE_CANARY), "the site log has the failed import's detail");
        String datasetDigest = datasetDigest(s.at("/stages/ingest/manifest").asText());
        int searched = assertNoCanaryInFiles(
                CLUSTER.data,
                f -> f.equals(siteLog) || f.getFileName().toString().contains(datasetDigest));
        assertTrue(searched > 50, "searched " + searched + " files");
        assertTrue(Files.exists(CLUSTER.data.resolve("temporal.db")), "the server's database file was searched");
        int others = assertNoCanaryInFiles(DIR, f -> f.startsWith(CLUSTER.data) || f.startsWith(input));
        assertTrue(others >= 4, "searched the clients' output: " + others);
        assertTrue(
                !Files.readString(strictOut).contains(REPORT_CANARY),
                "the failed import's console names no report text");
    }

    /** The dataset bundle the ingest manifest names: the report store, where report text belongs. */
    private static String datasetDigest(String ingestManifest) throws Exception {
        try (Stream<Path> files = Files.walk(CLUSTER.data.resolve("s3"))) {
            Path manifest = files.filter(f -> f.getFileName().toString().contains(ingestManifest))
                    .filter(Files::isRegularFile)
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no object " + ingestManifest));
            String digest = JSON.readTree(manifest.toFile())
                    .at("/outputs/dataset/digest")
                    .asText();
            assertTrue(!digest.isEmpty(), "the ingest manifest names its dataset bundle");
            return digest;
        }
    }
}
