package dev.causalcxr.core.reports.llm;

import dev.causalcxr.core.reports.ReportTextException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Settings of the LLM report extractor.
 *
 * @param endpoint          an OpenAI-compatible base URL ({@code http://host:8000/v1}) or the full
 *                          {@code .../v1/chat/completions} URL
 * @param model             the model name sent with each request
 * @param apiKey            bearer token, or {@code null}/blank for servers without auth; never logged
 * @param requestTimeout    per-request timeout (connect and response)
 * @param maxAttempts       endpoint calls per report before falling back to the rule-based result
 * @param concurrency       reports in flight at once in {@link LlmReportExtractor#extractAll}
 * @param cacheDir          folder of the on-disk JSONL cache, or {@code null} for memory only
 * @param useResponseFormat send {@code response_format: json_schema} (turn off for servers that reject it;
 *                          the schema is in the prompt either way)
 */
public record LlmExtractorConfig(
        URI endpoint,
        String model,
        String apiKey,
        Duration requestTimeout,
        int maxAttempts,
        int concurrency,
        Path cacheDir,
        boolean useResponseFormat) {

    public static final String ENV_ENDPOINT = "CAUSALCXR_LLM_ENDPOINT";
    public static final String ENV_MODEL = "CAUSALCXR_LLM_MODEL";
    public static final String ENV_API_KEY = "CAUSALCXR_LLM_API_KEY";
    public static final String ENV_TIMEOUT_S = "CAUSALCXR_LLM_TIMEOUT_S";
    public static final String ENV_MAX_ATTEMPTS = "CAUSALCXR_LLM_MAX_ATTEMPTS";
    public static final String ENV_CONCURRENCY = "CAUSALCXR_LLM_CONCURRENCY";
    public static final String ENV_CACHE_DIR = "CAUSALCXR_LLM_CACHE_DIR";

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    public static final int DEFAULT_CONCURRENCY = 4;

    public LlmExtractorConfig {
        if (endpoint == null) {
            throw new ReportTextException("LLM endpoint is not set (" + ENV_ENDPOINT + ")");
        }
        if (model == null || model.isBlank()) {
            throw new ReportTextException("LLM model is not set (" + ENV_MODEL + ")");
        }
        if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new ReportTextException("LLM request timeout must be positive");
        }
        if (maxAttempts < 1 || concurrency < 1) {
            throw new ReportTextException("LLM maxAttempts and concurrency must be at least 1");
        }
        requireEncryptedUnlessLoopback(endpoint);
        endpoint = chatCompletionsUri(endpoint);
    }

    /**
     * Report text is protected health information: it may travel in plain HTTP only to this machine
     * (a local model server), anywhere else only over TLS.
     */
    static void requireEncryptedUnlessLoopback(URI endpoint) {
        String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(java.util.Locale.ROOT);
        String host = endpoint.getHost() == null ? "" : endpoint.getHost().toLowerCase(java.util.Locale.ROOT);
        boolean loopback =
                host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1");
        if (scheme.equals("https") || (scheme.equals("http") && loopback)) {
            return;
        }
        throw new ReportTextException(ENV_ENDPOINT + " must be an https URL (plain http only on a loopback address: "
                + "report text would cross the network unencrypted); it is "
                + (scheme.isEmpty() ? "without a scheme" : scheme + (loopback ? "" : " to a non-loopback host")));
    }

    /** Where requests go, for logs: scheme, host and port only (a path or query may carry a key). */
    public String endpointForLogs() {
        return endpoint.getScheme() + "://" + endpoint.getHost()
                + (endpoint.getPort() < 0 ? "" : ":" + endpoint.getPort());
    }

    /** Defaults for everything but endpoint, model and key. */
    public static LlmExtractorConfig of(URI endpoint, String model, String apiKey) {
        return new LlmExtractorConfig(
                endpoint, model, apiKey, DEFAULT_TIMEOUT, DEFAULT_MAX_ATTEMPTS, DEFAULT_CONCURRENCY, null, true);
    }

    /** From {@code CAUSALCXR_LLM_*} environment variables. */
    public static LlmExtractorConfig fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    public static LlmExtractorConfig fromEnvironment(Map<String, String> env) {
        String endpoint = env.get(ENV_ENDPOINT);
        if (endpoint == null || endpoint.isBlank()) {
            throw new ReportTextException("LLM endpoint is not set: define " + ENV_ENDPOINT);
        }
        URI uri;
        try {
            uri = URI.create(endpoint.trim());
        } catch (IllegalArgumentException e) {
            throw new ReportTextException(ENV_ENDPOINT + " is not a valid URL");
        }
        String model = env.get(ENV_MODEL);
        if (model == null || model.isBlank()) {
            throw new ReportTextException("LLM model is not set: define " + ENV_MODEL);
        }
        String cacheDir = env.get(ENV_CACHE_DIR);
        return new LlmExtractorConfig(
                uri,
                model.trim(),
                env.get(ENV_API_KEY),
                Duration.ofMillis((long) (1000 * number(env, ENV_TIMEOUT_S, (double) DEFAULT_TIMEOUT.toSeconds()))),
                (int) number(env, ENV_MAX_ATTEMPTS, DEFAULT_MAX_ATTEMPTS),
                (int) number(env, ENV_CONCURRENCY, DEFAULT_CONCURRENCY),
                cacheDir == null || cacheDir.isBlank() ? null : Path.of(cacheDir.trim()),
                true);
    }

    private static double number(Map<String, String> env, String name, double fallback) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new ReportTextException(name + " is not a number");
        }
    }

    public LlmExtractorConfig withTimeout(Duration timeout) {
        return new LlmExtractorConfig(
                endpoint, model, apiKey, timeout, maxAttempts, concurrency, cacheDir, useResponseFormat);
    }

    public LlmExtractorConfig withMaxAttempts(int attempts) {
        return new LlmExtractorConfig(
                endpoint, model, apiKey, requestTimeout, attempts, concurrency, cacheDir, useResponseFormat);
    }

    public LlmExtractorConfig withConcurrency(int threads) {
        return new LlmExtractorConfig(
                endpoint, model, apiKey, requestTimeout, maxAttempts, threads, cacheDir, useResponseFormat);
    }

    public LlmExtractorConfig withCacheDir(Path dir) {
        return new LlmExtractorConfig(
                endpoint, model, apiKey, requestTimeout, maxAttempts, concurrency, dir, useResponseFormat);
    }

    public LlmExtractorConfig withResponseFormat(boolean use) {
        return new LlmExtractorConfig(endpoint, model, apiKey, requestTimeout, maxAttempts, concurrency, cacheDir, use);
    }

    private static URI chatCompletionsUri(URI base) {
        String s = base.toString();
        if (s.endsWith("/chat/completions")) {
            return base;
        }
        String trimmed = s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
        return URI.create(trimmed.endsWith("/v1") ? trimmed + "/chat/completions" : trimmed + "/v1/chat/completions");
    }

    /** The key is redacted: configs end up in logs and stage parameters. */
    @Override
    public String toString() {
        return "LlmExtractorConfig[endpoint=" + endpointForLogs() + ", model=" + model + ", apiKey="
                + (apiKey == null || apiKey.isBlank() ? "none" : "***") + ", requestTimeout=" + requestTimeout
                + ", maxAttempts=" + maxAttempts + ", concurrency=" + concurrency + ", cacheDir=" + cacheDir
                + ", useResponseFormat=" + useResponseFormat + "]";
    }
}
