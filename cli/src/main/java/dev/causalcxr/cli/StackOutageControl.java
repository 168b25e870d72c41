package dev.causalcxr.cli;

import dev.causalcxr.infra.stack.PlatformStack;
import dev.causalcxr.infra.stack.PlatformStack.EmbeddedService;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Outage drills on a running {@code causalcxr stack}, requested through files in {@code DATA_DIR/stack-control/}:
 * a file {@code outage-s3.request} or {@code outage-postgres.request} holding a number of seconds takes that embedded
 * service down for that long ({@link PlatformStack#interrupt}). The stack answers in {@code outage-SERVICE.status}:
 * {@code down DOWN_MS}, then {@code up DOWN_MS UP_MS} (epoch milliseconds), or {@code error MESSAGE}.
 *
 * <p>Why files: whoever may write the data folder may already stop the stack; a listening control port would be one
 * more thing to secure. {@code docker/local-cluster outage} writes the request and waits for the answer.
 */
final class StackOutageControl implements AutoCloseable {
    static final String FOLDER = "stack-control";
    /** The longest drill: an outage is a rehearsal, not a way to park a service. */
    static final int MAX_SECONDS = 3600;

    private static final Logger log = LoggerFactory.getLogger(StackOutageControl.class);

    private final Path dir;
    private final PlatformStack stack;
    private final Map<EmbeddedService, Thread> running = new ConcurrentHashMap<>();
    private final Thread watcher;
    private volatile boolean closed;

    private StackOutageControl(Path dir, PlatformStack stack) {
        this.dir = dir;
        this.stack = stack;
        this.watcher = new Thread(this::watch, "stack-outage-control");
        this.watcher.setDaemon(true);
    }

    /** Watches {@code dataDir/stack-control/} for requests (stale ones from a previous stack are removed). */
    static StackOutageControl start(Path dataDir, PlatformStack stack) throws IOException {
        Path dir = dataDir.resolve(FOLDER);
        Files.createDirectories(dir);
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
        }
        StackOutageControl control = new StackOutageControl(dir, stack);
        control.watcher.start();
        return control;
    }

    private void watch() {
        while (!closed) {
            for (EmbeddedService service : EmbeddedService.values()) {
                Path request = dir.resolve("outage-" + name(service) + ".request");
                if (Files.exists(request) && !running.containsKey(service)) {
                    accept(service, request);
                }
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void accept(EmbeddedService service, Path request) {
        int seconds;
        try {
            String text = Files.readString(request, StandardCharsets.UTF_8).trim();
            Files.deleteIfExists(request);
            seconds = Integer.parseInt(text);
            if (seconds < 1 || seconds > MAX_SECONDS) {
                answer(service, "error the outage must last 1 to " + MAX_SECONDS + " seconds, not " + seconds);
                return;
            }
        } catch (IOException | NumberFormatException e) {
            answer(service, "error unreadable request: " + e.getMessage());
            return;
        }
        Thread t = new Thread(
                () -> {
                    try {
                        PlatformStack.Outage o = stack.interrupt(
                                service, Duration.ofSeconds(seconds), at -> answer(service, "down " + at));
                        answer(service, "up " + o.downAtMs() + " " + o.upAtMs());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (RuntimeException e) {
                        log.error("outage drill of {} failed", service, e);
                        answer(service, "error " + e.getMessage());
                    } finally {
                        running.remove(service);
                    }
                },
                "outage-" + name(service));
        t.setDaemon(true);
        running.put(service, t);
        t.start();
    }

    private void answer(EmbeddedService service, String status) {
        Path file = dir.resolve("outage-" + name(service) + ".status");
        try {
            Path tmp = Files.createTempFile(dir, ".status", ".tmp");
            Files.writeString(tmp, status + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            log.error("cannot write {}: {}", file, e.toString());
        }
    }

    static String name(EmbeddedService service) {
        return service.name().toLowerCase(Locale.ROOT);
    }

    /** Stops watching; a drill in progress brings its service back first (its thread is interrupted). */
    @Override
    public void close() {
        closed = true;
        watcher.interrupt();
        for (Thread t : running.values()) {
            t.interrupt();
            try {
                t.join(120_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
