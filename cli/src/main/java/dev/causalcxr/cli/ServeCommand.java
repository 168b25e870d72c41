package dev.causalcxr.cli;

import dev.causalcxr.cli.serve.ServeSettings;
import dev.causalcxr.cli.serve.ServiceHost;
import dev.causalcxr.infra.registry.ModelNotFoundException;
import dev.causalcxr.infra.stack.PlatformStack;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "A long-lived counterfactual service over a registered model.",
            "It serves an HTTP API (POST /v1/counterfactuals, GET /v1/models, /healthz, /readyz, /metrics) and a",
            "web page at /.",
            "The model is loaded once and again when its alias moves; requests are batched on the model.",
            "Off loopback an access token is required (CAUSALCXR_SERVE_TOKEN or --token-file);",
            "clients send it as 'Authorization: Bearer TOKEN'. Ctrl-C stops it."
        })
final class ServeCommand implements Callable<Integer> {
    static final String TOKEN_VARIABLE = "CAUSALCXR_SERVE_TOKEN";

    @Mixin
    DataDirOption dataDir;

    @Option(
            names = "--model",
            required = true,
            paramLabel = "NAME[@VERSION|@ALIAS]",
            description = "The registered model to serve; NAME@champion follows the alias when it moves.")
    String model;

    @Option(
            names = "--port",
            defaultValue = "8080",
            description = "TCP port (default ${DEFAULT-VALUE}; 0: any free one).")
    int port;

    @Option(
            names = "--bind",
            defaultValue = "127.0.0.1",
            paramLabel = "ADDR",
            description = "Address to listen on (default ${DEFAULT-VALUE}). Any other than loopback needs a token.")
    String bind;

    @Option(
            names = "--token-file",
            paramLabel = "FILE",
            description = "A file holding the access token (else $" + TOKEN_VARIABLE + "); at least 16 characters.")
    Path tokenFile;

    @Option(
            names = "--queue",
            defaultValue = "64",
            description = "Requests waiting at most; more get 429 (default ${DEFAULT-VALUE}).")
    int queue;

    @Option(
            names = "--max-batch",
            defaultValue = "32",
            description = "Requests batched on the model at most (default ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(
            names = "--deadline",
            defaultValue = "30",
            paramLabel = "SECONDS",
            description = "Requests not answered within this are answered 504 (default ${DEFAULT-VALUE}).")
    int deadlineSeconds;

    @Option(
            names = "--max-n",
            defaultValue = "64",
            description = "Counterfactuals per request at most (default ${DEFAULT-VALUE}).")
    int maxN;

    @Option(
            names = "--max-upload-mb",
            defaultValue = "16",
            description = "Largest request body in MiB (default ${DEFAULT-VALUE}).")
    int maxUploadMb;

    @Option(
            names = "--poll",
            defaultValue = "10",
            paramLabel = "SECONDS",
            description = "How often --model is resolved again to follow its alias (default ${DEFAULT-VALUE}).")
    int pollSeconds;

    @Option(
            names = "--max-models",
            defaultValue = "2",
            description =
                    "Model versions kept loaded at once (requests may name other versions; default ${DEFAULT-VALUE}).")
    int maxModels;

    @Override
    public Integer call() throws Exception {
        ServeSettings settings = settings();
        // slow or stalled clients: the JDK server closes a request not read within a minute (read at class load)
        System.setProperty("sun.net.httpserver.maxReqTime", System.getProperty("sun.net.httpserver.maxReqTime", "60"));
        System.setProperty("sun.net.httpserver.maxRspTime", System.getProperty("sun.net.httpserver.maxRspTime", "120"));
        ConsoleOutput console = ConsoleOutput.system();
        Path dir = dataDir.resolve();
        boolean joined = RunningStack.find(dir).isPresent();
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        try (PlatformStack stack = PlatformStack.start(dataDir.config().withMlflowEnabled(false), false)) {
            ServiceHost host;
            try {
                host = ServiceHost.start(stack, model, settings);
            } catch (ModelNotFoundException e) {
                throw new UsageException(e.getMessage());
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            } catch (IOException e) {
                if (e instanceof java.net.BindException) {
                    throw new UsageException("cannot listen on " + bind + ":" + port + ": " + e.getMessage());
                }
                throw e;
            }
            try (host) {
                if (!joined) {
                    // other commands on this --data-dir join this process's embedded stack
                    RunningStack.publish(dir, stack.connectionEnvironment());
                }
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    if (!joined) {
                        RunningStack.withdraw(dir);
                    }
                    stop.countDown();
                    StackCommand.awaitQuietly(closed);
                }));
                console.println("serving " + host.models().served().reference() + " (" + model + ") at "
                        + host.server().uri() + "  — the web page; the API under /v1/, /metrics, /healthz, /readyz"
                        + (settings.token() == null ? "" : "; access token required"));
                console.println("Ctrl-C stops it.");
                stop.await();
            }
        } finally {
            if (!joined) {
                RunningStack.withdraw(dir);
            }
            closed.countDown();
        }
        return ExitCodes.OK;
    }

    ServeSettings settings() {
        InetAddress address;
        try {
            address = InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw new UsageException("--bind: unknown address " + bind);
        }
        String token = System.getenv(TOKEN_VARIABLE);
        if (tokenFile != null) {
            try {
                token = Files.readString(tokenFile).strip();
            } catch (IOException e) {
                throw new UsageException(FileErrors.cannot("cannot read --token-file", tokenFile, e));
            }
        }
        if (maxUploadMb < 1 || deadlineSeconds < 1 || pollSeconds < 1) {
            throw new UsageException("--max-upload-mb, --deadline and --poll must be at least 1");
        }
        try {
            ServeSettings d = ServeSettings.defaults();
            return new ServeSettings(
                    address,
                    port,
                    token,
                    queue,
                    maxBatch,
                    d.maxBatchRows(),
                    Duration.ofSeconds(deadlineSeconds),
                    (long) maxUploadMb << 20,
                    d.maxImagePixels(),
                    maxN,
                    Duration.ofSeconds(pollSeconds),
                    maxModels,
                    d.resultTtl(),
                    d.maxResults());
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
