package dev.causalcxr.workflows.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.activities.TaskQueues;
import dev.causalcxr.activities.pipeline.ModelRegistration;
import dev.causalcxr.activities.pipeline.PipelineActivities;
import dev.causalcxr.activities.pipeline.RunFinish;
import dev.causalcxr.activities.pipeline.RunStart;
import dev.causalcxr.activities.runner.StageRequest;
import dev.causalcxr.activities.runner.StageResult;
import dev.causalcxr.activities.stages.StageActivities;
import dev.causalcxr.core.spec.StageName;
import io.temporal.activity.Activity;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The workflow's fan-out of {@code optimize-tail-noise}: one activity per tail class, in parallel,
 * joined; a failing class retried alone. The stage activities are a scripted stand-in here (the
 * orchestration is under test; the real per-class stage is tested in the activities module).
 */
class TailNoiseFanOutTest {
    static final List<String> CLASSES = List.of("fracture", "pneumothorax", "mass", "nodule");

    TestWorkflowEnvironment env;
    ScriptedStageActivities stages;

    @BeforeEach
    void start() {
        env = TestWorkflowEnvironment.newInstance();
        stages = new ScriptedStageActivities();
        Worker cpu = env.newWorker(TaskQueues.CPU);
        cpu.registerWorkflowImplementationTypes(ExperimentWorkflowImpl.class);
        cpu.registerActivitiesImplementations(new NoBookkeeping());
        // enough slots for every class at once: the test fails if the workflow started them one by one
        Worker gpu = env.newWorker(
                TaskQueues.GPU,
                WorkerOptions.newBuilder()
                        .setMaxConcurrentActivityExecutionSize(CLASSES.size() + 1)
                        .build());
        gpu.registerActivitiesImplementations(stages);
        env.start();
    }

    @AfterEach
    void stop() {
        env.close();
    }

    private RunSummary run() {
        ExperimentPlan plan = new ExperimentPlan(
                "fanout-run",
                "causalcxr/fanout",
                "fanout",
                "d",
                "{}",
                "test",
                1L,
                "quick",
                List.of(new ExperimentPlan.StagePlan(
                        StageName.OPTIMIZE_TAIL_NOISE, TaskQueues.GPU, "{}", 5L, List.of(), false)));
        WorkflowClient client = env.getWorkflowClient();
        ExperimentWorkflow wf = client.newWorkflowStub(
                ExperimentWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setTaskQueue(TaskQueues.CPU)
                        .setWorkflowId(plan.runId())
                        .build());
        return wf.run(plan);
    }

    @Test
    void perClassActivitiesRunInParallelAndTheJoinSeesEveryPrior() {
        RunSummary summary = run();

        assertEquals("succeeded", summary.status(), String.valueOf(summary.error()));
        // every class was running at the same time (each waited for all others to start)
        assertEquals(CLASSES.size(), stages.maxConcurrent.get());
        List<String> joined = new ArrayList<>(stages.joinInputs.keySet());
        for (String c : CLASSES) {
            assertTrue(joined.contains("optimize-tail-noise/" + c), "join input of " + c + ": " + joined);
        }
        // the Temporal UI's summary of each activity: the stage or tail class, the spec and the run
        List<String> summaries = new ArrayList<>();
        for (var e : env.getWorkflowClient().fetchHistory("fanout-run").getEvents()) {
            if (e.getEventType() == io.temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
                    && e.getUserMetadata().hasSummary()) {
                summaries.add(io.temporal.common.converter.DefaultDataConverter.STANDARD_INSTANCE.fromPayload(
                        e.getUserMetadata().getSummary(), String.class, String.class));
            }
        }
        for (String c : CLASSES) {
            assertTrue(
                    summaries.contains("optimize-tail-noise/" + c + " · fanout (spec d) · run fanout-run"),
                    summaries.toString());
        }
        assertTrue(summaries.contains("optimize-tail-noise · fanout (spec d) · run fanout-run"), summaries.toString());
    }

    @Test
    void aFailingClassIsRetriedAloneAndTheOthersRunOnce() {
        stages.failFirstAttemptOf = "mass";

        RunSummary summary = run();

        assertEquals("succeeded", summary.status(), String.valueOf(summary.error()));
        assertEquals(2, stages.attempts.get("optimize-tail-noise/mass").get());
        for (String c : CLASSES) {
            if (!c.equals("mass")) {
                assertEquals(1, stages.attempts.get("optimize-tail-noise/" + c).get(), c);
            }
        }
        assertEquals(1, stages.joins.get());
    }

    /** Scripted stage activities: only the tail-noise methods are expected to be called. */
    static final class ScriptedStageActivities implements StageActivities {
        final CountDownLatch allStarted = new CountDownLatch(CLASSES.size());
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger maxConcurrent = new AtomicInteger();
        final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
        final AtomicInteger joins = new AtomicInteger();
        final List<String> order = new CopyOnWriteArrayList<>();
        volatile Map<String, String> joinInputs = Map.of();
        volatile String failFirstAttemptOf;

        @Override
        public List<String> tailNoiseClasses(StageRequest request) {
            return CLASSES;
        }

        @Override
        public StageResult optimizeTailNoiseClass(StageRequest request) {
            int attempt = attempts.computeIfAbsent(request.stage(), k -> new AtomicInteger())
                    .incrementAndGet();
            // counted as running before it signals its start: when the latch opens, every class is running
            int now = running.incrementAndGet();
            maxConcurrent.accumulateAndGet(now, Math::max);
            if (attempt == 1) {
                allStarted.countDown();
            }
            try {
                if (request.stage().endsWith("/" + failFirstAttemptOf) && attempt == 1) {
                    throw new IllegalStateException("simulated worker failure");
                }
                // wait until every class has started: sequential dispatch never gets past this
                if (!allStarted.await(20, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the other classes never started");
                }
                Activity.getExecutionContext().heartbeat(null);
                order.add(request.stage());
                return new StageResult(
                        request.stage(),
                        "manifest-" + request.stage(),
                        false,
                        0.1,
                        Map.of(),
                        null,
                        Activity.getExecutionContext().getInfo().getAttempt());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } finally {
                running.decrementAndGet();
            }
        }

        @Override
        public StageResult optimizeTailNoise(StageRequest request) {
            joins.incrementAndGet();
            joinInputs = Map.copyOf(request.inputs());
            return new StageResult(
                    request.stage(), "manifest-join", false, 0.1, Map.of("tail_effectiveness_optimized", 0.5), null, 1);
        }

        @Override
        public StageResult ingest(StageRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public StageResult parseReports(StageRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public StageResult trainDisentangler(StageRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public StageResult trainDiffusion(StageRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public StageResult generateCounterfactuals(StageRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public StageResult evaluate(StageRequest request) {
            throw new UnsupportedOperationException();
        }
    }

    static final class NoBookkeeping implements PipelineActivities {
        @Override
        public String beginRun(RunStart start) {
            return "tracking-run";
        }

        @Override
        public void finishRun(RunFinish finish) {}

        @Override
        public String registerModel(ModelRegistration registration) {
            throw new UnsupportedOperationException("no model is trained in this test");
        }
    }
}
