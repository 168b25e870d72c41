package dev.causalcxr.cli;

import static dev.causalcxr.cli.CanarySite.FILE_CANARY;
import static dev.causalcxr.cli.CanarySite.PATIENT_CANARY;
import static dev.causalcxr.cli.CanarySite.REPORT_CANARY;
import static dev.causalcxr.cli.CanarySite.STUDY_CANARY;
import static dev.causalcxr.cli.CanarySite.assertNoCanary;
import static dev.causalcxr.cli.CanarySite.assertNoCanaryInDatabase;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.causalcxr.activities.TaskQueues;
import dev.causalcxr.activities.runner.StageDefinition;
import dev.causalcxr.activities.runner.StageManifest;
import dev.causalcxr.activities.runner.StageRunner;
import dev.causalcxr.activities.stages.StageCatalog;
import dev.causalcxr.core.dataset.DatasetBundle;
import dev.causalcxr.core.dataset.SourceIds;
import dev.causalcxr.core.files.SiteLog;
import dev.causalcxr.core.spec.ExperimentSpec;
import dev.causalcxr.core.spec.StageName;
import dev.causalcxr.core.stage.StageContext;
import dev.causalcxr.infra.metadata.DbEndpoint;
import dev.causalcxr.infra.metadata.PipelineJournal;
import dev.causalcxr.infra.stack.PlatformStack;
import dev.causalcxr.infra.stack.StackConfig;
import dev.causalcxr.infra.tracking.MlflowTestSupport;
import dev.causalcxr.workflows.experiment.ExperimentPlan;
import dev.causalcxr.workflows.experiment.ExperimentWorkflow;
import dev.causalcxr.workflows.experiment.RunSummary;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The canary test, as far as one process goes: a MIMIC-style site folder whose patient ids, study ids, image
 * file names and report texts carry unique canary strings runs through the pipeline — a strict import that
 * fails on a corrupt image, a lenient one that skips it, a stage that fails once with a message naming a
 * source file and report text and is retried, training, counterfactual grids of the site's studies, model
 * registration — with a real MLflow server (PostgreSQL backend, artifacts in the site's S3 bucket). Then every
 * place the data can reach is searched and no canary may be found: every log event of the process, the
 * workflow histories (payloads and failure messages), every table of both PostgreSQL databases (the
 * platform's, with the journal, catalogue, findings and model registry; MLflow's, with params, tags, metrics
 * and its model registry), every file under the data folder (the object store with stage manifests, stage
 * outputs, MLflow artifacts and model files; the work folders; log files; the PostgreSQL files), and the
 * dataset bundle's manifest and source-id map. The report store — the dataset bundle's report files — and the
 * site-local log are where the data belongs and are left out (the site log must hold the failure's detail).
 *
 * <p>A worker killed with SIGKILL mid-stage and a real Temporal server's persisted histories need the
 * multi-process topology: {@link CanaryClusterE2ETest}.
 */
@Tag("e2e")
class CanaryE2ETest {
    @TempDir
    Path dir;

    /** Fails its first attempt the way a careless stage would: a source path and report text in the message. */
    private static final class FailsOnce implements StageDefinition {
        private final StageDefinition inner;
        private final AtomicInteger calls = new AtomicInteger();

        FailsOnce(StageDefinition inner) {
            this.inner = inner;
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public void execute(String configJson, StageContext ctx) throws Exception {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException(
                        "cannot read /site/files/p10/p" + PATIENT_CANARY + "1/s" + STUDY_CANARY + "2/" + FILE_CANARY
                                + ".png (report: " + REPORT_CANARY + ")",
                        new java.nio.file.NoSuchFileException("/site/" + FILE_CANARY + ".png"));
            }
            inner.execute(configJson, ctx);
        }
    }

    private static String spec(Path site, boolean strict) {
        return """
                name: canary
                seed: 3
                tail_frequency: 0.1
                dataset: {source: import, name: canary-site, format: mimic, path: %s, strict: %s}
                run: [parse-reports, train-disentangler, train-diffusion, generate-counterfactuals]
                stages:
                  train-disentangler: {steps: 6, batch_size: 8, pairs_per_kind: 2, base_width: 4, id_channels: 4,
                                       path_dim: 4, head_hidden: 8, run_ablation: false, eval_pairs: 8,
                                       grid_identities: 2, grid_pathologies: 2}
                  train-diffusion: {train_steps: 30, hidden: 32, blocks: 1, condition_dim: 8, batch_size: 32,
                                    log_interval: 10}
                  generate-counterfactuals: {ddim_steps: 5, samples_per_condition: 2, metric_sources: 1,
                                             guidance_sweep: [], max_per_class: 6, grid_sources: 2,
                                             grid_conditions: 2, grid_samples: 2}
                """.formatted(site, strict);
    }

    @Test
    void noCanaryReachesAnySinkOutsideTheReportStoreAndTheSiteLog() throws Exception {
        // one corrupt image: the strict import fails on it, the lenient one skips it
        Path site = CanarySite.write(dir, 100, true);

        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        logs.start();
        root.addAppender(logs);
        Path data = dir.resolve("data");
        Map<String, String> stackEnv = MlflowTestSupport.env("proxy");
        Map<String, String> workerEnv = Map.of("CAUSALCXR_PSEUDONYM_KEY", "canary-test-site-key-0123456789");
        List<String> workflowIds = List.of("canary-strict", "canary-run");
        String datasetDigest;
        try (PlatformStack stack = PlatformStack.start(StackConfig.fromEnvironment(data, stackEnv), false)) {
            assertTrue(
                    stack.awaitTracking(Duration.ofMinutes(15)).isPresent(),
                    stack.tracker().offlineReason().orElse(""));
            TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
            try {
                StageRunner runner =
                        new StageRunner(stack.objectStore(), stack.journal(), stack.tracker(), data.resolve("work"));
                List<StageDefinition> stages = new ArrayList<>();
                for (StageDefinition d : StageCatalog.all(stack.db(), workerEnv)) {
                    stages.add(d.name().equals(StageName.TRAIN_DIFFUSION.label()) ? new FailsOnce(d) : d);
                }
                WorkerHost.register(env::newWorker, Set.of(TaskQueues.CPU, TaskQueues.GPU), stack, runner, stages);
                env.start();
                WorkflowClient client = env.getWorkflowClient();

                RunSummary strict = run(
                        client,
                        ExperimentPlans.fromSpec(
                                ExperimentSpec.parseYaml(spec(site, true)), workflowIds.get(0), Set.of(), false));
                assertEquals("failed", strict.status());
                assertTrue(strict.error().contains("1 × unreadable image"), strict.error());

                RunSummary s = run(
                        client,
                        ExperimentPlans.fromSpec(
                                ExperimentSpec.parseYaml(spec(site, false)), workflowIds.get(1), Set.of(), false));
                if (!"succeeded".equals(s.status())) {
                    // the detail of an unexpected failure is in the site log: keep it for whoever runs the test
                    Files.copy(
                            data.resolve(SiteLog.RELATIVE_PATH),
                            Path.of(System.getProperty("java.io.tmpdir"), "canary-site-detail.log"),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
                assertEquals("succeeded", s.status(), s.error() + " (site log copied to the temp folder)");
                List<PipelineJournal.StageRunRow> rows = stack.journal().stageRuns(workflowIds.get(1));
                assertTrue(
                        rows.stream()
                                .anyMatch(r -> r.stage().equals("train-diffusion")
                                        && r.status().equals("succeeded")
                                        && r.attempt() == 2),
                        "the injected failure happened and was retried: " + rows);

                for (String id : workflowIds) {
                    assertNoCanary(
                            "the workflow history of " + id,
                            client.fetchHistory(id).toJson(false));
                }
                StageManifest ingest =
                        stack.objectStore().readJson(s.stages().get(0).manifestDigest(), StageManifest.class);
                datasetDigest = ingest.outputs().get("dataset").digest();
                Path bundle = dir.resolve("bundle.zip");
                stack.objectStore().getToFile(datasetDigest, bundle);
                assertNoCanary(
                        "the dataset manifest",
                        new String(
                                DatasetBundle.readFile(bundle, "manifest.json").orElseThrow(), StandardCharsets.UTF_8));
                assertNoCanary(
                        "the source-id map",
                        new String(
                                DatasetBundle.readFile(bundle, SourceIds.FILE_NAME)
                                        .orElseThrow(),
                                StandardCharsets.UTF_8));
                assertNoCanary(
                        "the run summary", new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(s));

                // MLflow has everything the journal has (and the images the site's own server may hold)
                stack.awaitTracking(Duration.ofMinutes(2));
                assertEquals(0, stack.tracker().syncAll().failures());
                assertNoCanaryInDatabase(stack.db().endpoint());
                assertNoCanaryInDatabase(stack.db().endpoint().withDatabase("mlflow"));
                // not vacuous: both failures reached MLflow, as their categories
                DbEndpoint mlflow = stack.db().endpoint().withDatabase("mlflow");
                try (Connection c = DriverManager.getConnection(mlflow.jdbcUrl(), mlflow.user(), mlflow.password());
                        Statement st = c.createStatement();
                        ResultSet rs =
                                st.executeQuery("select value from tags where key = 'causalcxr.error_category'")) {
                    List<String> categories = new ArrayList<>();
                    while (rs.next()) {
                        categories.add(rs.getString(1));
                    }
                    assertTrue(
                            categories.contains("IllegalStateException") && categories.contains("StageInputException"),
                            categories.toString());
                }
            } finally {
                env.close();
            }
        } finally {
            root.detachAppender(logs);
        }

        StringBuilder logText = new StringBuilder();
        for (ILoggingEvent e : logs.list) {
            logText.append(e.getFormattedMessage()).append('\n');
            if (e.getThrowableProxy() != null) {
                logText.append(ThrowableProxyUtil.asString(e.getThrowableProxy()))
                        .append('\n');
            }
        }
        assertTrue(logs.list.size() > 10, "the log was captured");
        assertNoCanary("the process's log", logText.toString());

        // every file under the data folder but the report store (the dataset bundle) and the site log
        Path siteLog = data.resolve(SiteLog.RELATIVE_PATH);
        String detail = Files.readString(siteLog);
        assertTrue(detail.contains(REPORT_CANARY) && detail.contains(FILE_CANARY), "the site log has the detail");
        int searched = CanarySite.assertNoCanaryInFiles(
                data, f -> f.equals(siteLog) || f.getFileName().toString().contains(datasetDigest));
        assertTrue(searched > 50, "searched " + searched + " files");
        try (Stream<Path> work = Files.walk(data.resolve("work"))) {
            assertTrue(
                    work.noneMatch(p -> p.toString().endsWith(".txt")
                            || p.toString().endsWith(".png")
                            || p.toString().endsWith(".csv")),
                    "no report or image left in a work folder");
        }
    }

    private static RunSummary run(WorkflowClient client, ExperimentPlan plan) {
        ExperimentWorkflow wf = client.newWorkflowStub(
                ExperimentWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setTaskQueue(TaskQueues.CPU)
                        .setWorkflowId(plan.runId())
                        .build());
        return wf.run(plan);
    }
}
