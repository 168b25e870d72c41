package dev.causalcxr.infra.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.infra.metadata.EmbeddedPostgresServer;
import dev.causalcxr.infra.metadata.MetadataDb;
import dev.causalcxr.infra.metadata.MetadataException;
import dev.causalcxr.infra.metadata.PipelineJournal;
import dev.causalcxr.infra.objectstore.CorruptObjectException;
import dev.causalcxr.infra.objectstore.EmbeddedS3Server;
import dev.causalcxr.infra.objectstore.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry against the real embedded PostgreSQL and the in-process S3 server. */
class ModelRegistryTest {
    @TempDir
    static Path dir;

    static EmbeddedPostgresServer pg;
    static EmbeddedS3Server s3;
    static MetadataDb db;
    static ObjectStore store;
    static ModelRegistry registry;

    @BeforeAll
    static void start() {
        pg = EmbeddedPostgresServer.start(dir.resolve("pg"));
        s3 = EmbeddedS3Server.start(dir.resolve("s3"), "testkey", "testsecret0123456789", "test-bucket");
        db = MetadataDb.connect(pg.endpoint("postgres"));
        store = new ObjectStore(s3.endpoint());
        store.ensureBucket();
        registry = new ModelRegistry(db, store);
    }

    @AfterAll
    static void stop() {
        s3.close();
        pg.close();
    }

    private static String publish(String content) {
        return store.putBytes(content.getBytes(StandardCharsets.UTF_8)).digest();
    }

    /** A generator's components; {@code seed} makes the bytes (so the bundle) differ. */
    private static Map<String, String> components(String seed) {
        return Map.of(
                "disentangler",
                publish("disentangler weights " + seed),
                "diffusion",
                publish("diffusion weights " + seed),
                "tail-noise-prior/Pneumothorax",
                publish("tail prior " + seed));
    }

    private static int rows(String name) {
        return db.queryOne(
                        "select count(*) from model_versions where name = ?",
                        ps -> ps.setString(1, name),
                        rs -> rs.getInt(1))
                .orElseThrow();
    }

    @Test
    void twoRegistrationsAreVersionsOneAndTwoWithTheirBundle() {
        Map<String, String> c1 = components("a1");
        ModelVersion v1 = registry.register(
                "gen-a",
                c1,
                Map.of("spec_digest", "s1", "code_version", "abc", "image_size", "64"),
                Map.of("fid", 12.5, "cf_validity/Pneumothorax", 0.81));
        ModelVersion v2 =
                registry.register("gen-a", components("a2"), Map.of("spec_digest", "s2"), Map.of("fid", 11.0));
        assertEquals(1, v1.version());
        assertEquals(2, v2.version());
        assertEquals(c1, v1.components());
        assertEquals("64", v1.provenance().get("image_size"));
        assertEquals(0.81, v1.metrics().get("cf_validity/Pneumothorax"));
        assertTrue(store.verify(v1.bundleDigest()), "the bundle is a verified object in the store");
        assertEquals(
                List.of(1, 2),
                registry.versions("gen-a").stream().map(ModelVersion::version).toList());
        assertTrue(registry.names().contains("gen-a"));
        assertEquals(List.of(ModelRegistry.LATEST), registry.resolve("gen-a@2").aliases());
        assertEquals(List.of(), registry.resolve("gen-a@1").aliases());
        assertNull(v1.registryVersion(), "no MLflow mirror here");
        // the bundle read back from the store (not the in-memory copy) gives the same version
        ModelVersion fresh = new ModelRegistry(db, store).resolve("gen-a@1");
        assertEquals(v1.components(), fresh.components());
        assertEquals(v1.provenance(), fresh.provenance());
        assertEquals(v1.metrics(), fresh.metrics());
        assertEquals(v1.createdAt(), fresh.createdAt());
    }

    @Test
    void registeringTheSameBundleAgainReturnsTheExistingVersion() {
        Map<String, String> c = components("idem");
        ModelVersion first = registry.register("gen-idem", c, Map.of("spec_digest", "s"), Map.of("fid", 3.0));
        ModelVersion again =
                registry.register("gen-idem", Map.copyOf(c), Map.of("spec_digest", "s"), Map.of("fid", 3.0));
        assertEquals(first.version(), again.version());
        assertEquals(first.bundleDigest(), again.bundleDigest());
        assertEquals(1, rows("gen-idem"));
        ModelVersion changed = registry.register("gen-idem", c, Map.of("spec_digest", "s"), Map.of("fid", 2.0));
        assertEquals(2, changed.version(), "other metrics make another bundle, so another version");
        assertEquals(
                1,
                registry.register("gen-idem-copy", c, Map.of("spec_digest", "s"), Map.of("fid", 3.0))
                        .version(),
                "the same bundle under another name is that name's own version");
    }

    @Test
    void resolvesByBareNameNumberAliasAndLatest() {
        registry.register("gen-r", components("r1"), Map.of(), Map.of());
        registry.register("gen-r", components("r2"), Map.of(), Map.of());
        registry.register("gen-r", components("r3"), Map.of(), Map.of());
        registry.setAlias("gen-r", "champion", 2);
        assertEquals(3, registry.resolve("gen-r").version());
        assertEquals(3, registry.resolve("gen-r@latest").version());
        assertEquals(1, registry.resolve("gen-r@1").version());
        assertEquals(2, registry.resolve("gen-r@champion").version());
        assertEquals(List.of("champion"), registry.resolve("gen-r@2").aliases());
        assertEquals(Map.of("champion", 2), registry.aliases("gen-r"));
        assertEquals("gen-r@2", registry.resolve("gen-r@champion").reference());
    }

    @Test
    void anAliasMovesAndCanBeDeleted() {
        registry.register("gen-m", components("m1"), Map.of(), Map.of());
        registry.register("gen-m", components("m2"), Map.of(), Map.of());
        registry.setAlias("gen-m", "champion", 1);
        registry.setAlias("gen-m", "challenger", 2);
        assertEquals(1, registry.resolve("gen-m@champion").version());
        registry.setAlias("gen-m", "champion", 2);
        assertEquals(2, registry.resolve("gen-m@champion").version(), "the alias moved");
        assertEquals(
                List.of("challenger", "champion", ModelRegistry.LATEST),
                registry.resolve("gen-m@2").aliases());
        assertEquals(List.of(), registry.resolve("gen-m@1").aliases(), "an alias names exactly one version");
        assertTrue(registry.deleteAlias("gen-m", "challenger"));
        assertFalse(registry.deleteAlias("gen-m", "challenger"));
        assertThrows(ModelNotFoundException.class, () -> registry.resolve("gen-m@challenger"));
        assertEquals(Map.of("champion", 2), registry.aliases("gen-m"));
    }

    @Test
    void everyRegistrationAndAliasMoveIsInTheAppendOnlyHistoryWithWhoAndWhy() {
        registry.register("gen-h", components("h1"), Map.of(), Map.of("fid", 9.0));
        registry.register("gen-h", components("h2"), Map.of(), Map.of("fid", 7.5));
        registry.register("gen-h", components("h1"), Map.of(), Map.of("fid", 9.0)); // the same bundle: no event
        registry.setAlias("gen-h", "champion", 1, "user alice", "first site validation");
        registry.setAlias("gen-h", "champion", 2, "retrain workflow r-1", "gate: macro AUROC +0.02");
        registry.setAlias("gen-h", "previous", 1, "retrain workflow r-1", null);
        assertTrue(registry.deleteAlias("gen-h", "previous", "user bob", "rollback window over"));
        assertFalse(registry.deleteAlias("gen-h", "previous", "user bob", null), "nothing removed, nothing recorded");

        List<ModelRegistry.HistoryEntry> h = registry.history("gen-h");
        assertEquals(
                List.of("registered", "registered", "alias_set", "alias_set", "alias_set", "alias_removed"),
                h.stream().map(ModelRegistry.HistoryEntry::event).toList());
        assertEquals(ModelRegistry.currentUser(), h.get(0).actor(), "registered by hand: the user");
        assertTrue(h.get(1).evidenceJson().contains("7.5"), h.get(1).toString());
        ModelRegistry.HistoryEntry promoted = h.get(3);
        assertEquals("champion", promoted.alias());
        assertEquals(2, promoted.version());
        assertEquals(1, promoted.previousVersion(), "the move records where the alias pointed before");
        assertEquals("retrain workflow r-1", promoted.actor());
        assertEquals("gate: macro AUROC +0.02", promoted.reason());
        assertTrue(promoted.evidenceJson().contains("7.5"), "the promoted version's metrics are the evidence");
        assertNull(h.get(2).previousVersion());
        ModelRegistry.HistoryEntry removed = h.get(5);
        assertEquals("previous", removed.alias());
        assertEquals(1, removed.previousVersion());
        assertEquals("user bob", removed.actor());
        for (int k = 1; k < h.size(); k++) {
            assertFalse(h.get(k).at().isBefore(h.get(k - 1).at()), "oldest first");
        }

        // the database itself refuses to rewrite the record
        MetadataException update = assertThrows(
                MetadataException.class,
                () -> db.update("update model_history set actor = 'someone else' where name = 'gen-h'", ps -> {}));
        assertTrue(update.getMessage().contains("append-only"), update.getMessage());
        assertThrows(
                MetadataException.class, () -> db.update("delete from model_history where name = 'gen-h'", ps -> {}));
        assertThrows(MetadataException.class, () -> db.update("truncate model_history", ps -> {}));
        assertEquals(6, registry.history("gen-h").size());
    }

    @Test
    void unknownNameVersionAndAliasNameWhatExists() {
        registry.register("gen-e", components("e1"), Map.of(), Map.of());
        registry.register("gen-e", components("e2"), Map.of(), Map.of());
        registry.setAlias("gen-e", "champion", 1);

        ModelNotFoundException name =
                assertThrows(ModelNotFoundException.class, () -> registry.resolve("gen-missing@2"));
        assertTrue(name.getMessage().contains("no model named 'gen-missing'"), name.getMessage());
        assertTrue(name.getMessage().contains("gen-e"), name.getMessage());
        assertTrue(name.alternatives().contains("gen-e"));

        ModelNotFoundException version = assertThrows(ModelNotFoundException.class, () -> registry.resolve("gen-e@7"));
        assertEquals("model 'gen-e' has no version 7; its versions are 1, 2", version.getMessage());
        assertEquals(List.of("gen-e@1", "gen-e@2"), version.alternatives());

        ModelNotFoundException alias =
                assertThrows(ModelNotFoundException.class, () -> registry.resolve("gen-e@staging"));
        assertTrue(
                alias.getMessage()
                        .startsWith("model 'gen-e' has no alias 'staging'; its aliases are champion → 1, latest → 2"),
                alias.getMessage());
        assertEquals(List.of("gen-e@champion", "gen-e@latest"), alias.alternatives());

        ModelNotFoundException setMissing =
                assertThrows(ModelNotFoundException.class, () -> registry.setAlias("gen-e", "champion", 9));
        assertTrue(setMissing.getMessage().contains("its versions are 1, 2"), setMissing.getMessage());
        assertEquals(1, registry.resolve("gen-e@champion").version(), "a failed move leaves the alias where it was");
        assertThrows(ModelNotFoundException.class, () -> registry.versions("gen-missing"));
    }

    @Test
    void namesAliasesAndRolesAreValidated() {
        Map<String, String> c = components("v");
        IllegalArgumentException badName = assertThrows(
                IllegalArgumentException.class, () -> registry.register("bad name/x", c, Map.of(), Map.of()));
        assertTrue(badName.getMessage().contains("letters, digits"), badName.getMessage());
        assertThrows(IllegalArgumentException.class, () -> registry.register("gen@2", c, Map.of(), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> registry.register(".hidden", c, Map.of(), Map.of()));
        assertThrows(
                IllegalArgumentException.class,
                () -> registry.register("gen-v", Map.of("../escape", c.get("diffusion")), Map.of(), Map.of()));
        assertThrows(
                IllegalArgumentException.class,
                () -> registry.register("gen-v", c, Map.of(), Map.of("fid", Double.NaN)));
        assertThrows(IllegalArgumentException.class, () -> registry.register("gen-v", Map.of(), Map.of(), Map.of()));
        IllegalArgumentException run = assertThrows(
                IllegalArgumentException.class,
                () -> registry.register("gen-v", c, Map.of(ModelRegistry.PIPELINE_RUN_ID, "no-such-run"), Map.of()));
        assertTrue(run.getMessage().contains("no-such-run"), run.getMessage());
        assertFalse(registry.names().contains("gen-v"), "nothing was registered");

        registry.register("gen-v", c, Map.of(), Map.of());
        IllegalArgumentException latest =
                assertThrows(IllegalArgumentException.class, () -> registry.setAlias("gen-v", "latest", 1));
        assertTrue(latest.getMessage().contains("highest version"), latest.getMessage());
        assertThrows(IllegalArgumentException.class, () -> registry.setAlias("gen-v", "Latest", 1));
        assertThrows(IllegalArgumentException.class, () -> registry.setAlias("gen-v", "v3", 1));
        assertThrows(IllegalArgumentException.class, () -> registry.setAlias("gen-v", "7", 1));
        assertThrows(IllegalArgumentException.class, () -> registry.setAlias("gen-v", "champ ion", 1));
        assertThrows(IllegalArgumentException.class, () -> registry.resolve("gen-v@"));
        assertThrows(IllegalArgumentException.class, () -> registry.resolve("gen-v@a@b"));
    }

    @Test
    void aPipelineRunInTheJournalIsRecordedAsProvenance() {
        new PipelineJournal(db).createPipelineRun("run-42", "quick", "spec-digest", "{}", "code-1");
        ModelVersion v =
                registry.register("gen-p", components("p"), Map.of(ModelRegistry.PIPELINE_RUN_ID, "run-42"), Map.of());
        assertEquals("run-42", v.provenance().get(ModelRegistry.PIPELINE_RUN_ID));
        assertEquals(
                Optional.of("run-42"),
                db.queryOne(
                        "select pipeline_run_id from model_versions where name = 'gen-p'",
                        ps -> {},
                        rs -> rs.getString(1)));
    }

    @Test
    void aMissingComponentDigestIsRejectedAndNothingIsInserted() {
        Map<String, String> c = new java.util.HashMap<>(components("missing"));
        String absent = "0".repeat(64);
        c.put("diffusion", absent);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> registry.register("gen-missing-part", c, Map.of(), Map.of()));
        assertTrue(e.getMessage().contains("diffusion → " + absent), e.getMessage());
        assertEquals(0, rows("gen-missing-part"));
        assertFalse(registry.names().contains("gen-missing-part"));
        assertEquals(
                Optional.of(0),
                db.queryOne(
                        "select count(*) from registered_models where name = 'gen-missing-part'",
                        ps -> {},
                        rs -> rs.getInt(1)));
        assertThrows(
                IllegalArgumentException.class,
                () -> registry.register("gen-missing-part", Map.of("diffusion", "not-a-digest"), Map.of(), Map.of()));
    }

    @Test
    void concurrentRegistrationsGetDistinctVersions() throws Exception {
        int n = 8;
        List<Map<String, String>> bundles =
                IntStream.range(0, n).mapToObj(i -> components("c" + i)).toList();
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<ModelVersion>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Map<String, String> c = bundles.get(i);
                Callable<ModelVersion> task = () -> {
                    go.await();
                    return registry.register("gen-c", c, Map.of(), Map.of());
                };
                futures.add(pool.submit(task));
            }
            // and the same bundle from several threads at once: one version
            Map<String, String> same = components("same");
            List<Future<ModelVersion>> sameFutures = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                sameFutures.add(pool.submit(() -> {
                    go.await();
                    return registry.register("gen-c-same", same, Map.of(), Map.of());
                }));
            }
            go.countDown();
            Set<Integer> versions = new HashSet<>();
            for (Future<ModelVersion> f : futures) {
                versions.add(f.get().version());
            }
            assertEquals(Set.of(1, 2, 3, 4, 5, 6, 7, 8), versions, "no collisions, no gaps");
            Set<Integer> sameVersions = new HashSet<>();
            for (Future<ModelVersion> f : sameFutures) {
                sameVersions.add(f.get().version());
            }
            assertEquals(Set.of(1), sameVersions);
            assertEquals(1, rows("gen-c-same"));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void fetchWritesEveryComponentVerifiedAgainstItsDigest() throws Exception {
        Map<String, String> c = components("f");
        ModelVersion v = registry.register("gen-f", c, Map.of(), Map.of());
        Path out = dir.resolve("fetched");
        Map<String, Path> files = registry.fetch(registry.resolve("gen-f"), out);
        assertEquals(c.keySet(), files.keySet());
        assertArrayEquals(
                "tail prior f".getBytes(StandardCharsets.UTF_8),
                Files.readAllBytes(files.get("tail-noise-prior/Pneumothorax")));
        assertEquals(
                out.resolve("tail-noise-prior").resolve("Pneumothorax").toAbsolutePath(),
                files.get("tail-noise-prior/Pneumothorax"));
        assertArrayEquals(store.getBytes(c.get("diffusion")), Files.readAllBytes(files.get("diffusion")));

        // a component damaged in the store is refused, and no file is left for it
        String damaged = c.get("disentangler");
        Path onDisk;
        try (var walk = Files.walk(dir.resolve("s3"))) {
            onDisk = walk.filter(p -> p.getFileName().toString().equals(damaged))
                    .findFirst()
                    .orElseThrow();
        }
        Files.writeString(onDisk, "weights that were damaged on disk");
        Path again = dir.resolve("fetched-again");
        assertThrows(CorruptObjectException.class, () -> registry.fetch(v, again));
        assertFalse(Files.exists(again.resolve("disentangler")));
    }

    @Test
    void withMlflowUnreachableRegistrationSucceedsAndSyncReportsTheFailure() {
        ModelRegistry offline = new ModelRegistry(db, store, MlflowRegistryMirror.at("http://127.0.0.1:9"));
        ModelVersion v = offline.register("gen-offline", components("o"), Map.of(), Map.of());
        offline.setAlias("gen-offline", "champion", 1);
        assertEquals(1, v.version());
        assertNull(v.registryVersion());
        ModelRegistry.SyncReport report = offline.syncRegistry();
        assertTrue(report.failures() >= 3, report.toString());
        assertEquals(1, offline.resolve("gen-offline@champion").version());
        // the alias move is in the history, not yet mirrored as MLflow version tags: the next sync tries again
        long move = db.queryOne(
                        "select id from model_history where name = 'gen-offline' and event = 'alias_set'",
                        ps -> {},
                        rs -> rs.getLong(1))
                .orElseThrow();
        assertTrue(
                report.errors().stream().anyMatch(e -> e.startsWith("gen-offline history move " + move + ": ")),
                report.errors().toString());
        assertEquals(
                0,
                db.queryOne(
                                "select count(*) from model_history_mirrored where history_id = ?",
                                ps -> ps.setLong(1, move),
                                rs -> rs.getInt(1))
                        .orElseThrow());
        ModelRegistry none = new ModelRegistry(db, store, new MlflowRegistryMirror(Optional::empty));
        assertEquals(
                2,
                none.register("gen-offline", components("o2"), Map.of(), Map.of())
                        .version(),
                "no server connected: local only, nothing attempted");
        assertThrows(IllegalStateException.class, none::syncRegistry);
    }
}
