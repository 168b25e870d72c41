package dev.causalcxr.cli;

import dev.causalcxr.activities.TaskQueues;
import dev.causalcxr.activities.pipeline.PipelineActivitiesImpl;
import dev.causalcxr.activities.retrain.RetrainActivitiesImpl;
import dev.causalcxr.activities.retrain.RetrainScheduleActivitiesImpl;
import dev.causalcxr.activities.retrain.RetrainTriggers;
import dev.causalcxr.activities.runner.StageDefinition;
import dev.causalcxr.activities.runner.StageRunner;
import dev.causalcxr.activities.stages.StageActivitiesImpl;
import dev.causalcxr.infra.datasets.DatasetCatalog;
import dev.causalcxr.infra.schedules.RetrainSchedules;
import dev.causalcxr.infra.stack.PlatformStack;
import dev.causalcxr.workflows.experiment.ExperimentWorkflowImpl;
import dev.causalcxr.workflows.retrain.RetrainScheduleWorkflowImpl;
import dev.causalcxr.workflows.retrain.RetrainWorkflowImpl;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Workers for the CPU and/or GPU task queues on one stack: the one place the workflow and the activity
 * implementations (with their storage, database and model code) are wired together. The CPU worker also
 * hosts the experiment workflow and the run bookkeeping. It lives with the other process wiring (the
 * CLI), not in the workflows module, which knows the activity contracts only.
 */
public final class WorkerHost implements AutoCloseable {
    private final WorkerFactory factory;

    private WorkerHost(WorkerFactory factory) {
        this.factory = factory;
    }

    /** Workers for {@code queues}, each with its default number of slots ({@link #defaultSlots}). */
    public static WorkerHost start(
            PlatformStack stack, Set<String> queues, List<StageDefinition> stages, Path workRoot) {
        return start(stack, queues, Map.of(), stages, workRoot);
    }

    /**
     * Workers for {@code queues}; {@code slots} maps a queue to the number of activities its worker runs at
     * once (a queue it does not name gets {@link #defaultSlots}).
     */
    public static WorkerHost start(
            PlatformStack stack,
            Set<String> queues,
            Map<String, Integer> slots,
            List<StageDefinition> stages,
            Path workRoot) {
        WorkerFactory factory = stack.temporal().newWorkerFactory();
        StageRunner runner = new StageRunner(stack.objectStore(), stack.journal(), stack.tracker(), workRoot);
        Duration sticky = stack.temporal().stickyScheduleToStartTimeout();
        register(
                q -> factory.newWorker(q, workerOptions(sticky, slots.getOrDefault(q, defaultSlots(q)))),
                queues,
                stack,
                runner,
                stages);
        factory.start();
        return new WorkerHost(factory);
    }

    /**
     * How many activities a worker of {@code queue} runs at once unless told: one on the gpu queue (a stage
     * trains on the whole device), the machine's cores on the cpu queue (stage bookkeeping and CPU stages of
     * several pipelines side by side).
     */
    public static int defaultSlots(String queue) {
        return queue.equals(TaskQueues.GPU)
                ? 1
                : Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    /** The options of one queue's worker: {@code slots} concurrent activity executions. */
    static WorkerOptions workerOptions(Duration stickyScheduleToStartTimeout, int slots) {
        if (slots < 1) {
            throw new IllegalArgumentException("a worker needs at least one slot, not " + slots);
        }
        return WorkerOptions.newBuilder()
                .setStickyQueueScheduleToStartTimeout(stickyScheduleToStartTimeout)
                .setMaxConcurrentActivityExecutionSize(slots)
                // heartbeats carry progress: send them every couple of seconds, not every 0.8 x timeout
                .setMaxHeartbeatThrottleInterval(Duration.ofSeconds(2))
                .setDefaultHeartbeatThrottleInterval(Duration.ofSeconds(2))
                .build();
    }

    /**
     * Registers the experiment workflow and the activities on a new worker per queue (also how tests wire a
     * {@code TestWorkflowEnvironment}: {@code register(env::newWorker, …)}).
     */
    public static void register(
            Function<String, Worker> newWorker,
            Set<String> queues,
            PlatformStack stack,
            StageRunner runner,
            List<StageDefinition> stages) {
        StageActivitiesImpl stageActivities = new StageActivitiesImpl(runner, stages);
        for (String q : queues) {
            Worker w = newWorker.apply(q);
            if (q.equals(TaskQueues.CPU)) {
                w.registerWorkflowImplementationTypes(
                        ExperimentWorkflowImpl.class, RetrainWorkflowImpl.class, RetrainScheduleWorkflowImpl.class);
                RetrainSchedules schedules = new RetrainSchedules(stack.db());
                w.registerActivitiesImplementations(
                        stageActivities,
                        new PipelineActivitiesImpl(
                                stack.journal(), stack.tracker(), stack.objectStore(), stack.registry()),
                        retrainActivities(stack),
                        new RetrainScheduleActivitiesImpl(retrainTriggers(stack), schedules));
            } else {
                w.registerActivitiesImplementations(stageActivities);
            }
        }
    }

    /** The retrain's activities; their scratch space (a union's images while it is packed) is in the data folder. */
    static RetrainActivitiesImpl retrainActivities(PlatformStack stack) {
        return new RetrainActivitiesImpl(
                stack.registry(),
                stack.journal(),
                new DatasetCatalog(stack.db()),
                stack.objectStore(),
                stack.tracker(),
                stack.config().dataDir().resolve("retrain-work"));
    }

    /** When a retrain is due and under which id (schedules, an import's --then-retrain, `retrain`). */
    static RetrainTriggers retrainTriggers(PlatformStack stack) {
        return new RetrainTriggers(
                retrainActivities(stack), new DatasetCatalog(stack.db()), new RetrainSchedules(stack.db()));
    }

    @Override
    public void close() {
        factory.shutdownNow();
    }
}
