package dev.causalcxr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.cli.serve.CounterfactualPageE2ETest;
import dev.causalcxr.core.spec.StageName;
import dev.causalcxr.infra.temporal.TemporalConnection;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What operators do to a running local cluster (two GPU workers, one CPU worker): restart the Temporal server
 * while a stage trains, and run two pipelines at once on the same services.
 */
@Tag("e2e")
class ClusterOperationsE2ETest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger log = LoggerFactory.getLogger(ClusterOperationsE2ETest.class);
    private static final LocalClusterFixture CLUSTER =
            new LocalClusterFixture(Path.of("target", "e2e-cluster-operations").toAbsolutePath(), Map.of());
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
        assertEquals(0, CLUSTER.start(2, 1, "--ui"), "docker/local-cluster start failed: " + CLUSTER.startOutput());
    }

    @AfterAll
    static void stopCluster() throws Exception {
        CLUSTER.stop();
    }

    /**
     * The Temporal server is stopped and started again (same port, same database file) while a stage trains: the
     * run in flight, its workers and its client all carry on, and the run completes and registers its model.
     */
    @Test
    void aRunInFlightCompletesWhenTheTemporalServerRestartsMidStage() throws Exception {
        Path spec = CLUSTER.dir.resolve("restart.yaml");
        Files.writeString(spec, SPEC);
        Path out = CLUSTER.dir.resolve("run.out");
        Path summary = CLUSTER.dir.resolve("summary.json");
        Process run = CLUSTER.run(out, spec, summary);
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
        log.info(
                "Temporal restarted {} after the first checkpoint; the run ended {} later",
                restartedAt,
                Duration.between(restartedAt, Instant.now()));
        assertEquals(0, run.exitValue(), "the run failed across the restart: " + LocalClusterFixture.tail(out, 60));
        JsonNode s = JSON.readTree(summary.toFile());
        assertEquals("succeeded", s.path("status").asText(), s.toString());
        assertEquals("e2e-temporal-restart@1", s.path("model").asText(), s.toString());
        for (String stage : new String[] {"ingest", "parse-reports", "train-disentangler", "train-diffusion"}) {
            assertEquals("succeeded", s.at("/stages/" + stage + "/status").asText(), stage + ": " + s);
        }
        assertTrue(Files.exists(CLUSTER.logs.resolve("temporal.out.1")), "the server really was restarted");
        // the workflow's history outlived the server process: the restarted server has all of it, from its file
        try (TemporalConnection temporal = TemporalConnection.connect(CLUSTER.temporalAddress(), "default")) {
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

    /**
     * Two pipelines with the same data, stages and seed, under two names, started at the same moment: both
     * complete, every stage's outputs are computed once (the later attempt waits for the earlier one's claim or
     * finds its outputs in the cache), and each name has its own model version and MLflow experiment.
     */
    @Test
    void twoPipelinesAtOnceShareTheirStagesAndKeepTheirOwnModelsAndRuns() throws Exception {
        List<Process> runs = new ArrayList<>();
        List<Path> outs = new ArrayList<>();
        List<Path> summaries = new ArrayList<>();
        try {
            for (String name : List.of("e2e-pair-a", "e2e-pair-b")) {
                Path spec = CLUSTER.dir.resolve(name + ".yaml");
                Files.writeString(
                        spec,
                        SPEC.replace("name: e2e-temporal-restart", "name: " + name)
                                .replace("seed: 17", "seed: 23"));
                Path out = CLUSTER.dir.resolve(name + ".out");
                Path summary = CLUSTER.dir.resolve(name + ".json");
                outs.add(out);
                summaries.add(summary);
                runs.add(CLUSTER.run(out, spec, summary));
            }
            for (int i = 0; i < 2; i++) {
                assertTrue(
                        runs.get(i).waitFor(30, TimeUnit.MINUTES),
                        "run " + i + " did not end: " + LocalClusterFixture.tail(outs.get(i), 30));
                assertEquals(
                        0,
                        runs.get(i).exitValue(),
                        "run " + i + " failed: " + LocalClusterFixture.tail(outs.get(i), 60));
            }
        } finally {
            runs.forEach(Process::destroyForcibly);
        }
        JsonNode a = JSON.readTree(summaries.get(0).toFile());
        JsonNode b = JSON.readTree(summaries.get(1).toFile());
        assertEquals("e2e-pair-a@1", a.path("model").asText(), a.toString());
        assertEquals("e2e-pair-b@1", b.path("model").asText(), b.toString());
        for (String stage : new String[] {"ingest", "parse-reports", "train-disentangler", "train-diffusion"}) {
            JsonNode sa = a.at("/stages/" + stage);
            JsonNode sb = b.at("/stages/" + stage);
            assertEquals(sa.path("manifest").asText(), sb.path("manifest").asText(), stage + ": the same outputs");
            assertEquals(
                    1,
                    (sa.path("cache_hit").asBoolean() ? 0 : 1)
                            + (sb.path("cache_hit").asBoolean() ? 0 : 1),
                    stage + " computed once: " + sa + " / " + sb);
        }
        long waits = 0;
        for (String w : List.of("gpu-1", "gpu-2", "cpu-1")) {
            waits += CLUSTER.lines(w).stream()
                    .filter(l -> l.contains("another attempt is computing the same outputs"))
                    .count();
        }
        log.info("two pipelines at once: {} attempt(s) waited for the other's computation", waits);
        // no cross-talk: each name lists its own single version
        for (String name : List.of("e2e-pair-a", "e2e-pair-b")) {
            Path list = CLUSTER.dir.resolve(name + "-models.out");
            Process models = CLUSTER.cli(list, "models", "list", "--data-dir", CLUSTER.data.toString(), name);
            assertTrue(models.waitFor(5, TimeUnit.MINUTES));
            List<String> versions = Files.readAllLines(list).stream()
                    .filter(l -> l.startsWith("e2e-pair-"))
                    .toList();
            assertEquals(1, versions.size(), Files.readString(list));
            assertTrue(versions.get(0).startsWith(name + "@1"), versions.toString());
        }
        assertEquals(
                List.of(a.path("run_id").asText()),
                mlflowPipelineRuns(a.at("/tracking/mlflow").asText(), "e2e-pair-a"),
                "experiment e2e-pair-a holds its own pipeline run only");
        assertEquals(
                List.of(b.path("run_id").asText()),
                mlflowPipelineRuns(b.at("/tracking/mlflow").asText(), "e2e-pair-b"),
                "experiment e2e-pair-b holds its own pipeline run only");
    }

    /**
     * The tail-noise fan-out over two GPU workers runs concurrently: in the real server's workflow history, the
     * per-class activities started on two different workers, and their intervals (started to completed)
     * overlap.
     */
    @Test
    void theTailNoiseFanOutRunsOnTwoGpuWorkersAtOnce() throws Exception {
        Path spec = CLUSTER.dir.resolve("fan-out.yaml");
        Files.writeString(spec, """
                name: e2e-fan-out
                seed: 29
                dataset: {studies: 240}
                tail_frequency: 0.08
                run: [parse-reports, train-disentangler, train-diffusion, optimize-tail-noise]
                stages:
                  train-disentangler: {steps: 20, batch_size: 8, pairs_per_kind: 2, base_width: 4, id_channels: 4,
                                       path_dim: 4, head_hidden: 8, run_ablation: false, eval_pairs: 8,
                                       grid_identities: 2, grid_pathologies: 2}
                  train-diffusion: {train_steps: 60, hidden: 32, blocks: 1, condition_dim: 8, batch_size: 64,
                                    log_interval: 20}
                  optimize-tail-noise: {iterations: 40, batch_size: 8, evaluation_samples: 8,
                                        comparison_samples: 16, checkpoint_interval: 10}
                """);
        Path out = CLUSTER.dir.resolve("fan-out.out");
        Path summary = CLUSTER.dir.resolve("fan-out.json");
        Process run = CLUSTER.run(out, spec, summary);
        try {
            assertTrue(run.waitFor(30, TimeUnit.MINUTES), "the run did not end: " + LocalClusterFixture.tail(out, 30));
        } finally {
            run.destroyForcibly();
        }
        assertEquals(0, run.exitValue(), "the run failed: " + LocalClusterFixture.tail(out, 60));
        JsonNode s = JSON.readTree(summary.toFile());
        assertTrue(s.at("/metrics/tail_classes").asInt() >= 2, "at least two tail classes: " + s.path("metrics"));

        record Interval(String worker, long start, long end) {}
        List<Interval> intervals = new ArrayList<>();
        try (TemporalConnection temporal = TemporalConnection.connect(CLUSTER.temporalAddress(), "default")) {
            Map<Long, String> typeBySchedule = new java.util.HashMap<>();
            Map<Long, HistoryEvent> startBySchedule = new java.util.HashMap<>();
            for (HistoryEvent e :
                    temporal.client().fetchHistory(s.path("run_id").asText()).getEvents()) {
                switch (e.getEventType()) {
                    case EVENT_TYPE_ACTIVITY_TASK_SCHEDULED ->
                        typeBySchedule.put(
                                e.getEventId(),
                                e.getActivityTaskScheduledEventAttributes()
                                        .getActivityType()
                                        .getName());
                    case EVENT_TYPE_ACTIVITY_TASK_STARTED ->
                        startBySchedule.put(
                                e.getActivityTaskStartedEventAttributes().getScheduledEventId(), e);
                    case EVENT_TYPE_ACTIVITY_TASK_COMPLETED -> {
                        long scheduled =
                                e.getActivityTaskCompletedEventAttributes().getScheduledEventId();
                        if ((StageName.Labels.OPTIMIZE_TAIL_NOISE + "-class").equals(typeBySchedule.get(scheduled))) {
                            HistoryEvent started = startBySchedule.get(scheduled);
                            intervals.add(new Interval(
                                    started.getActivityTaskStartedEventAttributes()
                                            .getIdentity(),
                                    millis(started.getEventTime()),
                                    millis(e.getEventTime())));
                        }
                    }
                    default -> {}
                }
            }
        }
        assertEquals(s.at("/metrics/tail_classes").asInt(), intervals.size(), intervals.toString());
        boolean overlapOnTwoWorkers = false;
        for (Interval x : intervals) {
            for (Interval y : intervals) {
                overlapOnTwoWorkers |= !x.worker().equals(y.worker()) && x.start() < y.end() && y.start() < x.end();
            }
        }
        log.info("tail-noise fan-out intervals (worker, start, end ms): {}", intervals);
        assertTrue(overlapOnTwoWorkers, "per-class activities overlap on two workers: " + intervals);

        // the dev server's web UI tells what ran where: the activities' summaries name stage, spec and run
        String address = CLUSTER.temporalAddress();
        int uiPort = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1)) + 1000;
        WebDriver browser = CounterfactualPageE2ETest.chromium();
        try {
            browser.get("http://127.0.0.1:" + uiPort + "/namespaces/default/workflows/"
                    + s.path("run_id").asText());
            String shown = " · e2e-fan-out (spec ";
            long end = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (!browser.getPageSource().contains(shown) && System.nanoTime() < end) {
                Thread.sleep(500);
            }
            Files.write(
                    CLUSTER.dir.resolve("temporal-ui.png"),
                    ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
            assertTrue(browser.getPageSource().contains(shown), "the UI shows the activities' summaries");
        } finally {
            browser.quit();
        }
    }

    /**
     * A 100-stage empty pipeline through the real Temporal server (bench/cluster's throughput figure): a bench
     * worker in its own JVM runs empty stages with the product's stage and worker options ({@link
     * EmptyPipelineBench}); all 100 run, in order, each once, on that worker. Throughput and per-stage latencies
     * (from the server's history) are logged and written to {@code throughput.json}, not asserted.
     */
    @Test
    void aHundredEmptyStagesRunInOrderThroughTheRealServer() throws Exception {
        String queue = "bench-empty-stages";
        Path workerOut = CLUSTER.dir.resolve("bench-worker.out");
        Process worker = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx512m",
                        "-Dlogback.configurationFile=logback.xml",
                        "-Dcausalcxr.log.file=" + CLUSTER.dir.resolve("bench-worker.log"),
                        "-cp",
                        System.getProperty("java.class.path"),
                        EmptyPipelineBench.class.getName(),
                        CLUSTER.temporalAddress(),
                        queue)
                .redirectErrorStream(true)
                .redirectOutput(workerOut.toFile())
                .start();
        Map<String, Object> result = new java.util.LinkedHashMap<>();
        try (TemporalConnection temporal = TemporalConnection.connect(CLUSTER.temporalAddress(), "default")) {
            long end = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (!Files.readString(workerOut).contains("bench worker polling")) {
                assertTrue(worker.isAlive(), "the bench worker died: " + Files.readString(workerOut));
                assertTrue(System.nanoTime() < end, "the bench worker did not start");
                Thread.sleep(100);
            }
            // a short warm-up run first (class loading, JIT, sticky cache), then the measured one
            for (int stages : new int[] {10, 100}) {
                String id = "bench-empty-" + stages + "-" + java.util.UUID.randomUUID();
                EmptyPipelineBench.EmptyPipeline pipeline = temporal.client()
                        .newWorkflowStub(
                                EmptyPipelineBench.EmptyPipeline.class,
                                io.temporal.client.WorkflowOptions.newBuilder()
                                        .setTaskQueue(queue)
                                        .setWorkflowId(id)
                                        .setWorkflowExecutionTimeout(Duration.ofMinutes(10))
                                        .build());
                List<Integer> answers = pipeline.run(stages, queue);
                assertEquals(java.util.stream.IntStream.range(0, stages).boxed().toList(), answers);
                if (stages != 100) {
                    continue;
                }
                List<HistoryEvent> events = temporal.client().fetchHistory(id).getEvents();
                Map<Long, Long> scheduledAt = new java.util.HashMap<>();
                Map<Long, Long> startedAt = new java.util.HashMap<>();
                List<Long> dispatch = new ArrayList<>(); // scheduled -> started: the server hands the task out
                List<Long> execution = new ArrayList<>(); // started -> completed: the worker runs it and reports
                List<Long> cycle = new ArrayList<>(); // completed -> next scheduled: a workflow task decides
                java.util.Set<String> identities = new java.util.TreeSet<>();
                long lastCompleted = -1;
                int completed = 0;
                for (HistoryEvent e : events) {
                    long t = millis(e.getEventTime());
                    switch (e.getEventType()) {
                        case EVENT_TYPE_ACTIVITY_TASK_SCHEDULED -> {
                            scheduledAt.put(e.getEventId(), t);
                            if (lastCompleted >= 0) {
                                cycle.add(t - lastCompleted);
                            }
                        }
                        case EVENT_TYPE_ACTIVITY_TASK_STARTED -> {
                            long scheduled =
                                    e.getActivityTaskStartedEventAttributes().getScheduledEventId();
                            startedAt.put(scheduled, t);
                            dispatch.add(t - scheduledAt.get(scheduled));
                            identities.add(
                                    e.getActivityTaskStartedEventAttributes().getIdentity());
                            assertEquals(
                                    1,
                                    e.getActivityTaskStartedEventAttributes().getAttempt(),
                                    "every empty stage ran once");
                        }
                        case EVENT_TYPE_ACTIVITY_TASK_COMPLETED -> {
                            completed++;
                            lastCompleted = t;
                            execution.add(t
                                    - startedAt.get(e.getActivityTaskCompletedEventAttributes()
                                            .getScheduledEventId()));
                        }
                        default -> {}
                    }
                }
                assertEquals(100, completed, "100 stages completed");
                assertEquals(1, identities.size(), "all on the bench worker: " + identities);
                long wallMs = millis(events.get(events.size() - 1).getEventTime())
                        - millis(events.get(0).getEventTime());
                result.put("stages", 100);
                result.put("workflow_wall_ms", wallMs);
                result.put("stages_per_second", Math.round(100_000.0 / wallMs * 10) / 10.0);
                result.put("per_stage_ms", wallMs / 100.0);
                result.put("dispatch_ms_median", median(dispatch));
                result.put("dispatch_ms_p95", percentile(dispatch, 95));
                result.put("started_to_completed_ms_median", median(execution));
                result.put("started_to_completed_ms_p95", percentile(execution, 95));
                result.put("completed_to_next_scheduled_ms_median", median(cycle));
                result.put("completed_to_next_scheduled_ms_p95", percentile(cycle, 95));
                result.put("history_events", events.size());
                result.put(
                        "load_average",
                        Files.readString(Path.of("/proc/loadavg")).trim());
            }
        } finally {
            worker.destroyForcibly();
        }
        Files.writeString(CLUSTER.dir.resolve("throughput.json"), JSON.writeValueAsString(result));
        log.info("100-stage empty pipeline through the real Temporal server: {}", result);
    }

    private static long median(List<Long> values) {
        return percentile(values, 50);
    }

    private static long percentile(List<Long> values, int p) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static long millis(com.google.protobuf.Timestamp t) {
        return t.getSeconds() * 1000 + t.getNanos() / 1_000_000;
    }

    /** The pipeline run ids whose MLflow runs are in the experiment {@code causalcxr/NAME}. */
    private static List<String> mlflowPipelineRuns(String mlflow, String name) throws Exception {
        java.util.TreeSet<String> pipelineRuns = new java.util.TreeSet<>();
        for (JsonNode r : LocalClusterFixture.mlflowRuns(mlflow, name, "")) {
            String run = LocalClusterFixture.tag(r, "causalcxr.pipeline_run");
            if (run != null) {
                pipelineRuns.add(run);
            }
        }
        return List.copyOf(pipelineRuns);
    }
}
