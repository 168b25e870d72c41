package dev.causalcxr.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.infra.tracking.MlflowTestSupport;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code docker/local-cluster} for a test: its data folder, the script run with this build's classes, the
 * CLI as another process, and the processes' logs.
 */
final class LocalClusterFixture {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger log = LoggerFactory.getLogger(LocalClusterFixture.class);
    /** Surefire runs in cli/; the script lives in the repository's docker/. */
    static final Path REPO = Path.of("").toAbsolutePath().getParent();

    final Path dir;
    final Path data;
    final Path logs;
    private final Map<String, String> env;

    /** A cluster whose files live in {@code dir/data}; {@code env} reaches every process it starts. */
    LocalClusterFixture(Path dir, Map<String, String> env) {
        this.dir = dir;
        this.data = dir.resolve("data");
        this.logs = data.resolve("cluster");
        this.env = Map.copyOf(env);
    }

    /** Stops what an aborted earlier run left, empties the folder and starts the cluster. */
    int start(int gpuWorkers, int cpuWorkers, String... more) throws Exception {
        if (Files.isDirectory(logs)) {
            run(Duration.ofMinutes(5), "stop", data.toString());
        }
        deleteTree(dir);
        Files.createDirectories(dir);
        // the first start on a machine builds the Temporal CLI with `go install` (minutes)
        List<String> args = new ArrayList<>(List.of(
                "start",
                data.toString(),
                "--gpu-workers",
                Integer.toString(gpuWorkers),
                "--cpu-workers",
                Integer.toString(cpuWorkers)));
        args.addAll(List.of(more));
        return run(Duration.ofMinutes(40), args.toArray(String[]::new));
    }

    /** Every process, by its pid file. */
    void stop() throws Exception {
        run(Duration.ofMinutes(5), "stop", data.toString());
    }

    /** {@code docker/local-cluster restart-temporal}: the same port and database file. */
    int restartTemporal() throws Exception {
        return run(Duration.ofMinutes(5), "restart-temporal", data.toString());
    }

    /**
     * {@code docker/local-cluster outage}: the stack's embedded {@code service} ({@code s3} or {@code postgres}) down
     * for {@code seconds}, then back on its port with its data. Returns when it is back; its output is in
     * {@code cluster-outage-SERVICE.out}.
     */
    int outage(String service, int seconds) throws Exception {
        return run(
                Duration.ofSeconds(seconds + 180L),
                "outage-" + service,
                List.of("outage", data.toString(), service, Integer.toString(seconds)));
    }

    String startOutput() {
        return tail(dir.resolve("cluster-start.out"), 40);
    }

    /** The CLI from this build's classes, as the cluster's processes run it, console output into {@code out}. */
    Process cli(Path out, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g",
                "-Dai.djl.offline=true",
                "-Dlogback.configurationFile=logback.xml",
                "-Dcausalcxr.log.file=" + out.resolveSibling(out.getFileName() + ".log"),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    /**
     * {@code causalcxr run --no-local-workers} of {@code spec} on this cluster, its console into {@code out}, its
     * summary into {@code summary}; {@code more} are further options ({@code --no-cache}, …).
     */
    Process run(Path out, Path spec, Path summary, String... more) throws IOException {
        List<String> args = new ArrayList<>(List.of(
                "run",
                "--data-dir",
                data.toString(),
                "--spec",
                spec.toString(),
                "--no-local-workers",
                "--summary-json",
                summary.toString()));
        args.addAll(List.of(more));
        return cli(out, args.toArray(String[]::new));
    }

    /** The connection environment the cluster's stack published (S3, PostgreSQL, MLflow, Temporal). */
    Map<String, String> stackEnvironment() {
        return RunningStack.find(data).orElseThrow(() -> new AssertionError("no running stack for " + data));
    }

    /** The Temporal server's address ({@code host:port}). */
    String temporalAddress() {
        return stackEnvironment().get("TEMPORAL_ADDRESS");
    }

    /** The MLflow runs of experiment {@code causalcxr/NAME} that match {@code filter} (MLflow's search syntax). */
    static JsonNode mlflowRuns(String mlflow, String name, String filter) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        JsonNode experiment = JSON.readTree(http.send(
                        HttpRequest.newBuilder(URI.create(mlflow
                                        + "/api/2.0/mlflow/experiments/get-by-name?experiment_name=causalcxr/" + name))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body());
        Map<String, Object> search = new java.util.LinkedHashMap<>();
        search.put(
                "experiment_ids",
                List.of(experiment.at("/experiment/experiment_id").asText()));
        search.put("filter", filter);
        search.put("max_results", 1000);
        return JSON.readTree(http.send(
                                HttpRequest.newBuilder(URI.create(mlflow + "/api/2.0/mlflow/runs/search"))
                                        .header("Content-Type", "application/json")
                                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(search)))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body())
                .path("runs");
    }

    /** The value of an MLflow run's tag, or null. */
    static String tag(JsonNode run, String key) {
        for (JsonNode t : run.at("/data/tags")) {
            if (t.path("key").asText().equals(key)) {
                return t.path("value").asText();
            }
        }
        return null;
    }

    /** The log lines of one cluster process ({@code gpu-1}, {@code cpu-1}, {@code stack}, …). */
    List<String> lines(String process) throws IOException {
        Path f = logs.resolve(process + ".log");
        return Files.exists(f) ? Files.readAllLines(f, StandardCharsets.UTF_8) : List.of();
    }

    /** The newest lines of a process's log. */
    String tailLog(String process) {
        return tail(logs.resolve(process + ".log"), 30);
    }

    /** The GPU worker whose log first shows a saved checkpoint of {@code stage}. */
    String awaitCheckpointingWorker(String stage, Process run, Path runOut, Duration limit) throws Exception {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            for (String w : List.of("gpu-1", "gpu-2")) {
                if (lines(w).stream().anyMatch(l -> l.contains(stage + ": checkpoint of step "))) {
                    return w;
                }
            }
            if (!run.isAlive()) {
                throw new AssertionError("the run ended before a " + stage + " checkpoint: " + tail(runOut, 60));
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no " + stage + " checkpoint within " + limit + ": " + tail(runOut, 30));
    }

    /** Waits until a line of a cluster process's log contains {@code text}; fails when the run ends first. */
    void awaitLogLine(String process, String text, Process run, Path runOut, Duration limit) throws Exception {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            if (lines(process).stream().anyMatch(l -> l.contains(text))) {
                return;
            }
            if (!run.isAlive()) {
                throw new AssertionError("the run ended before '" + text + "' in " + process + ": " + tail(runOut, 60));
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no '" + text + "' in " + process + " within " + limit + ": " + tail(runOut, 30));
    }

    /** Kills a cluster process with SIGKILL and waits until it is gone. */
    void kill9(String process) throws Exception {
        long pid =
                Long.parseLong(Files.readString(logs.resolve(process + ".pid")).trim());
        ProcessHandle p = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError(process + " is not running"));
        if (!p.destroyForcibly()) {
            throw new AssertionError("SIGKILL " + process);
        }
        p.onExit().get(30, TimeUnit.SECONDS);
    }

    private int run(Duration limit, String... args) throws Exception {
        return run(limit, args[0], List.of(args));
    }

    /** The script with {@code args}; its output into {@code cluster-NAME.out}. */
    private int run(Duration limit, String name, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(
                List.of("bash", REPO.resolve("docker/local-cluster").toString()));
        cmd.addAll(args);
        Path out = dir.resolve("cluster-" + name + ".out");
        Files.createDirectories(dir);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
        Map<String, String> e = pb.environment();
        e.putAll(env);
        e.put("CAUSALCXR_CLASSPATH", System.getProperty("java.class.path"));
        e.put("JAVA_HOME", System.getProperty("java.home"));
        e.put("CAUSALCXR_JAVA_OPTS", "-Xmx2g");
        e.put("CAUSALCXR_MLFLOW_VENV", MlflowTestSupport.sharedVenv().toString());
        Process p = pb.start();
        if (!p.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(
                    "docker/local-cluster " + name + " took longer than " + limit + ": " + tail(out, 30));
        }
        log.info("docker/local-cluster {}:\n{}", name, Files.readString(out));
        return p.exitValue();
    }

    static String tail(Path f, int n) {
        try {
            List<String> l = Files.readAllLines(f, StandardCharsets.UTF_8);
            return "\n" + String.join("\n", l.subList(Math.max(0, l.size() - n), l.size()));
        } catch (IOException e) {
            return "(" + f + " unreadable: " + e.getMessage() + ")";
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
