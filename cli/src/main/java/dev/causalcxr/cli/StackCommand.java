package dev.causalcxr.cli;

import dev.causalcxr.infra.stack.PlatformStack;
import dev.causalcxr.infra.stack.StackConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
        name = "stack",
        mixinStandardHelpOptions = true,
        description = {
            "Start the embedded stack and keep it up, printing its endpoints.",
            "The endpoints serve workers in other processes and browsing MLflow. Ctrl-C stops it.",
            "Outage drills: a file DATA_DIR/stack-control/outage-s3.request (or outage-postgres.request)",
            "holding SECONDS takes that embedded service down for that long, then back on the same port",
            "with the same data; the answer is in outage-SERVICE.status (docker/local-cluster outage)."
        })
final class StackCommand implements Callable<Integer> {
    @Mixin
    DataDirOption dataDir;

    @Override
    public Integer call() throws Exception {
        ConsoleOutput console = ConsoleOutput.system();
        Path dir = dataDir.resolve();
        if (RunningStack.find(dir).isPresent()) {
            throw new UsageException("a stack is already running for " + dir);
        }
        StackConfig config = StackConfig.fromEnvironment(dir);
        console.info("starting the stack (data: " + dir + ") …");
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        try (PlatformStack stack = PlatformStack.start(config)) {
            var mlflow = stack.awaitTracking(Duration.ofMinutes(20));
            Map<String, String> env = stack.connectionEnvironment();
            RunningStack.publish(dir, env);
            StackOutageControl outages = StackOutageControl.start(dir, stack);
            // on Ctrl-C/SIGTERM: let the main thread close everything before the JVM halts
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                RunningStack.withdraw(dir);
                stop.countDown();
                awaitQuietly(closed);
            }));
            console.println("stack up. Other commands with --data-dir " + dir + " join it; workers elsewhere need:");
            env.forEach((k, v) -> console.println("  export " + k + "='" + v + "'"));
            console.println(mlflow.map(u -> "MLflow UI: " + u)
                    .orElse("MLflow: off — " + stack.tracker().offlineReason().orElse("")));
            console.println("Ctrl-C stops the stack.");
            stop.await();
            outages.close();
        } finally {
            RunningStack.withdraw(dir);
            closed.countDown();
        }
        return ExitCodes.OK;
    }

    static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
