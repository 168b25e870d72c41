package dev.causalcxr.cli;

import dev.causalcxr.infra.stack.PlatformStack;
import dev.causalcxr.infra.tracking.Tracker;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
        name = "mlflow",
        mixinStandardHelpOptions = true,
        description = "MLflow tracking utilities.",
        subcommands = MlflowCommand.Sync.class)
final class MlflowCommand {
    // not Runnable: only its subcommands run, and without one picocli reports a usage error (exit 2) with this
    // command's usage

    @Command(
            name = "sync",
            mixinStandardHelpOptions = true,
            description = {
                "Replay journaled runs that are not yet in MLflow into the server.",
                "The server: MLFLOW_TRACKING_URI, or the embedded one."
            })
    static final class Sync implements Callable<Integer> {
        @Mixin
        DataDirOption dataDir;

        @Override
        public Integer call() {
            ConsoleOutput console = ConsoleOutput.system();
            try (PlatformStack stack = PlatformStack.start(dataDir.config(), false)) {
                var uri = stack.awaitTracking(Duration.ofMinutes(20));
                if (uri.isEmpty()) {
                    console.println("no MLflow server: "
                            + stack.tracker().offlineReason().orElse("unknown"));
                    return ExitCodes.FAILURE;
                }
                // connecting already replayed the journal; a last pass catches anything that failed then
                Tracker.SyncReport first =
                        stack.connectSync().orElse(new Tracker.SyncReport(0, 0, java.util.List.of()));
                Tracker.SyncReport r = stack.tracker().syncAll();
                console.printf(
                        "synced to %s: %d runs brought up to date, %d failed",
                        uri.get(), first.runs() - first.failures() + r.runs() - r.failures(), r.failures());
                r.errors().forEach(e -> console.println("  " + e));
                return r.failures() == 0 ? ExitCodes.OK : ExitCodes.FAILURE;
            }
        }
    }
}
