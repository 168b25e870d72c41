package dev.causalcxr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.activities.TaskQueues;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.RetryOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code worker --slots}: what the command line asks for per queue, and that it is what a Temporal worker
 * (the in-process test service, a real worker) runs at once.
 */
class WorkerSlotsTest {
    private static final String QUEUE = "slots-test";

    @Test
    void slotsArePerQueueWithOneOnTheGpuAndTheCoresOnTheCpuByDefault() {
        WorkerCommand defaults = parse("--queues", "gpu,cpu");
        assertEquals(
                Map.of(TaskQueues.GPU, 1, TaskQueues.CPU, Runtime.getRuntime().availableProcessors()),
                defaults.slotsPerQueue(defaults.taskQueues()));
        WorkerCommand both = parse("--queues", "cpu,gpu", "--slots", "3");
        assertEquals(Map.of(TaskQueues.CPU, 3, TaskQueues.GPU, 3), both.slotsPerQueue(both.taskQueues()));
        WorkerCommand gpu = parse("--queues", "cpu,gpu", "--slots", "gpu=2");
        assertEquals(
                Map.of(TaskQueues.GPU, 2, TaskQueues.CPU, WorkerHost.defaultSlots(TaskQueues.CPU)),
                gpu.slotsPerQueue(gpu.taskQueues()));
        WorkerCommand two = parse("--queues", "cpu,gpu", "--slots", "gpu=2,cpu=5");
        assertEquals(Map.of(TaskQueues.GPU, 2, TaskQueues.CPU, 5), two.slotsPerQueue(two.taskQueues()));

        WorkerCommand zero = parse("--queues", "gpu", "--slots", "0");
        assertThrows(UsageException.class, () -> zero.slotsPerQueue(zero.taskQueues()));
        WorkerCommand notServed = parse("--queues", "gpu", "--slots", "cpu=2");
        UsageException e = assertThrows(UsageException.class, () -> notServed.slotsPerQueue(notServed.taskQueues()));
        assertTrue(e.getMessage().contains("does not serve"), e.getMessage());
        WorkerCommand words = parse("--queues", "gpu", "--slots", "many");
        assertThrows(UsageException.class, () -> words.slotsPerQueue(words.taskQueues()));
    }

    @Test
    void aWorkerWithTwoSlotsRunsTwoActivitiesAtOnce() {
        // both activities wait for each other: they can only finish if the worker runs them side by side
        Probe probe = new Probe(new CyclicBarrier(2));
        assertEquals(2, runTwo(2, probe));
        assertEquals(2, probe.maxConcurrent.get());
    }

    @Test
    void aWorkerWithOneSlotRunsOneActivityAtATime() {
        Probe probe = new Probe(null);
        assertEquals(2, runTwo(1, probe));
        assertEquals(1, probe.maxConcurrent.get());
    }

    /** Runs a workflow that starts two activities together on a worker with {@code slots}; returns how many ran. */
    private static int runTwo(int slots, Probe probe) {
        try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
            Worker worker = env.newWorker(QUEUE, WorkerHost.workerOptions(Duration.ofSeconds(5), slots));
            worker.registerWorkflowImplementationTypes(TwoAtOnceImpl.class);
            worker.registerActivitiesImplementations(probe);
            env.start();
            TwoAtOnce wf = env.getWorkflowClient()
                    .newWorkflowStub(
                            TwoAtOnce.class,
                            WorkflowOptions.newBuilder().setTaskQueue(QUEUE).build());
            return WorkflowClient.execute(wf::run).join();
        }
    }

    private static WorkerCommand parse(String... args) {
        WorkerCommand c = new WorkerCommand();
        new CommandLine(c).parseArgs(args);
        return c;
    }

    @WorkflowInterface
    public interface TwoAtOnce {
        @WorkflowMethod
        int run();
    }

    @ActivityInterface
    public interface Slot {
        int occupy(int i);
    }

    public static class TwoAtOnceImpl implements TwoAtOnce {
        private final Slot slot = Workflow.newActivityStub(
                Slot.class,
                ActivityOptions.newBuilder()
                        .setStartToCloseTimeout(Duration.ofMinutes(2))
                        .setRetryOptions(
                                RetryOptions.newBuilder().setMaximumAttempts(1).build())
                        .build());

        @Override
        public int run() {
            List<Promise<Integer>> all = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                all.add(Async.function(slot::occupy, i));
            }
            int done = 0;
            for (Promise<Integer> p : all) {
                done += p.get();
            }
            return done;
        }
    }

    /** Counts the activities running at once; with a barrier, each waits for the other. */
    static final class Probe implements Slot {
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger maxConcurrent = new AtomicInteger();
        private final CyclicBarrier barrier;

        Probe(CyclicBarrier barrier) {
            this.barrier = barrier;
        }

        @Override
        public int occupy(int i) {
            int now = running.incrementAndGet();
            maxConcurrent.accumulateAndGet(now, Math::max);
            try {
                if (barrier != null) {
                    barrier.await(60, TimeUnit.SECONDS);
                } else {
                    Thread.sleep(200); // long enough for a second slot, were there one, to take the other
                }
            } catch (Exception e) {
                throw new IllegalStateException("the other activity never ran alongside: " + e, e);
            } finally {
                running.decrementAndGet();
            }
            return 1;
        }
    }
}
