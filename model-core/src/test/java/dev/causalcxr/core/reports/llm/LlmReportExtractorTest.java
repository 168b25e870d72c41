package dev.causalcxr.core.reports.llm;

import static dev.causalcxr.core.reports.llm.FakeChatCompletionsServer.Reply;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Laterality;
import dev.causalcxr.core.findings.Severity;
import dev.causalcxr.core.findings.Status;
import dev.causalcxr.core.reports.ExtractionSource;
import dev.causalcxr.core.reports.ReportExtraction;
import dev.causalcxr.core.reports.ReportTextException;
import dev.causalcxr.core.reports.rules.RuleBasedReportExtractor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class LlmReportExtractorTest {

    private static final String KEY = "sk-test-key-0123456789";
    private static final String REPORT =
            "FINDINGS: Moderate right pleural effusion. No pneumothorax. Patient Zed Quux.";
    private static final String VALID = """
            {"findings": [
              {"finding": "Pleural Effusion", "status": "present", "severity": "moderate", "laterality": "right", "zone": "unspecified"},
              {"finding": "Pneumothorax", "status": "absent", "severity": "unspecified", "laterality": "unspecified", "zone": "unspecified"}
            ]}""";
    private static final String INVALID = """
            {"findings": [
              {"finding": "Effusion-ish", "status": "present", "severity": "moderate", "laterality": "right", "zone": "unspecified"},
              {"finding": "Pneumothorax", "status": "maybe", "severity": "unspecified", "laterality": "unspecified"}
            ]}""";

    private FakeChatCompletionsServer server;
    private ListAppender<ILoggingEvent> logs;

    @BeforeEach
    void start() throws Exception {
        server = new FakeChatCompletionsServer();
        logs = new ListAppender<>();
        logs.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    }

    @AfterEach
    void stop() {
        server.close();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        for (ILoggingEvent e : logs.list) {
            String text = e.getFormattedMessage()
                    + (e.getThrowableProxy() == null
                            ? ""
                            : e.getThrowableProxy().getMessage());
            assertFalse(
                    text.contains("Zed Quux") || text.contains("right pleural effusion") || text.contains(KEY),
                    "log leaks report text or key: " + text);
        }
    }

    private LlmExtractorConfig config() {
        return LlmExtractorConfig.of(server.baseUri(), "fake-model", KEY).withTimeout(Duration.ofSeconds(5));
    }

    private static void assertNoSecrets(ReportExtraction r) {
        String s = r.toString();
        assertFalse(s.contains("Zed Quux") || s.contains(KEY), s);
    }

    @Test
    void validAnswerIsUsedAndTheRequestCarriesSchemaModelAndKey() {
        server.enqueue(Reply.answer(VALID));
        try (LlmReportExtractor x = new LlmReportExtractor(config())) {
            ReportExtraction r = x.extractDetailed(REPORT);
            assertEquals(ExtractionSource.LLM, r.source());
            assertNull(r.fallbackReason());
            assertEquals(1, r.attempts());
            assertTrue(r.findings()
                    .contains(new FindingMention(
                            Finding.PLEURAL_EFFUSION, Status.PRESENT, Severity.MODERATE, Laterality.RIGHT, null)));
            assertNoSecrets(r);
        }
        JsonNode req = server.requests().get(0);
        assertEquals("fake-model", req.get("model").asText());
        assertEquals("json_schema", req.path("response_format").path("type").asText());
        assertTrue(req.get("messages").get(0).get("content").asText().contains("\"enum\""), "schema in the prompt");
        assertTrue(FakeChatCompletionsServer.lastUserMessage(req).contains("Moderate right pleural effusion"));
        assertEquals("Bearer " + KEY, server.authorizations().get(0));
    }

    @Test
    void invalidThenValidRetriesWithEveryValidationError() {
        server.enqueue(Reply.answer(INVALID), Reply.answer("```json\n" + VALID + "\n```"));
        try (LlmReportExtractor x = new LlmReportExtractor(config())) {
            ReportExtraction r = x.extractDetailed(REPORT);
            assertEquals(ExtractionSource.LLM, r.source());
            assertEquals(2, r.attempts());
        }
        assertEquals(2, server.hits());
        String retry =
                FakeChatCompletionsServer.lastUserMessage(server.requests().get(1));
        assertTrue(retry.contains("$.findings[0].finding: unknown finding"), retry);
        assertTrue(retry.contains("$.findings[1].status: unknown status"), retry);
        assertTrue(retry.contains("$.findings[1].zone: missing"), retry);
        JsonNode msgs = server.requests().get(1).get("messages");
        assertEquals("assistant", msgs.get(2).get("role").asText(), "the invalid answer is part of the retry");
    }

    @Test
    void alwaysInvalidFallsBackToRulesAndRecordsWhy() {
        server.respondWith(req -> Reply.answer("I think there is an effusion."));
        try (LlmReportExtractor x = new LlmReportExtractor(config().withMaxAttempts(3))) {
            ReportExtraction r = x.extractDetailed(REPORT);
            assertEquals(ExtractionSource.RULES_FALLBACK, r.source());
            assertTrue(
                    r.fallbackReason().contains("after 3 attempt(s)")
                            && r.fallbackReason().contains("not valid JSON"),
                    r.fallbackReason());
            assertEquals(new RuleBasedReportExtractor().extract(REPORT), r.findings());
            assertNoSecrets(r);
        }
        assertEquals(3, server.hits());
    }

    @Test
    void timeoutFallsBackWithTheReason() {
        server.respondWith(req -> Reply.slow(VALID, 1500));
        try (LlmReportExtractor x = new LlmReportExtractor(
                config().withTimeout(Duration.ofMillis(200)).withMaxAttempts(2))) {
            ReportExtraction r = x.extractDetailed(REPORT);
            assertEquals(ExtractionSource.RULES_FALLBACK, r.source());
            assertTrue(r.fallbackReason().contains("timed out after 200 ms"), r.fallbackReason());
        }
        assertEquals(2, server.hits());
    }

    @Test
    void serverThatRejectsResponseFormatIsAskedAgainWithoutIt() {
        server.enqueue(Reply.status(400), Reply.answer(VALID), Reply.answer(VALID));
        try (LlmReportExtractor x = new LlmReportExtractor(config())) {
            assertEquals(ExtractionSource.LLM, x.extractDetailed(REPORT).source());
            assertEquals(
                    ExtractionSource.LLM, x.extractDetailed(REPORT + " again").source());
        }
        assertTrue(server.requests().get(0).has("response_format"));
        assertFalse(server.requests().get(1).has("response_format"));
        assertFalse(server.requests().get(2).has("response_format"), "remembered for later requests");
    }

    @Test
    void extractorsByName() {
        try (var rules = dev.causalcxr.core.reports.ReportExtractors.byName("rules", Map.of());
                var llm = dev.causalcxr.core.reports.ReportExtractors.byName(
                        "LLM",
                        Map.of(
                                LlmExtractorConfig.ENV_ENDPOINT,
                                server.baseUri().toString(),
                                LlmExtractorConfig.ENV_MODEL,
                                "m"))) {
            assertEquals("rules", rules.name());
            assertEquals("llm", llm.name());
        }
        assertThrows(
                ReportTextException.class, () -> dev.causalcxr.core.reports.ReportExtractors.byName("gpt", Map.of()));
    }

    @Test
    void httpErrorsAreRetried() {
        server.enqueue(Reply.status(503), Reply.answer(VALID));
        try (LlmReportExtractor x = new LlmReportExtractor(config())) {
            ReportExtraction r = x.extractDetailed(REPORT);
            assertEquals(ExtractionSource.LLM, r.source());
            assertEquals(2, r.attempts());
        }
    }

    @Test
    void cacheHitsSkipTheEndpointInMemoryAndOnDisk(@TempDir Path dir) throws Exception {
        server.respondWith(req -> Reply.answer(VALID));
        try (LlmReportExtractor x = new LlmReportExtractor(config().withCacheDir(dir))) {
            assertFalse(x.extractDetailed(REPORT).cached());
            ReportExtraction again = x.extractDetailed(REPORT);
            assertTrue(again.cached());
            assertEquals(ExtractionSource.LLM, again.source());
        }
        assertEquals(1, server.hits());
        String cacheFile = Files.readString(dir.resolve(ExtractionCache.FILE_NAME));
        assertTrue(cacheFile.contains(ExtractionCache.digest(REPORT)));
        assertFalse(cacheFile.contains("Zed Quux"), "the cache holds digests, not text");
        try (LlmReportExtractor fresh = new LlmReportExtractor(config().withCacheDir(dir))) {
            assertTrue(fresh.extractDetailed(REPORT).cached());
        }
        assertEquals(1, server.hits());
    }

    @Test
    void batchExtractionRunsConcurrentlyAndKeepsInputOrder() {
        server.respondWith(req -> {
            String user = FakeChatCompletionsServer.lastUserMessage(req);
            String finding = user.contains("pneumothorax") ? "Pneumothorax" : "Edema";
            return Reply.slow(
                    "{\"findings\": [{\"finding\": \"" + finding + "\", \"status\": \"present\", "
                            + "\"severity\": \"unspecified\", \"laterality\": \"unspecified\", \"zone\": \"unspecified\"}]}",
                    300);
        });
        List<String> reports = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            reports.add(i % 2 == 0 ? "Small pneumothorax " + i : "Mild edema " + i);
        }
        List<ReportExtraction> out;
        try (LlmReportExtractor x = new LlmReportExtractor(config().withConcurrency(4))) {
            out = x.extractAll(reports);
        }
        assertEquals(8, out.size());
        for (int i = 0; i < 8; i++) {
            Finding expected = i % 2 == 0 ? Finding.PNEUMOTHORAX : Finding.EDEMA;
            assertEquals(expected, out.get(i).findings().get(0).finding());
        }
        assertTrue(server.maxInFlight() <= 4, "at most 4 in flight, saw " + server.maxInFlight());
        assertTrue(server.maxInFlight() >= 2, "requests overlap, saw " + server.maxInFlight());
    }

    @Test
    void batchParserRecordsSourceAndFallbackReasonPerRow(@TempDir Path dir) throws Exception {
        server.respondWith(
                req -> req.get("messages").get(1).get("content").asText().contains("edema")
                        ? Reply.answer("not json")
                        : Reply.answer(VALID));
        Path csv = dir.resolve("r.csv");
        Files.writeString(csv, "study_id,report\na,\"" + REPORT + "\"\nb,Mild edema.\nc,\n");
        Path out = dir.resolve("f.jsonl");
        try (LlmReportExtractor x = new LlmReportExtractor(config().withMaxAttempts(2))) {
            var summary = new dev.causalcxr.core.reports.batch.ReportBatchParser(
                            x, dev.causalcxr.core.reports.batch.ReportBatchConfig.defaults())
                    .parse(csv, out);
            assertEquals(1, summary.llmFallbacks());
            assertEquals(1, summary.errors());
        }
        List<String> lines = Files.readAllLines(out);
        assertTrue(lines.get(0).contains("\"source\":\"llm\""), lines.get(0));
        assertTrue(
                lines.get(1).contains("\"source\":\"rules-fallback\"")
                        && lines.get(1).contains("fallback_reason"),
                lines.get(1));
        assertTrue(lines.get(2).contains("\"error\""), lines.get(2));
        assertFalse(String.join("\n", lines).contains("Zed Quux"));
    }

    @Test
    void emptyReportIsAnErrorNotARequest() {
        try (LlmReportExtractor x = new LlmReportExtractor(config())) {
            List<ReportExtraction> out = x.extractAll(List.of("  "));
            assertEquals("report is empty", out.get(0).error());
        }
        assertEquals(0, server.hits());
    }

    @Test
    void configFromEnvironmentRedactsTheKey() {
        LlmExtractorConfig c = LlmExtractorConfig.fromEnvironment(Map.of(
                LlmExtractorConfig.ENV_ENDPOINT, "http://localhost:8000/v1",
                LlmExtractorConfig.ENV_MODEL, "qwen",
                LlmExtractorConfig.ENV_API_KEY, KEY,
                LlmExtractorConfig.ENV_TIMEOUT_S, "2.5",
                LlmExtractorConfig.ENV_CONCURRENCY, "8"));
        assertEquals("http://localhost:8000/v1/chat/completions", c.endpoint().toString());
        assertEquals(Duration.ofMillis(2500), c.requestTimeout());
        assertEquals(8, c.concurrency());
        assertFalse(c.toString().contains(KEY));
        ReportTextException e = assertThrows(
                ReportTextException.class,
                () -> LlmExtractorConfig.fromEnvironment(Map.of(LlmExtractorConfig.ENV_MODEL, "m")));
        assertTrue(e.getMessage().contains(LlmExtractorConfig.ENV_ENDPOINT));
    }

    @Test
    void validationListsEveryProblem() {
        FindingsAnswerSchema.Validation v = FindingsAnswerSchema.validate(INVALID);
        assertFalse(v.valid());
        assertEquals(3, v.problems().size(), v.problems().toString());
        assertFalse(v.safeSummary().contains("Effusion-ish"), "values stay out of logged summaries");
        assertTrue(FindingsAnswerSchema.validate(VALID).valid());
    }
}
