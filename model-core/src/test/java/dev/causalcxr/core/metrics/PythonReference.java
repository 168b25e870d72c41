package dev.causalcxr.core.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cached Python virtualenv with NumPy, SciPy, scikit-image, scikit-learn and prdc, used to check
 * the Java metrics against the implementations people compare numbers with.
 *
 * <p>Only a missing {@code python3} skips the reference checks. If the virtualenv cannot be created
 * or pip cannot install (for example without network), the checks fail: a silently skipped
 * reference check would look like a passing one.
 *
 * <p>The venv lives at {@code ~/.cache/causalcxr/test-venv-scipy} (override with
 * {@code -Dcausalcxr.test.venv=DIR}; the interpreter with {@code -Dcausalcxr.python3=EXE}) so that
 * repeated builds and {@code mvn clean} do not reinstall it.
 */
public final class PythonReference {

    private static final Logger LOG = LoggerFactory.getLogger(PythonReference.class);
    /** Every package pinned, dependencies included (a pip freeze of a working venv): the references stay the same. */
    public static final List<String> PACKAGES = List.of(
            "numpy==2.4.6",
            "scipy==1.17.1",
            "scikit-image==0.26.0",
            "scikit-learn==1.9.1",
            "prdc==0.2",
            "ImageIO==2.38.2",
            "joblib==1.6.0",
            "lazy-loader==0.6",
            "narwhals==2.29.0",
            "networkx==3.6.1",
            "packaging==26.4",
            "pillow==13.0.0",
            "threadpoolctl==3.8.0",
            "tifffile==2026.3.3",
            "cloudpickle==3.1.3");

    private static final String SCRIPT_RESOURCE = "/dev/causalcxr/core/metrics/metrics_reference.py";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path venvPython;
    /** Remembered so that one failed install fails every reference test without retrying pip each time. */
    private static IllegalStateException setupFailure;

    private PythonReference() {}

    public static Path venvDirectory() {
        String override = System.getProperty("causalcxr.test.venv");
        return override != null
                ? Path.of(override)
                : Path.of(System.getProperty("user.home"), ".cache", "causalcxr", "test-venv-scipy");
    }

    /** True when the venv has already been set up (used by the benchmark, which never installs). */
    public static boolean isInstalled() {
        return Files.isExecutable(venvDirectory().resolve("bin/python")) && installedPackagesMatch(venvDirectory());
    }

    /** Returns the venv's interpreter, creating the venv on first use; skips the test if python3 is absent. */
    @SuppressWarnings("StaticAssignmentOfThrowable") // setupFailure is kept on purpose (see its comment)
    public static synchronized Path ensureVenv() {
        if (venvPython != null) {
            return venvPython;
        }
        if (setupFailure != null) {
            throw setupFailure;
        }
        String python3 = System.getProperty("causalcxr.python3", "python3");
        try {
            runChecked(List.of(python3, "--version"), 60);
        } catch (IOException e) {
            Assumptions.abort("python3 not found (" + e.getMessage() + "): SciPy/scikit reference checks skipped");
        }
        Path venv = venvDirectory();
        try {
            Files.createDirectories(venv.getParent());
            Path lockFile = venv.getParent().resolve(venv.getFileName() + ".lock");
            // another build on this machine may be installing the same venv right now
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock ignored = channel.lock()) {
                Path python = venv.resolve("bin/python");
                if (!Files.isExecutable(python)) {
                    LOG.info("creating Python reference venv at {}", venv);
                    runChecked(List.of(python3, "-m", "venv", venv.toString()), 300);
                }
                if (!installedPackagesMatch(venv)) {
                    LOG.info("installing {} into {} (first run only)", PACKAGES, venv);
                    List<String> command = new ArrayList<>(
                            List.of(python.toString(), "-m", "pip", "install", "--disable-pip-version-check", "-q"));
                    command.addAll(PACKAGES);
                    runChecked(command, 1200);
                    Files.writeString(markerFile(venv), String.join("\n", PACKAGES));
                }
                venvPython = python;
                return python;
            }
        } catch (IOException | IllegalStateException e) {
            setupFailure = new IllegalStateException(
                    "could not set up the Python reference venv at " + venv
                            + " (needs python3 -m venv and network access to PyPI on first use): " + e.getMessage(),
                    e);
            throw setupFailure;
        }
    }

    /** Runs a sub-command of metrics_reference.py in the venv and parses its JSON output. */
    public static JsonNode run(String... arguments) {
        Path python = ensureVenv();
        return runWith(python, arguments);
    }

    /** As {@link #run} but with a given interpreter (the benchmark uses an existing venv only). */
    public static JsonNode runWith(Path python, String... arguments) {
        List<String> command = new ArrayList<>(List.of(python.toString(), script().toString()));
        command.addAll(List.of(arguments));
        try {
            String output = runChecked(command, 600);
            String[] lines = output.strip().split("\n");
            return JSON.readTree(lines[lines.length - 1]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path script() {
        try {
            var url = PythonReference.class.getResource(SCRIPT_RESOURCE);
            if (url != null && "file".equals(url.getProtocol())) {
                return Path.of(url.toURI());
            }
            Path copy = Files.createTempFile("metrics_reference", ".py");
            try (InputStream in = PythonReference.class.getResourceAsStream(SCRIPT_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("missing test resource " + SCRIPT_RESOURCE);
                }
                Files.write(copy, in.readAllBytes());
            }
            copy.toFile().deleteOnExit();
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path markerFile(Path venv) {
        return venv.resolve("causalcxr-packages.txt");
    }

    private static boolean installedPackagesMatch(Path venv) {
        try {
            return Files.readString(markerFile(venv)).equals(String.join("\n", PACKAGES));
        } catch (IOException e) {
            return false;
        }
    }

    /** Runs a command; returns stdout. A non-zero exit or a timeout is an IllegalStateException. */
    private static String runChecked(List<String> command, long timeoutSeconds) throws IOException {
        Path stderr = Files.createTempFile("python-reference", ".err");
        try {
            Process process =
                    new ProcessBuilder(command).redirectError(stderr.toFile()).start();
            process.getOutputStream().close();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out after " + timeoutSeconds + " s: " + command);
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("command failed (exit " + process.exitValue() + "): "
                        + String.join(" ", command) + "\n" + Files.readString(stderr, StandardCharsets.UTF_8));
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + command, e);
        } finally {
            Files.deleteIfExists(stderr);
        }
    }
}
