package dev.causalcxr.cli;

import dev.causalcxr.core.spec.ExperimentSpec;
import dev.causalcxr.core.spec.StageName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true, description = "Run an experiment from a spec file.")
final class RunCommand implements Callable<Integer> {
    @Mixin
    DataDirOption dataDir;

    @Option(names = "--spec", paramLabel = "FILE", description = "The experiment spec (YAML).")
    Path spec;

    @Option(
            names = "--attach",
            paramLabel = "RUN_ID",
            description = "Follow a run started earlier (its client may be gone) to its end and print its summary, "
                    + "instead of starting one; give the same --data-dir. Ctrl-C leaves the run going.")
    String attach;

    @Option(names = "--no-cache", description = "Run every stage even when its result is cached.")
    boolean noCache;

    @Option(names = "--force", paramLabel = "STAGE", split = ",", description = "Run these stages even when cached.")
    List<String> force = List.of();

    @Option(names = "--summary-json", paramLabel = "FILE", description = "Write every final metric of the run as JSON.")
    Path summaryJson;

    @Option(
            names = "--no-local-workers",
            description = "Do not run workers in this process (workers started with `causalcxr worker` do the work).")
    boolean noLocalWorkers;

    @Option(
            names = "--verify-against",
            paramLabel = "RUN_ID",
            description = "After the run, compare every stage's outputs with this earlier run's, by digest, and print "
                    + "the first stage that differs (exit 1 when one does). Use with --no-cache to check a rerun "
                    + "from scratch is bit-identical.")
    String verifyAgainst;

    @Override
    public Integer call() {
        if (attach != null) {
            if (spec != null || noCache || !force.isEmpty()) {
                throw new UsageException("--attach follows a run as it was started: no --spec, --no-cache or --force");
            }
            return LocalPipeline.attach(
                    attach,
                    dataDir.config(),
                    new LocalPipeline.Options(Set.of(), false, summaryJson, !noLocalWorkers, verifyAgainst),
                    ConsoleOutput.system());
        }
        if (spec == null) {
            throw new UsageException("run needs --spec FILE (or --attach RUN_ID)");
        }
        String text;
        try {
            text = Files.readString(spec, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UsageException(FileErrors.cannot("cannot read the spec", spec, e));
        }
        ExperimentSpec parsed = ExperimentSpec.parseYaml(text);
        Set<StageName> forced = new LinkedHashSet<>();
        for (String f : force) {
            forced.add(StageName.fromLabel(f)
                    .orElseThrow(() -> new UsageException("--force names an unknown stage: "
                            + f + " (stages: "
                            + String.join(
                                    ", ",
                                    Arrays.stream(StageName.values())
                                            .map(StageName::label)
                                            .toList()) + ")")));
        }
        return LocalPipeline.run(
                parsed,
                dataDir.config(),
                new LocalPipeline.Options(forced, noCache, summaryJson, !noLocalWorkers, verifyAgainst),
                ConsoleOutput.system());
    }
}
