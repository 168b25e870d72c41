package dev.causalcxr.cli;

import dev.causalcxr.core.evaluation.FidCommand;
import dev.causalcxr.core.metrics.io.MalformedMatrixException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "fid",
        mixinStandardHelpOptions = true,
        description = {
            "Fréchet distance (and KID) between two sets of images or features.",
            "A set is a folder of images, embedded with a feature network, or a 2-D feature matrix",
            "(.npy float32/float64, or CSV). Prints `fid: <value>`",
            "(and `kid: <mean> ± <std>`), or one JSON object with --json. Every value names its feature space."
        })
final class FidCliCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PATH_A")
    Path a;

    @Parameters(index = "1", paramLabel = "PATH_B")
    Path b;

    @Option(names = "--kid", description = "Also the kernel inception distance (unbiased, over subsets).")
    boolean kid;

    @Option(names = "--json", description = "One JSON object instead of text.")
    boolean json;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the KID subsets (default ${DEFAULT-VALUE}).")
    long seed;

    @ArgGroup(exclusive = true)
    Network network;

    static final class Network {
        @Option(
                names = "--feature-net",
                paramLabel = "MODEL",
                description = "A feature network saved by the evaluate stage (its digest is reported).")
        Path featureNet;

        @Option(
                names = "--inception",
                paramLabel = "FILE.pt",
                description = "An Inception TorchScript file (standard FID).")
        Path inception;
    }

    @Override
    public Integer call() throws IOException {
        try {
            FidCommand.Outcome o = FidCommand.run(new FidCommand.Request(
                    a,
                    b,
                    kid,
                    json,
                    network == null ? null : network.featureNet,
                    network == null ? null : network.inception,
                    seed));
            ConsoleOutput.system().println(o.text());
            return ExitCodes.OK;
        } catch (NoSuchFileException e) {
            throw new UsageException("no such file or folder: " + e.getFile());
        } catch (IllegalArgumentException | MalformedMatrixException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
