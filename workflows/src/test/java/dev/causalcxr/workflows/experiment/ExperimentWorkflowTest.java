package dev.causalcxr.workflows.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.activities.TaskQueues;
import dev.causalcxr.activities.pipeline.PipelineActivitiesImpl;
import dev.causalcxr.activities.runner.StageRunner;
import dev.causalcxr.activities.stages.StageActivitiesImpl;
import dev.causalcxr.activities.stages.StageCatalog;
import dev.causalcxr.core.spec.ExperimentSpec;
import dev.causalcxr.infra.datasets.FindingsStore;
import dev.causalcxr.infra.metadata.PipelineJournal;
import dev.causalcxr.infra.stack.PlatformStack;
import dev.causalcxr.infra.stack.StackConfig;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The experiment workflow with the real activities, on the embedded PostgreSQL and S3. */
class ExperimentWorkflowTest {
    @TempDir
    static Path dir;
    static PlatformStack stack;
    TestWorkflowEnvironment env;
    WorkflowClient client;

    static final ExperimentSpec SMALL = ExperimentSpec.parseYaml("""
            name: wf-test
            seed: 3
            dataset: {studies: 48, image_size: 64}
            stages: {parse-reports: {}}
            """);

    @BeforeAll
    static void startStack() {
        stack = PlatformStack.start(StackConfig.fromEnvironment(dir, Map.of("CAUSALCXR_MLFLOW", "off")), false);
    }

    @AfterAll
    static void stopStack() {
        stack.close();
    }

    @BeforeEach
    void startWorkers() {
        env = TestWorkflowEnvironment.newInstance();
        StageRunner runner = new StageRunner(stack.objectStore(), stack.journal(), stack.tracker(), dir.resolve("work"));
        StageActivitiesImpl stages = new StageActivitiesImpl(runner, StageCatalog.all(stack.db(), Map.of()));
        Worker cpu = env.newWorker(TaskQueues.CPU);
        cpu.registerWorkflowImplementationTypes(ExperimentWorkflowImpl.class);
        cpu.registerActivitiesImplementations(stages, new PipelineActivitiesImpl(stack.journal(), stack.tracker(), stack.objectStore(),
                        stack.registry()));
        env.newWorker(TaskQueues.GPU).registerActivitiesImplementations(stages);
        env.start();
        client = env.getWorkflowClient();
    }

    @AfterEach
    void stopWorkers() {
        env.close();
    }

    private RunSummary run(ExperimentPlan plan) {
        ExperimentWorkflow wf = client.newWorkflowStub(ExperimentWorkflow.class,
                WorkflowOptions.newBuilder().setTaskQueue(TaskQueues.CPU).setWorkflowId(plan.runId()).build());
        return wf.run(plan);
    }

    @Test
    void runsIngestAndParsingThenAnswersTheSecondRunFromTheCache() {
        RunSummary first = run(ExperimentPlans.fromSpec(SMALL, "wf-1", Set.of(), false));
        assertEquals("succeeded", first.status(), first.error());
        assertEquals(List.of("ingest", "parse-reports"), first.stages().stream().map(RunSummary.StageOutcome::stage).toList());
        assertTrue(first.stages().stream().noneMatch(RunSummary.StageOutcome::cacheHit));
        assertEquals(48.0, first.metrics().get("dataset_studies"));
        assertEquals(48.0, first.metrics().get("reports_parsed"));
        assertEquals(1.0, first.metrics().get("parser_phantom_present_f1"), "the parser is exact on phantom reports");
        assertTrue(new FindingsStore(stack.db()).count("rules") > 0, "findings are stored in PostgreSQL");
        var parsed = stack.objectStore().readJson(first.stages().get(1).manifestDigest(),
                dev.causalcxr.activities.runner.StageManifest.class);
        assertTrue(parsed.outputs().keySet().containsAll(List.of("findings", "vocabulary")), parsed.outputs().toString());
        String vocabulary = new String(stack.objectStore().getBytes(parsed.outputs().get("vocabulary").digest()),
                java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(vocabulary.contains("\"Pleural Effusion\""), vocabulary);

        PipelineJournal.PipelineRunRow row = stack.journal().pipelineRun("wf-1").orElseThrow();
        assertEquals("succeeded", row.status());
        assertEquals(SMALL.digest(), row.specDigest());
        assertEquals(2, stack.journal().stageRuns("wf-1").size());

        RunSummary second = run(ExperimentPlans.fromSpec(SMALL, "wf-2", Set.of(), false));
        assertEquals("succeeded", second.status());
        assertTrue(second.stages().stream().allMatch(RunSummary.StageOutcome::cacheHit), "every stage is a cache hit");
        assertEquals(first.metrics(), second.metrics());
        assertEquals(first.stages().get(1).manifestDigest(), second.stages().get(1).manifestDigest());

        RunSummary forced = run(ExperimentPlans.fromSpec(SMALL, "wf-3", Set.of("parse-reports"), false));
        assertTrue(forced.stages().get(0).cacheHit());
        assertFalse(forced.stages().get(1).cacheHit(), "--force parse-reports runs that stage again");
        assertEquals(first.stages().get(1).manifestDigest(), forced.stages().get(1).manifestDigest(),
                "a forced re-run of a deterministic stage publishes the same manifest");
    }

    @Test
    void badInputFailsTheRunWithAClearErrorAndIsNotRetried() {
        ExperimentSpec missing = ExperimentSpec.parseYaml("""
                name: wf-bad
                dataset: {source: import, name: site-x, format: manifest, path: /nonexistent/manifest.csv}
                """);
        RunSummary s = run(ExperimentPlans.fromSpec(missing, "wf-bad", Set.of(), false));
        assertEquals("failed", s.status());
        assertTrue(s.error().contains("dataset.path does not exist"), s.error());
        PipelineJournal.StageRunRow stageRow = stack.journal().stageRuns("wf-bad").get(0);
        assertEquals("failed", stageRow.status());
        assertEquals(1, stageRow.attempt(), "bad input is not retried");
        assertEquals("failed", stack.journal().pipelineRun("wf-bad").orElseThrow().status());
    }

    @Test
    void progressQueryAndCancelSignal() {
        ExperimentPlan plan = ExperimentPlans.fromSpec(SMALL, "wf-cancel", Set.of(), true);
        ExperimentWorkflow wf = client.newWorkflowStub(ExperimentWorkflow.class,
                WorkflowOptions.newBuilder().setTaskQueue(TaskQueues.CPU).setWorkflowId(plan.runId()).build());
        WorkflowClient.start(wf::run, plan);
        wf.cancel();
        RunSummary s = io.temporal.client.WorkflowStub.fromTyped(wf).getResult(RunSummary.class);
        assertEquals("cancelled", s.status());
        assertEquals("cancelled", stack.journal().pipelineRun(plan.runId()).orElseThrow().status(),
                "bookkeeping still happens after a cancel");
        PipelineProgress p = client.newWorkflowStub(ExperimentWorkflow.class, plan.runId()).progress();
        assertTrue(p.cancelRequested());
        assertEquals(2, p.totalStages());
    }

    @Test
    void trainsTheDisentanglerAndTheDiffusionModelOnTheIngestedCodes() {
        ExperimentSpec models = ExperimentSpec.parseYaml("""
                name: wf-models
                seed: 4
                dataset: {studies: 96}
                stages:
                  train-disentangler: {steps: 6, base_width: 4, id_channels: 4, path_dim: 4, head_hidden: 8,
                                       batch_size: 8, pairs_per_kind: 2, run_ablation: false, eval_pairs: 8,
                                       grid_identities: 2, grid_pathologies: 2, checkpoint_interval: 3}
                  train-diffusion: {train_steps: 10, hidden: 16, blocks: 1, condition_dim: 8, batch_size: 16,
                                    checkpoint_interval: 5, log_interval: 5}
                """);
        RunSummary s = run(ExperimentPlans.fromSpec(models, "wf-models", Set.of(), false));
        assertEquals("succeeded", s.status(), s.error());
        assertEquals(List.of("ingest", "train-disentangler", "train-diffusion"),
                s.stages().stream().map(RunSummary.StageOutcome::stage).toList());
        assertTrue(s.metrics().containsKey("recon_ssim"), s.metrics().toString());
        assertTrue(s.metrics().containsKey("swap_ssim_gt"), s.metrics().toString());
        assertTrue(Double.isFinite(s.metrics().get("diffusion_final_loss")));
        var disentangler = stack.objectStore().readJson(s.stages().get(1).manifestDigest(),
                dev.causalcxr.activities.runner.StageManifest.class);
        assertTrue(disentangler.outputs().keySet().containsAll(List.of("model", "codes")), disentangler.outputs().toString());
        var diffusion = stack.objectStore().readJson(s.stages().get(2).manifestDigest(),
                dev.causalcxr.activities.runner.StageManifest.class);
        assertTrue(diffusion.outputs().containsKey("diffusion-model"), diffusion.outputs().toString());
        assertEquals(Map.of("train-disentangler", s.stages().get(1).manifestDigest()), diffusion.inputs());
    }
}
