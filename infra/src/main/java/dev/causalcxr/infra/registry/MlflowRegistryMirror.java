package dev.causalcxr.infra.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.causalcxr.infra.tracking.Tracker;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.mlflow.tracking.MlflowClient;

/**
 * Mirrors registry entries into MLflow's Model Registry over its REST API ({@code /api/2.0/mlflow/…}).
 * GET and POST go through the MLflow Java client's {@code sendGet}/{@code sendPost} (the client has no
 * registry write methods); DELETE, which it lacks, through {@code java.net.http}. Calls that MLflow
 * answers with an error are avoided where a search can tell first: the client re-sends any failed
 * request several times as if it had been rate limited.
 *
 * <p>Endpoints: {@code registered-models/search}, {@code registered-models/create},
 * {@code model-versions/search}, {@code model-versions/create}, {@code model-versions/set-tag},
 * {@code registered-models/alias} (POST sets, DELETE removes).
 */
public final class MlflowRegistryMirror {
    static final String TAG_BUNDLE = "causalcxr.bundle_digest";
    static final String TAG_VERSION = "causalcxr.version";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Supplier<Optional<String>> trackingUri;
    private final Map<String, MlflowClient> clients = new ConcurrentHashMap<>();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public MlflowRegistryMirror(Supplier<Optional<String>> trackingUri) {
        this.trackingUri = trackingUri;
    }

    /** Mirrors to whatever MLflow server the tracker is connected to, when it is. */
    public static MlflowRegistryMirror following(Tracker tracker) {
        return new MlflowRegistryMirror(tracker::trackingUri);
    }

    /** Mirrors to a fixed tracking server. */
    public static MlflowRegistryMirror at(String trackingUri) {
        String uri = trackingUri.replaceAll("/+$", "");
        return new MlflowRegistryMirror(() -> Optional.of(uri));
    }

    /** The server to mirror to now; empty while none is connected. */
    public Optional<String> trackingUri() {
        return trackingUri.get().map(u -> u.replaceAll("/+$", ""));
    }

    private MlflowClient client(String uri) {
        return clients.computeIfAbsent(uri, u -> new MlflowClient(u));
    }

    /** What a model version is mirrored from. */
    record VersionSource(
            String name,
            int version,
            String bundleDigest,
            String source,
            String runId,
            Map<String, String> tags,
            String description) {}

    /**
     * Makes sure the registered model exists and has a version for this bundle (found by its tag, so
     * a retry after a lost answer creates no second one); returns MLflow's version number.
     */
    String ensureVersion(String uri, VersionSource v) {
        MlflowClient c = client(uri);
        ensureRegisteredModel(c, v.name());
        Optional<String> existing = findVersion(c, v.name(), v.bundleDigest());
        if (existing.isPresent()) {
            return existing.get();
        }
        ObjectNode req = JSON.createObjectNode();
        req.put("name", v.name());
        req.put("source", v.source());
        if (v.runId() != null) {
            req.put("run_id", v.runId());
        }
        req.put("description", v.description());
        ArrayNode tags = req.putArray("tags");
        v.tags().forEach((k, val) -> tags.addObject().put("key", k).put("value", val));
        tags.addObject().put("key", TAG_BUNDLE).put("value", v.bundleDigest());
        tags.addObject().put("key", TAG_VERSION).put("value", Integer.toString(v.version()));
        JsonNode resp = read(c.sendPost("model-versions/create", req.toString()));
        return resp.path("model_version").path("version").asText();
    }

    private void ensureRegisteredModel(MlflowClient c, String name) {
        JsonNode found =
                read(c.sendGet("registered-models/search?max_results=1&filter=" + encode("name = '" + name + "'")));
        if (found.path("registered_models").size() > 0) {
            return;
        }
        ObjectNode req = JSON.createObjectNode();
        req.put("name", name);
        req.put("description", "CausalCXR model, mirrored from the CausalCXR model registry");
        try {
            c.sendPost("registered-models/create", req.toString());
        } catch (RuntimeException e) {
            // created by another process between the search and the create
            if (!String.valueOf(e.getMessage()).contains("RESOURCE_ALREADY_EXISTS")) {
                throw e;
            }
        }
    }

    private Optional<String> findVersion(MlflowClient c, String name, String bundleDigest) {
        String token = null;
        do {
            String path = "model-versions/search?max_results=1000&filter=" + encode("name = '" + name + "'")
                    + (token == null ? "" : "&page_token=" + encode(token));
            JsonNode page = read(c.sendGet(path));
            for (JsonNode mv : page.path("model_versions")) {
                for (JsonNode tag : mv.path("tags")) {
                    if (TAG_BUNDLE.equals(tag.path("key").asText())
                            && bundleDigest.equals(tag.path("value").asText())) {
                        return Optional.of(mv.path("version").asText());
                    }
                }
            }
            token = page.path("next_page_token").asText(null);
        } while (token != null && !token.isEmpty());
        return Optional.empty();
    }

    /** Points MLflow's alias at a mirrored version (moving it when it pointed elsewhere). */
    void setAlias(String uri, String name, String alias, String mlflowVersion) {
        ObjectNode req = JSON.createObjectNode();
        req.put("name", name);
        req.put("alias", alias);
        req.put("version", mlflowVersion);
        client(uri).sendPost("registered-models/alias", req.toString());
    }

    /** Sets a tag on a mirrored model version (replacing the value a tag of that key had). */
    void setVersionTag(String uri, String name, String mlflowVersion, String key, String value) {
        ObjectNode req = JSON.createObjectNode();
        req.put("name", name);
        req.put("version", mlflowVersion);
        req.put("key", key);
        req.put("value", value);
        client(uri).sendPost("model-versions/set-tag", req.toString());
    }

    /** Removes MLflow's alias; one that is already gone is fine. */
    void deleteAlias(String uri, String name, String alias) {
        ObjectNode req = JSON.createObjectNode();
        req.put("name", name);
        req.put("alias", alias);
        HttpRequest r = HttpRequest.newBuilder(URI.create(uri + "/api/2.0/mlflow/registered-models/alias"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .method("DELETE", HttpRequest.BodyPublishers.ofString(req.toString()))
                .build();
        try {
            HttpResponse<String> resp = http.send(r, HttpResponse.BodyHandlers.ofString());
            if (resp.statusCode() / 100 != 2 && !resp.body().contains("RESOURCE_DOES_NOT_EXIST")) {
                throw new IllegalStateException("MLflow answered " + resp.statusCode() + " deleting alias " + alias
                        + " of " + name + ": " + resp.body());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot reach MLflow at " + uri + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while deleting alias " + alias + " of " + name, e);
        }
    }

    private static JsonNode read(String body) {
        try {
            return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException("MLflow sent a response that is not JSON: " + e.getMessage(), e);
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
