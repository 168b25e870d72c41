package dev.causalcxr.cli;

import dev.causalcxr.core.spec.ExperimentSpec;
import dev.causalcxr.core.spec.Profile;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Run the whole pipeline on synthetic phantom data on the embedded stack.")
final class DemoCommand implements Callable<Integer> {
    @Mixin
    DataDirOption dataDir;

    @Option(names = "--profile", defaultValue = "quick", description = "quick (default) or paper.")
    String profile;

    @Option(names = "--summary-json", paramLabel = "FILE", description = "Write every final metric of the run as JSON.")
    Path summaryJson;

    @Option(names = "--no-cache", description = "Run every stage even when its result is cached.")
    boolean noCache;

    @Override
    public Integer call() {
        Profile p;
        try {
            p = Profile.valueOf(profile.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--profile must be quick or paper");
        }
        return LocalPipeline.run(
                ExperimentSpec.demo(p),
                dataDir.config(),
                new LocalPipeline.Options(Set.of(), noCache, summaryJson, true, null),
                ConsoleOutput.system());
    }
}
