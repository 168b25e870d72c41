package dev.causalcxr.activities.runner;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.activities.stages.StageActivities;
import dev.causalcxr.activities.stages.StageActivitiesImpl;
import dev.causalcxr.infra.metadata.PipelineJournal;
import dev.causalcxr.infra.stack.PlatformStack;
import dev.causalcxr.infra.stack.StackConfig;
import io.temporal.client.ActivityCanceledException;
import io.temporal.testing.TestActivityEnvironment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StageRunnerTest {
    @TempDir
    static Path dir;

    static PlatformStack stack;
    static StageRunner runner;
    static int runCounter;

    @BeforeAll
    static void start() {
        stack = PlatformStack.start(StackConfig.fromEnvironment(dir, Map.of("CAUSALCXR_MLFLOW", "off")), false);
        runner = new StageRunner(stack.objectStore(), stack.journal(), stack.tracker(), dir.resolve("work"));
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    private static StageRequest request(long seed, boolean force) {
        String runId = "run-" + ++runCounter;
        stack.journal().createPipelineRun(runId, "test", "test-digest", "{}", "test");
        String parent = stack.tracker().startRun("causalcxr/test", "test " + runId, null, Map.of());
        return new StageRequest(runId, "causalcxr/test", "ingest", "{\"n\":20}", seed, Map.of(), force, parent);
    }

    /** What a stage does while it computes, before it writes its output. */
    private interface Computing {
        void run() throws Exception;
    }

    /** An ingest stage that counts its executions and writes one output after {@code computing}. */
    private static StageDefinition countedStage(
            java.util.concurrent.atomic.AtomicInteger executions, Computing computing) {
        return new StageDefinition() {
            @Override
            public String name() {
                return "ingest";
            }

            @Override
            public void execute(String configJson, dev.causalcxr.core.stage.StageContext ctx) throws Exception {
                executions.incrementAndGet();
                computing.run();
                Path out = ctx.workDir().resolve("state.txt");
                java.nio.file.Files.writeString(out, "computed once");
                ctx.addOutput("state", out);
            }
        };
    }

    private static String output(StageResult r) {
        StageManifest m = runner.manifest(r.manifestDigest());
        return new String(stack.objectStore().getBytes(m.outputs().get("state").digest()), StandardCharsets.UTF_8);
    }

    @Test
    void activityThatFailsAfterACheckpointResumesFromItOnRetry() {
        // the uninterrupted reference
        StageResult reference =
                runner.run(new CountingTrainingStage(20, 5, -1), request(11, true), 1, null, Heartbeat.NONE);

        CountingTrainingStage stage = new CountingTrainingStage(20, 5, 12);
        StageRequest req = request(11, true);
        AtomicReference<CheckpointPointer> lastBeat = new AtomicReference<>();

        TestActivityEnvironment first = TestActivityEnvironment.newInstance();
        first.registerActivitiesImplementations(new StageActivitiesImpl(runner, List.of(stage)));
        first.setActivityHeartbeatListener(CheckpointPointer.class, lastBeat::set);
        StageActivities attempt1 = first.newActivityStub(StageActivities.class);
        assertThrows(RuntimeException.class, () -> attempt1.ingest(req));
        // heartbeats are throttled, so the last one delivered may predate the newest checkpoint:
        // the retry must still find the checkpoint of step 9 (through the journal)
        assertNotNull(lastBeat.get(), "the attempt heartbeated");
        assertEquals(LongStream.rangeClosed(0, 12).boxed().toList(), stage.executedSteps);
        first.close();

        stage.executedSteps.clear();
        TestActivityEnvironment retry = TestActivityEnvironment.newInstance();
        retry.registerActivitiesImplementations(new StageActivitiesImpl(runner, List.of(stage)));
        retry.setHeartbeatDetails(lastBeat.get());
        StageResult resumed = retry.newActivityStub(StageActivities.class).ingest(req);
        retry.close();

        assertEquals(
                LongStream.range(10, 20).boxed().toList(), stage.executedSteps, "the retry continues after step 9");
        assertEquals(output(reference), output(resumed), "a resumed run ends where an uninterrupted one does");
        assertEquals(reference.metrics(), resumed.metrics());
    }

    @Test
    void retryWithoutHeartbeatFallsBackToTheNewestRecordedCheckpoint() {
        CountingTrainingStage stage = new CountingTrainingStage(20, 4, 10);
        StageRequest req = request(99, true);
        assertThrows(IllegalStateException.class, () -> runner.run(stage, req, 1, null, Heartbeat.NONE));
        stage.executedSteps.clear();
        StageResult r = runner.run(stage, req, 2, null, Heartbeat.NONE);
        assertEquals(8, stage.executedSteps.get(0), "resumes after the checkpoint of step 7, found in the journal");
        assertNotNull(r.manifestDigest());
    }

    @Test
    void twoPipelinesNeedingTheSameOutputsAtOnceComputeThemOnceAndTheSecondReadsTheCache() throws Exception {
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger executions = new java.util.concurrent.atomic.AtomicInteger();
        StageDefinition gated = countedStage(executions, () -> {
            started.countDown();
            assertTrue(release.await(5, java.util.concurrent.TimeUnit.MINUTES));
        });
        // a second worker process on the same database and object store
        StageRunner otherWorker =
                new StageRunner(stack.objectStore(), stack.journal(), stack.tracker(), dir.resolve("work"));
        StageRequest a = request(4242, false);
        StageRequest b = request(4242, false);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var first = pool.submit(() -> runner.run(gated, a, 1, null, Heartbeat.NONE));
            assertTrue(started.await(5, java.util.concurrent.TimeUnit.MINUTES));
            var second = pool.submit(() -> otherWorker.run(gated, b, 1, null, Heartbeat.NONE));
            // the second attempt waits on the claim while the first computes; let it get there, then finish
            Thread.sleep(1500);
            assertEquals(1, executions.get(), "the second pipeline did not start the same computation");
            release.countDown();
            StageResult r1 = first.get(5, java.util.concurrent.TimeUnit.MINUTES);
            StageResult r2 = second.get(5, java.util.concurrent.TimeUnit.MINUTES);
            assertEquals(1, executions.get(), "computed once");
            assertFalse(r1.cacheHit());
            assertTrue(r2.cacheHit(), "the waiting pipeline took the outputs from the cache");
            assertEquals(r1.manifestDigest(), r2.manifestDigest());
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
        // both attempts let go of the claim: the next one takes it at once
        try (var claim = stack.journal().claimComputation(runner.cacheKey(gated, a), () -> {})) {
            assertFalse(claim.waited());
        }
    }

    @Test
    void outputsAnotherAttemptPublishedBeforeThisOneTookTheClaimAreReadFromTheCache() throws Exception {
        // the race: this attempt's first lookup missed, then another worker computed, published and let go of the
        // claim, then this attempt took the claim without waiting; it must still not compute again
        java.util.concurrent.atomic.AtomicInteger executions = new java.util.concurrent.atomic.AtomicInteger();
        StageDefinition counted = countedStage(executions, () -> {});
        StageRunner otherWorker =
                new StageRunner(stack.objectStore(), stack.journal(), stack.tracker(), dir.resolve("work"));
        StageResult published = otherWorker.run(counted, request(5151, false), 1, null, Heartbeat.NONE);
        StageRequest late = request(5151, false);
        String key = runner.cacheKey(counted, late);
        stack.journal().startStageRun(late.pipelineRunId(), counted.name(), key, 1);
        StageResult r = runner.computeOnce(counted, late, 1, null, Heartbeat.NONE, key, System.nanoTime());
        assertEquals(1, executions.get(), "computed once");
        assertTrue(r.cacheHit());
        assertEquals(published.manifestDigest(), r.manifestDigest());
    }

    @Test
    void secondRunWithTheSameKeyIsACacheHitAndACorruptCacheIsNotReused() {
        StageResult first =
                runner.run(new CountingTrainingStage(10, 5, -1), request(5, false), 1, null, Heartbeat.NONE);
        assertFalse(first.cacheHit());
        CountingTrainingStage again = new CountingTrainingStage(10, 5, -1);
        StageResult second = runner.run(again, request(5, false), 1, null, Heartbeat.NONE);
        assertTrue(second.cacheHit());
        assertTrue(again.executedSteps.isEmpty(), "a cache hit does no work");
        assertEquals(first.manifestDigest(), second.manifestDigest());
        assertEquals(first.metrics(), second.metrics());

        CountingTrainingStage forced = new CountingTrainingStage(10, 5, -1);
        StageResult third = runner.run(forced, request(5, true), 1, null, Heartbeat.NONE);
        assertFalse(third.cacheHit(), "force runs the stage again");
        assertEquals(10, forced.executedSteps.size());

        CountingTrainingStage otherSeed = new CountingTrainingStage(10, 5, -1);
        assertFalse(
                runner.run(otherSeed, request(6, false), 1, null, Heartbeat.NONE)
                        .cacheHit(),
                "another seed is another key");
    }

    @Test
    void aDeletedOrCorruptManifestOrOutputIsACacheMissThatRecomputesAndRepairsTheStore() throws Exception {
        StageResult first =
                runner.run(new CountingTrainingStage(10, 5, -1), request(21, false), 1, null, Heartbeat.NONE);
        String state =
                runner.manifest(first.manifestDigest()).outputs().get("state").digest();

        stack.objectStore().remove(first.manifestDigest());
        CountingTrainingStage afterManifestLoss = new CountingTrainingStage(10, 5, -1);
        StageResult second = runner.run(afterManifestLoss, request(21, false), 1, null, Heartbeat.NONE);
        assertFalse(second.cacheHit(), "a lost manifest is a miss");
        assertEquals(output(first), output(second));

        java.nio.file.Path junk = dir.resolve("junk");
        java.nio.file.Files.writeString(junk, "not the state");
        stack.objectStore().putAtKey(dev.causalcxr.infra.objectstore.ObjectStore.keyOf(state), junk);
        assertFalse(stack.objectStore().verify(state));
        StageResult third =
                runner.run(new CountingTrainingStage(10, 5, -1), request(21, false), 1, null, Heartbeat.NONE);
        assertFalse(third.cacheHit(), "a corrupt output is a miss");
        assertTrue(stack.objectStore().verify(state), "publishing the recomputed output replaced the corrupt object");
        assertTrue(
                runner.run(new CountingTrainingStage(10, 5, -1), request(21, false), 1, null, Heartbeat.NONE)
                        .cacheHit(),
                "and the next run is a hit again");
    }

    @Test
    void theManifestRecordsTheCodeFingerprintAndRuntimeOfTheStage() {
        StageResult r = runner.run(new CountingTrainingStage(4, 5, -1), request(22, false), 1, null, Heartbeat.NONE);
        StageManifest m = runner.manifest(r.manifestDigest());
        assertEquals(
                dev.causalcxr.core.provenance.CodeFingerprint.running()
                        .of(CountingTrainingStage.class)
                        .digest(),
                m.provenance().get("code_fingerprint"));
        assertEquals(System.getProperty("os.arch"), m.provenance().get("arch"));
        assertEquals("test-digest", m.provenance().get("spec_digest"));
        assertEquals("22", m.provenance().get("seed"));
        assertFalse(m.provenance().containsKey("libtorch"), "this stage does not reach the engine");
    }

    @Test
    void anAttemptWhoseWorkerDiedHasItsTrackingRunClosedAsFailedWhenTheNextAttemptStarts() {
        StageRequest req = request(4, true);
        // attempt 1 as a killed worker leaves it: started, tracking run open, no end recorded
        stack.journal().startStageRun(req.pipelineRunId(), "ingest", "some-key", 1);
        String lost = stack.tracker().startRun(req.experiment(), "ingest", req.parentTrackingRunId(), Map.of());
        stack.journal().setStageTrackingRun(req.pipelineRunId(), "ingest", lost);

        runner.run(new CountingTrainingStage(6, 3, -1), req, 2, null, Heartbeat.NONE);

        assertEquals("FAILED", status(lost));
        PipelineJournal.StageRunRow row =
                stack.journal().stageRuns(req.pipelineRunId()).get(0);
        assertEquals("succeeded", row.status());
        assertEquals(2, row.attempt());
        assertEquals("FINISHED", status(row.trackingRunId()));
    }

    private static String status(String trackingRun) {
        return stack.db()
                .queryOne(
                        "select status from tracking_runs where local_id = ?",
                        ps -> ps.setString(1, trackingRun),
                        rs -> rs.getString(1))
                .orElseThrow();
    }

    @Test
    void failedStageIsRecordedAsFailedWithItsError() {
        StageRequest req = request(3, true);
        assertThrows(
                IllegalStateException.class,
                () -> runner.run(new CountingTrainingStage(10, 100, 2), req, 1, null, Heartbeat.NONE));
        PipelineJournal.StageRunRow row =
                stack.journal().stageRuns(req.pipelineRunId()).get(0);
        assertEquals("failed", row.status());
        // the journal gets the category and a reference; the exception's own text stays in the site log
        assertTrue(row.error().startsWith("IllegalStateException on attempt 1 (reference E"), row.error());
        assertTrue(assertDoesNotThrow(
                        () -> java.nio.file.Files.readString(runner.siteLog().file()))
                .contains("crashed after step 2"));
    }

    @Test
    void cancellationSurfacesThroughTheHeartbeat() {
        StageRequest req = request(4, true);
        Heartbeat cancelling = p -> {
            throw new ActivityCanceledException();
        };
        assertThrows(
                ActivityCanceledException.class,
                () -> runner.run(new CountingTrainingStage(10, 100, -1), req, 1, null, cancelling));
    }
}
