package dev.causalcxr.cli;

import dev.causalcxr.activities.TaskQueues;
import dev.causalcxr.activities.stages.StageCatalog;
import dev.causalcxr.core.engine.Engines;
import dev.causalcxr.infra.stack.PlatformStack;
import dev.causalcxr.infra.stack.StackConfig;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "worker",
        mixinStandardHelpOptions = true,
        description = {
            "Run workers for the given task queues against configured services.",
            "The services: TEMPORAL_ADDRESS, CAUSALCXR_S3_*, CAUSALCXR_DB_* (see `causalcxr stack`). Ctrl-C stops",
            "them."
        })
final class WorkerCommand implements Callable<Integer> {
    @Mixin
    DataDirOption dataDir;

    @Option(
            names = "--queues",
            split = ",",
            description = "cpu, gpu or both (default: both). An explicit gpu needs a CUDA device, or --allow-cpu.")
    List<String> queues;

    @Option(
            names = "--allow-cpu",
            description = "Serve the gpu queue on a machine without CUDA: its stages then train on the CPU "
                    + "(what docker/local-cluster does on such a machine).")
    boolean allowCpu;

    @Option(
            names = "--slots",
            split = ",",
            paramLabel = "N|QUEUE=N",
            description = "Activities each queue's worker runs at once: N for every queue, or per queue "
                    + "(gpu=1,cpu=4). Default: 1 on gpu (a stage trains on the whole device), the machine's "
                    + "cores on cpu.")
    List<String> slots = List.of();

    @Override
    public Integer call() throws Exception {
        boolean explicit = queues != null;
        Set<String> taskQueues = taskQueues();
        Map<String, Integer> slotsPerQueue = slotsPerQueue(taskQueues);
        ConsoleOutput console = ConsoleOutput.system();
        if (taskQueues.contains(TaskQueues.GPU) && Engines.gpuCount() == 0) {
            // a worker asked for the gpu queue must not train on the CPU without saying so
            if (explicit && !allowCpu) {
                throw new UsageException("this machine has no CUDA device that libtorch can use, so a gpu worker would "
                        + "train on the CPU: run it where CUDA is set up (README, GPU workers), or pass --allow-cpu "
                        + "to serve the gpu queue on the CPU knowingly");
            }
            console.println("no CUDA device here: the gpu queue's stages train on the CPU");
        }
        StackConfig config = dataDir.config();
        if (config.temporalAddress().isEmpty()
                || config.s3().isEmpty()
                || config.db().isEmpty()) {
            throw new UsageException("a worker joins shared services: set TEMPORAL_ADDRESS, CAUSALCXR_S3_ENDPOINT and "
                    + "CAUSALCXR_DB_URL (start `causalcxr stack` and export what it prints)");
        }
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        try (PlatformStack stack = PlatformStack.start(config);
                WorkerHost host = WorkerHost.start(
                        stack,
                        taskQueues,
                        slotsPerQueue,
                        StageCatalog.all(stack.db(), System.getenv()),
                        config.dataDir().resolve("work"))) {
            // on Ctrl-C/SIGTERM: let the main thread close everything before the JVM halts
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stop.countDown();
                StackCommand.awaitQuietly(closed);
            }));
            if (taskQueues.contains(TaskQueues.CPU)) {
                // the embedded Temporal service keeps nothing over a restart: the recorded schedules start again
                int armed = ScheduleCommand.armAll(
                        stack.temporal().client(), new dev.causalcxr.infra.schedules.RetrainSchedules(stack.db()));
                if (armed > 0) {
                    console.println(armed + " retrain schedule(s) armed (`causalcxr schedule list`)");
                }
            }
            console.println("workers polling " + slotsPerQueue + " (queue=slots) at "
                    + config.temporalAddress().get() + "; Ctrl-C stops them");
            stop.await();
        } finally {
            closed.countDown();
        }
        return ExitCodes.OK;
    }

    Set<String> taskQueues() {
        Set<String> taskQueues = new LinkedHashSet<>();
        for (String q : queues != null ? queues : List.of("cpu", "gpu")) {
            taskQueues.add(queue(q));
        }
        return taskQueues;
    }

    /** Every served queue's slots: from {@code --slots}, else {@link WorkerHost#defaultSlots}. */
    Map<String, Integer> slotsPerQueue(Set<String> taskQueues) {
        Map<String, Integer> given = new LinkedHashMap<>();
        for (String s : slots) {
            int eq = s.indexOf('=');
            if (eq < 0) {
                for (String q : taskQueues) {
                    given.put(q, count(s));
                }
            } else {
                String q = queue(s.substring(0, eq));
                if (!taskQueues.contains(q)) {
                    throw new UsageException("--slots names "
                            + s.substring(0, eq).trim() + ", a queue this worker does not serve (--queues)");
                }
                given.put(q, count(s.substring(eq + 1)));
            }
        }
        Map<String, Integer> perQueue = new LinkedHashMap<>();
        for (String q : taskQueues) {
            perQueue.put(q, given.getOrDefault(q, WorkerHost.defaultSlots(q)));
        }
        return perQueue;
    }

    private static String queue(String name) {
        return switch (name.trim()) {
            case "cpu" -> TaskQueues.CPU;
            case "gpu" -> TaskQueues.GPU;
            default -> throw new UsageException("a queue is cpu or gpu, not " + name.trim());
        };
    }

    private static int count(String n) {
        try {
            int v = Integer.parseInt(n.trim());
            if (v >= 1) {
                return v;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new UsageException("--slots takes a whole number of at least 1 (or QUEUE=N), not " + n.trim());
    }
}
