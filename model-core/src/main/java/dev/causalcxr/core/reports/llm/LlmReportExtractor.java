package dev.causalcxr.core.reports.llm;

import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.reports.ExtractionSource;
import dev.causalcxr.core.reports.FindingAggregation;
import dev.causalcxr.core.reports.ReportExtraction;
import dev.causalcxr.core.reports.ReportExtractor;
import dev.causalcxr.core.reports.ReportTextException;
import dev.causalcxr.core.reports.rules.RuleBasedReportExtractor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Report parsing by a large language model behind any OpenAI-compatible chat-completions endpoint.
 * <p>
 * Each report is sent with a system prompt that carries the JSON schema (and, unless turned off,
 * {@code response_format: json_schema}). The answer is validated against the schema; an invalid
 * answer is retried with the list of problems appended to the conversation; transport failures
 * (timeouts, HTTP errors) are retried as they are. After {@code maxAttempts} failed calls the
 * rule-based result is used and marked {@link ExtractionSource#RULES_FALLBACK} with the reason.
 * Valid answers are cached by report digest. Logs carry the first 12 hex digits of the report digest
 * to correlate, never the report text or the API key.
 */
public final class LlmReportExtractor implements ReportExtractor {

    private static final Logger LOG = LoggerFactory.getLogger(LlmReportExtractor.class);

    private final LlmExtractorConfig config;
    private final ChatCompletionsClient client;
    private final ReportExtractor fallback;
    private final ExtractionCache cache;
    private final ExecutorService executor;

    public LlmReportExtractor(LlmExtractorConfig config) {
        this(config, new RuleBasedReportExtractor(), new ExtractionCache(config.cacheDir()));
    }

    public LlmReportExtractor(LlmExtractorConfig config, ReportExtractor fallback, ExtractionCache cache) {
        this.config = config;
        this.client = new ChatCompletionsClient(config);
        this.fallback = fallback;
        this.cache = cache;
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(config.concurrency(), r -> {
            Thread t = new Thread(r, "llm-extractor-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        LOG.info("LLM report extractor: {}", config);
    }

    /** Builds the extractor from the {@code CAUSALCXR_LLM_*} environment variables. */
    public static LlmReportExtractor fromEnvironment() {
        return new LlmReportExtractor(LlmExtractorConfig.fromEnvironment());
    }

    @Override
    public String name() {
        return "llm";
    }

    public LlmExtractorConfig config() {
        return config;
    }

    @Override
    public List<FindingMention> extract(String reportText) {
        return extractDetailed(reportText).findings();
    }

    @Override
    public ReportExtraction extractDetailed(String reportText) {
        if (reportText == null || reportText.isBlank()) {
            throw new ReportTextException("report is empty");
        }
        String digest = ExtractionCache.digest(reportText);
        String ref = digest.substring(0, 12);
        var cached = cache.get(config.model(), digest);
        if (cached.isPresent()) {
            LOG.debug("report {}: LLM cache hit", ref);
            return new ReportExtraction(cached.get(), ExtractionSource.LLM, null, 0, true, null);
        }
        List<ChatCompletionsClient.Message> messages = new ArrayList<>();
        messages.add(new ChatCompletionsClient.Message("system", FindingsAnswerSchema.systemPrompt()));
        messages.add(new ChatCompletionsClient.Message("user", "Report:\n" + reportText));
        String lastReason = "no attempt made";
        for (int attempt = 1; attempt <= config.maxAttempts(); attempt++) {
            String content;
            try {
                content = client.complete(messages);
            } catch (LlmCallException e) {
                lastReason = e.getMessage();
                LOG.warn("report {}: LLM attempt {}/{} failed: {}", ref, attempt, config.maxAttempts(), lastReason);
                continue;
            }
            FindingsAnswerSchema.Validation v = FindingsAnswerSchema.validate(content);
            if (v.valid()) {
                List<FindingMention> findings = FindingAggregation.aggregate(v.findings());
                cache.put(config.model(), digest, findings);
                return new ReportExtraction(findings, ExtractionSource.LLM, null, attempt, false, null);
            }
            lastReason = "invalid answer (" + v.safeSummary() + ")";
            LOG.warn("report {}: LLM attempt {}/{} gave an {}", ref, attempt, config.maxAttempts(), lastReason);
            messages.add(new ChatCompletionsClient.Message("assistant", content));
            messages.add(new ChatCompletionsClient.Message("user", v.retryMessage()));
        }
        String reason = "LLM failed after " + config.maxAttempts() + " attempt(s): " + lastReason;
        LOG.warn("report {}: using the rule-based result; {}", ref, reason);
        return new ReportExtraction(
                fallback.extract(reportText),
                ExtractionSource.RULES_FALLBACK,
                reason,
                config.maxAttempts(),
                false,
                null);
    }

    /** Extracts the reports with at most {@code concurrency} requests in flight; results in input order. */
    @Override
    public List<ReportExtraction> extractAll(List<String> reportTexts) {
        List<Future<ReportExtraction>> futures = new ArrayList<>(reportTexts.size());
        for (String text : reportTexts) {
            futures.add(executor.submit(() -> {
                try {
                    return extractDetailed(text);
                } catch (RuntimeException e) {
                    return ReportExtraction.failed(ReportExtraction.safeReason(e));
                }
            }));
        }
        List<ReportExtraction> out = new ArrayList<>(futures.size());
        for (Future<ReportExtraction> f : futures) {
            try {
                out.add(f.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                futures.forEach(x -> x.cancel(true));
                throw new ReportTextException("LLM extraction interrupted");
            } catch (ExecutionException e) {
                out.add(ReportExtraction.failed(ReportExtraction.safeReason(e.getCause())));
            }
        }
        return out;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
