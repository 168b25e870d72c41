package dev.causalcxr.workflows.host;

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

/**
 * Workers for the CPU and/or GPU task queues on one stack. The CPU worker also hosts the
 * experiment workflow and the run bookkeeping.
 */
public final class WorkerHost implements AutoCloseable {
    private final WorkerFactory factory;

    private WorkerHost(WorkerFactory factory) {
        this.factory = factory;
    }

    public static WorkerHost start(PlatformStack stack, Set<String> queues, List<StageDefinition> stages, Path workRoot) {
        WorkerFactory factory = stack.temporal().newWorkerFactory();
        StageRunner runner = new StageRunner(stack.objectStore(), stack.journal(), stack.tracker(), workRoot);
        StageActivitiesImpl stageActivities = new StageActivitiesImpl(runner, stages);
        WorkerOptions options = WorkerOptions.newBuilder()
                .setStickyQueueScheduleToStartTimeout(stack.temporal().stickyScheduleToStartTimeout())
                // stages are CPU-bound and sized for the whole machine: one at a time per worker
                .setMaxConcurrentActivityExecutionSize(1)
                // heartbeats carry progress: send them every couple of seconds, not every 0.8 x timeout
                .setMaxHeartbeatThrottleInterval(Duration.ofSeconds(2))
                .setDefaultHeartbeatThrottleInterval(Duration.ofSeconds(2))
                .build();
        for (String q : queues) {
            Worker w = factory.newWorker(q, options);
            if (q.equals(TaskQueues.CPU)) {
                w.registerWorkflowImplementationTypes(ExperimentWorkflowImpl.class);
                w.registerActivitiesImplementations(stageActivities,
                        new PipelineActivitiesImpl(stack.journal(), stack.tracker(), stack.objectStore(),
                        stack.registry()));
            } else {
                w.registerActivitiesImplementations(stageActivities);
            }
        }
        factory.start();
        return new WorkerHost(factory);
    }

    @Override
    public void close() {
        factory.shutdownNow();
    }
}
