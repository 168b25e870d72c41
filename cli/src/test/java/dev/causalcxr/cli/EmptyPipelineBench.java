package dev.causalcxr.cli;

import dev.causalcxr.core.spec.StageName;
import dev.causalcxr.infra.temporal.TemporalConnection;
import dev.causalcxr.workflows.experiment.StageActivityOptions;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The orchestration cost of a stage without its work, for {@code bench/cluster}: a workflow that runs N empty stages
 * one after another, each an activity scheduled with the product's stage options ({@link StageActivityOptions},
 * heartbeat timeout and retry policy included) on a worker with the product's worker options
 * ({@link WorkerHost#workerOptions}). Bench-only, in test code: the product has no empty stage.
 *
 * <p>{@link #main} is the worker process: {@code EmptyPipelineBench TEMPORAL_ADDRESS TASK_QUEUE}.
 */
public final class EmptyPipelineBench {
    private EmptyPipelineBench() {}

    @WorkflowInterface
    public interface EmptyPipeline {
        /** Runs {@code stages} empty stages in order on {@code taskQueue}; returns the index each one answered. */
        @WorkflowMethod
        List<Integer> run(int stages, String taskQueue);
    }

    @ActivityInterface
    public interface EmptyStage {
        /** Does nothing but answer its index. */
        @ActivityMethod
        int emptyStage(int index);
    }

    public static final class EmptyPipelineImpl implements EmptyPipeline {
        @Override
        public List<Integer> run(int stages, String taskQueue) {
            EmptyStage stage = Workflow.newActivityStub(
                    EmptyStage.class, StageActivityOptions.forStage(StageName.TRAIN_DIFFUSION, taskQueue));
            List<Integer> answers = new ArrayList<>();
            for (int i = 0; i < stages; i++) {
                answers.add(stage.emptyStage(i));
            }
            return answers;
        }
    }

    public static final class EmptyStageImpl implements EmptyStage {
        @Override
        public int emptyStage(int index) {
            return index;
        }
    }

    /** The bench's worker, in its own JVM like the cluster's workers: one slot, as a GPU worker has. */
    public static void main(String[] args) throws InterruptedException {
        if (args.length != 2) {
            System.err.println("usage: EmptyPipelineBench TEMPORAL_ADDRESS TASK_QUEUE");
            System.exit(2);
        }
        TemporalConnection temporal = TemporalConnection.connect(args[0], "default");
        WorkerFactory factory = temporal.newWorkerFactory();
        Worker worker =
                factory.newWorker(args[1], WorkerHost.workerOptions(temporal.stickyScheduleToStartTimeout(), 1));
        worker.registerWorkflowImplementationTypes(EmptyPipelineImpl.class);
        worker.registerActivitiesImplementations(new EmptyStageImpl());
        factory.start();
        System.out.println("bench worker polling " + args[1]);
        System.out.flush();
        new CountDownLatch(1).await(); // until the test kills this process
    }
}
