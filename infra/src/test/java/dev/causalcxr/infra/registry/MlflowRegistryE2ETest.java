package dev.causalcxr.infra.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.infra.objectstore.ObjectStore;
import dev.causalcxr.infra.stack.PlatformStack;
import dev.causalcxr.infra.stack.StackConfig;
import dev.causalcxr.infra.tracking.MlflowTestSupport;
import dev.causalcxr.infra.tracking.Tracker;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry mirrored into a real MLflow server's Model Registry, read back through MLflow's Python client. */
@Tag("e2e")
class MlflowRegistryE2ETest {

    @Test
    void versionsAndAliasesAreMirroredIncludingThoseRegisteredWhileMlflowWasAway(@TempDir Path dir) throws Exception {
        try (PlatformStack stack =
                PlatformStack.start(StackConfig.fromEnvironment(dir, MlflowTestSupport.env("proxy")), false)) {
            Optional<String> uri = stack.awaitTracking(Duration.ofMinutes(15));
            assertTrue(
                    uri.isPresent(),
                    "MLflow server did not come up: "
                            + stack.tracker().offlineReason().orElse(""));
            ObjectStore store = stack.objectStore();
            Tracker tracker = stack.tracker();
            // a pipeline run with its MLflow run: the mirrored version links to it
            String trackingRun = tracker.startRun("causalcxr/registry-e2e", "pipeline", null, Map.of());
            tracker.endRun(trackingRun, "FINISHED");
            stack.journal().createPipelineRun("run-e2e", "quick", "spec-1", "{}", "code-1");
            stack.journal().setPipelineTrackingRun("run-e2e", trackingRun);
            String mlflowRun = tracker.mlflowRunId(trackingRun).orElseThrow();

            Map<String, String> c1 = Map.of(
                    "disentangler",
                    put(store, "dis 1"),
                    "diffusion",
                    put(store, "diff 1"),
                    "tail-noise-prior/Pneumothorax",
                    put(store, "tail 1"));
            Map<String, String> c2 = Map.of("disentangler", put(store, "dis 2"), "diffusion", put(store, "diff 2"));

            // MLflow not connected: registered locally only
            ModelRegistry away = new ModelRegistry(stack.db(), store, new MlflowRegistryMirror(Optional::empty));
            ModelVersion v1 = away.register(
                    "cxr-gen",
                    c1,
                    Map.of(ModelRegistry.PIPELINE_RUN_ID, "run-e2e", "spec_digest", "spec-1"),
                    Map.of("fid", 12.5));
            away.setAlias("cxr-gen", "staging", 1);
            assertNull(v1.registryVersion());

            ModelRegistry registry = new ModelRegistry(stack.db(), store, MlflowRegistryMirror.following(tracker));
            ModelRegistry.SyncReport sync = registry.syncRegistry();
            assertEquals(new ModelRegistry.SyncReport(1, 1, 1, 0, java.util.List.of()), sync);
            assertEquals("1", registry.resolve("cxr-gen@1").registryVersion());

            // connected: mirrored as it happens
            ModelVersion v2 = registry.register("cxr-gen", c2, Map.of("spec_digest", "spec-2"), Map.of("fid", 11.0));
            assertEquals("2", v2.registryVersion());
            registry.setAlias("cxr-gen", "champion", 1);
            registry.setAlias("cxr-gen", "challenger", 2);
            registry.setAlias("cxr-gen", "champion", 2);
            assertTrue(registry.deleteAlias("cxr-gen", "challenger"));
            assertEquals(
                    new ModelRegistry.SyncReport(0, 0, 0, 0, java.util.List.of()),
                    registry.syncRegistry(),
                    "nothing left to mirror");

            JsonNode back = readBack(uri.get(), "cxr-gen");
            assertEquals("2", back.get("aliases").get("champion").asText());
            assertEquals("1", back.get("aliases").get("staging").asText());
            assertFalse(back.get("aliases").has("challenger"), back.toString());
            assertEquals("2", back.get("by_alias").get("champion").asText());
            JsonNode m1 = back.get("versions").get("1");
            JsonNode m2 = back.get("versions").get("2");
            assertEquals(2, back.get("versions").size(), "one MLflow version per registry version: " + back);
            assertEquals(
                    "s3://" + store.bucket() + "/sha256/" + v1.bundleDigest(),
                    m1.get("source").asText());
            assertEquals(
                    v1.bundleDigest(),
                    m1.get("tags").get(MlflowRegistryMirror.TAG_BUNDLE).asText());
            assertEquals(
                    "1", m1.get("tags").get(MlflowRegistryMirror.TAG_VERSION).asText());
            assertEquals("12.5", m1.get("tags").get("causalcxr.metric.fid").asText());
            assertEquals(mlflowRun, m1.get("run_id").asText(), "linked to the pipeline's MLflow run");
            assertEquals("READY", m1.get("status").asText());
            assertEquals(
                    v2.bundleDigest(),
                    m2.get("tags").get(MlflowRegistryMirror.TAG_BUNDLE).asText());
            assertEquals("[\"champion\"]", m2.get("aliases").toString());
            // every alias move is a tag on the versions it involves: 1 got staging and champion, then lost champion;
            // 2 got challenger and champion, then lost challenger
            assertEquals(3, historyTags(m1).size(), m1.get("tags").toString());
            assertEquals(3, historyTags(m2).size(), m2.get("tags").toString());
            JsonNode lastMove = new ObjectMapper()
                    .readTree(m2.get("tags").get(historyTags(m2).get(2)).asText());
            assertEquals("alias_removed", lastMove.get("event").asText());
            assertEquals("challenger", lastMove.get("alias").asText());
            assertEquals(2, lastMove.get("from").asInt());
            assertTrue(lastMove.get("to").isNull());
            assertEquals(ModelRegistry.currentUser(), lastMove.get("actor").asText());
            assertEquals("none", lastMove.get("gate").asText());
        }
    }

    /** The version's alias history tag keys, in the order of the moves. */
    private static java.util.List<String> historyTags(JsonNode version) {
        java.util.List<String> keys = new java.util.ArrayList<>();
        version.get("tags").fieldNames().forEachRemaining(k -> {
            if (k.startsWith(ModelRegistry.HISTORY_TAG_PREFIX)) {
                keys.add(k);
            }
        });
        return keys.stream().sorted().toList();
    }

    private static String put(ObjectStore store, String content) {
        return store.putBytes(content.getBytes(StandardCharsets.UTF_8)).digest();
    }

    private static JsonNode readBack(String trackingUri, String name) throws Exception {
        Path script = Files.createTempFile("mlflow_registry_readback", ".py");
        try (InputStream in = MlflowRegistryE2ETest.class.getResourceAsStream("mlflow_registry_readback.py")) {
            Files.write(script, in.readAllBytes());
        }
        Process p = new ProcessBuilder(
                        MlflowTestSupport.sharedVenv().resolve("bin/python").toString(),
                        script.toString(),
                        trackingUri,
                        name)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("read-back through the MLflow Python client failed: " + out);
        }
        Files.deleteIfExists(script);
        return new ObjectMapper().readTree(out);
    }
}
