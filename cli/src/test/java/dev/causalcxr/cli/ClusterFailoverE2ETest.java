package dev.causalcxr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.workflows.experiment.StageActivityOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production topology on one machine ({@code docker/local-cluster}: the Temporal dev server, the stack and
 * worker JVMs each in its own process), and a GPU worker killed with SIGKILL in the middle of
 * {@code train-disentangler}: the other GPU worker takes the stage over within the heartbeat timeout, resumes
 * from the last checkpoint, and the run ends with the same model, bit for bit, as an uninterrupted run.
 */
@Tag("e2e")
// the fail-over test reads the GPU workers' logs for its own run's checkpoints: it goes first
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFailoverE2ETest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger log = LoggerFactory.getLogger(ClusterFailoverE2ETest.class);
    private static final LocalClusterFixture CLUSTER =
            new LocalClusterFixture(Path.of("target", "e2e-cluster-failover").toAbsolutePath(), Map.of());
    private static final Path DIR = CLUSTER.dir;
    private static final Path DATA = CLUSTER.data;
    private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS");
    /** Enough steps that the kill after the first checkpoint lands mid-training; tiny networks. */
    private static final String SPEC = """
            name: e2e-failover
            seed: 13
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
        // --cpu-slots: passed to the workers as worker --slots (3: not the default on any machine with 2 cores)
        assertEquals(
                0,
                CLUSTER.start(2, 1, "--cpu-slots", "3"),
                "docker/local-cluster start failed: " + CLUSTER.startOutput());
        String cpu = Files.readString(CLUSTER.logs.resolve("cpu-1.out"));
        assertTrue(cpu.contains("workers polling {causalcxr-cpu=3}"), cpu);
        String gpu = Files.readString(CLUSTER.logs.resolve("gpu-1.out"));
        assertTrue(gpu.contains("workers polling {causalcxr-gpu=1}"), gpu);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        // every process by its pid file, whatever happened above
        CLUSTER.stop();
    }

    @Test
    @Order(1)
    void aGpuWorkerKilledMidTrainingHandsTheStageToAnotherThatResumesFromItsCheckpointWithBitIdenticalResults()
            throws Exception {
        Path spec = DIR.resolve("failover.yaml");
        Files.writeString(spec, SPEC);

        Path out1 = DIR.resolve("run-1.out");
        Path summary1 = DIR.resolve("summary-1.json");
        Process run1 = CLUSTER.run(out1, spec, summary1);
        String victim;
        Instant killedAt;
        long lastSavedBeforeKill;
        try {
            victim = CLUSTER.awaitCheckpointingWorker("train-disentangler", run1, out1, Duration.ofMinutes(20));
            killedAt = Instant.now();
            CLUSTER.kill9(victim);
            lastSavedBeforeKill = lines(victim).stream()
                    .map(CHECKPOINT::matcher)
                    .filter(Matcher::find)
                    .mapToLong(m -> Long.parseLong(m.group(2)))
                    .max()
                    .orElseThrow();
            assertTrue(run1.waitFor(30, TimeUnit.MINUTES), "run 1 did not end: " + tail(out1, 30));
        } finally {
            run1.destroyForcibly();
        }
        assertEquals(0, run1.exitValue(), "run 1 failed: " + tail(out1, 60));
        JsonNode s1 = JSON.readTree(summary1.toFile());
        String runId = s1.get("run_id").asText();
        assertEquals("e2e-failover@1", s1.path("model").asText(), s1.toString());

        // the other GPU worker took the stage over: a new attempt, from the last checkpoint, not from step 0
        String survivor = victim.equals("gpu-1") ? "gpu-2" : "gpu-1";
        LogLine attempt = first(
                        survivor,
                        Pattern.compile(
                                "train-disentangler: attempt (\\d+) of run " + Pattern.quote(runId) + " started"))
                .orElseThrow(
                        () -> new AssertionError(survivor + " never started train-disentangler: " + tailLog(survivor)));
        assertTrue(Integer.parseInt(attempt.match().group(1)) >= 2, attempt.text());
        LogLine resumed = first(
                        survivor, Pattern.compile("train-disentangler: resuming from the checkpoint of step (\\d+)"))
                .orElseThrow(() -> new AssertionError(survivor + " did not resume: " + tailLog(survivor)));
        long resumedStep = Long.parseLong(resumed.match().group(1));
        assertTrue(
                resumedStep >= lastSavedBeforeKill && resumedStep > 0,
                "resumed from step " + resumedStep + ", the killed worker had saved step " + lastSavedBeforeKill);
        long nextSaved = lines(survivor).stream()
                .map(CHECKPOINT::matcher)
                .filter(Matcher::find)
                .filter(m -> m.group(1).equals("train-disentangler"))
                .mapToLong(m -> Long.parseLong(m.group(2)))
                .min()
                .orElseThrow(() -> new AssertionError(survivor + " saved no checkpoint: " + tailLog(survivor)));
        assertTrue(
                nextSaved > resumedStep,
                "the step counter continues: next checkpoint " + nextSaved + " after resuming at " + resumedStep);

        Duration timeout = StageActivityOptions.HEARTBEAT_TIMEOUT;
        Duration toAttempt = Duration.between(killedAt, attempt.time());
        Duration toResume = Duration.between(killedAt, resumed.time());
        String measured = String.format(
                Locale.ROOT,
                "fail-over after kill -9 of %s: next attempt started on %s after "
                        + "%.1f s, resumed from step %d after %.1f s (heartbeat timeout %d s; the killed worker had saved "
                        + "step %d)",
                victim,
                survivor,
                toAttempt.toMillis() / 1000.0,
                resumedStep,
                toResume.toMillis() / 1000.0,
                timeout.toSeconds(),
                lastSavedBeforeKill);
        log.info(measured);
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("killed_at", killedAt.toString());
        record.put("seconds_to_next_attempt", toAttempt.toMillis() / 1000.0);
        record.put("seconds_to_resume", toResume.toMillis() / 1000.0);
        record.put("heartbeat_timeout_seconds", timeout.toSeconds());
        record.put("resumed_step", resumedStep);
        record.put("last_saved_step_before_kill", lastSavedBeforeKill);
        JSON.writerWithDefaultPrettyPrinter()
                .writeValue(DIR.resolve("failover.json").toFile(), record);
        // detection is the heartbeat timeout; the rest is the retry back-off (2 s) and the next worker's pickup.
        // The seconds are recorded above, not asserted (a shared CI machine may be slow); what is asserted is
        // the regression this test exists for: a take-over that waits as long as the old 2-minute timeout
        assertTrue(timeout.compareTo(Duration.ofSeconds(30)) <= 0, "heartbeat timeout " + timeout);
        assertTrue(toAttempt.compareTo(Duration.ofMinutes(2)) < 0, measured);

        // the stage's time is its wall time over both attempts, and the attempts are counted: summary and status
        JsonNode trained = s1.at("/stages/train-disentangler");
        assertTrue(trained.path("attempts").asInt() >= 2, trained.toString());
        assertTrue(
                trained.path("seconds").asDouble() > toAttempt.toMillis() / 1000.0,
                "wall time includes the fail-over: " + trained);
        Path status = DIR.resolve("status.out");
        Process st = cli(status, "status", "--data-dir", DATA.toString(), runId);
        assertTrue(st.waitFor(5, TimeUnit.MINUTES));
        String line = Files.readAllLines(status).stream()
                .filter(l -> l.contains("train-disentangler"))
                .findFirst()
                .orElseThrow(() -> new AssertionError(tail(status, 20)));
        assertTrue(line.matches(".*succeeded\\s+attempt [2-9].*s wall \\(last attempt .*"), line);
        // and in MLflow: one child run per attempt, the killed one closed as FAILED by its successor
        Map<String, String> attempts = mlflowAttempts(s1.at("/tracking/mlflow").asText(), runId);
        assertEquals("FAILED", attempts.get("1"), attempts.toString());
        assertEquals("FINISHED", attempts.get(attempt.match().group(1)), attempts.toString());

        // the same spec from scratch, uninterrupted, on the same cluster: every output equal by digest
        Path out2 = DIR.resolve("run-2.out");
        Path summary2 = DIR.resolve("summary-2.json");
        Process run2 = CLUSTER.run(out2, spec, summary2, "--no-cache", "--verify-against", runId);
        try {
            assertTrue(run2.waitFor(30, TimeUnit.MINUTES), "run 2 did not end: " + tail(out2, 30));
        } finally {
            run2.destroyForcibly();
        }
        String verify = Files.readString(out2);
        assertEquals(0, run2.exitValue(), "the uninterrupted rerun differs or failed: " + tail(out2, 40));
        assertTrue(
                Pattern.compile("train-disentangler\\s+identical")
                        .matcher(verify)
                        .find(),
                verify);
        assertTrue(verify.contains("every stage's outputs are bit-identical to " + runId), verify);
        // same files, same version: one model version for both runs
        assertEquals(
                "e2e-failover@1", JSON.readTree(summary2.toFile()).path("model").asText());
        Path list = DIR.resolve("models.out");
        Process models = cli(list, "models", "list", "--data-dir", DATA.toString(), "e2e-failover");
        assertTrue(models.waitFor(5, TimeUnit.MINUTES));
        long versions = Files.readAllLines(list).stream()
                .filter(l -> l.startsWith("e2e-failover@"))
                .count();
        assertEquals(1, versions, Files.readString(list));
    }

    /** Long enough (several heartbeats) for {@code status} to catch the stage running; tiny networks. */
    private static final String ATTACH_SPEC = """
            name: e2e-attach
            seed: 13
            dataset: {studies: 120}
            run: [parse-reports, train-disentangler]
            stages:
              train-disentangler: {steps: 200, checkpoint_interval: 5, batch_size: 8, pairs_per_kind: 2, base_width: 4,
                                   id_channels: 4, path_dim: 4, head_hidden: 8, run_ablation: false, eval_pairs: 8,
                                   grid_identities: 2, grid_pathologies: 2}
            """;

    private static final Pattern LIVE = Pattern.compile("now: (\\S+) \\S+ +(\\d+)%");

    /**
     * Issue 18, test 4: the {@code run} client dies (SIGKILL) while its run trains; the workflow goes on on
     * the cluster's workers, {@code status RUN_ID} shows the running stage's heartbeat fraction, and
     * {@code run --attach RUN_ID} follows the run to its end and prints the summary {@code run} would have.
     */
    @Test
    @Order(2)
    void aRunWhoseClientIsKilledGoesOnAndStatusShowsItsProgressAndRunAttachFollowsItToTheSummary() throws Exception {
        Path spec = DIR.resolve("attach.yaml");
        Files.writeString(spec, ATTACH_SPEC);
        Path out = DIR.resolve("attach-client.out");
        Process client =
                cli(out, "run", "--data-dir", DATA.toString(), "--spec", spec.toString(), "--no-local-workers");
        String runId;
        try {
            runId = awaitLine(client, out, Pattern.compile("; run (\\S+) \\(spec"), Duration.ofMinutes(10));
            // the client dies once the stage is on a worker: no Ctrl-C hook runs, nothing cancels the run
            Pattern started =
                    Pattern.compile("train-disentangler: attempt \\d+ of run " + Pattern.quote(runId) + " started");
            long end = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            while (lines("gpu-1").stream().noneMatch(l -> started.matcher(l).find())
                    && lines("gpu-2").stream().noneMatch(l -> started.matcher(l).find())) {
                assertTrue(client.isAlive(), "the client ended before training began: " + tail(out, 30));
                assertTrue(System.nanoTime() < end, "train-disentangler never started: " + tail(out, 30));
                Thread.sleep(100);
            }
        } finally {
            client.destroyForcibly(); // kill -9
        }
        assertTrue(client.waitFor(30, TimeUnit.SECONDS));

        // status, with the client gone: the run is running, and the stage's fraction comes from its heartbeats
        double seenFraction = 0;
        String seen = "";
        int polls = 0;
        for (; polls < 40 && seenFraction == 0; polls++) {
            Path st = DIR.resolve("attach-status-" + polls + ".out");
            Process status = cli(st, "status", "--data-dir", DATA.toString(), runId);
            assertTrue(status.waitFor(5, TimeUnit.MINUTES));
            seen = Files.readString(st);
            if (!seen.contains(": running")) {
                break; // ended between polls: asserted below
            }
            Matcher m = LIVE.matcher(seen);
            if (m.find() && m.group(1).equals("train-disentangler")) {
                seenFraction = Integer.parseInt(m.group(2)) / 100.0;
            }
        }
        assertTrue(
                seenFraction > 0,
                "status never showed train-disentangler's live fraction while it ran (" + polls + " polls): " + seen);
        log.info("status of the client-less run after {} poll(s): {}", polls, seenFraction);

        // attach: follows the workflow to its end (it may already be over) and prints the summary run prints
        Path attached = DIR.resolve("attach.out");
        Path summary = DIR.resolve("summary-attach.json");
        Process attach = cli(
                attached,
                "run",
                "--data-dir",
                DATA.toString(),
                "--attach",
                runId,
                "--no-local-workers",
                "--summary-json",
                summary.toString());
        try {
            assertTrue(attach.waitFor(20, TimeUnit.MINUTES), "attach did not end: " + tail(attached, 30));
        } finally {
            attach.destroyForcibly();
        }
        String text = Files.readString(attached);
        assertEquals(0, attach.exitValue(), "attach failed: " + tail(attached, 40));
        assertTrue(text.contains("attached to run " + runId), text);
        assertTrue(
                Pattern.compile("run " + Pattern.quote(runId) + ": succeeded in [0-9.]+ s")
                        .matcher(text)
                        .find(),
                text);
        assertTrue(
                Pattern.compile("train-disentangler\\s+succeeded\\s+-\\s+[0-9.]+\\s+1")
                        .matcher(text)
                        .find(),
                text);
        JsonNode s = JSON.readTree(summary.toFile());
        assertEquals(runId, s.path("run_id").asText());
        assertEquals("succeeded", s.path("status").asText());
        JsonNode trained = s.at("/stages/train-disentangler");
        assertEquals("succeeded", trained.path("status").asText(), s.toString());
        assertEquals(1, trained.path("attempts").asInt(), s.toString());
        assertTrue(trained.path("seconds").asDouble() > 0, s.toString());
        assertTrue(s.at("/metrics").size() > 0, s.toString());
        // a second attach to the finished run prints the same summary again
        Path again = DIR.resolve("attach-again.out");
        Process attach2 = cli(again, "run", "--data-dir", DATA.toString(), "--attach", runId, "--no-local-workers");
        assertTrue(attach2.waitFor(10, TimeUnit.MINUTES), tail(again, 30));
        assertEquals(0, attach2.exitValue(), tail(again, 30));
        assertEquals(summaryLines(text), summaryLines(Files.readString(again)));
    }

    /** The summary's stage table and metrics: what follows the "run ID: STATUS in N s" line, less that line. */
    private static List<String> summaryLines(String out) {
        List<String> all = List.of(out.split("\\R"));
        int start = 0;
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).matches("run \\S+: \\w+ in .*")) {
                start = i + 1;
            }
        }
        return all.subList(start, all.size()).stream()
                // the table and metrics are indented; log lines and the MLflow address are not compared
                .filter(l -> l.startsWith("  ") && !l.startsWith("  this embedded") && !l.startsWith("  ./causalcxr"))
                .toList();
    }

    private static String awaitLine(Process p, Path out, Pattern line, Duration limit) throws Exception {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            if (Files.exists(out)) {
                Matcher m = line.matcher(Files.readString(out));
                if (m.find()) {
                    return m.group(1);
                }
            }
            assertTrue(p.isAlive(), "ended before printing " + line + ": " + tail(out, 30));
            Thread.sleep(100);
        }
        throw new AssertionError("no " + line + " within " + limit + ": " + tail(out, 30));
    }

    /** Attempt number → MLflow status of the train-disentangler child runs of one pipeline run. */
    private static Map<String, String> mlflowAttempts(String mlflow, String runId) throws Exception {
        Map<String, String> byAttempt = new java.util.TreeMap<>();
        for (JsonNode r : LocalClusterFixture.mlflowRuns(
                mlflow,
                "e2e-failover",
                "tags.`causalcxr.pipeline_run` = '" + runId + "' and tags.`causalcxr.stage` = 'train-disentangler'")) {
            String attempt = LocalClusterFixture.tag(r, "causalcxr.attempt");
            if (attempt != null) {
                byAttempt.put(attempt, r.at("/info/status").asText());
            }
        }
        return byAttempt;
    }

    private static final Pattern CHECKPOINT = Pattern.compile("([a-z-]+): checkpoint of step (\\d+) saved");

    private record LogLine(Instant time, String text, Matcher match) {}

    private static Optional<LogLine> first(String worker, Pattern p) throws IOException {
        for (String l : lines(worker)) {
            Matcher m = p.matcher(l);
            if (m.find()) {
                Instant t = LocalDateTime.parse(l.substring(0, 23), LOG_TIME)
                        .atZone(ZoneId.systemDefault())
                        .toInstant();
                return Optional.of(new LogLine(t, l, m));
            }
        }
        return Optional.empty();
    }

    private static List<String> lines(String worker) throws IOException {
        return CLUSTER.lines(worker);
    }

    private static String tailLog(String worker) {
        return CLUSTER.tailLog(worker);
    }

    private static Process cli(Path out, String... args) throws IOException {
        return CLUSTER.cli(out, args);
    }

    private static String tail(Path f, int n) {
        return LocalClusterFixture.tail(f, n);
    }
}
