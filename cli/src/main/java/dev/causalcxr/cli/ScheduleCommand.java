package dev.causalcxr.cli;

import dev.causalcxr.activities.TaskQueues;
import dev.causalcxr.activities.retrain.RetrainInputException;
import dev.causalcxr.activities.retrain.RetrainSchedule;
import dev.causalcxr.core.spec.RetrainConfig;
import dev.causalcxr.core.spec.ValidationException;
import dev.causalcxr.infra.registry.ModelRegistry;
import dev.causalcxr.infra.schedules.RetrainSchedules;
import dev.causalcxr.infra.stack.PlatformStack;
import dev.causalcxr.infra.stack.StackConfig;
import dev.causalcxr.workflows.retrain.RetrainScheduleWorkflow;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "schedule",
        mixinStandardHelpOptions = true,
        description = {
            "Retrain schedules: every interval, retrain a champion when its data set has a new version.",
            "A version is new when it is newer than the champion's training data and the champion was not",
            "retrained on it yet. Recorded in PostgreSQL; each runs as a",
            "Temporal workflow, and ticks only while a worker serves the cpu queue (`causalcxr stack` with",
            "`causalcxr worker`, or a cluster)."
        },
        subcommands = {
            ScheduleCommand.Retrain.class,
            ScheduleCommand.ListSchedules.class,
            ScheduleCommand.Pause.class,
            ScheduleCommand.Unpause.class,
            ScheduleCommand.Delete.class
        })
final class ScheduleCommand {
    // not Runnable: only its subcommands run, and without one picocli reports a usage error (exit 2) with this
    // command's usage

    /** Ticks before a schedule's workflow continues as new (its history stays a few hundred events). */
    static final int TICKS_PER_RUN = 100;

    private static final Pattern EVERY = Pattern.compile("([0-9]{1,6})([smhdw])");

    /** The stack's stores, and its Temporal service when one is configured or a running stack is joined. */
    private static PlatformStack stack(StackConfig config) {
        StackConfig c = config.withMlflowEnabled(false);
        return PlatformStack.start(c, c.temporalAddress().isPresent());
    }

    private static Optional<WorkflowClient> temporal(PlatformStack stack) {
        return stack.config().temporalAddress().isPresent()
                ? Optional.of(stack.temporal().client())
                : Optional.empty();
    }

    /** {@code 90s}, {@code 30m}, {@code 12h}, {@code 7d}, {@code 2w} in seconds; at least a minute. */
    static long parseEvery(String text) {
        Matcher m = EVERY.matcher(text.trim());
        if (!m.matches()) {
            throw new UsageException(
                    "--every must be a whole number and a unit, s, m, h, d or w (7d, 12h), not '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        long seconds = n
                * switch (m.group(2)) {
                    case "s" -> 1L;
                    case "m" -> 60L;
                    case "h" -> 3600L;
                    case "d" -> 86_400L;
                    default -> 604_800L;
                };
        if (seconds < 60) {
            throw new UsageException("--every must be at least a minute, not '" + text + "'");
        }
        return seconds;
    }

    static String formatEvery(long seconds) {
        long[] units = {86_400, 3600, 60, 1};
        String[] names = {"d", "h", "m", "s"};
        for (int i = 0; i < units.length; i++) {
            if (seconds % units[i] == 0) {
                return seconds / units[i] + names[i];
            }
        }
        return seconds + "s";
    }

    /** The workflow's input for a recorded schedule. */
    static RetrainSchedule workflowInput(RetrainSchedules.Schedule s) {
        return new RetrainSchedule(
                s.id(),
                s.model(),
                s.dataset(),
                s.everySeconds(),
                s.specYaml(),
                s.createdAt().toEpochMilli(),
                s.lastTickAt() == null ? 0 : s.lastTickAt().toEpochMilli(),
                s.paused(),
                TICKS_PER_RUN);
    }

    /** Starts a recorded schedule's workflow; false when it runs already. */
    static boolean arm(WorkflowClient client, RetrainSchedules.Schedule s) {
        RetrainScheduleWorkflow wf = client.newWorkflowStub(
                RetrainScheduleWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setTaskQueue(TaskQueues.CPU)
                        .setWorkflowId(RetrainSchedule.workflowId(s.id()))
                        // a schedule whose earlier workflow closed (a stack restart keeps none) starts again
                        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
                        .build());
        try {
            WorkflowClient.start(wf::run, workflowInput(s));
            return true;
        } catch (WorkflowExecutionAlreadyStarted e) {
            return false;
        }
    }

    /** Starts the workflow of every recorded schedule that is not running (a restarted stack has none); how many. */
    static int armAll(WorkflowClient client, RetrainSchedules schedules) {
        int armed = 0;
        for (RetrainSchedules.Schedule s : schedules.list()) {
            if (arm(client, s)) {
                armed++;
            }
        }
        return armed;
    }

    private static RetrainSchedules.Schedule existing(RetrainSchedules schedules, long id) {
        return schedules
                .find(id)
                .orElseThrow(() -> new UsageException("no schedule " + id + " (see `causalcxr schedule list`)"));
    }

    /** Tells a running schedule workflow; nothing to tell when none runs (it reads its state when armed). */
    private static void tell(PlatformStack stack, long id, Consumer<RetrainScheduleWorkflow> what) {
        temporal(stack).ifPresent(client -> {
            try {
                what.accept(client.newWorkflowStub(RetrainScheduleWorkflow.class, RetrainSchedule.workflowId(id)));
            } catch (WorkflowNotFoundException e) {
                // not armed on this service: the record is what it reads when it is
            }
        });
    }

    @Command(
            name = "retrain",
            mixinStandardHelpOptions = true,
            description = {
                "Every --every, retrain --model on --dataset-name's newest version when it is new.",
                "A version is new when it is newer than the champion's training data and was not retrained against",
                "this champion version yet (by any trigger). The retrain's id is derived from the model, the champion version and the data set",
                "version, so it never runs twice; a tick while this schedule's retrain still runs starts nothing.",
                "Exit 2 for bad input (unknown model or alias, bad --every or spec): nothing recorded."
            })
    static final class Retrain implements Callable<Integer> {
        @Mixin
        DataDirOption dataDir;

        @Option(names = "--model", required = true, paramLabel = "NAME@ALIAS", description = "The champion.")
        String model;

        @Option(
                names = "--dataset-name",
                required = true,
                paramLabel = "NAME",
                description = "The data set in the catalogue whose new versions trigger a retrain.")
        String datasetName;

        @Option(names = "--every", required = true, paramLabel = "N{s|m|h|d|w}", description = "The interval (7d).")
        String every;

        @Option(names = "--spec", paramLabel = "FILE", description = "A YAML file with a retrain: block.")
        Path spec;

        @Override
        public Integer call() {
            List<String> problems = new ArrayList<>();
            if (!model.contains("@")) {
                problems.add("--model needs NAME@ALIAS: which version is the champion");
            }
            if (!datasetName.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
                problems.add("--dataset-name must be a data set name (1-64 letters, digits, '.', '_' or '-')");
            }
            long seconds = 0;
            try {
                seconds = parseEvery(every);
            } catch (UsageException e) {
                problems.add(e.getMessage());
            }
            String specText = null;
            if (spec != null) {
                try {
                    specText = Files.readString(spec, StandardCharsets.UTF_8);
                    RetrainConfig.parseYaml(specText);
                } catch (IOException e) {
                    problems.add(FileErrors.cannot("cannot read the spec", spec, e));
                } catch (ValidationException e) {
                    problems.add(e.getMessage());
                }
            }
            ConsoleOutput console = ConsoleOutput.system();
            try (PlatformStack stack = stack(dataDir.config())) {
                if (model.contains("@")) {
                    try {
                        WorkerHost.retrainActivities(stack).lineage(model);
                    } catch (RetrainInputException e) {
                        problems.add(e.getMessage());
                    }
                }
                if (!problems.isEmpty()) {
                    throw new UsageException(String.join("\n", problems));
                }
                RetrainSchedules schedules = new RetrainSchedules(stack.db());
                RetrainSchedules.Schedule s = schedules
                        .create(model, datasetName, seconds, specText, ModelRegistry.currentUser())
                        .orElseThrow(() -> new UsageException("a schedule retrains " + model + " on " + datasetName
                                + " already: "
                                + schedules
                                        .find(model, datasetName)
                                        .map(x -> "schedule " + x.id())
                                        .orElse("")));
                console.printf(
                        "schedule %d: retrain %s on new versions of %s every %s (first tick %s)",
                        s.id(),
                        model,
                        datasetName,
                        formatEvery(seconds),
                        DateTimeFormatter.ISO_INSTANT.format(
                                Instant.ofEpochMilli(workflowInput(s).nextTickEpochMs())
                                        .truncatedTo(ChronoUnit.SECONDS)));
                if (new dev.causalcxr.infra.datasets.DatasetCatalog(stack.db())
                        .version(datasetName, null)
                        .isEmpty()) {
                    console.println("note: " + datasetName + " has no version yet; the schedule waits for one");
                }
                Optional<WorkflowClient> client = temporal(stack);
                if (client.isPresent()) {
                    arm(client.get(), s);
                    console.println(
                            "armed on " + stack.config().temporalAddress().get() + " as workflow "
                                    + RetrainSchedule.workflowId(s.id())
                                    + "; it ticks while a worker serves the cpu queue (`causalcxr worker`)");
                } else {
                    console.println(
                            "recorded; no stack runs for this data folder: the schedule is armed when a worker"
                                    + " (`causalcxr worker`) joins a `causalcxr stack` of this folder, and ticks while it runs");
                }
                return ExitCodes.OK;
            }
        }
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "Every schedule with its state, last tick and what that tick did.")
    static final class ListSchedules implements Callable<Integer> {
        @Mixin
        DataDirOption dataDir;

        @Override
        public Integer call() {
            ConsoleOutput console = ConsoleOutput.system();
            try (PlatformStack stack = PlatformStack.start(dataDir.config().withMlflowEnabled(false), false)) {
                List<RetrainSchedules.Schedule> all = new RetrainSchedules(stack.db()).list();
                if (all.isEmpty()) {
                    console.println("no schedules (causalcxr schedule retrain --help)");
                    return ExitCodes.OK;
                }
                console.printf(
                        "%-4s %-24s %-20s %-6s %-7s %-21s %s",
                        "id", "model", "dataset", "every", "state", "last tick", "outcome");
                for (RetrainSchedules.Schedule s : all) {
                    console.printf(
                            "%-4d %-24s %-20s %-6s %-7s %-21s %s",
                            s.id(),
                            s.model(),
                            s.dataset(),
                            formatEvery(s.everySeconds()),
                            s.state(),
                            s.lastTickAt() == null
                                    ? "-"
                                    : DateTimeFormatter.ISO_INSTANT.format(
                                            s.lastTickAt().truncatedTo(ChronoUnit.SECONDS)),
                            s.lastOutcome() == null ? "-" : s.lastOutcome());
                }
                return ExitCodes.OK;
            }
        }
    }

    /** Pause and unpause: the recorded state first (what a re-armed schedule reads), then the running workflow. */
    private static int changeState(
            DataDirOption dataDir, long id, String state, Consumer<RetrainScheduleWorkflow> signal, String said) {
        try (PlatformStack stack = stack(dataDir.config())) {
            RetrainSchedules schedules = new RetrainSchedules(stack.db());
            existing(schedules, id);
            schedules.setState(id, state);
            tell(stack, id, signal);
            ConsoleOutput.system().printf("schedule %d %s", id, said);
            return ExitCodes.OK;
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true, description = "Ticks start nothing until unpaused.")
    static final class Pause implements Callable<Integer> {
        @Mixin
        DataDirOption dataDir;

        @Parameters(index = "0", paramLabel = "ID")
        long id;

        @Override
        public Integer call() {
            return changeState(dataDir, id, RetrainSchedules.PAUSED, RetrainScheduleWorkflow::pause, "paused");
        }
    }

    @Command(name = "unpause", mixinStandardHelpOptions = true, description = "Ticks start retrains again.")
    static final class Unpause implements Callable<Integer> {
        @Mixin
        DataDirOption dataDir;

        @Parameters(index = "0", paramLabel = "ID")
        long id;

        @Override
        public Integer call() {
            return changeState(dataDir, id, RetrainSchedules.ACTIVE, RetrainScheduleWorkflow::unpause, "active");
        }
    }

    @Command(
            name = "delete",
            mixinStandardHelpOptions = true,
            description = "Removes the schedule and cancels its workflow; a retrain it started runs on.")
    static final class Delete implements Callable<Integer> {
        @Mixin
        DataDirOption dataDir;

        @Parameters(index = "0", paramLabel = "ID")
        long id;

        @Override
        public Integer call() {
            try (PlatformStack stack = stack(dataDir.config())) {
                RetrainSchedules schedules = new RetrainSchedules(stack.db());
                existing(schedules, id);
                schedules.delete(id);
                temporal(stack).ifPresent(client -> {
                    try {
                        client.newUntypedWorkflowStub(RetrainSchedule.workflowId(id))
                                .cancel();
                    } catch (WorkflowNotFoundException e) {
                        // not armed on this service: its next tick (if ever armed) finds the record gone
                    }
                });
                ConsoleOutput.system().printf("schedule %d deleted", id);
                return ExitCodes.OK;
            }
        }
    }
}
