package dev.causalcxr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.infra.metadata.DbEndpoint;
import dev.causalcxr.infra.metadata.MetadataDb;
import dev.causalcxr.infra.objectstore.ObjectStore;
import dev.causalcxr.infra.objectstore.S3Endpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 18, failure test 3, on the local cluster (one GPU worker, one CPU worker): the stack's S3 endpoint is stopped
 * for 30 s while {@code train-disentangler} publishes, and its PostgreSQL server for 30 s while {@code
 * train-diffusion} runs ({@code docker/local-cluster outage}: the real servers go away, clients see refused
 * connections). Both stages retry and complete, nothing partial is visible in S3, the journal and MLflow hold every
 * attempt, and the run registers one model version.
 */
@Tag("e2e")
class ClusterOutageE2ETest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger log = LoggerFactory.getLogger(ClusterOutageE2ETest.class);
    private static final LocalClusterFixture CLUSTER =
            new LocalClusterFixture(Path.of("target", "e2e-cluster-outage").toAbsolutePath(), Map.of());
    private static final int OUTAGE_SECONDS = 30;
    private static final java.util.regex.Pattern RESUMED =
            java.util.regex.Pattern.compile("train-disentangler: resuming from the checkpoint of step (\\d+)");
    private static final String NAME = "e2e-outage";
    /**
     * Tiny networks, and a publish every few steps in both stages, so that each outage meets one however loaded the
     * machine is: train-disentangler saves a checkpoint (an object published, then journaled) every 10 steps and the
     * S3 outage starts at step 100, so the next publish is 10 steps later (0.6 s on an idle machine, where the drill
     * takes 0.15 s to begin; 17 s when a loaded machine made the steps 25 times slower, still inside the 30 s);
     * train-diffusion journals a checkpoint every 10 steps and reads the journal as it starts, where the PostgreSQL
     * outage begins.
     */
    private static final String SPEC = """
            name: e2e-outage
            seed: 31
            dataset: {studies: 120}
            run: [parse-reports, train-disentangler, train-diffusion]
            stages:
              train-disentangler: {steps: 200, checkpoint_interval: 10, batch_size: 8, pairs_per_kind: 2, base_width: 4,
                                   id_channels: 4, path_dim: 4, head_hidden: 8, run_ablation: false, eval_pairs: 8,
                                   grid_identities: 2, grid_pathologies: 2}
              train-diffusion: {train_steps: 200, hidden: 32, blocks: 1, condition_dim: 8, batch_size: 64, log_interval: 20,
                                checkpoint_interval: 10}
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
    void stagesRideOutAnS3OutageDuringAPublishAndAPostgresOutageMidStageAndNothingIsLostOrPartial() throws Exception {
        Path spec = CLUSTER.dir.resolve("outage.yaml");
        Files.writeString(spec, SPEC);
        Path out = CLUSTER.dir.resolve("run.out");
        Path summary = CLUSTER.dir.resolve("summary.json");
        Instant t0 = Instant.now();
        Process run = CLUSTER.run(out, spec, summary);
        Instant s3Down;
        Instant pgDown;
        Instant s3Up;
        Instant pgUp;
        try {
            CLUSTER.awaitLogLine(
                    "gpu-1", "train-disentangler: checkpoint of step 100 saved", run, out, Duration.ofMinutes(20));
            s3Down = Instant.now();
            assertEquals(0, CLUSTER.outage("s3", OUTAGE_SECONDS), outageOutput("s3"));
            s3Up = Instant.now();
            CLUSTER.awaitLogLine("gpu-1", "train-diffusion: attempt 1 of run", run, out, Duration.ofMinutes(20));
            pgDown = Instant.now();
            assertEquals(0, CLUSTER.outage("postgres", OUTAGE_SECONDS), outageOutput("postgres"));
            pgUp = Instant.now();
            assertTrue(run.waitFor(30, TimeUnit.MINUTES), "the run did not end: " + LocalClusterFixture.tail(out, 30));
        } finally {
            run.destroyForcibly();
        }
        Instant end = Instant.now();
        assertEquals(0, run.exitValue(), "the run failed across the outages: " + LocalClusterFixture.tail(out, 60));
        log.info(
                "outages: S3 {} s from the step-100 checkpoint ({}), PostgreSQL {} s from train-diffusion's start ({});"
                        + " the run took {} s in all, {} s after PostgreSQL was back",
                Duration.between(s3Down, s3Up).toSeconds(),
                outageOutput("s3"),
                Duration.between(pgDown, pgUp).toSeconds(),
                outageOutput("postgres"),
                Duration.between(t0, end).toSeconds(),
                Duration.between(pgUp, end).toSeconds());

        // the run completed, both interrupted stages on a retry, with one model version
        JsonNode s = JSON.readTree(summary.toFile());
        assertEquals("succeeded", s.path("status").asText(), s.toString());
        assertEquals(NAME + "@1", s.path("model").asText(), s.toString());
        for (String stage : List.of("ingest", "parse-reports", "train-disentangler", "train-diffusion")) {
            assertEquals("succeeded", s.at("/stages/" + stage + "/status").asText(), stage + ": " + s);
        }
        for (String stage : List.of("train-disentangler", "train-diffusion")) {
            assertTrue(s.at("/stages/" + stage + "/attempts").asInt() >= 2, stage + " was retried: " + s);
        }
        List<String> gpuLog = CLUSTER.lines("gpu-1");
        // the retry resumed from a checkpoint saved before the outage (the step-100 one, or a later one when a
        // publish slipped in before the drill began), not from scratch
        long resumedAt = gpuLog.stream()
                .map(RESUMED::matcher)
                .filter(java.util.regex.Matcher::find)
                .mapToLong(m -> Long.parseLong(m.group(1)))
                .max()
                .orElseThrow(() -> new AssertionError("no resume from a checkpoint: " + CLUSTER.tailLog("gpu-1")));
        assertTrue(resumedAt >= 100, "resumed from step " + resumedAt);
        assertTrue(
                gpuLog.stream()
                        .anyMatch(
                                l -> l.contains("train-diffusion: attempt 1 failed because a service is unreachable")),
                "train-diffusion's first attempt failed on the PostgreSQL outage: " + CLUSTER.tailLog("gpu-1"));

        Map<String, String> env = CLUSTER.stackEnvironment();
        ObjectStore store = new ObjectStore(new S3Endpoint(
                env.get("CAUSALCXR_S3_ENDPOINT"),
                env.get("CAUSALCXR_S3_ACCESS_KEY"),
                env.get("CAUSALCXR_S3_SECRET_KEY"),
                env.get("CAUSALCXR_S3_BUCKET")));
        // nothing partial is visible: every published object is complete (its bytes hash to its address)
        List<String> published = store.listDigests();
        List<String> corrupt = new ArrayList<>();
        for (String digest : published) {
            if (!digest.matches("[0-9a-f]{64}") || !store.verify(digest)) {
                corrupt.add(digest);
            }
        }
        assertEquals(List.of(), corrupt, "published objects that do not verify");
        log.info(
                "{} published objects verify; {} staging object(s) left by interrupted uploads (private prefix)",
                published.size(),
                store.listKeys("staging/").size());

        String runId = s.path("run_id").asText();
        MetadataDb db = MetadataDb.connect(new DbEndpoint(
                env.get("CAUSALCXR_DB_URL"), env.get("CAUSALCXR_DB_USER"), env.get("CAUSALCXR_DB_PASSWORD")));
        // nothing is lost: every object the journal recorded is there and whole
        List<String> missing = new ArrayList<>();
        for (String digest : db.query("select digest from artifacts", ps -> {}, rs -> rs.getString(1))) {
            if (!store.verify(digest)) {
                missing.add(digest);
            }
        }
        assertEquals(List.of(), missing, "journaled artifacts missing or corrupt in S3");
        // every stage's manifest and outputs verify
        for (String stage : List.of("train-disentangler", "train-diffusion")) {
            String manifest = s.at("/stages/" + stage + "/manifest").asText();
            assertTrue(store.verify(manifest), stage + " manifest");
            store.readJson(manifest, JsonNode.class)
                    .path("outputs")
                    .forEach(o -> assertTrue(store.verify(o.path("digest").asText()), stage + " output " + o));
        }
        // each attempt has its tracking run, ended with its fate, and all of it reached MLflow (pushed or synced)
        Map<String, List<String>> fates = new TreeMap<>();
        for (List<String> r : db.query(
                """
                select r.run_name, r.status, coalesce(r.mlflow_run_id, ''), r.end_synced::text from tracking_runs r
                join tracking_tags t on t.local_id = r.local_id and t.key = 'causalcxr.pipeline_run' and t.value = ?
                order by r.start_ms""",
                ps -> ps.setString(1, runId),
                rs -> List.of(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)))) {
            fates.computeIfAbsent(r.get(0), k -> new ArrayList<>()).add(r.get(1));
            assertFalse(r.get(2).isEmpty(), "a tracking run never reached MLflow: " + r);
            assertEquals("true", r.get(3), "a tracking run's end never reached MLflow: " + r);
        }
        log.info("tracking runs by stage: {}", fates);
        for (String stage : List.of("train-disentangler", "train-diffusion")) {
            assertEquals(List.of("FAILED", "FINISHED"), fates.get(stage), stage + " attempts: " + fates);
        }
        for (String table : List.of("tracking_params", "tracking_tags", "tracking_metrics", "tracking_artifacts")) {
            long unsynced = db.queryOne(
                            "select count(*) from " + table + " x join tracking_tags t on t.local_id = x.local_id"
                                    + " where t.key = 'causalcxr.pipeline_run' and t.value = ? and not x.synced",
                            ps -> ps.setString(1, runId),
                            rs -> rs.getLong(1))
                    .orElseThrow();
            assertEquals(0, unsynced, table + ": journaled but not in MLflow");
        }
        assertTrue(
                db.query(
                                "select step from stage_checkpoints where pipeline_run_id = ? order by step",
                                ps -> ps.setString(1, runId),
                                rs -> rs.getLong(1))
                        .contains(100L),
                "the checkpoint saved before the S3 outage is journaled");
        List<String> stageRows = db.query(
                "select stage || '=' || status || '/' || attempt from stage_runs where pipeline_run_id = ? order by id",
                ps -> ps.setString(1, runId),
                rs -> rs.getString(1));
        assertTrue(stageRows.contains("train-disentangler=succeeded/2"), stageRows.toString());
        assertTrue(stageRows.contains("train-diffusion=succeeded/2"), stageRows.toString());
        assertEquals(
                List.of(1),
                db.query(
                        "select version from model_versions where name = ?",
                        ps -> ps.setString(1, NAME),
                        rs -> rs.getInt(1)),
                "one model version");
    }

    /** The drill's last line ({@code … was down for N ms …}). */
    private static String outageOutput(String service) {
        String tail = LocalClusterFixture.tail(CLUSTER.dir.resolve("cluster-outage-" + service + ".out"), 10);
        return tail.substring(tail.lastIndexOf('\n') + 1);
    }
}
