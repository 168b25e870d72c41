package dev.causalcxr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.activities.TaskQueues;
import dev.causalcxr.activities.runner.StageManifest;
import dev.causalcxr.activities.runner.StageRunner;
import dev.causalcxr.activities.stages.StageCatalog;
import dev.causalcxr.core.provenance.CodeFingerprint;
import dev.causalcxr.core.spec.ExperimentSpec;
import dev.causalcxr.infra.objectstore.ObjectStore;
import dev.causalcxr.infra.stack.PlatformStack;
import dev.causalcxr.infra.stack.StackConfig;
import dev.causalcxr.workflows.experiment.ExperimentWorkflow;
import dev.causalcxr.workflows.experiment.RunSummary;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache key follows the code: a one-line edit of the disentangler's training code reruns
 * train-disentangler and everything downstream and nothing upstream; a deleted or corrupted cached
 * object is a miss that recomputes, never an error.
 */
class CodeChangeCacheTest {
    private static final String TRAINER = "dev/causalcxr/core/disentangle/DisentanglerTrainer";

    @TempDir
    static Path dir;

    static PlatformStack stack;

    static final ExperimentSpec SPEC = ExperimentSpec.parseYaml("""
            name: code-change
            seed: 5
            dataset: {studies: 64}
            run: [parse-reports, train-disentangler, train-diffusion]
            stages:
              parse-reports: {}
              train-disentangler: {steps: 4, base_width: 4, id_channels: 4, path_dim: 4, head_hidden: 8,
                                   batch_size: 8, pairs_per_kind: 2, run_ablation: false, eval_pairs: 8,
                                   grid_identities: 2, grid_pathologies: 2, checkpoint_interval: 2}
              train-diffusion: {train_steps: 6, hidden: 16, blocks: 1, condition_dim: 8, batch_size: 16,
                                checkpoint_interval: 3, log_interval: 3}
            """);

    @BeforeAll
    static void startStack() {
        stack = PlatformStack.start(StackConfig.fromEnvironment(dir, Map.of("CAUSALCXR_MLFLOW", "off")), false);
    }

    @AfterAll
    static void stopStack() {
        stack.close();
    }

    /** One pipeline run on workers whose stage runner fingerprints code through {@code code}. */
    private static RunSummary run(String runId, CodeFingerprint code) {
        try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
            StageRunner runner =
                    new StageRunner(stack.objectStore(), stack.journal(), stack.tracker(), dir.resolve("work"), code);
            WorkerHost.register(
                    env::newWorker,
                    Set.of(TaskQueues.CPU, TaskQueues.GPU),
                    stack,
                    runner,
                    StageCatalog.all(stack.db(), Map.of()));
            env.start();
            ExperimentWorkflow wf = env.getWorkflowClient()
                    .newWorkflowStub(
                            ExperimentWorkflow.class,
                            WorkflowOptions.newBuilder()
                                    .setTaskQueue(TaskQueues.CPU)
                                    .setWorkflowId(runId)
                                    .build());
            RunSummary s = wf.run(ExperimentPlans.fromSpec(SPEC, runId, Set.of(), false));
            assertEquals("succeeded", s.status(), s.error());
            return s;
        }
    }

    private static Map<String, Boolean> cacheHits(RunSummary s) {
        Map<String, Boolean> hits = new LinkedHashMap<>();
        s.stages().forEach(o -> hits.put(o.stage(), o.cacheHit()));
        return hits;
    }

    /**
     * The bytes of the disentangler's trainer after a one-line edit of one of its methods, compiled
     * from its source against the classpath this test runs with.
     */
    private static byte[] editedTrainerClass() throws IOException {
        Path source = Path.of("").toAbsolutePath().getParent().resolve("model-core/src/main/java/" + TRAINER + ".java");
        String original = Files.readString(source);
        String edited =
                original.replace("return count == 0 ? 0 : sum / count;", "return count <= 0 ? 0 : sum / count;");
        assertNotEquals(original, edited, "the edited line exists in " + source.getFileName());
        Path src = Files.createDirectories(dir.resolve("edited-src/" + TRAINER).getParent());
        Path file = src.resolve("DisentanglerTrainer.java");
        Files.writeString(file, edited);
        Path out = Files.createDirectories(dir.resolve("edited-classes"));
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        int rc = ToolProvider.getSystemJavaCompiler()
                .run(
                        null,
                        null,
                        null,
                        "-g",
                        "-parameters",
                        "--release",
                        "17",
                        "-d",
                        out.toString(),
                        "-cp",
                        classpath,
                        file.toString());
        assertEquals(0, rc, "the edited trainer compiles");
        return Files.readAllBytes(out.resolve(TRAINER + ".class"));
    }

    @Test
    void aChangedDisentanglerMethodRerunsItAndEverythingDownstreamButNotIngestOrParsing() throws IOException {
        RunSummary first = run("cc-1", CodeFingerprint.running());
        assertEquals(
                List.of("ingest", "parse-reports", "train-disentangler", "train-diffusion"),
                first.stages().stream().map(RunSummary.StageOutcome::stage).toList());

        byte[] edited = editedTrainerClass();
        CodeFingerprint.ClassBytes running =
                CodeFingerprint.ClassBytes.of(getClass().getClassLoader());
        CodeFingerprint afterEdit = new CodeFingerprint(name -> name.equals(TRAINER) ? edited : running.read(name));
        RunSummary second = run("cc-2", afterEdit);
        assertEquals(
                Map.of("ingest", true, "parse-reports", true, "train-disentangler", false, "train-diffusion", false),
                cacheHits(second));
        StageManifest trained =
                stack.objectStore().readJson(second.stages().get(2).manifestDigest(), StageManifest.class);
        assertEquals(
                afterEdit
                        .of(dev.causalcxr.activities.stages.TrainDisentanglerDefinition.class)
                        .digest(),
                trained.provenance().get("code_fingerprint"),
                "the manifest records the code that computed it");

        // the unedited code still finds its own results
        RunSummary third = run("cc-3", CodeFingerprint.running());
        assertTrue(
                cacheHits(third).values().stream().allMatch(hit -> hit),
                cacheHits(third).toString());
        assertEquals(
                first.stages().get(3).manifestDigest(), third.stages().get(3).manifestDigest());
    }

    @Test
    void aDeletedOrCorruptedCachedObjectIsRecomputedAndTheRunSucceeds() throws Exception {
        RunSummary first = run("cc-del-1", CodeFingerprint.running());
        ObjectStore store = stack.objectStore();
        StageManifest trained = store.readJson(first.stages().get(2).manifestDigest(), StageManifest.class);
        String model = trained.outputs().get("model").digest();

        // an operator (or a lifecycle rule) deleted the trained model's object
        store.remove(model);
        RunSummary afterDelete = run("cc-del-2", CodeFingerprint.running());
        assertEquals(
                Map.of("ingest", true, "parse-reports", true, "train-disentangler", false, "train-diffusion", true),
                cacheHits(afterDelete),
                "recomputed bit-identically, so its consumer is still a hit");
        assertTrue(store.verify(model), "the recomputed stage published the object again");

        // bit rot: the object is there but its bytes no longer hash to its address
        Path junk = dir.resolve("junk.bin");
        Files.write(junk, new byte[] {1, 2, 3});
        store.putAtKey(ObjectStore.keyOf(model), junk);
        RunSummary afterCorruption = run("cc-del-3", CodeFingerprint.running());
        assertEquals(false, cacheHits(afterCorruption).get("train-disentangler"));
        assertTrue(store.verify(model), "publishing replaced the corrupt object");
        assertNotNull(afterCorruption.registeredModel());
    }
}
