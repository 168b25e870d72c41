package dev.causalcxr.core.reports.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A minimal client of an OpenAI-compatible {@code POST /v1/chat/completions} endpoint (OpenAI, vLLM,
 * llama.cpp server, Ollama, LM Studio, ...), built on {@code java.net.http}. Errors are reported as
 * {@link LlmCallException}s that name the kind of failure only: the response body of an error may
 * echo the request, so it is never put into a message.
 */
final class ChatCompletionsClient {

    private static final Logger LOG = LoggerFactory.getLogger(ChatCompletionsClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LlmExtractorConfig config;
    private final HttpClient http;
    /** Turned off for good when the server rejects {@code response_format} (HTTP 400); the prompt still has the schema. */
    private volatile boolean sendResponseFormat;

    ChatCompletionsClient(LlmExtractorConfig config) {
        this.config = config;
        this.sendResponseFormat = config.useResponseFormat();
        this.http = HttpClient.newBuilder()
                .connectTimeout(config.requestTimeout())
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** One chat turn of the conversation. */
    record Message(String role, String content) {}

    /** Sends the conversation and returns the assistant's content. */
    String complete(List<Message> messages) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", config.model());
        body.put(
                "messages",
                messages.stream()
                        .map(m -> Map.of("role", m.role(), "content", m.content()))
                        .toList());
        body.put("temperature", 0);
        boolean withFormat = sendResponseFormat;
        if (withFormat) {
            body.put(
                    "response_format",
                    Map.of(
                            "type",
                            "json_schema",
                            "json_schema",
                            Map.of(
                                    "name",
                                    "chest_xray_findings",
                                    "strict",
                                    true,
                                    "schema",
                                    FindingsAnswerSchema.schema())));
        }
        String json;
        try {
            json = JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a chat request", e);
        }
        HttpRequest.Builder req = HttpRequest.newBuilder(config.endpoint())
                .timeout(config.requestTimeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        if (config.apiKey() != null && !config.apiKey().isBlank()) {
            req.header("Authorization", "Bearer " + config.apiKey());
        }
        HttpResponse<String> resp;
        try {
            resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpTimeoutException e) {
            throw new LlmCallException(
                    "request timed out after " + config.requestTimeout().toMillis() + " ms");
        } catch (IOException e) {
            throw new LlmCallException("request failed (" + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LlmCallException("request interrupted");
        }
        if (resp.statusCode() == 400 && withFormat) {
            LOG.warn(
                    "the endpoint rejected response_format (HTTP 400); asking again without it, schema in the prompt only");
            sendResponseFormat = false;
            return complete(messages);
        }
        if (resp.statusCode() != 200) {
            throw new LlmCallException("endpoint answered HTTP " + resp.statusCode());
        }
        try {
            JsonNode content = JSON.readTree(resp.body())
                    .path("choices")
                    .path(0)
                    .path("message")
                    .path("content");
            if (!content.isTextual()) {
                throw new LlmCallException("response has no choices[0].message.content");
            }
            return content.asText();
        } catch (JsonProcessingException e) {
            throw new LlmCallException("response is not JSON");
        }
    }
}
