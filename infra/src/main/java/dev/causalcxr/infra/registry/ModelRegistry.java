package dev.causalcxr.infra.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.core.files.Digests;
import dev.causalcxr.infra.metadata.MetadataDb;
import dev.causalcxr.infra.objectstore.ObjectStore;
import dev.causalcxr.infra.objectstore.ObjectStoreException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model registry: named models (trained counterfactual generators), their numbered versions and
 * aliases ({@code champion}, {@code challenger}, …).
 *
 * <p>A version is a <em>bundle</em>: one canonical JSON object in the object store naming each
 * component file by role and content digest, with the provenance and metrics of the run that made
 * it. PostgreSQL holds the index (name, version number, bundle digest, aliases) and serializes
 * registrations, so concurrent ones get distinct numbers without gaps. Registering an identical
 * bundle under the same name again returns the version it already is (retried activities must not
 * mint new versions).
 *
 * <p>With an {@link MlflowRegistryMirror} whose server is reachable, every version and alias is
 * mirrored into MLflow's Model Registry; when it is not, the local registration still succeeds and
 * {@link #syncRegistry()} mirrors what is missing later.
 */
public final class ModelRegistry {
    /** The implicit alias of the highest version; it cannot be set. */
    public static final String LATEST = "latest";
    /** Provenance key: the pipeline run (in the journal) that trained the model. */
    public static final String PIPELINE_RUN_ID = "pipeline_run_id";
    /** Provenance key: the MLflow run to link the mirrored version to (else the pipeline run's). */
    public static final String MLFLOW_RUN_ID = "mlflow_run_id";

    static final String BUNDLE_FORMAT = "causalcxr.model-bundle/1";
    private static final int LISTED = 20;
    private static final Logger log = LoggerFactory.getLogger(ModelRegistry.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MetadataDb db;
    private final ObjectStore store;
    private final MlflowRegistryMirror mirror;
    private final Map<String, Bundle> bundles = new ConcurrentHashMap<>();

    record Bundle(Map<String, String> components, Map<String, String> provenance, Map<String, Double> metrics) {}

    /** What a registry sync mirrored: versions, aliases and alias moves of the history (as version tags). */
    public record SyncReport(int versions, int aliases, int historyMoves, int failures, List<String> errors) {}

    private record Row(
            long id, String name, int version, String bundleDigest, String registryVersion, Instant createdAt) {}

    /** {@code mirror} may be null: no MLflow registry, local only. */
    public ModelRegistry(MetadataDb db, ObjectStore store, MlflowRegistryMirror mirror) {
        this.db = db;
        this.store = store;
        this.mirror = mirror;
    }

    public ModelRegistry(MetadataDb db, ObjectStore store) {
        this(db, store, null);
    }

    public Optional<MlflowRegistryMirror> mirror() {
        return Optional.ofNullable(mirror);
    }

    // ---------------------------------------------------------------- registering

    /**
     * Registers a version of {@code name}: every component digest must already be published in the
     * object store. Returns the new version, or the existing one when this exact bundle (components,
     * provenance and metrics) is already a version of {@code name}.
     */
    public ModelVersion register(
            String name, Map<String, String> components, Map<String, String> provenance, Map<String, Double> metrics) {
        RegistryNames.checkModelName(name);
        Bundle bundle = validBundle(
                components, provenance == null ? Map.of() : provenance, metrics == null ? Map.of() : metrics);
        String pipelineRun = bundle.provenance().get(PIPELINE_RUN_ID);
        if (pipelineRun != null
                && db.queryOne("select 1 from pipeline_runs where id = ?", ps -> ps.setString(1, pipelineRun), rs -> 1)
                        .isEmpty()) {
            throw new IllegalArgumentException(
                    "provenance " + PIPELINE_RUN_ID + " '" + pipelineRun + "' names no pipeline run in the journal");
        }
        Map<String, Object> json = new TreeMap<>();
        json.put("format", BUNDLE_FORMAT);
        json.put("components", bundle.components());
        json.put("provenance", bundle.provenance());
        json.put("metrics", bundle.metrics());
        String digest = store.putJson(json).digest();
        bundles.put(digest, bundle);
        String metricsJson = metricsJson(bundle.metrics());

        int version = db.inTransaction(c -> {
            try (PreparedStatement ins = c.prepareStatement(
                    "insert into registered_models(name) values (?) on conflict (name) do nothing")) {
                ins.setString(1, name);
                ins.executeUpdate();
            }
            int last;
            try (PreparedStatement lock =
                    c.prepareStatement("select last_version from registered_models where name = ? for update")) {
                lock.setString(1, name);
                try (ResultSet rs = lock.executeQuery()) {
                    rs.next();
                    last = rs.getInt(1);
                }
            }
            try (PreparedStatement same =
                    c.prepareStatement("select version from model_versions where name = ? and manifest_digest = ?")) {
                same.setString(1, name);
                same.setString(2, digest);
                try (ResultSet rs = same.executeQuery()) {
                    if (rs.next()) {
                        return rs.getInt(1);
                    }
                }
            }
            int next = last + 1;
            try (PreparedStatement upd =
                    c.prepareStatement("update registered_models set last_version = ? where name = ?")) {
                upd.setInt(1, next);
                upd.setString(2, name);
                upd.executeUpdate();
            }
            try (PreparedStatement ins = c.prepareStatement("""
                    insert into model_versions(name, version, pipeline_run_id, manifest_digest, metrics_json)
                    values (?, ?, ?, ?, ?)""")) {
                ins.setString(1, name);
                ins.setInt(2, next);
                ins.setString(3, pipelineRun);
                ins.setString(4, digest);
                ins.setString(5, metricsJson);
                ins.executeUpdate();
            }
            try (PreparedStatement hist = c.prepareStatement("""
                    insert into model_history(name, event, version, actor, evidence_json)
                    values (?, 'registered', ?, ?, ?)""")) {
                hist.setString(1, name);
                hist.setInt(2, next);
                hist.setString(3, pipelineRun == null ? currentUser() : "pipeline run " + pipelineRun);
                hist.setString(4, metricsJson);
                hist.executeUpdate();
            }
            return next;
        });
        tryMirror(() -> mirrorVersion(rowOf(name, version).id()));
        return load(rowOf(name, version));
    }

    private Bundle validBundle(
            Map<String, String> components, Map<String, String> provenance, Map<String, Double> metrics) {
        if (components == null || components.isEmpty()) {
            throw new IllegalArgumentException("a model version needs at least one component (role → digest)");
        }
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, String> e : new TreeMap<>(components).entrySet()) {
            RegistryNames.checkRole(e.getKey());
            if (!Digests.isSha256Hex(e.getValue())) {
                throw new IllegalArgumentException(
                        "component '" + e.getKey() + "' has no sha256 digest: " + e.getValue());
            }
            if (!store.contains(e.getValue())) {
                missing.add(e.getKey() + " → " + e.getValue());
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("cannot register: the object store has no object for component(s) "
                    + String.join(", ", missing) + "; publish the files first");
        }
        for (Map.Entry<String, String> e : provenance.entrySet()) {
            RegistryNames.checkKey("provenance", e.getKey());
            if (e.getValue() == null) {
                throw new IllegalArgumentException("provenance '" + e.getKey() + "' has no value");
            }
        }
        for (Map.Entry<String, Double> e : metrics.entrySet()) {
            RegistryNames.checkKey("metric", e.getKey());
            if (e.getValue() == null || !Double.isFinite(e.getValue())) {
                throw new IllegalArgumentException(
                        "metric '" + e.getKey() + "' is not a finite number: " + e.getValue());
            }
        }
        return new Bundle(new TreeMap<>(components), new TreeMap<>(provenance), new TreeMap<>(metrics));
    }

    private static String metricsJson(Map<String, Double> metrics) {
        try {
            return JSON.writeValueAsString(new TreeMap<>(metrics));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- aliases

    /** Who moves an alias by hand: the operating-system user of this process. */
    public static String currentUser() {
        return "user " + System.getProperty("user.name", "unknown");
    }

    /** Points {@code alias} at {@code version} of {@code name}, moving it if it pointed elsewhere. */
    public void setAlias(String name, String alias, int version) {
        setAlias(name, alias, version, currentUser(), null);
    }

    /**
     * Points {@code alias} at {@code version} of {@code name}, moving it if it pointed elsewhere, and appends the
     * move to the model history with who or what moved it and why (the version's metrics go with it as evidence).
     */
    public void setAlias(String name, String alias, int version, String actor, String reason) {
        setAlias(name, alias, version, actor, reason, null);
    }

    /**
     * {@link #setAlias(String, String, int, String, String)} with the evidence the move was decided on (a promotion
     * gate's outcome, as JSON) recorded in the history instead of the version's metrics alone.
     */
    public void setAlias(String name, String alias, int version, String actor, String reason, String evidenceJson) {
        RegistryNames.checkModelName(name);
        RegistryNames.checkAlias(alias);
        List<Integer> versions = versionNumbers(name);
        if (!versions.contains(version)) {
            throw new ModelNotFoundException(
                    "model '" + name + "' has no version " + version + "; its versions are "
                            + listed(versions.stream().map(String::valueOf).toList()),
                    name + "@" + version,
                    versions.stream().map(v -> name + "@" + v).toList());
        }
        // one statement: the previous version is read from the snapshot before the move
        db.update("""
                with prev as (select version from model_aliases where name = ? and alias = ?),
                moved as (
                    insert into model_aliases(name, alias, version) values (?, ?, ?)
                    on conflict (name, alias) do update set version = excluded.version, updated_at = now()
                    returning version)
                insert into model_history(name, event, version, alias, previous_version, actor, reason, evidence_json)
                select ?, 'alias_set', (select version from moved), ?, (select version from prev), ?, ?,
                       coalesce(?, (select metrics_json from model_versions where name = ? and version = ?))""", ps -> {
            ps.setString(1, name);
            ps.setString(2, alias);
            ps.setString(3, name);
            ps.setString(4, alias);
            ps.setInt(5, version);
            ps.setString(6, name);
            ps.setString(7, alias);
            ps.setString(8, actor);
            ps.setString(9, reason);
            ps.setString(10, evidenceJson);
            ps.setString(11, name);
            ps.setInt(12, version);
        });
        tryMirror(() -> mirrorAlias(name, alias));
        tryMirror(this::mirrorHistory);
    }

    /** Removes an alias; false when {@code name} has no such alias. */
    public boolean deleteAlias(String name, String alias) {
        return deleteAlias(name, alias, currentUser(), null);
    }

    /** Removes an alias and appends the removal to the model history; false when {@code name} has no such alias. */
    public boolean deleteAlias(String name, String alias, String actor, String reason) {
        RegistryNames.checkModelName(name);
        versionNumbers(name);
        int n = db.update("""
                with prev as (
                    select version from model_aliases where name = ? and alias = ? and version is not null),
                removed as (
                    update model_aliases set version = null, updated_at = now()
                    where name = ? and alias = ? and version is not null returning alias)
                insert into model_history(name, event, alias, previous_version, actor, reason)
                select ?, 'alias_removed', alias, (select version from prev), ?, ? from removed""", ps -> {
            ps.setString(1, name);
            ps.setString(2, alias);
            ps.setString(3, name);
            ps.setString(4, alias);
            ps.setString(5, name);
            ps.setString(6, actor);
            ps.setString(7, reason);
        });
        // never mirrored: nothing to delete in MLflow
        db.update(
                "delete from model_aliases where name = ? and alias = ? and version is null and mirrored_version is null",
                ps -> {
                    ps.setString(1, name);
                    ps.setString(2, alias);
                });
        if (n > 0) {
            tryMirror(() -> mirrorAlias(name, alias));
            tryMirror(this::mirrorHistory);
        }
        return n > 0;
    }

    /** One entry of a model's history: a registration, or an alias set, moved or removed. */
    public record HistoryEntry(
            java.time.Instant at,
            String event,
            Integer version,
            String alias,
            Integer previousVersion,
            String actor,
            String reason,
            String evidenceJson) {}

    /** Every registration and alias move of {@code name}, oldest first. */
    public List<HistoryEntry> history(String name) {
        RegistryNames.checkModelName(name);
        versionNumbers(name);
        return db.query(
                """
                select at, event, version, alias, previous_version, actor, reason, evidence_json
                from model_history where name = ? order by id""",
                ps -> ps.setString(1, name),
                rs -> new HistoryEntry(
                        rs.getTimestamp(1).toInstant(),
                        rs.getString(2),
                        (Integer) rs.getObject(3),
                        rs.getString(4),
                        (Integer) rs.getObject(5),
                        rs.getString(6),
                        rs.getString(7),
                        rs.getString(8)));
    }

    /** Alias → version of a model (without the implicit {@code latest}). */
    public Map<String, Integer> aliases(String name) {
        RegistryNames.checkModelName(name);
        versionNumbers(name);
        Map<String, Integer> out = new TreeMap<>();
        db.query(
                        "select alias, version from model_aliases where name = ? and version is not null",
                        ps -> ps.setString(1, name),
                        rs -> Map.entry(rs.getString(1), rs.getInt(2)))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    // ---------------------------------------------------------------- reading

    /** Resolves {@code NAME}, {@code NAME@VERSION}, {@code NAME@ALIAS} or {@code NAME@latest}. */
    public ModelVersion resolve(String reference) {
        ModelReference ref = ModelReference.parse(reference);
        String name = ref.name();
        List<Integer> versions = versionNumbers(name);
        if (ref.latest()) {
            return load(rowOf(name, versions.get(versions.size() - 1)));
        }
        if (ref.version() != null) {
            if (!versions.contains(ref.version())) {
                throw new ModelNotFoundException(
                        "model '" + name + "' has no version " + ref.version() + "; its versions are "
                                + listed(versions.stream().map(String::valueOf).toList()),
                        reference,
                        versions.stream().map(v -> name + "@" + v).toList());
            }
            return load(rowOf(name, ref.version()));
        }
        Map<String, Integer> aliases = aliases(name);
        Integer v = aliases.get(ref.alias());
        if (v == null) {
            List<String> described = new ArrayList<>();
            aliases.forEach((a, n) -> described.add(a + " → " + n));
            described.add(LATEST + " → " + versions.get(versions.size() - 1));
            List<String> alternatives = new ArrayList<>(aliases.keySet());
            alternatives.add(LATEST);
            throw new ModelNotFoundException(
                    "model '" + name + "' has no alias '" + ref.alias() + "'; its aliases are "
                            + listed(described) + " (or use a version number: "
                            + listed(versions.stream().map(String::valueOf).toList()) + ")",
                    reference,
                    alternatives.stream().map(a -> name + "@" + a).toList());
        }
        return load(rowOf(name, v));
    }

    /** Every version of {@code name}, oldest first. */
    public List<ModelVersion> versions(String name) {
        RegistryNames.checkModelName(name);
        versionNumbers(name);
        return db
                .query(
                        "select * from model_versions where name = ? order by version",
                        ps -> ps.setString(1, name),
                        ModelRegistry::mapRow)
                .stream()
                .map(this::load)
                .toList();
    }

    /** Names of all registered models, sorted. */
    public List<String> names() {
        return db.query(
                "select name from registered_models where last_version > 0 order by name",
                ps -> {},
                rs -> rs.getString(1));
    }

    /**
     * Downloads every component of {@code v} into {@code dir} (a file per role, roles with '/' in
     * subfolders), each verified against its digest by the object store; returns role → file.
     */
    public Map<String, Path> fetch(ModelVersion v, Path dir) {
        Path root = dir.toAbsolutePath().normalize();
        Map<String, Path> out = new TreeMap<>();
        for (Map.Entry<String, String> e : new TreeMap<>(v.components()).entrySet()) {
            RegistryNames.checkRole(e.getKey());
            Path dest = root.resolve(e.getKey()).normalize();
            if (!dest.startsWith(root)) {
                throw new IllegalArgumentException("component role escapes the target folder: " + e.getKey());
            }
            out.put(e.getKey(), store.getToFile(e.getValue(), dest));
        }
        return Collections.unmodifiableMap(out);
    }

    private List<Integer> versionNumbers(String name) {
        List<Integer> versions = db.query(
                "select version from model_versions where name = ? order by version",
                ps -> ps.setString(1, name),
                rs -> rs.getInt(1));
        if (versions.isEmpty()) {
            List<String> names = names();
            throw new ModelNotFoundException(
                    names.isEmpty()
                            ? "no model named '" + name + "': no model is registered yet"
                            : "no model named '" + name + "'; registered models are " + listed(names),
                    name,
                    names);
        }
        return versions;
    }

    private Row rowOf(String name, int version) {
        return db.queryOne(
                        "select * from model_versions where name = ? and version = ?",
                        ps -> {
                            ps.setString(1, name);
                            ps.setInt(2, version);
                        },
                        ModelRegistry::mapRow)
                .orElseThrow(() -> new ModelNotFoundException(
                        "model '" + name + "' has no version " + version, name + "@" + version, List.of()));
    }

    private static Row mapRow(ResultSet rs) throws SQLException {
        return new Row(
                rs.getLong("id"),
                rs.getString("name"),
                rs.getInt("version"),
                rs.getString("manifest_digest"),
                rs.getString("registry_version"),
                rs.getTimestamp("created_at").toInstant());
    }

    private ModelVersion load(Row row) {
        Bundle b = bundle(row.bundleDigest());
        List<String> aliases = db.query(
                "select alias from model_aliases where name = ? and version = ? order by alias",
                ps -> {
                    ps.setString(1, row.name());
                    ps.setInt(2, row.version());
                },
                rs -> rs.getString(1));
        List<String> all = new ArrayList<>(aliases);
        boolean latest = db.queryOne(
                                "select last_version from registered_models where name = ?",
                                ps -> ps.setString(1, row.name()),
                                rs -> rs.getInt(1))
                        .orElse(0)
                == row.version();
        if (latest) {
            all.add(LATEST);
        }
        return new ModelVersion(
                row.name(),
                row.version(),
                row.bundleDigest(),
                b.components(),
                b.provenance(),
                b.metrics(),
                all,
                row.createdAt(),
                row.registryVersion());
    }

    /** Reads a bundle (digest-verified by the store); bundles are immutable, so they are cached. */
    private Bundle bundle(String digest) {
        return bundles.computeIfAbsent(digest, d -> {
            JsonNode n = store.readJson(d, JsonNode.class);
            if (!BUNDLE_FORMAT.equals(n.path("format").asText())) {
                throw new ObjectStoreException("object " + d + " is not a model bundle ("
                        + n.path("format").asText() + ")");
            }
            Map<String, String> components = new TreeMap<>();
            n.path("components")
                    .fields()
                    .forEachRemaining(
                            e -> components.put(e.getKey(), e.getValue().asText()));
            Map<String, String> provenance = new TreeMap<>();
            n.path("provenance")
                    .fields()
                    .forEachRemaining(
                            e -> provenance.put(e.getKey(), e.getValue().asText()));
            Map<String, Double> metrics = new TreeMap<>();
            n.path("metrics")
                    .fields()
                    .forEachRemaining(e -> metrics.put(e.getKey(), e.getValue().asDouble()));
            return new Bundle(components, provenance, metrics);
        });
    }

    private static String listed(List<String> items) {
        if (items.isEmpty()) {
            return "(none)";
        }
        String shown = items.stream().limit(LISTED).collect(Collectors.joining(", "));
        return items.size() > LISTED ? shown + ", … (" + items.size() + " in all)" : shown;
    }

    // ---------------------------------------------------------------- the MLflow mirror

    /**
     * Mirrors into MLflow every version not yet there, then every alias set or deleted since it was
     * last mirrored ({@code causalcxr mlflow sync}). Failures are reported, not thrown.
     */
    public SyncReport syncRegistry() {
        String uri = mirrorUri()
                .orElseThrow(() -> new IllegalStateException(
                        mirror == null ? "this registry has no MLflow mirror" : "no MLflow server connected"));
        List<String> errors = new ArrayList<>();
        List<Long> ids = db.query(
                "select id from model_versions where registry_version is null order by name, version",
                ps -> {},
                rs -> rs.getLong(1));
        for (long id : ids) {
            try {
                mirrorVersion(uri, id);
            } catch (RuntimeException e) {
                errors.add("version id " + id + ": " + describe(e));
            }
        }
        List<String[]> aliases = db.query("""
                select name, alias from model_aliases where version is distinct from mirrored_version
                order by name, alias""", ps -> {}, rs -> new String[] {rs.getString(1), rs.getString(2)});
        for (String[] a : aliases) {
            try {
                mirrorAlias(uri, a[0], a[1]);
            } catch (RuntimeException e) {
                errors.add(a[0] + "@" + a[1] + ": " + describe(e));
            }
        }
        int moves = mirrorHistory(uri, errors);
        return new SyncReport(ids.size(), aliases.size(), moves, errors.size(), errors);
    }

    private Optional<String> mirrorUri() {
        return mirror == null ? Optional.empty() : mirror.trackingUri();
    }

    private void tryMirror(Runnable r) {
        if (mirrorUri().isEmpty()) {
            return;
        }
        try {
            r.run();
        } catch (RuntimeException e) {
            // the registry must not depend on MLflow: the row stays unmirrored until syncRegistry()
            log.warn("MLflow registry mirror failed; it is retried by the next registry sync: {}", describe(e));
        }
    }

    private void mirrorVersion(long id) {
        mirrorUri().ifPresent(uri -> mirrorVersion(uri, id));
    }

    private void mirrorAlias(String name, String alias) {
        mirrorUri().ifPresent(uri -> mirrorAlias(uri, name, alias));
    }

    /** The tag key prefix of the alias history on MLflow's model versions; the history row's id follows. */
    public static final String HISTORY_TAG_PREFIX = "causalcxr.alias_history.";
    /** A tag value stays below MLflow's model-version tag limit (5000 characters). */
    static final int MAX_HISTORY_TAG = 4900;

    /** The tag key of a history row: its id zero-padded, so that keys sort in the order of the moves. */
    public static String historyTagKey(long historyId) {
        return HISTORY_TAG_PREFIX + String.format(java.util.Locale.ROOT, "%08d", historyId);
    }

    private record Move(
            long id,
            String name,
            Instant at,
            String event,
            Integer version,
            String alias,
            Integer previousVersion,
            String actor,
            String reason,
            String evidenceJson) {}

    private void mirrorHistory() {
        mirrorUri().ifPresent(uri -> mirrorHistory(uri, null));
    }

    /**
     * Mirrors every alias move of the history not yet in MLflow as a tag on each model version it involves (the one
     * the alias moved to and the one it left): {@link #historyTagKey} → {@link #historyTagValue}. A move whose tags
     * are all set is recorded in {@code model_history_mirrored}; setting them again (two syncs at once) writes the
     * same values. With {@code errors} null the first failure is thrown, else each is collected.
     *
     * @return the moves mirrored
     */
    private int mirrorHistory(String uri, List<String> errors) {
        List<Move> moves = db.query(
                """
                select h.id, h.name, h.at, h.event, h.version, h.alias, h.previous_version, h.actor, h.reason,
                       h.evidence_json
                from model_history h
                where h.event in ('alias_set', 'alias_removed')
                  and not exists (select 1 from model_history_mirrored m where m.history_id = h.id)
                order by h.id""",
                ps -> {},
                rs -> new Move(
                        rs.getLong(1),
                        rs.getString(2),
                        rs.getTimestamp(3).toInstant(),
                        rs.getString(4),
                        (Integer) rs.getObject(5),
                        rs.getString(6),
                        (Integer) rs.getObject(7),
                        rs.getString(8),
                        rs.getString(9),
                        rs.getString(10)));
        int mirrored = 0;
        for (Move m : moves) {
            try {
                String key = historyTagKey(m.id());
                String value = historyTagValue(m);
                for (Integer v : new java.util.TreeSet<>(java.util.stream.Stream.of(m.version(), m.previousVersion())
                        .filter(Objects::nonNull)
                        .toList())) {
                    String registryVersion =
                            mirrorVersion(uri, rowOf(m.name(), v).id());
                    mirror.setVersionTag(uri, m.name(), registryVersion, key, value);
                }
                db.update(
                        "insert into model_history_mirrored(history_id) values (?) on conflict do nothing",
                        ps -> ps.setLong(1, m.id()));
                mirrored++;
            } catch (RuntimeException e) {
                if (errors == null) {
                    throw e;
                }
                errors.add(m.name() + " history move " + m.id() + ": " + describe(e));
            }
        }
        return mirrored;
    }

    /**
     * One alias move as a model-version tag value (JSON): when, the event, the alias, from which version to which,
     * who or what moved it, why, the gate's decision ({@code promote}, {@code reject}; {@code none} for a move by
     * hand) and the SHA-256 of the evidence the history keeps (the gate's outcome with the splits' metrics, or the
     * version's metrics). The reason is shortened to keep the value under MLflow's limit.
     */
    static String historyTagValue(
            long id,
            Instant at,
            String event,
            String alias,
            Integer from,
            Integer to,
            String actor,
            String reason,
            String evidenceJson) {
        java.util.LinkedHashMap<String, Object> v = new java.util.LinkedHashMap<>();
        v.put("move", id);
        v.put("at", at.toString());
        v.put("event", event);
        v.put("alias", alias);
        v.put("from", from);
        v.put("to", to);
        v.put("actor", truncate(actor == null ? "" : actor, 500));
        v.put("gate", gateDecision(evidenceJson));
        v.put(
                "metrics_digest",
                evidenceJson == null
                        ? null
                        : Digests.sha256Hex(evidenceJson.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        v.put("reason", reason);
        try {
            String json = JSON.writeValueAsString(v);
            if (json.length() > MAX_HISTORY_TAG && reason != null) {
                int keep = Math.max(0, reason.length() - (json.length() - MAX_HISTORY_TAG) - 1);
                v.put("reason", reason.substring(0, keep) + "…");
                json = JSON.writeValueAsString(v);
            }
            return json;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String historyTagValue(Move m) {
        return historyTagValue(
                m.id(),
                m.at(),
                m.event(),
                m.alias(),
                m.previousVersion(),
                m.version(),
                m.actor(),
                m.reason(),
                m.evidenceJson());
    }

    /** The promotion gate's decision in a move's evidence; {@code none} when the evidence is not a gate's. */
    static String gateDecision(String evidenceJson) {
        if (evidenceJson == null) {
            return "none";
        }
        try {
            JsonNode decision = JSON.readTree(evidenceJson).path("decision");
            return decision.isTextual() ? decision.asText() : "none";
        } catch (JsonProcessingException e) {
            return "none";
        }
    }

    /** Holds the version's row lock while talking to MLflow, so two syncs never mirror it twice. */
    private String mirrorVersion(String uri, long id) {
        return db.inTransaction(c -> {
            Row row;
            try (PreparedStatement ps = c.prepareStatement("select * from model_versions where id = ? for update")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new IllegalStateException("no model version with id " + id);
                    }
                    row = mapRow(rs);
                }
            }
            if (row.registryVersion() != null) {
                return row.registryVersion();
            }
            Bundle b = bundle(row.bundleDigest());
            Map<String, String> tags = new TreeMap<>();
            b.provenance().forEach((k, v) -> tags.put("causalcxr.provenance." + k, truncate(v, 5000)));
            b.metrics().forEach((k, v) -> tags.put("causalcxr.metric." + k, Double.toString(v)));
            String description = "CausalCXR " + row.name() + "@" + row.version() + ", bundle sha256:"
                    + row.bundleDigest() + "; components: "
                    + String.join(", ", b.components().keySet());
            String registryVersion = mirror.ensureVersion(
                    uri,
                    new MlflowRegistryMirror.VersionSource(
                            row.name(),
                            row.version(),
                            row.bundleDigest(),
                            bundleUri(row.bundleDigest()),
                            mlflowRunId(c, b),
                            tags,
                            description));
            try (PreparedStatement ps =
                    c.prepareStatement("update model_versions set registry_version = ? where id = ?")) {
                ps.setString(1, registryVersion);
                ps.setLong(2, id);
                ps.executeUpdate();
            }
            return registryVersion;
        });
    }

    private void mirrorAlias(String uri, String name, String alias) {
        Integer target = db.queryOne(
                        "select version from model_aliases where name = ? and alias = ?",
                        ps -> {
                            ps.setString(1, name);
                            ps.setString(2, alias);
                        },
                        rs -> Optional.ofNullable((Integer) rs.getObject(1)))
                .flatMap(v -> v)
                .orElse(null);
        String registryVersion =
                target == null ? null : mirrorVersion(uri, rowOf(name, target).id());
        db.inTransaction(c -> {
            Integer version;
            Integer mirrored;
            try (PreparedStatement ps = c.prepareStatement(
                    "select version, mirrored_version from model_aliases where name = ? and alias = ? for update")) {
                ps.setString(1, name);
                ps.setString(2, alias);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return null;
                    }
                    version = (Integer) rs.getObject(1);
                    mirrored = (Integer) rs.getObject(2);
                }
            }
            if (Objects.equals(version, mirrored)) {
                return null;
            }
            if (version == null) {
                mirror.deleteAlias(uri, name, alias);
                try (PreparedStatement ps = c.prepareStatement(
                        "delete from model_aliases where name = ? and alias = ? and version is null")) {
                    ps.setString(1, name);
                    ps.setString(2, alias);
                    ps.executeUpdate();
                }
                return null;
            }
            String rv = version.equals(target) ? registryVersion : mirrorVersionInSameSync(uri, name, version);
            mirror.setAlias(uri, name, alias, rv);
            try (PreparedStatement ps =
                    c.prepareStatement("update model_aliases set mirrored_version = ? where name = ? and alias = ?")) {
                ps.setInt(1, version);
                ps.setString(2, name);
                ps.setString(3, alias);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** The alias moved between reading it and locking it: mirror its new version (another connection). */
    private String mirrorVersionInSameSync(String uri, String name, int version) {
        return mirrorVersion(uri, rowOf(name, version).id());
    }

    /** The MLflow run to link: given in the provenance, or the MLflow run of the pipeline run's tracking run. */
    private static String mlflowRunId(Connection c, Bundle b) throws SQLException {
        String explicit = b.provenance().get(MLFLOW_RUN_ID);
        if (explicit != null) {
            return explicit;
        }
        String pipelineRun = b.provenance().get(PIPELINE_RUN_ID);
        if (pipelineRun == null) {
            return null;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                select t.mlflow_run_id from pipeline_runs p join tracking_runs t on t.local_id = p.tracking_run_id
                where p.id = ?""")) {
            ps.setString(1, pipelineRun);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** Where the bundle lives, as a URI any S3 client (and MLflow) understands. */
    private String bundleUri(String digest) {
        return "s3://" + store.bucket() + "/" + ObjectStore.keyOf(digest);
    }

    private static String describe(RuntimeException e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
