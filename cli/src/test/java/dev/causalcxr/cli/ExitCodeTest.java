package dev.causalcxr.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.core.spec.SpecProblem;
import dev.causalcxr.core.spec.SpecValidationException;
import dev.causalcxr.core.spec.ValidationException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exit 2 is for what a person gave that is not valid; any other exception is a failure (exit 1). */
class ExitCodeTest {
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream savedErr;

    @BeforeEach
    void capture() {
        savedErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setErr(savedErr);
        System.clearProperty("CAUSALCXR_MLFLOW");
    }

    @Test
    void validationErrorsAreUsageErrorsAndAnyOtherIllegalArgumentIsAFailure() {
        assertEquals(ExitCodes.USAGE, Main.exitCode(new UsageException("--n must be at least 1")));
        assertEquals(ExitCodes.USAGE, Main.exitCode(new ValidationException("invalid configuration")));
        assertEquals(
                ExitCodes.USAGE, Main.exitCode(new SpecValidationException(List.of(new SpecProblem("seed", "x")))));
        assertEquals(ExitCodes.FAILURE, Main.exitCode(new IllegalArgumentException("a bug deep down")));
        assertEquals(ExitCodes.FAILURE, Main.exitCode(new IllegalStateException("broken")));
    }

    @Test
    void anInvalidSettingInTheEnvironmentExitsTwoBeforeStartingAnything(@TempDir Path dir) {
        System.setProperty("CAUSALCXR_MLFLOW", "sometimes");
        assertEquals(2, Main.execute("status", "--data-dir", dir.resolve("data").toString()));
        assertTrue(
                err.toString(StandardCharsets.UTF_8).contains("CAUSALCXR_MLFLOW must be auto or off"),
                err.toString(UTF_8));
        assertFalse(Files.exists(dir.resolve("data/postgres")));
    }

    @Test
    void forcingAnUnknownStageIsAUsageErrorBeforeStartingAnything(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("spec.yaml");
        Files.writeString(spec, "name: ok\n");
        assertEquals(
                2,
                Main.execute(
                        "run",
                        "--spec",
                        spec.toString(),
                        "--data-dir",
                        dir.resolve("data").toString(),
                        "--force",
                        "train-everything"));
        assertTrue(
                err.toString(StandardCharsets.UTF_8).contains("--force names an unknown stage: train-everything"),
                err.toString(UTF_8));
        assertFalse(Files.exists(dir.resolve("data/postgres")));
    }

    @Test
    void runNeedsASpecOrAnAttachButNotBothAndWorkerSlotsAreWholeNumbers(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("spec.yaml");
        Files.writeString(spec, "name: ok\n");
        String data = dir.resolve("data").toString();
        assertEquals(2, Main.execute("run", "--data-dir", data));
        assertTrue(err.toString(UTF_8).contains("run needs --spec FILE (or --attach RUN_ID)"), err.toString(UTF_8));
        assertEquals(2, Main.execute("run", "--data-dir", data, "--attach", "r-1", "--spec", spec.toString()));
        assertTrue(err.toString(UTF_8).contains("--attach follows a run as it was started"), err.toString(UTF_8));
        assertEquals(2, Main.execute("worker", "--data-dir", data, "--queues", "gpu", "--slots", "none"));
        assertTrue(err.toString(UTF_8).contains("--slots takes a whole number"), err.toString(UTF_8));
        assertFalse(Files.exists(dir.resolve("data/postgres")));
    }
}
