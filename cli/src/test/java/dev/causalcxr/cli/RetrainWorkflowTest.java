package dev.causalcxr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.activities.TaskQueues;
import dev.causalcxr.activities.retrain.RetrainRequest;
import dev.causalcxr.activities.runner.StageManifest;
import dev.causalcxr.activities.runner.StageRunner;
import dev.causalcxr.activities.stages.StageCatalog;
import dev.causalcxr.core.dataset.ImportFormat;
import dev.causalcxr.core.dataset.ImportOptions;
import dev.causalcxr.core.dataset.IngestStage;
import dev.causalcxr.core.dataset.PhantomDatasetWriter;
import dev.causalcxr.core.dataset.SplitProportions;
import dev.causalcxr.core.phantom.PhantomGenerator;
import dev.causalcxr.core.phantom.PhantomSpec;
import dev.causalcxr.core.phantom.SiteProfile;
import dev.causalcxr.core.spec.ExperimentSpec;
import dev.causalcxr.core.spec.StageName;
import dev.causalcxr.infra.datasets.DatasetCatalog;
import dev.causalcxr.infra.stack.PlatformStack;
import dev.causalcxr.infra.stack.StackConfig;
import dev.causalcxr.workflows.experiment.ExperimentWorkflow;
import dev.causalcxr.workflows.experiment.RunSummary;
import dev.causalcxr.workflows.retrain.RetrainSummary;
import dev.causalcxr.workflows.retrain.RetrainWorkflow;
import dev.causalcxr.workflows.retrain.RetrainWorkflowImpl;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.WorkflowReplayer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The retrain workflow in Temporal's test environment with the real activities on the embedded PostgreSQL and S3: a
 * union training set recorded with its parents, the champion measured on its own test split exactly as its run
 * measured it, a decision consistent with the aliases, and a history that replays deterministically.
 */
class RetrainWorkflowTest {
    @TempDir
    Path dir;

    static final ExperimentSpec SPEC = ExperimentSpec.parseYaml("""
            name: rw
            seed: 9
            dataset: {studies: 64, image_size: 64}
            run: [parse-reports, train-disentangler, train-diffusion]
            stages:
              train-disentangler: {steps: 4, batch_size: 8, pairs_per_kind: 2, base_width: 4, id_channels: 4,
                                   path_dim: 4, head_hidden: 8, run_ablation: true, eval_pairs: 8,
                                   grid_identities: 2, grid_pathologies: 2}
              train-diffusion: {train_steps: 12, hidden: 32, blocks: 1, condition_dim: 8, batch_size: 32,
                                log_interval: 6}
            """);

    @Test
    void retrainsOnTheUnionAndReplays() throws Exception {
        try (PlatformStack stack = PlatformStack.start(
                        StackConfig.fromEnvironment(dir, Map.of("CAUSALCXR_MLFLOW", "off")), false);
                TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
            StageRunner runner =
                    new StageRunner(stack.objectStore(), stack.journal(), stack.tracker(), dir.resolve("work"));
            WorkerHost.register(
                    env::newWorker,
                    Set.of(TaskQueues.CPU, TaskQueues.GPU),
                    stack,
                    runner,
                    StageCatalog.all(stack.db(), Map.of()));
            env.start();
            WorkflowClient client = env.getWorkflowClient();
            RunSummary championRun = client.newWorkflowStub(
                            ExperimentWorkflow.class,
                            WorkflowOptions.newBuilder()
                                    .setTaskQueue(TaskQueues.CPU)
                                    .setWorkflowId("rw-champion")
                                    .build())
                    .run(ExperimentPlans.fromSpec(SPEC, "rw-champion", Set.of(), false));
            assertEquals("succeeded", championRun.status(), championRun.error());
            assertEquals("rw@1", championRun.registeredModel());
            stack.registry().setAlias("rw", "champion", 1);

            // site B: another hospital's export, imported into the catalogue under its own key
            Path export = dir.resolve("site-b");
            PhantomDatasetWriter.write(
                    new PhantomGenerator(
                            PhantomSpec.defaults().withStudies(64).withSeed(21).withSize(64),
                            SiteProfile.named("b").orElseThrow()),
                    export,
                    (a, b) -> {});
            IngestStage.Packed packed = IngestStage.importAndPack(
                    new ImportOptions(
                            ImportFormat.MIMIC,
                            export,
                            dir.resolve("import"),
                            "site-b",
                            64,
                            "site-b-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8),
                            false,
                            SplitProportions.defaults()),
                    dir.resolve("site-b.zip"),
                    (a, b) -> {});
            DatasetCatalog catalog = new DatasetCatalog(stack.db());
            String siteB = catalog.record(
                            packed.manifest(),
                            stack.objectStore().putFile(packed.bundle()).digest(),
                            "mimic")
                    .version()
                    .version();

            String retrainSpec = """
                    retrain:
                      training_set: union
                      steps: {train-disentangler: 3, train-diffusion: 4}
                      gate:
                        min_test_studies: 2
                        rules:
                          new.recon_ssim: not_worse
                          old.recon_ssim: max_drop 0.2
                    """;
            RetrainSummary s = client.newWorkflowStub(
                            RetrainWorkflow.class,
                            WorkflowOptions.newBuilder()
                                    .setTaskQueue(TaskQueues.CPU)
                                    .setWorkflowId("rw-retrain")
                                    .build())
                    .retrain(new RetrainRequest("rw-retrain", "rw@champion", "site-b", retrainSpec, "user test"));
            assertNotNull(s.decision(), s.error());

            // the training set: a recorded version whose parents are the champion's data and site B
            String[] set = s.trainingSet().split("@");
            assertEquals("site-b-with-" + SPEC.dataset().name(), set[0]);
            List<String> parents = catalog.parents(set[0], set[1]);
            assertEquals(2, parents.size(), parents.toString());
            assertTrue(parents.contains("site-b@" + siteB), parents.toString());
            assertEquals(64 + 64, catalog.version(set[0], set[1]).orElseThrow().studies(), "every study of both sites");

            // the splits: the champion's data (old) and site B (new), each by digest
            assertEquals(
                    List.of("old", "new"),
                    s.splits().stream().map(t -> t.role()).toList());
            assertEquals("site-b", s.splits().get(1).dataset());
            assertEquals(64, s.splits().get(1).testDigest().length());

            // measured with its final checkpoint and no further step, the champion scores on its own test split
            // exactly what its run measured
            StageManifest championDisentangler = stack.objectStore()
                    .readJson(
                            championRun.stages().stream()
                                    .filter(o -> o.stage().equals(StageName.TRAIN_DISENTANGLER.label()))
                                    .findFirst()
                                    .orElseThrow()
                                    .manifestDigest(),
                            StageManifest.class);
            assertEquals(
                    championDisentangler.metrics().get("recon_ssim"),
                    s.championMetrics().get(0).get("recon_ssim"));

            // the decision and the aliases agree
            Map<String, Integer> aliases = stack.registry().aliases("rw");
            assertEquals("rw@2", s.decision().challenger());
            if (s.decision().promoted()) {
                assertEquals(Map.of("champion", 2, "previous", 1), aliases);
            } else {
                assertEquals(Map.of("champion", 1, "challenger", 2), aliases);
            }
            assertEquals(s.decision().promoted() ? "promoted" : "challenger", s.status());

            // deterministic: the recorded history replays against the workflow's code
            WorkflowExecutionHistory history = client.fetchHistory("rw-retrain");
            WorkflowReplayer.replayWorkflowExecution(history, RetrainWorkflowImpl.class);
        }
    }
}
