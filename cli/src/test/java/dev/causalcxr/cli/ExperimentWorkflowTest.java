package dev.causalcxr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.activities.TaskQueues;
import dev.causalcxr.activities.runner.StageManifest;
import dev.causalcxr.activities.runner.StageRunner;
import dev.causalcxr.activities.stages.StageCatalog;
import dev.causalcxr.core.dataset.PhantomDatasetWriter;
import dev.causalcxr.core.dataset.PhantomGroundTruth;
import dev.causalcxr.core.disentangle.EncodedCodes;
import dev.causalcxr.core.labels.LabelSource;
import dev.causalcxr.core.labels.StudyLabels;
import dev.causalcxr.core.phantom.PhantomSpec;
import dev.causalcxr.core.spec.ExperimentSpec;
import dev.causalcxr.core.spec.StageName;
import dev.causalcxr.infra.datasets.FindingsStore;
import dev.causalcxr.infra.metadata.PipelineJournal;
import dev.causalcxr.infra.stack.PlatformStack;
import dev.causalcxr.infra.stack.StackConfig;
import dev.causalcxr.workflows.experiment.ExperimentPlan;
import dev.causalcxr.workflows.experiment.ExperimentWorkflow;
import dev.causalcxr.workflows.experiment.PipelineProgress;
import dev.causalcxr.workflows.experiment.RunSummary;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import java.io.IOException;
import java.nio.file.Files;
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
            run: [parse-reports]
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
        StageRunner runner =
                new StageRunner(stack.objectStore(), stack.journal(), stack.tracker(), dir.resolve("work"));
        WorkerHost.register(
                env::newWorker,
                Set.of(TaskQueues.CPU, TaskQueues.GPU),
                stack,
                runner,
                StageCatalog.all(stack.db(), Map.of()));
        env.start();
        client = env.getWorkflowClient();
    }

    @AfterEach
    void stopWorkers() {
        env.close();
    }

    private RunSummary run(ExperimentPlan plan) {
        ExperimentWorkflow wf = client.newWorkflowStub(
                ExperimentWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setTaskQueue(TaskQueues.CPU)
                        .setWorkflowId(plan.runId())
                        .build());
        return wf.run(plan);
    }

    @Test
    void runsIngestAndParsingThenAnswersTheSecondRunFromTheCache() {
        RunSummary first = run(ExperimentPlans.fromSpec(SMALL, "wf-1", Set.of(), false));
        assertEquals("succeeded", first.status(), first.error());
        assertEquals(
                List.of("ingest", "parse-reports"),
                first.stages().stream().map(RunSummary.StageOutcome::stage).toList());
        assertTrue(first.stages().stream().noneMatch(RunSummary.StageOutcome::cacheHit));
        assertEquals(48.0, first.metrics().get("dataset_studies"));
        assertEquals(48.0, first.metrics().get("reports_parsed"));
        assertEquals(1.0, first.metrics().get("parser_phantom_present_f1"), "the parser is exact on phantom reports");
        assertTrue(new FindingsStore(stack.db()).count("rules") > 0, "findings are stored in PostgreSQL");
        var parsed = stack.objectStore().readJson(first.stages().get(1).manifestDigest(), StageManifest.class);
        assertTrue(
                parsed.outputs().keySet().containsAll(List.of("findings", "vocabulary")),
                parsed.outputs().toString());
        String vocabulary = new String(
                stack.objectStore().getBytes(parsed.outputs().get("vocabulary").digest()),
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
        assertEquals(
                first.stages().get(1).manifestDigest(), second.stages().get(1).manifestDigest());

        RunSummary forced = run(ExperimentPlans.fromSpec(SMALL, "wf-3", Set.of(StageName.PARSE_REPORTS), false));
        assertTrue(forced.stages().get(0).cacheHit());
        assertFalse(forced.stages().get(1).cacheHit(), "--force parse-reports runs that stage again");
        assertEquals(
                first.stages().get(1).manifestDigest(),
                forced.stages().get(1).manifestDigest(),
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
        PipelineJournal.StageRunRow stageRow =
                stack.journal().stageRuns("wf-bad").get(0);
        assertEquals("failed", stageRow.status());
        assertEquals(1, stageRow.attempt(), "bad input is not retried");
        assertEquals(
                "failed", stack.journal().pipelineRun("wf-bad").orElseThrow().status());
    }

    @Test
    void progressQueryAndCancelSignal() {
        ExperimentPlan plan = ExperimentPlans.fromSpec(SMALL, "wf-cancel", Set.of(), true);
        ExperimentWorkflow wf = client.newWorkflowStub(
                ExperimentWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setTaskQueue(TaskQueues.CPU)
                        .setWorkflowId(plan.runId())
                        .build());
        WorkflowClient.start(wf::run, plan);
        wf.cancel();
        RunSummary s = io.temporal.client.WorkflowStub.fromTyped(wf).getResult(RunSummary.class);
        assertEquals("cancelled", s.status());
        assertEquals(
                "cancelled",
                stack.journal().pipelineRun(plan.runId()).orElseThrow().status(),
                "bookkeeping still happens after a cancel");
        PipelineProgress p =
                client.newWorkflowStub(ExperimentWorkflow.class, plan.runId()).progress();
        assertTrue(p.cancelRequested());
        assertEquals(2, p.totalStages());
    }

    @Test
    void trainsTheDisentanglerAndTheDiffusionModelOnTheParsedLabels() throws Exception {
        ExperimentSpec models = ExperimentSpec.parseYaml("""
                name: wf-models
                seed: 4
                dataset: {studies: 96}
                run: [parse-reports, train-disentangler, train-diffusion]
                stages:
                  train-disentangler: {steps: 6, base_width: 4, id_channels: 4, path_dim: 4, head_hidden: 8,
                                       batch_size: 8, pairs_per_kind: 2, run_ablation: false, eval_pairs: 8,
                                       grid_identities: 2, grid_pathologies: 2, checkpoint_interval: 3}
                  train-diffusion: {train_steps: 10, hidden: 16, blocks: 1, condition_dim: 8, batch_size: 16,
                                    checkpoint_interval: 5, log_interval: 5}
                """);
        RunSummary s = run(ExperimentPlans.fromSpec(models, "wf-models", Set.of(), false));
        assertEquals("succeeded", s.status(), s.error());
        assertEquals(
                List.of("ingest", "parse-reports", "train-disentangler", "train-diffusion"),
                s.stages().stream().map(RunSummary.StageOutcome::stage).toList());
        assertTrue(s.metrics().containsKey("recon_ssim"), s.metrics().toString());
        assertTrue(s.metrics().containsKey("swap_ssim_gt"), s.metrics().toString());
        assertTrue(Double.isFinite(s.metrics().get("diffusion_final_loss")));
        // the phantom has three label sources; their agreement is measured, the parser's labels are used
        assertTrue(
                s.metrics().get("labels_reports_vs_truth_agreement") > 0.5,
                s.metrics().toString());
        assertTrue(
                s.metrics().containsKey("labels_reports_vs_truth_severity"),
                s.metrics().toString());
        var parse = manifest(s.stages().get(1).manifestDigest());
        var labels = StudyLabels.read(fetch(parse.outputs().get("labels").digest()));
        assertEquals(LabelSource.REPORTS, labels.source());
        var disentangler = manifest(s.stages().get(2).manifestDigest());
        assertTrue(
                disentangler.outputs().keySet().containsAll(List.of("model", "codes")),
                disentangler.outputs().toString());
        assertEquals(
                Set.of("ingest", "parse-reports"),
                disentangler.inputs().keySet(),
                "the labels' manifest is in the disentangler's cache key");
        // the codes, from which the diffusion conditions come, carry each study's parsed labels
        var codes = EncodedCodes.read(fetch(disentangler.outputs().get("codes").digest()));
        for (var e : codes.entries()) {
            assertEquals(labels.findings(e.studyId()), e.findings(), "codes of " + e.studyId());
            // downstream of the import every study is named by its pseudonym (and the phantom truth matched them:
            // swap_ssim_gt above)
            assertTrue(
                    dev.causalcxr.core.dataset.Pseudonymizer.STUDY_PSEUDONYM
                            .matcher(e.studyId())
                            .matches(),
                    e.studyId());
        }
        var diffusion = manifest(s.stages().get(3).manifestDigest());
        assertTrue(
                diffusion.outputs().containsKey("diffusion-model"),
                diffusion.outputs().toString());
        assertEquals(Map.of("train-disentangler", s.stages().get(2).manifestDigest()), diffusion.inputs());
    }

    @Test
    void dataWithoutFindingLabelsFailsAtTrainDisentanglerNamingTheFixAndIsNotRetried() throws Exception {
        // a site export whose reports name no finding, with neither label columns nor ground truth
        Path site = dir.resolve("site-without-findings");
        PhantomDatasetWriter.Summary written = PhantomDatasetWriter.write(
                PhantomSpec.defaults().withStudies(24).withSize(64).withSeed(8), site);
        StringBuilder csv = new StringBuilder("path,patient_id,study_id,report\n");
        for (PhantomGroundTruth.StudyTruth t : written.groundTruth().studies()) {
            csv.append(t.image())
                    .append(',')
                    .append(t.patientId())
                    .append(',')
                    .append(t.studyId())
                    .append(",\"Portable chest radiograph. Comparison none.\"\n");
        }
        Files.writeString(site.resolve("manifest.csv"), csv);
        ExperimentSpec spec = ExperimentSpec.parseYaml("""
                name: wf-no-labels
                dataset: {source: import, name: site-without-findings, format: manifest, path: %s}
                run: [parse-reports, train-disentangler]
                stages:
                  train-disentangler: {steps: 2}
                """.formatted(site.resolve("manifest.csv")));
        RunSummary s = run(ExperimentPlans.fromSpec(spec, "wf-no-labels", Set.of(), false));
        assertEquals("failed", s.status());
        assertTrue(
                s.error()
                        .startsWith("train-disentangler: no finding labels: the report parser found no present"
                                + " finding"),
                s.error());
        assertTrue(s.error().contains("Fix: give the data findings"), s.error());
        PipelineJournal.StageRunRow failed =
                stack.journal().stageRuns("wf-no-labels").get(2);
        assertEquals("train-disentangler", failed.stage());
        assertEquals(1, failed.attempt(), "missing labels are an input error: not retried");
        assertFalse(s.error().contains("s5"), "no study id in the error");
    }

    @Test
    void aLabelSourceTheDataDoesNotHaveFailsAtParseReports() throws Exception {
        Path site = dir.resolve("site-reports-only");
        PhantomDatasetWriter.write(
                PhantomSpec.defaults().withStudies(24).withSize(64).withSeed(9), site);
        Files.delete(site.resolve(PhantomGroundTruth.FILE_NAME));
        ExperimentSpec spec = ExperimentSpec.parseYaml("""
                name: wf-no-columns
                dataset: {source: import, name: site-reports-only, format: mimic, path: %s}
                run: [parse-reports]
                stages:
                  parse-reports: {labels: dataset}
                """.formatted(site));
        RunSummary s = run(ExperimentPlans.fromSpec(spec, "wf-no-columns", Set.of(), false));
        assertEquals("failed", s.status());
        assertTrue(
                s.error()
                        .startsWith("parse-reports: stages.parse-reports.labels is dataset, but the dataset has no"
                                + " label columns"),
                s.error());
    }

    private static StageManifest manifest(String digest) {
        return stack.objectStore().readJson(digest, StageManifest.class);
    }

    private static Path fetch(String digest) throws IOException {
        Path file = Files.createTempFile(dir, "object-", ".bin");
        stack.objectStore().getToFile(digest, file);
        return file;
    }
}
