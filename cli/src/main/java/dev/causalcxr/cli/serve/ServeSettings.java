package dev.causalcxr.cli.serve;

import java.net.InetAddress;
import java.time.Duration;

/**
 * The service's limits and address.
 *
 * @param bind             the address to listen on
 * @param port             the port (0: any free one)
 * @param token            the access token clients send as {@code Authorization: Bearer TOKEN}; null: none
 *                         (allowed on a loopback address only)
 * @param queueCapacity    requests waiting for the model at most; more are answered 429
 * @param maxBatchRequests requests run together on the model at most
 * @param maxBatchRows     sampler rows (n, doubled with guidance) in one batch at most
 * @param deadline         a request not answered within this time is answered 504 (a request may ask for less)
 * @param maxUploadBytes   largest request body
 * @param maxImagePixels   largest uploaded image (width × height)
 * @param maxN             counterfactuals per request at most
 * @param pollInterval     how often the served reference is resolved again (its alias may move)
 * @param maxLoadedModels  model versions kept loaded at once (the served one included)
 * @param resultTtl        how long a result's files stay retrievable by their references
 * @param maxResults       results kept at most (the oldest go first)
 */
public record ServeSettings(
        InetAddress bind,
        int port,
        String token,
        int queueCapacity,
        int maxBatchRequests,
        int maxBatchRows,
        Duration deadline,
        long maxUploadBytes,
        long maxImagePixels,
        int maxN,
        Duration pollInterval,
        int maxLoadedModels,
        Duration resultTtl,
        int maxResults) {

    public ServeSettings {
        if (token != null && token.isBlank()) {
            token = null;
        }
        if (token == null && !bind.isLoopbackAddress()) {
            throw new IllegalArgumentException("an access token is required when the service listens on "
                    + bind.getHostAddress() + " (not a loopback address): set CAUSALCXR_SERVE_TOKEN or --token-file");
        }
        if (token != null && token.length() < 16) {
            throw new IllegalArgumentException("the access token must have at least 16 characters");
        }
        positive(queueCapacity, "queue capacity");
        positive(maxBatchRequests, "max batch requests");
        positive(maxBatchRows, "max batch rows");
        positive(maxN, "max n");
        positive(maxLoadedModels, "max loaded models");
        positive(maxResults, "max results");
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("the deadline must be positive");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 0..65535, got " + port);
        }
    }

    /** Loopback, any port, no token, and the defaults of {@code causalcxr serve}. */
    public static ServeSettings defaults() {
        return new ServeSettings(
                InetAddress.getLoopbackAddress(),
                0,
                null,
                64,
                32,
                1024,
                Duration.ofSeconds(30),
                16L << 20,
                4096L * 4096L,
                64,
                Duration.ofSeconds(10),
                2,
                Duration.ofMinutes(15),
                256);
    }

    public ServeSettings withPort(int p) {
        return new ServeSettings(
                bind,
                p,
                token,
                queueCapacity,
                maxBatchRequests,
                maxBatchRows,
                deadline,
                maxUploadBytes,
                maxImagePixels,
                maxN,
                pollInterval,
                maxLoadedModels,
                resultTtl,
                maxResults);
    }

    public ServeSettings withToken(String t) {
        return new ServeSettings(
                bind,
                port,
                t,
                queueCapacity,
                maxBatchRequests,
                maxBatchRows,
                deadline,
                maxUploadBytes,
                maxImagePixels,
                maxN,
                pollInterval,
                maxLoadedModels,
                resultTtl,
                maxResults);
    }

    public ServeSettings withQueue(int capacity, int batchRequests) {
        return new ServeSettings(
                bind,
                port,
                token,
                capacity,
                batchRequests,
                maxBatchRows,
                deadline,
                maxUploadBytes,
                maxImagePixels,
                maxN,
                pollInterval,
                maxLoadedModels,
                resultTtl,
                maxResults);
    }

    public ServeSettings withDeadline(Duration d) {
        return new ServeSettings(
                bind,
                port,
                token,
                queueCapacity,
                maxBatchRequests,
                maxBatchRows,
                d,
                maxUploadBytes,
                maxImagePixels,
                maxN,
                pollInterval,
                maxLoadedModels,
                resultTtl,
                maxResults);
    }

    public ServeSettings withPollInterval(Duration d) {
        return new ServeSettings(
                bind,
                port,
                token,
                queueCapacity,
                maxBatchRequests,
                maxBatchRows,
                deadline,
                maxUploadBytes,
                maxImagePixels,
                maxN,
                d,
                maxLoadedModels,
                resultTtl,
                maxResults);
    }

    public ServeSettings withUploadLimits(long bytes, long pixels) {
        return new ServeSettings(
                bind,
                port,
                token,
                queueCapacity,
                maxBatchRequests,
                maxBatchRows,
                deadline,
                bytes,
                pixels,
                maxN,
                pollInterval,
                maxLoadedModels,
                resultTtl,
                maxResults);
    }

    private static void positive(int v, String name) {
        if (v < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + v);
        }
    }
}
