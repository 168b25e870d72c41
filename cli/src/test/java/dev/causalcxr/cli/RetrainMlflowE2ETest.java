package dev.causalcxr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.activities.runner.DatasetLineage;
import dev.causalcxr.core.files.Digests;
import dev.causalcxr.infra.datasets.DatasetCatalog;
import dev.causalcxr.infra.registry.ModelRegistry;
import dev.causalcxr.infra.stack.PlatformStack;
import dev.causalcxr.infra.stack.StackConfig;
import dev.causalcxr.infra.tracking.MlflowPusher;
import dev.causalcxr.infra.tracking.MlflowTestSupport;
import dev.causalcxr.infra.tracking.Tracker;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link RetrainCommandTest}'s site A → site B story, inherited with its fixture (one champion training), with every
 * command joining a {@code causalcxr stack} with its real MLflow server (the fixture starts it for a class tagged e2e), one more retrain on the union of both sites' data, and then MLflow read back
 * through its own Python client: each training and measuring run's dataset inputs, and each model version's alias
 * history tags, as PostgreSQL records them (catalogue, data set parents, model history). A push retried adds nothing.
 */
@Tag("e2e")
class RetrainMlflowE2ETest extends RetrainCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static String unionRetrain;

    @Test
    @Order(5)
    void aRetrainOnTheUnionOfBothSitesRecordsTheUnionWithItsParents() throws Exception {
        Path spec = dir.resolve("union.yaml");
        Files.writeString(
                spec,
                "retrain:\n  training_set: union\n  steps:\n    train-disentangler: 1\n    train-diffusion: 1\n"
                        + GATE);
        assertEquals(
                0,
                cli(
                        "retrain",
                        "--model",
                        "rt@champion",
                        "--dataset",
                        "site-b",
                        "--spec",
                        spec.toString(),
                        "--data-dir",
                        data.toString()),
                output());
        Matcher id = Pattern.compile("retrain (retrain-rt-\\S+): ").matcher(output());
        assertTrue(id.find(), output());
        unionRetrain = id.group(1);
        assertTrue(output().contains("training set: site-b-with-"), output());
    }

    @Test
    @Order(6)
    void mlflowShowsWhatEachRunTrainedAndMeasuredOnAndEveryAliasMoveAsPostgresqlRecordsThem() throws Exception {
        assertNotNull(unionRetrain, "the union retrain ran");
        Map<String, String> env = new TreeMap<>(PROPERTIES);
        env.putAll(RunningStack.find(data).orElseThrow());
        try (PlatformStack stack = PlatformStack.start(StackConfig.fromEnvironment(data, env), false)) {
            Optional<String> uri = stack.awaitTracking(Duration.ofMinutes(15));
            assertTrue(uri.isPresent(), stack.tracker().offlineReason().orElse(""));
            JsonNode back = readBack(uri.get());
            int checkedRuns = checkDatasetInputs(stack, back);
            assertTrue(checkedRuns >= 20, "runs with dataset inputs checked: " + checkedRuns);
            checkAliasHistory(stack, back);
            String everything = back.toString();
            for (String id : stack.db()
                    .query(
                            "select study_id from studies union select patient_pseudonym from studies",
                            ps -> {},
                            rs -> rs.getString(1))) {
                if (id.length() >= 6) {
                    assertFalse(everything.contains(id), "a study or patient id reached MLflow");
                }
            }

            // the push retried: every input and alias move sent again; MLflow keeps one of each
            stack.db().update("update tracking_inputs set synced = false", ps -> {});
            stack.db().update("delete from model_history_mirrored", ps -> {});
            Tracker.SyncReport tracking = stack.tracker().syncAll();
            assertEquals(0, tracking.failures(), tracking.errors().toString());
            ModelRegistry.SyncReport registry = stack.registry().syncRegistry();
            assertEquals(0, registry.failures(), registry.errors().toString());
            assertTrue(registry.historyMoves() >= 7, registry.toString());
            JsonNode again = readBack(uri.get());
            assertEquals(inputsByRun(back), inputsByRun(again));
            assertEquals(back.get("versions"), again.get("versions"));
        }
    }

    /**
     * Run local id → its inputs as MLflow shows them, as a set of JSON objects: MLflow gives no order for a run's
     * inputs nor for a data set's tags (a re-push came back with the tags in another order), so neither is compared.
     */
    private static Map<String, Set<JsonNode>> inputsByRun(JsonNode back) {
        Map<String, Set<JsonNode>> m = new TreeMap<>();
        back.get("runs").forEach(r -> {
            Set<JsonNode> inputs = new HashSet<>();
            r.get("inputs").forEach(inputs::add);
            m.put(r.path("local_id").asText(), inputs);
        });
        return m;
    }

    private record Expected(String name, String version, String context, String partOf) {}

    /**
     * Every stage run that trains or measures, and every pipeline run, has exactly the data set versions the catalogue
     * says it used: the champion's run its phantom data, a fine-tuning run its training set (site B; or the union and
     * the two versions it was built from), a measuring run the split it measured on, for evaluation.
     */
    private static int checkDatasetInputs(PlatformStack stack, JsonNode back) {
        DatasetCatalog catalog = new DatasetCatalog(stack.db());
        DatasetCatalog.VersionRow siteB = catalog.version("site-b", null).orElseThrow();
        List<DatasetCatalog.VersionRow> all = new ArrayList<>();
        for (String name : stack.db().query("select name from datasets", ps -> {}, rs -> rs.getString(1))) {
            all.addAll(catalog.versions(name));
        }
        DatasetCatalog.VersionRow phantom = all.stream()
                .filter(v -> v.sourceKind().equals("phantom"))
                .findFirst()
                .orElseThrow();
        DatasetCatalog.VersionRow union = all.stream()
                .filter(v -> v.sourceKind().equals("union"))
                .findFirst()
                .orElseThrow();
        List<String> parents = catalog.parents(union.dataset(), union.version());
        assertEquals(
                Stream.of(phantom.dataset() + "@" + phantom.version(), siteB.dataset() + "@" + siteB.version())
                        .sorted()
                        .toList(),
                parents);
        Map<String, DatasetCatalog.VersionRow> byName = Map.of(phantom.dataset(), phantom, siteB.dataset(), siteB);

        Map<String, JsonNode> runs = new HashMap<>();
        back.get("runs").forEach(r -> runs.put(r.path("local_id").asText(), r));
        Set<String> testDigests = new TreeSet<>();
        stack.db()
                .query(
                        "select evidence_json from model_history where evidence_json like '%testDigest%'",
                        ps -> {}, rs -> rs.getString(1))
                .forEach(e -> {
                    Matcher m =
                            Pattern.compile("\"testDigest\":\"([0-9a-f]{64})\"").matcher(e);
                    while (m.find()) {
                        testDigests.add(m.group(1));
                    }
                });
        assertTrue(testDigests.size() >= 2, testDigests.toString());

        int checked = 0;
        List<String[]> pipelineRuns = stack.db()
                .query("select id, tracking_run_id from pipeline_runs order by started_at", ps -> {}, rs ->
                        new String[] {rs.getString(1), rs.getString(2)});
        for (String[] p : pipelineRuns) {
            String runId = p[0];
            List<Expected> expected = new ArrayList<>();
            Matcher measuring =
                    Pattern.compile("-(champion|challenger)-on-(.+)$").matcher(runId);
            if (!runId.startsWith("retrain-")) {
                expected.add(new Expected(phantom.dataset(), phantom.version(), DatasetLineage.TRAINING, null));
            } else if (measuring.find()) {
                DatasetCatalog.VersionRow v = byName.get(measuring.group(2));
                assertNotNull(v, runId);
                expected.add(new Expected(v.dataset(), v.version(), DatasetLineage.EVALUATION, null));
            } else if (runId.equals(unionRetrain + "-train")) {
                String u = union.dataset() + "@" + union.version();
                expected.add(new Expected(union.dataset(), union.version(), DatasetLineage.TRAINING, null));
                expected.add(new Expected(phantom.dataset(), phantom.version(), DatasetLineage.TRAINING, u));
                expected.add(new Expected(siteB.dataset(), siteB.version(), DatasetLineage.TRAINING, u));
            } else {
                assertTrue(runId.endsWith("-train"), runId);
                expected.add(new Expected(siteB.dataset(), siteB.version(), DatasetLineage.TRAINING, null));
            }
            List<String> tracked = new ArrayList<>();
            tracked.add(p[1]);
            stack.db()
                    .query(
                            "select stage, tracking_run_id from stage_runs where pipeline_run_id = ? and status = 'succeeded'",
                            ps -> ps.setString(1, runId),
                            rs -> new String[] {rs.getString(1), rs.getString(2)})
                    .forEach(s -> {
                        if (DatasetLineage.stageContext(s[0]).isPresent()) {
                            tracked.add(s[1]);
                        } else {
                            JsonNode r = runs.get(s[1]);
                            assertNotNull(r, runId + " " + s[0] + " is in MLflow");
                            assertEquals(
                                    0, r.get("inputs").size(), runId + " " + s[0] + " neither trains nor measures");
                        }
                    });
            assertTrue(tracked.size() >= 3, runId + ": the pipeline's run and its trained stages " + tracked);
            for (String local : tracked) {
                JsonNode r = runs.get(local);
                assertNotNull(r, runId + ": tracking run " + local + " is in MLflow");
                assertEquals(
                        expected.stream()
                                .map(e -> e.name() + "@" + MlflowPusher.datasetDigest(e.version()) + " " + e.context())
                                .sorted()
                                .toList(),
                        sortedInputs(r),
                        runId + " " + r.get("name").asText());
                for (JsonNode in : r.get("inputs")) {
                    Expected e = expected.stream()
                            .filter(x -> x.name().equals(in.get("name").asText()))
                            .findFirst()
                            .orElseThrow();
                    assertEquals(MlflowPusher.SOURCE_TYPE, in.get("source_type").asText());
                    assertEquals(
                            MlflowPusher.datasetSource(e.name(), e.version()),
                            in.get("source").asText());
                    JsonNode tags = in.get("tags");
                    if (e.partOf() != null) {
                        assertEquals(
                                e.partOf(),
                                tags.path(DatasetLineage.TAG_PART_OF).asText(),
                                runId);
                    } else if (e.name().equals(union.dataset())) {
                        assertEquals(
                                String.join(",", parents),
                                tags.path(DatasetLineage.TAG_PARENTS).asText());
                    }
                    if (e.context().equals(DatasetLineage.EVALUATION)) {
                        assertTrue(
                                testDigests.contains(
                                        tags.path(DatasetLineage.TAG_TEST_SPLIT).asText()),
                                runId + ": the frozen test split by its digest: " + tags);
                    }
                }
                checked++;
            }
        }
        return checked;
    }

    private static List<String> sortedInputs(JsonNode run) {
        List<String> l = new ArrayList<>();
        run.get("inputs")
                .forEach(i ->
                        l.add(i.get("name").asText() + "@" + i.get("digest").asText() + " "
                                + i.get("tags").path(MlflowPusher.CONTEXT_TAG).asText()));
        return l.stream().sorted().toList();
    }

    /**
     * Every alias move of the history is a tag on each model version it involves (the one the alias went to, the one
     * it left), with the row's time, alias, versions, actor, gate decision and evidence digest; and nothing else is.
     */
    private static void checkAliasHistory(PlatformStack stack, JsonNode back) throws Exception {
        Map<Integer, String> registryVersion = new HashMap<>();
        stack.db()
                .query(
                        "select version, registry_version from model_versions where name = 'rt'",
                        ps -> {},
                        rs -> registryVersion.put(rs.getInt(1), rs.getString(2)));
        List<Object[]> moves = stack.db().query("""
                        select id, at, event, alias, version, previous_version, actor, reason, evidence_json
                        from model_history where name = 'rt' and event <> 'registered' order by id""", ps -> {}, rs -> new Object[] {
            rs.getLong(1),
            rs.getTimestamp(2).toInstant().toString(),
            rs.getString(3),
            rs.getString(4),
            rs.getObject(5),
            rs.getObject(6),
            rs.getString(7),
            rs.getString(8),
            rs.getString(9)
        });
        // the fixture's champion, the refused and the promoted retrain, the manual promotion, the union retrain
        assertTrue(moves.size() >= 7, moves.size() + " moves");
        Map<String, Integer> historyTags = new TreeMap<>();
        Set<String> gates = new TreeSet<>();
        for (Object[] m : moves) {
            String key = ModelRegistry.historyTagKey((Long) m[0]);
            for (Object v : new Object[] {m[4], m[5]}) {
                if (v == null) {
                    continue;
                }
                String mv = registryVersion.get((Integer) v);
                assertNotNull(mv, "version " + v + " is mirrored");
                historyTags.merge(mv, 1, Integer::sum);
                JsonNode tags = back.get("versions").get(mv);
                assertTrue(tags.has(key), "version " + v + " has " + key + ": " + tags);
                JsonNode t = JSON.readTree(tags.get(key).asText());
                assertEquals(m[1], t.get("at").asText());
                assertEquals(m[2], t.get("event").asText());
                assertEquals(m[3], t.get("alias").asText());
                assertEquals(
                        m[4] == null ? "null" : m[4].toString(), t.get("to").asText("null"));
                assertEquals(
                        m[5] == null ? "null" : m[5].toString(), t.get("from").asText("null"));
                assertEquals(m[6], t.get("actor").asText());
                assertEquals(m[7] == null ? "null" : m[7], t.get("reason").asText("null"));
                String evidence = (String) m[8];
                assertEquals(
                        evidence == null ? "null" : Digests.sha256Hex(evidence.getBytes(StandardCharsets.UTF_8)),
                        t.get("metrics_digest").asText("null"));
                String gate = evidence == null
                        ? "none"
                        : JSON.readTree(evidence).path("decision").asText("none");
                assertEquals(gate, t.get("gate").asText());
                gates.add(gate);
                assertTrue(tags.get(key).asText().length() < 5000);
            }
        }
        assertEquals(Set.of("none", "promote", "reject"), gates, "by hand, a promotion and a refusal");
        back.get("versions").fields().forEachRemaining(v -> {
            int n = 0;
            for (java.util.Iterator<String> keys = v.getValue().fieldNames(); keys.hasNext(); ) {
                n += keys.next().startsWith(ModelRegistry.HISTORY_TAG_PREFIX) ? 1 : 0;
            }
            assertEquals(historyTags.getOrDefault(v.getKey(), 0), n, "history tags of version " + v.getKey());
        });
    }

    private static JsonNode readBack(String trackingUri) throws Exception {
        Path script = Files.createTempFile("mlflow_lineage_readback", ".py");
        try (InputStream in = RetrainMlflowE2ETest.class.getResourceAsStream("mlflow_lineage_readback.py")) {
            Files.write(script, in.readAllBytes());
        }
        Process p = new ProcessBuilder(
                        MlflowTestSupport.sharedVenv().resolve("bin/python").toString(),
                        script.toString(),
                        trackingUri,
                        "causalcxr/rt",
                        "rt")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("read-back through the MLflow Python client failed: " + out);
        }
        Files.deleteIfExists(script);
        return JSON.readTree(out);
    }
}
