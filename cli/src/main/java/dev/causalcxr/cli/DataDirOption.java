package dev.causalcxr.cli;

import dev.causalcxr.infra.stack.StackConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import picocli.CommandLine.Option;

/** The {@code --data-dir} every command shares: where the embedded stack keeps its state. */
final class DataDirOption {
    @Option(
            names = "--data-dir",
            paramLabel = "DIR",
            description = "Where the embedded stack keeps its state (default: $CAUSALCXR_DATA_DIR or ./.data).")
    Path dataDir;

    Path resolve() {
        Path d = dataDir;
        if (d == null) {
            String env = System.getenv("CAUSALCXR_DATA_DIR");
            d = env == null || env.isBlank() ? Paths.get(".data") : Paths.get(env);
        }
        d = d.toAbsolutePath().normalize();
        try {
            Files.createDirectories(d);
        } catch (IOException e) {
            throw new UsageException(FileErrors.cannot("cannot create the data folder", d, e));
        }
        // logs go beside the data, never to the console; a process that shares the folder with others (the local
        // cluster's workers) names its own file with -Dcausalcxr.log.file
        if (System.getProperty("causalcxr.log.file") == null) {
            System.setProperty("causalcxr.log.file", d.resolve("causalcxr.log").toString());
        }
        return d;
    }

    /** The environment, where a CAUSALCXR_* Java system property (e.g. through JAVA_TOOL_OPTIONS) overrides the variable. */
    static java.util.Map<String, String> environment() {
        java.util.Map<String, String> env = new java.util.HashMap<>(System.getenv());
        System.getProperties().stringPropertyNames().stream()
                .filter(k -> k.startsWith("CAUSALCXR_"))
                .forEach(k -> env.put(k, System.getProperty(k)));
        return env;
    }

    /** The environment's configuration, joined to a running `causalcxr stack` of this folder if any. */
    StackConfig config() {
        Path d = resolve();
        java.util.Map<String, String> env = environment();
        RunningStack.find(d).ifPresent(running -> running.forEach(env::putIfAbsent));
        return StackConfig.fromEnvironment(d, env);
    }
}
