package dev.causalcxr.cli;

import dev.causalcxr.core.spec.ValidationException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code causalcxr} command. Exit codes: 0 ok, 2 usage or validation error ({@link ValidationException}),
 * 1 failure.
 */
@Command(
        name = "causalcxr",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Counterfactual chest X-ray generators for long-tail findings: train, evaluate, version, serve.",
        subcommands = {
            DemoCommand.class,
            RunCommand.class,
            RetrainCommand.class,
            ScheduleCommand.class,
            AblateCommand.class,
            WorkerCommand.class,
            StatusCommand.class,
            StackCommand.class,
            MlflowCommand.class,
            PhantomCommand.class,
            DatasetCommand.class,
            ParseReportsCommand.class,
            EvalParserCommand.class,
            FidCliCommand.class,
            CounterfactualCommand.class,
            ModelsCommand.class,
            ServeCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler(Main::handleError);
        cli.setParameterExceptionHandler((ex, a) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("error: " + ex.getMessage());
            ex.getCommandLine().usage(err);
            return ExitCodes.USAGE;
        });
        return cli.execute(args);
    }

    private static int handleError(Exception e, CommandLine cmd, CommandLine.ParseResult parse) {
        PrintWriter err = cmd.getErr();
        if (exitCode(e) == ExitCodes.USAGE) {
            err.println("error: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        err.println("failed: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        // the whole trace goes to the log file only
        org.slf4j.LoggerFactory.getLogger(Main.class).error("command failed", e);
        return ExitCodes.FAILURE;
    }

    /**
     * 2 for what a person gave that is not valid (a spec, a setting, an option: {@link ValidationException},
     * which the spec's and the commands' usage errors are), 1 for everything else, including an
     * {@link IllegalArgumentException} from deeper down, which is a bug or a failure, not a usage error.
     */
    static int exitCode(Exception e) {
        return e instanceof ValidationException ? ExitCodes.USAGE : ExitCodes.FAILURE;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"causalcxr " + dev.causalcxr.core.spec.CodeVersion.current()};
        }
    }
}
