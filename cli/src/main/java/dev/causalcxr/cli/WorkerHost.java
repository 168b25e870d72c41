package dev.causalcxr.cli;

import dev.causalcxr.activities.TaskQueues;
import dev.causalcxr.activities.pipeline.PipelineActivitiesImpl;
import dev.causalcxr.activities.runner.StageDefinition;
import dev.causalcxr.activities.runner.StageRunner;
import dev.causalcxr.activities.stages.StageActivitiesImpl;
import dev.causalcxr.infra.stack.PlatformStack;
import dev.causalcxr.workflows.experiment.ExperimentWorkflowImpl;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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

    public static WorkerHost start(
            PlatformStack stack, Set<String> queues, List<StageDefinition> stages, Path workRoot) {
        WorkerFactory factory = stack.temporal().newWorkerFactory();
        StageRunner runner = new StageRunner(stack.objectStore(), stack.journal(), stack.tracker(), workRoot);
        WorkerOptions options = WorkerOptions.newBuilder()
                .setStickyQueueScheduleToStartTimeout(stack.temporal().stickyScheduleToStartTimeout())
                // stages are CPU-bound and sized for the whole machine: one at a time per worker
                .setMaxConcurrentActivityExecutionSize(1)
                // heartbeats carry progress: send them every couple of seconds, not every 0.8 x timeout
                .setMaxHeartbeatThrottleInterval(Duration.ofSeconds(2))
                .setDefaultHeartbeatThrottleInterval(Duration.ofSeconds(2))
                .build();
        register(q -> factory.newWorker(q, options), queues, stack, runner, stages);
        factory.start();
        return new WorkerHost(factory);
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
                w.registerWorkflowImplementationTypes(ExperimentWorkflowImpl.class);
                w.registerActivitiesImplementations(
                        stageActivities,
                        new PipelineActivitiesImpl(
                                stack.journal(), stack.tracker(), stack.objectStore(), stack.registry()));
            } else {
                w.registerActivitiesImplementations(stageActivities);
            }
        }
    }

    @Override
    public void close() {
        factory.shutdownNow();
    }
}
