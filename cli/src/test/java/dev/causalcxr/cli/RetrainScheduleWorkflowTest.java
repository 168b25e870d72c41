package dev.causalcxr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.activities.TaskQueues;
import dev.causalcxr.activities.retrain.RetrainRequest;
import dev.causalcxr.activities.retrain.RetrainSchedule;
import dev.causalcxr.activities.retrain.RetrainScheduleActivitiesImpl;
import dev.causalcxr.activities.retrain.RetrainTriggers;
import dev.causalcxr.infra.datasets.DatasetCatalog;
import dev.causalcxr.infra.schedules.RetrainSchedules;
import dev.causalcxr.infra.stack.PlatformStack;
import dev.causalcxr.infra.stack.StackConfig;
import dev.causalcxr.workflows.retrain.RetrainScheduleWorkflow;
import dev.causalcxr.workflows.retrain.RetrainScheduleWorkflowImpl;
import dev.causalcxr.workflows.retrain.RetrainSummary;
import dev.causalcxr.workflows.retrain.RetrainWorkflow;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.workflow.Workflow;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The retrain schedule's workflow in Temporal's time-skipping test environment, with the real schedule activities on
 * the embedded PostgreSQL and S3: weeks pass in seconds. The retrain it starts is {@link HeldRetrain}, a stand-in
 * that only takes ten days: the real retrain trains (RetrainWorkflowTest, RetrainCommandTest, the e2e tests).
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES) // a stuck time skip would otherwise wait a simulated day in real time
class RetrainScheduleWorkflowTest {
    static final Duration WEEK = Duration.ofDays(7);
    /** Past a tick: ticks fall on the anchor grid, this lands after the tick's activities ran. */
    static final Duration PAST = Duration.ofMinutes(1);

    @TempDir
    static Path dir;

    static PlatformStack stack;
    static DatasetCatalog.VersionRow siteA;

    TestWorkflowEnvironment env;
    WorkflowClient client;
    RetrainSchedules schedules;

    /** The retrains the schedules started, in order. */
    static final Queue<RetrainRequest> STARTED = new ConcurrentLinkedQueue<>();

    /** Stands in for the real retrain (which trains): it records its request and takes ten days. */
    public static class HeldRetrain implements RetrainWorkflow {
        @Override
        public RetrainSummary retrain(RetrainRequest request) {
            if (!Workflow.isReplaying()) {
                STARTED.add(request);
            }
            Workflow.sleep(Duration.ofDays(10));
            return new RetrainSummary(
                    request.retrainId(), "challenger", null, List.of(), null, List.of(), List.of(), null, null);
        }
    }

    @BeforeAll
    static void championTrainedOnSiteA() throws Exception {
        stack = PlatformStack.start(
                StackConfig.fromEnvironment(dir.resolve("data"), Map.of("CAUSALCXR_MLFLOW", "off")), false);
        siteA = RecordedLineage.importVersion(stack, dir, "site-a", "a", 1);
        RecordedLineage.champion(stack, "sc", "sc-run-1", siteA);
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    @BeforeEach
    void temporal() {
        STARTED.clear();
        env = TestWorkflowEnvironment.newInstance();
        Worker w = env.newWorker(TaskQueues.CPU);
        w.registerWorkflowImplementationTypes(RetrainScheduleWorkflowImpl.class, HeldRetrain.class);
        schedules = new RetrainSchedules(stack.db());
        w.registerActivitiesImplementations(
                new RetrainScheduleActivitiesImpl(WorkerHost.retrainTriggers(stack), schedules));
        env.start();
        client = env.getWorkflowClient();
    }

    @AfterEach
    void closeTemporal() {
        env.close();
    }

    /** Records a schedule (weekly) and starts its workflow with ticks anchored at the test clock's now. */
    private RetrainSchedule schedule(String dataset, int ticksPerRun) {
        RetrainSchedules.Schedule row = schedules
                .create("sc@champion", dataset, WEEK.toSeconds(), null, "user test")
                .orElseThrow();
        RetrainSchedule s = new RetrainSchedule(
                row.id(), row.model(), dataset, WEEK.toSeconds(), null, env.currentTimeMillis(), 0, false, ticksPerRun);
        RetrainScheduleWorkflow wf = client.newWorkflowStub(
                RetrainScheduleWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setTaskQueue(TaskQueues.CPU)
                        .setWorkflowId(RetrainSchedule.workflowId(row.id()))
                        .build());
        WorkflowClient.start(wf::run, s);
        return s;
    }

    private String lastOutcome(RetrainSchedule s) {
        return schedules.find(s.scheduleId()).orElseThrow().lastOutcome();
    }

    private RetrainScheduleWorkflow stub(RetrainSchedule s) {
        return client.newWorkflowStub(RetrainScheduleWorkflow.class, RetrainSchedule.workflowId(s.scheduleId()));
    }

    private WorkflowExecutionStatus status(String workflowId) {
        return client.newUntypedWorkflowStub(workflowId)
                .describe()
                .getWorkflowExecutionInfo()
                .getStatus();
    }

    @Test
    void aNewerVersionStartsExactlyOneRetrainAndTheSameVersionNeverTwice() throws Exception {
        RetrainSchedule s = schedule("site-b", 3);
        env.sleep(WEEK.plus(PAST));
        assertEquals("nothing new: no version of site-b yet", lastOutcome(s));
        assertTrue(STARTED.isEmpty());

        DatasetCatalog.VersionRow b1 = RecordedLineage.importVersion(stack, dir, "site-b", "b", 2);
        env.sleep(WEEK);
        String id = RetrainTriggers.retrainId("sc", 1, "site-b", b1.version());
        assertEquals("started " + id, lastOutcome(s));
        assertEquals(1, STARTED.size());
        RetrainRequest started = STARTED.peek();
        assertEquals(id, started.retrainId());
        assertEquals("site-b@" + b1.version(), started.dataset(), "pinned to the version that was found");
        assertEquals("sc@champion", started.model());
        assertEquals("schedule " + s.scheduleId(), started.actor());

        env.sleep(WEEK); // the retrain takes ten days: this tick overlaps it
        assertEquals("overlap: " + id + " still runs; nothing started", lastOutcome(s));

        env.sleep(WEEK); // the retrain finished; the same version is not retrained again
        assertTrue(
                lastOutcome(s).contains("was retrained against sc@1 already (" + id + ", by schedule "),
                lastOutcome(s));
        env.sleep(WEEK); // after a continue-as-new (3 ticks per run): still not
        assertTrue(lastOutcome(s).contains("was retrained against sc@1 already"), lastOutcome(s));
        assertEquals(1, stub(s).ticks().size(), "a new run of the workflow holds only its own ticks");
        assertEquals(1, STARTED.size());
        assertEquals(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED, status(id));
        List<RetrainSchedules.Trigger> recorded = schedules.triggers("sc").stream()
                .filter(t -> t.dataset().equals("site-b"))
                .toList();
        assertEquals(1, recorded.size());
        assertEquals(id, recorded.get(0).workflowId());
    }

    @Test
    void aPausedScheduleStartsNothingUntilUnpaused() throws Exception {
        RetrainSchedule s = schedule("site-c", 100);
        schedules.setState(s.scheduleId(), RetrainSchedules.PAUSED);
        stub(s).pause();
        DatasetCatalog.VersionRow c1 = RecordedLineage.importVersion(stack, dir, "site-c", "b", 3);
        env.sleep(WEEK.plus(PAST));
        assertEquals("paused: nothing started", lastOutcome(s));
        env.sleep(WEEK);
        assertTrue(STARTED.isEmpty());

        schedules.setState(s.scheduleId(), RetrainSchedules.ACTIVE);
        stub(s).unpause();
        env.sleep(WEEK);
        assertEquals(1, STARTED.size());
        assertEquals(
                RetrainTriggers.retrainId("sc", 1, "site-c", c1.version()),
                STARTED.peek().retrainId());
    }

    @Test
    void deletingCancelsTheScheduleWhileItsRetrainRunsOn() throws Exception {
        RetrainSchedule s = schedule("site-d", 100);
        DatasetCatalog.VersionRow d1 = RecordedLineage.importVersion(stack, dir, "site-d", "b", 4);
        env.sleep(WEEK.plus(PAST));
        String id = RetrainTriggers.retrainId("sc", 1, "site-d", d1.version());
        assertEquals("started " + id, lastOutcome(s));

        // what `schedule delete` does
        schedules.delete(s.scheduleId());
        client.newUntypedWorkflowStub(RetrainSchedule.workflowId(s.scheduleId()))
                .cancel();
        env.sleep(Duration.ofDays(1));
        assertEquals(
                WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED,
                status(RetrainSchedule.workflowId(s.scheduleId())));
        // abandoned: neither cancelled with its parent nor terminated when it closed (the test server does not skip
        // time for a child whose parent was cancelled, so its end is not awaited here)
        assertEquals(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING, status(id));
    }

    @Test
    void aRetrainStartedElsewhereUnderTheSameIdIsNotStartedAgain() throws Exception {
        RetrainSchedule s = schedule("site-g", 100);
        DatasetCatalog.VersionRow g1 = RecordedLineage.importVersion(stack, dir, "site-g", "b", 6);
        String id = RetrainTriggers.retrainId("sc", 1, "site-g", g1.version());
        // an import's --then-retrain started this pair a moment ago on the same service, not yet recorded
        RetrainWorkflow elsewhere = client.newWorkflowStub(
                RetrainWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setTaskQueue(TaskQueues.CPU)
                        .setWorkflowId(id)
                        .build());
        WorkflowClient.start(
                elsewhere::retrain, new RetrainRequest(id, "sc@champion", "site-g@" + g1.version(), null, "import"));
        env.sleep(WEEK.plus(PAST));
        assertEquals("already started: " + id, lastOutcome(s));
        assertEquals(1, STARTED.size(), "only the first start ran");
        assertEquals("import", STARTED.peek().actor());
        assertEquals(
                1,
                schedules.triggers("sc").stream()
                        .filter(t -> t.workflowId().equals(id))
                        .count(),
                "recorded, so no later tick tries again");
    }

    @Test
    void aScheduleDeletedWhileNoOneCouldCancelItEndsAtItsNextTick() {
        RetrainSchedule s = schedule("site-e", 100);
        schedules.delete(s.scheduleId());
        env.sleep(WEEK.plus(PAST));
        assertEquals(
                WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED,
                status(RetrainSchedule.workflowId(s.scheduleId())));
        assertTrue(STARTED.isEmpty());
    }

    @Test
    void armingStartsEachRecordedScheduleOnceAndAMissedTickIsCaughtUpOnce() {
        RetrainSchedules.Schedule row = schedules
                .create("sc@champion", "site-f", WEEK.toSeconds(), null, "user test")
                .orElseThrow();
        int armed = ScheduleCommand.armAll(client, schedules);
        assertTrue(armed >= 1, "at least site-f's schedule");
        assertEquals(0, ScheduleCommand.armAll(client, schedules), "the second arming finds them all running");
        assertEquals(
                WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING,
                status(RetrainSchedule.workflowId(row.id())));

        // ticks fall on the anchor's grid; a schedule re-armed after missing ticks ticks once at once, then on the grid
        RetrainSchedule fresh = new RetrainSchedule(1, "m@a", "d", 60, null, 1_000_000, 0, false, 10);
        assertEquals(1_060_000, fresh.nextTickEpochMs());
        assertEquals(1_120_000, fresh.withTick(1_060_000, false).nextTickEpochMs());
        RetrainSchedule missed = fresh.withTick(1_060_000, false);
        long now = 1_500_000; // seven ticks missed
        assertTrue(missed.nextTickEpochMs() <= now, "due at once");
        assertEquals(1_540_000, missed.withTick(now, false).nextTickEpochMs(), "then back on the grid");
    }
}
