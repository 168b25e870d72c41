package dev.causalcxr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.core.spec.StageName;
import dev.causalcxr.infra.metadata.PipelineJournal;
import dev.causalcxr.infra.registry.ModelRegistry;
import dev.causalcxr.infra.stack.PlatformStack;
import dev.causalcxr.infra.tracking.MlflowTestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Site A → site B from the command line on a tiny phantom: a champion trained on site A, site B imported as a
 * hospital's export, a bad challenger refused, a good one promoted, the history, and bad input refused with exit 2.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RetrainCommandTest {
    @TempDir
    static Path dir;

    static Path data;
    static String champion;

    private final CapturedCli console = new CapturedCli();

    static final String GATE = """
              gate:
                min_test_studies: 3
                rules:
                  site-b.recon_ssim: improves 0.02
                  old.recon_ssim: max_drop 0.05
            """;

    /** The system properties the fixture set (the environment of every command), cleared after the class. */
    static final Map<String, String> PROPERTIES = new java.util.TreeMap<>();

    /** The e2e subclass's {@code causalcxr stack} on the data folder, which every command joins. */
    static Process stack;

    /**
     * The commands' tracking: MLflow off here. In the e2e subclass ({@link RetrainMlflowE2ETest}) a {@code causalcxr
     * stack} process runs the embedded stack with its real MLflow server and every command joins it, as commands on
     * a data folder with a running stack do: one MLflow server for them all.
     */
    @BeforeAll
    static void championOnSiteAAndSiteBImported(TestInfo test) throws Exception {
        PROPERTIES.clear();
        if (test.getTags().contains("e2e")) {
            PROPERTIES.putAll(MlflowTestSupport.env("proxy"));
            PROPERTIES.put("CAUSALCXR_MLFLOW", "auto");
        } else {
            PROPERTIES.put("CAUSALCXR_MLFLOW", "off");
        }
        PROPERTIES.put("CAUSALCXR_PSEUDONYM_KEY", "site-b-key-0123456789abcdef0123456789");
        PROPERTIES.forEach(System::setProperty);
        data = dir.resolve("data");
        if (test.getTags().contains("e2e")) {
            stack = startStack();
        }
        Path spec = dir.resolve("tiny.yaml");
        Files.writeString(spec, """
                name: rt
                seed: 5
                dataset: {studies: 80, image_size: 64}
                run: [parse-reports, train-disentangler, train-diffusion]
                stages:
                  train-disentangler: {steps: 6, batch_size: 8, pairs_per_kind: 2, base_width: 4, id_channels: 4,
                                       path_dim: 4, head_hidden: 8, run_ablation: false, eval_pairs: 8,
                                       grid_identities: 2, grid_pathologies: 2}
                  train-diffusion: {train_steps: 20, hidden: 32, blocks: 1, condition_dim: 8, batch_size: 32,
                                    log_interval: 10}
                """);
        Path summary = dir.resolve("summary.json");
        int code = Main.execute(
                "run", "--spec", spec.toString(), "--data-dir", data.toString(), "--summary-json", summary.toString());
        JsonNode s = new ObjectMapper().readTree(summary.toFile());
        assertEquals(0, code, s.toString());
        champion = s.path("model").asText();
        assertEquals("rt@1", champion);
        assertEquals(0, Main.execute("models", "alias", "rt", "champion", "1", "--data-dir", data.toString()));
        Path siteB = dir.resolve("site-b-export");
        assertEquals(
                0,
                Main.execute(
                        "phantom",
                        "--out",
                        siteB.toString(),
                        "--studies",
                        "80",
                        "--size",
                        "64",
                        "--site",
                        "b",
                        "--seed",
                        "11",
                        "--without-truth"));
        assertEquals(
                0,
                Main.execute(
                        "dataset",
                        "import",
                        "--format",
                        "mimic",
                        siteB.toString(),
                        "--name",
                        "site-b",
                        "--data-dir",
                        data.toString()));
    }

    @AfterAll
    static void clear() throws InterruptedException {
        PROPERTIES.keySet().forEach(System::clearProperty);
        if (stack != null) {
            stack.destroy(); // SIGTERM: the stack closes its MLflow server, PostgreSQL and S3
            if (!stack.waitFor(2, java.util.concurrent.TimeUnit.MINUTES)) {
                stack.destroyForcibly();
            }
            stack = null;
        }
    }

    /** {@code causalcxr stack} on {@link #data} in a JVM of its own, up (MLflow included) when this returns. */
    private static Process startStack() throws Exception {
        Path out = dir.resolve("stack.out");
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx1g",
                        "-Dcausalcxr.log.file=" + dir.resolve("stack.log"),
                        "-cp",
                        System.getProperty("java.class.path"),
                        Main.class.getName(),
                        "stack",
                        "--data-dir",
                        data.toString())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile());
        pb.environment().putAll(PROPERTIES);
        Process p = pb.start();
        long end = System.nanoTime() + java.time.Duration.ofMinutes(15).toNanos();
        while (RunningStack.find(data).isEmpty()) {
            if (!p.isAlive() || System.nanoTime() > end) {
                p.destroyForcibly();
                throw new AssertionError("the stack did not come up: " + Files.readString(out));
            }
            Thread.sleep(200);
        }
        assertTrue(
                RunningStack.find(data).orElseThrow().containsKey("MLFLOW_TRACKING_URI"),
                "the stack has no MLflow server: " + Files.readString(out));
        return p;
    }

    int cli(String... args) {
        return console.run(args);
    }

    String output() {
        return console.output();
    }

    private Path retrainSpec(String name, int disentanglerSteps, int diffusionSteps) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(
                f,
                "retrain:\n  training_set: new-only\n  steps:\n    train-disentangler: " + disentanglerSteps
                        + "\n    train-diffusion: " + diffusionSteps + "\n" + GATE);
        return f;
    }

    /** The data folder's storage (the running stack's, when one is), without MLflow. */
    static PlatformStack storage() {
        Map<String, String> env = new java.util.HashMap<>(PROPERTIES);
        RunningStack.find(data).ifPresent(env::putAll);
        env.remove("MLFLOW_TRACKING_URI");
        env.put("CAUSALCXR_MLFLOW", "off");
        return PlatformStack.start(dev.causalcxr.infra.stack.StackConfig.fromEnvironment(data, env), false);
    }

    @Test
    @Order(1)
    void badInputIsRefusedWithExit2AndNothingRegistered() throws Exception {
        Path good = retrainSpec("ok.yaml", 2, 2);
        assertEquals(
                ExitCodes.USAGE,
                cli(
                        "retrain",
                        "--model",
                        "rt@nope",
                        "--dataset",
                        "site-b",
                        "--spec",
                        good.toString(),
                        "--data-dir",
                        data.toString()));
        assertTrue(output().contains("no alias 'nope'"), output());
        assertEquals(
                ExitCodes.USAGE,
                cli("retrain", "--model", "nobody@champion", "--dataset", "site-b", "--data-dir", data.toString()));
        assertEquals(
                ExitCodes.USAGE,
                cli("retrain", "--model", "rt@champion", "--dataset", "site-z", "--data-dir", data.toString()));
        assertTrue(output().contains("no data set site-z"), output());

        Path unknownMetric = dir.resolve("unknown-metric.yaml");
        Files.writeString(
                unknownMetric, "retrain:\n  gate:\n    rules:\n      site-b.fidelity: improves\n      fid: better\n");
        assertEquals(
                ExitCodes.USAGE,
                cli(
                        "retrain",
                        "--model",
                        "rt@champion",
                        "--dataset",
                        "site-b",
                        "--spec",
                        unknownMetric.toString(),
                        "--data-dir",
                        data.toString()));
        assertTrue(output().contains("retrain.gate.rules.site-b.fidelity: unknown metric 'fidelity'"), output());
        assertTrue(output().contains("retrain.gate.rules.fid"), output());

        Path unknownSplit = dir.resolve("unknown-split.yaml");
        Files.writeString(unknownSplit, "retrain:\n  gate:\n    rules:\n      site-c.fid: improves\n");
        assertEquals(
                ExitCodes.USAGE,
                cli(
                        "retrain",
                        "--model",
                        "rt@champion",
                        "--dataset",
                        "site-b",
                        "--spec",
                        unknownSplit.toString(),
                        "--data-dir",
                        data.toString()));
        assertTrue(output().contains("names the test split 'site-c'"), output());

        // a data set without a test split: two studies of one patient, whose split is training
        Path tiny = dir.resolve("tiny-export");
        assertEquals(
                0,
                Main.execute(
                        "phantom",
                        "--out",
                        tiny.toString(),
                        "--studies",
                        "2",
                        "--size",
                        "64",
                        "--site",
                        "b",
                        "--seed",
                        "3",
                        "--without-truth"));
        assertEquals(
                0,
                Main.execute(
                        "dataset",
                        "import",
                        "--format",
                        "mimic",
                        tiny.toString(),
                        "--name",
                        "tiny",
                        "--data-dir",
                        data.toString()));
        int tinyExit = cli(
                "retrain",
                "--model",
                "rt@champion",
                "--dataset",
                "tiny",
                "--spec",
                good.toString(),
                "--data-dir",
                data.toString());
        assertEquals(ExitCodes.USAGE, tinyExit, output());
        assertTrue(output().contains("has no test split") || output().contains("no training split"), output());

        try (PlatformStack stack = storage()) {
            assertEquals(1, stack.registry().versions("rt").size(), "nothing registered");
            assertEquals(Map.of("champion", 1), stack.registry().aliases("rt"));
        }
    }

    @Test
    @Order(2)
    void aChallengerWithOneStepIsRefusedAndTheChampionStays() throws Exception {
        Path bad = retrainSpec("one-step.yaml", 1, 1);
        assertEquals(
                0,
                cli(
                        "retrain",
                        "--model",
                        "rt@champion",
                        "--dataset",
                        "site-b",
                        "--spec",
                        bad.toString(),
                        "--data-dir",
                        data.toString()),
                output());
        String o = output();
        assertTrue(o.contains("not promoted: rt@2 is @challenger"), o);
        assertTrue(o.contains("FAIL site-b: site-b.recon_ssim: improves 0.02"), o);
        try (PlatformStack stack = storage()) {
            assertEquals(
                    Map.of("champion", 1, "challenger", 2), stack.registry().aliases("rt"));
            ModelRegistry.HistoryEntry last = lastOf(stack.registry().history("rt"));
            assertEquals("challenger", last.alias());
            assertTrue(
                    last.reason().startsWith("promotion gate refused: FAIL site-b: site-b.recon_ssim"), last.reason());
            assertTrue(
                    last.evidenceJson().contains("\"test_digest\"")
                            || last.evidenceJson().contains("\"testDigest\""),
                    last.evidenceJson());
        }
    }

    @Test
    @Order(3)
    void aWarmStartedChallengerThatImprovesOnSiteBIsPromoted() throws Exception {
        Path goodSpec = retrainSpec("good.yaml", 40, 20);
        assertEquals(
                0,
                cli(
                        "retrain",
                        "--model",
                        "rt@champion",
                        "--dataset",
                        "site-b",
                        "--spec",
                        goodSpec.toString(),
                        "--data-dir",
                        data.toString()),
                output());
        String o = output();
        assertTrue(o.contains("promoted: rt@3 is the champion"), o);
        assertTrue(o.contains("PASS site-b: site-b.recon_ssim: improves 0.02"), o);
        assertTrue(o.contains("PASS phantom-quick: old.recon_ssim: max_drop 0.05"), o); // the champion's data, by name
        try (PlatformStack stack = storage()) {
            assertEquals(
                    Map.of("champion", 3, "previous", 1, "challenger", 2),
                    stack.registry().aliases("rt"));
            // warm start: the challenger's disentangler continued the champion's step counter (6 → 46)
            java.util.regex.Matcher id = java.util.regex.Pattern.compile("retrain (retrain-rt-\\S+): promoted")
                    .matcher(o);
            assertTrue(id.find(), o);
            String trainRun = id.group(1) + "-train";
            PipelineJournal.StageRunRow dis = stack.journal().stageRuns(trainRun).stream()
                    .filter(r -> r.stage().equals(StageName.TRAIN_DISENTANGLER.label()))
                    .findFirst()
                    .orElseThrow();
            List<Long> steps = stack.db()
                    .query(
                            "select step from tracking_metrics where local_id = ? and key = 'loss_total' order by step",
                            ps -> ps.setString(1, dis.trackingRunId()),
                            rs -> rs.getLong(1));
            assertEquals(40, steps.size(), "40 fine-tuning steps, not 46");
            assertEquals(7L, steps.get(0), "the step counter continues after the champion's 6");
            assertEquals(46L, steps.get(steps.size() - 1));
            // the gate's outcome, rule by rule, on the fine-tuning run (MLflow tags)
            String trainTracking =
                    stack.journal().pipelineRun(trainRun).orElseThrow().trackingRunId();
            List<String> gateTags = stack.db()
                    .query(
                            "select key || '=' || value from tracking_tags where local_id = ? and key like 'causalcxr.gate.%'"
                                    + " order by key",
                            ps -> ps.setString(1, trainTracking), rs -> rs.getString(1));
            assertTrue(gateTags.contains("causalcxr.gate.decision=promote"), gateTags.toString());
            assertTrue(
                    gateTags.stream()
                            .anyMatch(t -> t.startsWith("causalcxr.gate.site-b.site-b.recon_ssim_improves_0.02=pass")),
                    gateTags.toString());
        }
        assertEquals(0, cli("models", "history", "rt", "--data-dir", data.toString()));
        String history = output();
        assertTrue(history.contains("@champion → 3 (was 1)"), history);
        assertTrue(history.contains("@previous → 1 (new)"), history);
        assertTrue(history.contains("@challenger → 2 (new)"), history);
        assertTrue(history.contains("by workflow retrain-rt-"), history);
        assertTrue(history.contains("promotion gate passed"), history);
    }

    @Test
    @Order(4)
    void aManualPromotionWritesTheHistory() {
        assertEquals(
                ExitCodes.USAGE, cli("models", "promote", "rt", "9", "--reason", "x", "--data-dir", data.toString()));
        assertEquals(
                0,
                cli(
                        "models",
                        "promote",
                        "rt",
                        "1",
                        "--reason",
                        "site A radiologists prefer it",
                        "--data-dir",
                        data.toString()),
                output());
        assertEquals(0, cli("models", "history", "rt", "--data-dir", data.toString()));
        String history = output();
        assertTrue(history.contains("@champion → 1 (was 3)"), history);
        assertTrue(history.contains("site A radiologists prefer it"), history);
        assertTrue(history.contains("@previous → 3 (was 1)"), history);
    }

    private static <T> T lastOf(List<T> list) {
        return list.get(list.size() - 1);
    }
}
