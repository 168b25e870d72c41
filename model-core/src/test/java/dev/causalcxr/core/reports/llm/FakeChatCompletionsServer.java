package dev.causalcxr.core.reports.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A fake OpenAI-compatible chat-completions server on loopback for tests. It replays recorded
 * answers: scripted replies first (in order), then a default responder; it records every request
 * body and the Authorization header, and counts hits.
 */
final class FakeChatCompletionsServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One scripted reply: assistant content, or an HTTP error status, after an optional delay. */
    record Reply(String content, int status, long delayMillis) {
        static Reply answer(String content) {
            return new Reply(content, 200, 0);
        }

        static Reply status(int status) {
            return new Reply(null, status, 0);
        }

        static Reply slow(String content, long delayMillis) {
            return new Reply(content, 200, delayMillis);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final ConcurrentLinkedQueue<Reply> script = new ConcurrentLinkedQueue<>();
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final AtomicInteger hits = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private volatile Function<JsonNode, Reply> responder = req -> Reply.status(500);

    FakeChatCompletionsServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/chat/completions", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    URI baseUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
    }

    FakeChatCompletionsServer enqueue(Reply... replies) {
        script.addAll(List.of(replies));
        return this;
    }

    FakeChatCompletionsServer respondWith(Function<JsonNode, Reply> responder) {
        this.responder = responder;
        return this;
    }

    int hits() {
        return hits.get();
    }

    /** The most requests that were being answered at the same time. */
    int maxInFlight() {
        return maxInFlight.get();
    }

    List<JsonNode> requests() {
        return requests;
    }

    List<String> authorizations() {
        return authorizations;
    }

    /** The last user message of a recorded request. */
    static String lastUserMessage(JsonNode request) {
        JsonNode msgs = request.get("messages");
        for (int i = msgs.size() - 1; i >= 0; i--) {
            if (msgs.get(i).get("role").asText().equals("user")) {
                return msgs.get(i).get("content").asText();
            }
        }
        return "";
    }

    private void handle(HttpExchange ex) throws IOException {
        hits.incrementAndGet();
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        try {
            answer(ex);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private void answer(HttpExchange ex) throws IOException {
        JsonNode req = JSON.readTree(ex.getRequestBody().readAllBytes());
        requests.add(req);
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        authorizations.add(auth == null ? "" : auth);
        Reply reply = script.poll();
        if (reply == null) {
            reply = responder.apply(req);
        }
        if (reply.delayMillis() > 0) {
            try {
                Thread.sleep(reply.delayMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        byte[] body;
        if (reply.status() == 200) {
            body = JSON.writeValueAsBytes(Map.of(
                    "id",
                    "chatcmpl-fake",
                    "object",
                    "chat.completion",
                    "choices",
                    List.of(Map.of(
                            "index",
                            0,
                            "finish_reason",
                            "stop",
                            "message",
                            Map.of("role", "assistant", "content", reply.content())))));
        } else {
            body = "{\"error\":{\"message\":\"fake failure\"}}".getBytes(StandardCharsets.UTF_8);
        }
        try {
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(reply.status(), body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        } catch (IOException e) {
            // the client gave up (timeout test): nothing to answer
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
