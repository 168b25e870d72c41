package dev.causalcxr.infra.tracking;

import dev.causalcxr.core.files.Digests;
import dev.causalcxr.infra.metadata.DbEndpoint;
import dev.causalcxr.infra.objectstore.S3Endpoint;
import java.io.IOException;
import java.net.ServerSocket;
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
 * A local MLflow tracking server run as a child process from a virtualenv that is installed on first
 * use. Its backend store is a database in the embedded PostgreSQL and its artifacts go to the
 * embedded S3 bucket: the production topology on loopback.
 */
public final class MlflowServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MlflowServer.class);
    /** The pinned server version; the Java client 2.17 speaks the REST API it still serves. */
    public static final String MLFLOW_VERSION = "3.17.2";

    private final Process process;
    private final String url;
    /** Ends the child process when the JVM exits without closing us (Ctrl-C, SIGTERM). */
    private final Thread exitHook;

    private MlflowServer(Process process, String url) {
        this.process = process;
        this.url = url;
        this.exitHook = new Thread(this::stopProcess, "mlflow-server-stop");
        Runtime.getRuntime().addShutdownHook(exitHook);
    }

    /** Where artifacts go: straight to S3 ({@code s3://} URIs), or proxied by the server. */
    public enum ArtifactMode {
        S3_DIRECT,
        SERVER_PROXY
    }

    /** The python3 on PATH, when it can make virtualenvs; otherwise an explanation. */
    public static String findPython() throws MlflowUnavailableException {
        for (String candidate : List.of("python3", "/usr/bin/python3")) {
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import venv, sys; print(sys.version_info[0])")
                        .redirectErrorStream(true)
                        .start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 && out.equals("3")) {
                    return candidate;
                }
            } catch (IOException e) {
                // try the next candidate
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MlflowUnavailableException("interrupted while looking for Python 3");
            }
        }
        throw new MlflowUnavailableException("no Python 3 with the venv module on PATH");
    }

    /**
     * The server's Python packages, every one pinned to an exact version: the lock file shipped beside
     * this class ({@code mlflow-requirements.txt}), so that an install today and one next year get the
     * same server (and no newer, untested dependency reaches the database password or the bucket keys).
     */
    static String requirements() {
        try (var in = MlflowServer.class.getResourceAsStream("mlflow-requirements.txt")) {
            if (in == null) {
                throw new IllegalStateException("mlflow-requirements.txt is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read mlflow-requirements.txt", e);
        }
    }

    /**
     * Creates the virtualenv and installs the pinned requirements into it unless already done. The
     * marker file names the lock file's digest and is written last, so an interrupted install, or one
     * from another lock file, is redone (with {@code --clear}) next time.
     */
    public static Path ensureInstalled(Path venvDir) throws MlflowUnavailableException {
        String requirements = requirements();
        String lockDigest = Digests.sha256Hex(requirements.getBytes(StandardCharsets.UTF_8));
        Path marker = venvDir.resolve(".causalcxr-mlflow-" + MLFLOW_VERSION);
        Path mlflowBin = venvDir.resolve("bin/mlflow");
        try {
            if (Files.exists(marker)
                    && Files.readString(marker).trim().equals(lockDigest)
                    && Files.isExecutable(mlflowBin)) {
                return mlflowBin;
            }
        } catch (IOException e) {
            // unreadable marker: install again
        }
        String python = findPython();
        log.info("installing MLflow {} and its pinned dependencies into {} (first use only)", MLFLOW_VERSION, venvDir);
        run(List.of(python, "-m", "venv", "--clear", venvDir.toString()), venvDir.getParent(), Duration.ofMinutes(3));
        Path lockFile = venvDir.resolve("requirements.txt");
        try {
            Files.writeString(lockFile, requirements);
        } catch (IOException e) {
            throw new MlflowUnavailableException("cannot write " + lockFile + ": " + e.getMessage());
        }
        run(
                List.of(
                        venvDir.resolve("bin/pip").toString(),
                        "install",
                        "--disable-pip-version-check",
                        "-q",
                        "-r",
                        lockFile.toString()),
                venvDir.getParent(),
                Duration.ofMinutes(15));
        try {
            Files.writeString(marker, lockDigest);
        } catch (IOException e) {
            throw new MlflowUnavailableException("cannot write " + marker + ": " + e.getMessage());
        }
        return mlflowBin;
    }

    private static void run(List<String> cmd, Path dir, Duration timeout) throws MlflowUnavailableException {
        try {
            Files.createDirectories(dir);
            Path logFile = dir.resolve("install.log");
            Process p = new ProcessBuilder(cmd)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
            if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new MlflowUnavailableException(
                        cmd.get(0) + " timed out after " + timeout.toMinutes() + " min (see " + logFile + ")");
            }
            if (p.exitValue() != 0) {
                throw new MlflowUnavailableException("`" + String.join(" ", cmd.subList(0, Math.min(3, cmd.size())))
                        + " …` failed with exit " + p.exitValue() + " (offline? see " + logFile + ")");
            }
        } catch (IOException e) {
            throw new MlflowUnavailableException("cannot run " + cmd.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MlflowUnavailableException("interrupted while installing MLflow");
        }
    }

    /**
     * Starts the server on a free loopback port and waits until it answers {@code /health}.
     * {@code backend} must name a database that exists (the caller creates it).
     */
    public static MlflowServer start(Path mlflowBin, Path workDir, DbEndpoint backend, S3Endpoint s3, ArtifactMode mode)
            throws MlflowUnavailableException {
        int port = freePort();
        URI pg = backend.hostUri();
        String backendUri = "postgresql+psycopg2://" + backend.user() + ":" + backend.password() + "@" + pg.getHost()
                + ":" + pg.getPort() + pg.getPath();
        String artifactRoot = "s3://" + s3.bucket() + "/mlflow";
        // the database URI (with its password) goes by environment: a command line is visible to every
        // user of the machine in `ps`
        List<String> cmd = new ArrayList<>(List.of(
                mlflowBin.toString(),
                "server",
                "--host",
                "127.0.0.1",
                "--port",
                String.valueOf(port),
                "--workers",
                "1"));
        if (mode == ArtifactMode.SERVER_PROXY) {
            cmd.addAll(List.of("--serve-artifacts", "--artifacts-destination", artifactRoot));
        } else {
            cmd.addAll(List.of("--no-serve-artifacts", "--default-artifact-root", artifactRoot));
        }
        try {
            Files.createDirectories(workDir);
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(
                            workDir.resolve("server.log").toFile()));
            Map<String, String> env = pb.environment();
            env.put("MLFLOW_BACKEND_STORE_URI", backendUri);
            env.put("MLFLOW_S3_ENDPOINT_URL", s3.url());
            env.put("AWS_ACCESS_KEY_ID", s3.accessKey());
            env.put("AWS_SECRET_ACCESS_KEY", s3.secretKey());
            env.put("AWS_DEFAULT_REGION", "us-east-1");
            // newer boto3 sends streaming trailer checksums that S3-compatible servers may not accept
            env.put("AWS_REQUEST_CHECKSUM_CALCULATION", "when_required");
            env.put("AWS_RESPONSE_CHECKSUM_VALIDATION", "when_required");
            env.put("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false");
            Process process = pb.start();
            String url = "http://127.0.0.1:" + port;
            MlflowServer server = new MlflowServer(process, url);
            server.awaitHealthy(Duration.ofMinutes(3), workDir.resolve("server.log"));
            log.info("MLflow server {} up at {}", MLFLOW_VERSION, url);
            return server;
        } catch (IOException e) {
            throw new MlflowUnavailableException("cannot start the MLflow server: " + e.getMessage());
        }
    }

    private void awaitHealthy(Duration timeout, Path logFile) throws MlflowUnavailableException {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new MlflowUnavailableException(
                        "the MLflow server exited with " + process.exitValue() + " (see " + logFile + ")");
            }
            try {
                HttpResponse<Void> r = http.send(
                        HttpRequest.newBuilder(URI.create(url + "/health"))
                                .timeout(Duration.ofSeconds(2))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new MlflowUnavailableException("interrupted while waiting for the MLflow server");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new MlflowUnavailableException("interrupted while waiting for the MLflow server");
            }
        }
        close();
        throw new MlflowUnavailableException(
                "the MLflow server did not answer /health within " + timeout.toSeconds() + " s (see " + logFile + ")");
    }

    public String url() {
        return url;
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free loopback port", e);
        }
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(exitHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs (or ran) anyway
        }
        stopProcess();
    }

    private void stopProcess() {
        // uvicorn/gunicorn workers are children of the server process: end the whole tree
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
