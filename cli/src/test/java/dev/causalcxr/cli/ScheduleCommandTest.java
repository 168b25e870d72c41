package dev.causalcxr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.infra.datasets.DatasetCatalog;
import dev.causalcxr.infra.schedules.RetrainSchedules;
import dev.causalcxr.infra.stack.PlatformStack;
import dev.causalcxr.infra.stack.StackConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code schedule} and {@code dataset import --then-retrain} from the command line against the embedded stores, with
 * a champion recorded in the real registry and journal (no training: {@link RecordedLineage}). No stack runs for the
 * data folder, so a schedule is recorded and armed later by a worker (RetrainScheduleWorkflowTest runs the ticks).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScheduleCommandTest {
    @TempDir
    static Path dir;

    static Path data;
    private final CapturedCli console = new CapturedCli();

    @BeforeAll
    static void championRecorded() throws Exception {
        System.setProperty("CAUSALCXR_MLFLOW", "off");
        data = dir.resolve("data");
        try (PlatformStack stack = storage()) {
            DatasetCatalog.VersionRow a = RecordedLineage.importVersion(stack, dir, "site-a", "a", 1);
            RecordedLineage.champion(stack, "sk", "sk-run-1", a);
        }
    }

    @AfterAll
    static void clear() {
        System.clearProperty("CAUSALCXR_MLFLOW");
    }

    private static PlatformStack storage() {
        return PlatformStack.start(StackConfig.fromEnvironment(data, Map.of("CAUSALCXR_MLFLOW", "off")), false);
    }

    private int cli(String... args) {
        return console.run(args);
    }

    private String output() {
        return console.output();
    }

    private int schedule(String model, String every) {
        return cli(
                "schedule",
                "retrain",
                "--model",
                model,
                "--dataset-name",
                "site-b",
                "--every",
                every,
                "--data-dir",
                data.toString());
    }

    @Test
    @Order(1)
    void badInputIsRefusedWithExit2WithEveryReasonAndNothingIsRecorded() {
        assertEquals(ExitCodes.USAGE, schedule("sk@nope", "7d"));
        assertTrue(output().contains("model 'sk' has no alias 'nope'"), output());
        assertEquals(ExitCodes.USAGE, schedule("nobody@champion", "7d"));
        assertTrue(output().contains("nobody"), output());
        assertEquals(ExitCodes.USAGE, schedule("sk@champion", "7x"));
        assertTrue(output().contains("--every must be a whole number and a unit"), output());
        assertEquals(ExitCodes.USAGE, schedule("sk@champion", "30s"));
        assertTrue(output().contains("--every must be at least a minute"), output());
        assertEquals(ExitCodes.USAGE, schedule("sk@nope", "weekly"));
        assertTrue(output().contains("no alias 'nope'") && output().contains("--every must be"), output());
        assertEquals(ExitCodes.USAGE, schedule("sk", "7d"));
        assertTrue(output().contains("--model needs NAME@ALIAS"), output());

        assertEquals(0, cli("schedule", "list", "--data-dir", data.toString()));
        assertTrue(output().contains("no schedules"), output());
    }

    @Test
    @Order(2)
    void aScheduleIsRecordedListedPausedUnpausedAndDeleted() {
        assertEquals(0, schedule("sk@champion", "7d"), output());
        String o = output();
        assertTrue(o.contains("schedule 1: retrain sk@champion on new versions of site-b every 7d"), o);
        assertTrue(o.contains("note: site-b has no version yet"), o);
        assertTrue(o.contains("armed when a worker"), o);

        assertEquals(ExitCodes.USAGE, schedule("sk@champion", "1d"));
        assertTrue(output().contains("a schedule retrains sk@champion on site-b already: schedule 1"), output());

        assertEquals(0, cli("schedule", "list", "--data-dir", data.toString()));
        assertTrue(output().matches("(?s).*\\n1 +sk@champion +site-b +7d +active .*"), output());
        assertEquals(0, cli("schedule", "pause", "1", "--data-dir", data.toString()), output());
        assertEquals(0, cli("schedule", "list", "--data-dir", data.toString()));
        assertTrue(output().matches("(?s).*\\n1 +sk@champion +site-b +7d +paused .*"), output());
        assertEquals(0, cli("schedule", "unpause", "1", "--data-dir", data.toString()), output());
        assertEquals(0, cli("schedule", "list", "--data-dir", data.toString()));
        assertTrue(output().matches("(?s).*\\n1 +sk@champion +site-b +7d +active .*"), output());

        assertEquals(ExitCodes.USAGE, cli("schedule", "pause", "99", "--data-dir", data.toString()));
        assertTrue(output().contains("no schedule 99"), output());
        assertEquals(ExitCodes.USAGE, cli("schedule", "delete", "one", "--data-dir", data.toString()));

        assertEquals(0, cli("schedule", "delete", "1", "--data-dir", data.toString()), output());
        assertEquals(0, cli("schedule", "list", "--data-dir", data.toString()));
        assertTrue(output().contains("no schedules"), output());
    }

    @Test
    @Order(3)
    void thenRetrainWithAnUnknownChampionImportsNothing() throws Exception {
        Path export = dir.resolve("site-z-export");
        assertEquals(
                0,
                Main.execute(
                        "phantom",
                        "--out",
                        export.toString(),
                        "--studies",
                        "8",
                        "--size",
                        "64",
                        "--site",
                        "b",
                        "--seed",
                        "7",
                        "--without-truth"));
        assertEquals(
                ExitCodes.USAGE,
                cli(
                        "dataset",
                        "import",
                        "--format",
                        "mimic",
                        export.toString(),
                        "--name",
                        "site-z",
                        "--then-retrain",
                        "sk@nope",
                        "--data-dir",
                        data.toString()));
        assertTrue(output().contains("no alias 'nope'"), output());
        Path spec = Files.writeString(dir.resolve("r.yaml"), "retrain:\n  training_set: new-only\n");
        assertEquals(
                ExitCodes.USAGE,
                cli(
                        "dataset",
                        "import",
                        "--format",
                        "mimic",
                        export.toString(),
                        "--name",
                        "site-z",
                        "--retrain-spec",
                        spec.toString(),
                        "--data-dir",
                        data.toString()));
        assertTrue(output().contains("--retrain-spec goes with --then-retrain"), output());
        try (PlatformStack stack = storage()) {
            assertTrue(new DatasetCatalog(stack.db()).version("site-z", null).isEmpty(), "nothing imported");
            assertTrue(new RetrainSchedules(stack.db()).triggers("sk").isEmpty());
        }
    }

    @Test
    void everyTakesAWholeNumberAndAUnitOfAtLeastAMinute() {
        assertEquals(604_800, ScheduleCommand.parseEvery("7d"));
        assertEquals(43_200, ScheduleCommand.parseEvery("12h"));
        assertEquals(90, ScheduleCommand.parseEvery("90s"));
        assertEquals(1_209_600, ScheduleCommand.parseEvery("2w"));
        assertEquals("7d", ScheduleCommand.formatEvery(604_800));
        assertEquals("90s", ScheduleCommand.formatEvery(90));
        assertThrows(UsageException.class, () -> ScheduleCommand.parseEvery("0d"));
        assertThrows(UsageException.class, () -> ScheduleCommand.parseEvery("7 days"));
        assertFalse(ScheduleCommand.formatEvery(3600).isEmpty());
    }
}
