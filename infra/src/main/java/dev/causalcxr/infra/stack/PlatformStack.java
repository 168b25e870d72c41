package dev.causalcxr.infra.stack;

import dev.causalcxr.infra.metadata.DbEndpoint;
import dev.causalcxr.infra.metadata.EmbeddedPostgresServer;
import dev.causalcxr.infra.metadata.MetadataDb;
import dev.causalcxr.infra.metadata.PipelineJournal;
import dev.causalcxr.infra.objectstore.EmbeddedS3Server;
import dev.causalcxr.infra.objectstore.ObjectStore;
import dev.causalcxr.infra.objectstore.S3Endpoint;
import dev.causalcxr.infra.registry.MlflowRegistryMirror;
import dev.causalcxr.infra.registry.ModelRegistry;
import dev.causalcxr.infra.temporal.TemporalConnection;
import dev.causalcxr.infra.tracking.MlflowPusher;
import dev.causalcxr.infra.tracking.MlflowServer;
import dev.causalcxr.infra.tracking.MlflowUnavailableException;
import dev.causalcxr.infra.tracking.Tracker;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every service the platform talks to, embedded or configured: object store, metadata DB, tracking
 * and Temporal. Embedded parts start in parallel; the embedded MLflow server (a Python child
 * process) keeps starting in the background while the pipeline already journals its runs, and
 * catches up when it is up.
 */
public final class PlatformStack implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PlatformStack.class);

    private final StackConfig config;
    private final List<AutoCloseable> owned = new ArrayList<>();
    private final ObjectStore objectStore;
    private final MetadataDb db;
    private final PipelineJournal journal;
    private final Tracker tracker;
    private final ModelRegistry registry;
    private final TemporalConnection temporal;
    private final CompletableFuture<Optional<String>> trackingReady;
    /** The embedded servers this stack runs (null where the service is configured elsewhere). */
    private final EmbeddedS3Server embeddedS3;

    private final EmbeddedPostgresServer embeddedPostgres;
    private volatile MlflowServer mlflowServer;
    /** What the sync on connecting to MLflow brought up to date (journaled while it was not up). */
    private volatile Tracker.SyncReport connectSync;

    private PlatformStack(
            StackConfig config,
            ObjectStore objectStore,
            MetadataDb db,
            TemporalConnection temporal,
            EmbeddedS3Server embeddedS3,
            EmbeddedPostgresServer embeddedPostgres,
            List<AutoCloseable> owned) {
        this.config = config;
        this.embeddedS3 = embeddedS3;
        this.embeddedPostgres = embeddedPostgres;
        this.objectStore = objectStore;
        this.db = db;
        this.journal = new PipelineJournal(db);
        this.temporal = temporal;
        this.owned.addAll(owned);
        this.tracker = new Tracker(db, objectStore, null, "MLflow server starting");
        this.registry = new ModelRegistry(db, objectStore, MlflowRegistryMirror.following(tracker));
        this.trackingReady = new CompletableFuture<>();
    }

    /** Starts the stack with a Temporal service (embedded or {@code TEMPORAL_ADDRESS}). */
    public static PlatformStack start(StackConfig config) {
        return start(config, true);
    }

    public static PlatformStack start(StackConfig config, boolean withTemporal) {
        List<AutoCloseable> owned = new ArrayList<>();
        try {
            CompletableFuture<EmbeddedS3Server> s3Server = config.s3().isPresent()
                    ? CompletableFuture.completedFuture(null)
                    : CompletableFuture.supplyAsync(() -> {
                        SecureRandom rnd = new SecureRandom();
                        byte[] a = new byte[10];
                        byte[] s = new byte[24];
                        rnd.nextBytes(a);
                        rnd.nextBytes(s);
                        return EmbeddedS3Server.start(
                                config.dataDir().resolve("s3"),
                                "cxr" + HexFormat.of().formatHex(a),
                                HexFormat.of().formatHex(s),
                                StackConfig.DEFAULT_BUCKET);
                    });
            CompletableFuture<EmbeddedPostgresServer> pgServer = config.db().isPresent()
                    ? CompletableFuture.completedFuture(null)
                    : CompletableFuture.supplyAsync(
                            () -> EmbeddedPostgresServer.start(config.dataDir().resolve("postgres/data")));
            CompletableFuture<TemporalConnection> temporalF = !withTemporal
                    ? CompletableFuture.completedFuture(null)
                    : CompletableFuture.supplyAsync(() -> config.temporalAddress()
                            .map(a -> TemporalConnection.connect(a, config.temporalNamespace()))
                            .orElseGet(TemporalConnection::startEmbedded));
            EmbeddedS3Server s3 = join(s3Server, owned);
            EmbeddedPostgresServer pg = join(pgServer, owned);
            TemporalConnection temporal = join(temporalF, owned);
            S3Endpoint s3Endpoint = config.s3().orElseGet(() -> s3.endpoint());
            ObjectStore store = new ObjectStore(s3Endpoint);
            store.ensureBucket();
            DbEndpoint dbEndpoint = config.db().orElseGet(() -> pg.endpoint("postgres"));
            MetadataDb db = MetadataDb.connect(dbEndpoint);
            PlatformStack stack = new PlatformStack(config, store, db, temporal, s3, pg, owned);
            stack.startTracking();
            return stack;
        } catch (RuntimeException e) {
            closeAll(owned);
            throw e;
        }
    }

    private static <T> T join(CompletableFuture<T> f, List<AutoCloseable> owned) {
        try {
            T value = f.get();
            if (value instanceof AutoCloseable c) {
                owned.add(c);
            }
            return value;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof RuntimeException re ? re : new IllegalStateException(cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the stack");
        }
    }

    private void startTracking() {
        if (config.mlflowUri().isPresent()) {
            connectTracking(config.mlflowUri().get(), config.mlflowSiteOwned());
            return;
        }
        if (!config.mlflowEnabled()) {
            tracker.disconnect("MLflow is off (CAUSALCXR_MLFLOW=off)");
            trackingReady.complete(Optional.empty());
            return;
        }
        Thread t = new Thread(
                () -> {
                    try {
                        var bin = MlflowServer.ensureInstalled(config.mlflowVenv());
                        db.ensureDatabase("mlflow");
                        DbEndpoint backend = db.endpoint().withDatabase("mlflow");
                        MlflowServer server = MlflowServer.start(
                                bin,
                                config.dataDir().resolve("mlflow"),
                                backend,
                                objectStore.endpoint(),
                                config.artifactMode());
                        synchronized (this) {
                            if (closed) {
                                server.close();
                                return;
                            }
                            mlflowServer = server;
                        }
                        connectTracking(server.url(), true);
                    } catch (MlflowUnavailableException | RuntimeException e) {
                        String reason = "no MLflow server: " + e.getMessage();
                        log.warn(
                                "{}; runs are journaled in PostgreSQL, replay them later with `causalcxr mlflow sync`",
                                reason);
                        tracker.disconnect(reason);
                        trackingReady.complete(Optional.empty());
                    }
                },
                "mlflow-server-start");
        t.setDaemon(true);
        t.start();
    }

    private boolean closed;

    /** @param siteOwned the embedded server this stack started: pictures of real studies may go there */
    private void connectTracking(String uri, boolean siteOwned) {
        try {
            MlflowPusher pusher = new MlflowPusher(uri, db, objectStore, siteOwned);
            pusher.client().searchExperiments();
            tracker.connect(pusher);
            Tracker.SyncReport report = tracker.syncAll();
            connectSync = report;
            if (report.failures() > 0) {
                log.warn("{} journaled runs could not be pushed to MLflow: {}", report.failures(), report.errors());
            }
            // model versions registered while MLflow was away (runs first: a version links to its run)
            ModelRegistry.SyncReport models = registry.syncRegistry();
            if (models.failures() > 0) {
                log.warn(
                        "{} model versions or aliases could not be mirrored to MLflow: {}",
                        models.failures(),
                        models.errors());
            }
            trackingReady.complete(Optional.of(uri));
        } catch (RuntimeException e) {
            String reason = "MLflow at " + uri + " unreachable: " + e.getMessage();
            log.warn(reason);
            tracker.disconnect(reason);
            trackingReady.complete(Optional.empty());
        }
    }

    /**
     * Waits until tracking is settled (server up and journal synced, or known to be off) and pushes
     * what is still pending. Returns the tracking URI when MLflow is on.
     */
    public Optional<String> awaitTracking(Duration timeout) {
        try {
            Optional<String> uri = trackingReady.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (uri.isPresent()) {
                tracker.syncAll();
                registry.syncRegistry();
            }
            return uri;
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException e) {
            return Optional.empty();
        }
    }

    /** The journal replay done when MLflow connected, if it has. */
    public Optional<Tracker.SyncReport> connectSync() {
        return Optional.ofNullable(connectSync);
    }

    public StackConfig config() {
        return config;
    }

    public ObjectStore objectStore() {
        return objectStore;
    }

    public MetadataDb db() {
        return db;
    }

    public PipelineJournal journal() {
        return journal;
    }

    public Tracker tracker() {
        return tracker;
    }

    /** Registered model versions and aliases (PostgreSQL + object store, mirrored to MLflow when connected). */
    public ModelRegistry registry() {
        return registry;
    }

    public TemporalConnection temporal() {
        if (temporal == null) {
            throw new IllegalStateException("this stack was started without Temporal");
        }
        return temporal;
    }

    /**
     * The names {@link #connectionEnvironment()} may set: the environment contract between a stack and the processes
     * that join it, which {@code docker/compose.yaml} gives its workers too ({@code DeploymentFilesTest}).
     */
    public static final List<String> CONNECTION_VARIABLES = List.of(
            "CAUSALCXR_S3_ENDPOINT",
            "CAUSALCXR_S3_ACCESS_KEY",
            "CAUSALCXR_S3_SECRET_KEY",
            "CAUSALCXR_S3_BUCKET",
            "CAUSALCXR_DB_URL",
            "CAUSALCXR_DB_USER",
            "CAUSALCXR_DB_PASSWORD",
            "TEMPORAL_ADDRESS",
            "TEMPORAL_NAMESPACE",
            "MLFLOW_TRACKING_URI",
            "CAUSALCXR_MLFLOW_SITE_OWNED");

    /** Environment for workers and clients in other processes that join this stack ({@link #CONNECTION_VARIABLES}). */
    public Map<String, String> connectionEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        S3Endpoint s3 = objectStore.endpoint();
        env.put("CAUSALCXR_S3_ENDPOINT", s3.url());
        env.put("CAUSALCXR_S3_ACCESS_KEY", s3.accessKey());
        env.put("CAUSALCXR_S3_SECRET_KEY", s3.secretKey());
        env.put("CAUSALCXR_S3_BUCKET", s3.bucket());
        env.put("CAUSALCXR_DB_URL", db.endpoint().jdbcUrl());
        env.put("CAUSALCXR_DB_USER", db.endpoint().user());
        env.put("CAUSALCXR_DB_PASSWORD", db.endpoint().password());
        if (temporal != null) {
            env.put("TEMPORAL_ADDRESS", temporal.address());
            env.put("TEMPORAL_NAMESPACE", temporal.namespace());
        }
        tracker.trackingUri().ifPresent(u -> env.put("MLFLOW_TRACKING_URI", u));
        if (tracker.siteOwnedServer()) {
            // processes that join this stack track to the site's own server, as this one does
            env.put("CAUSALCXR_MLFLOW_SITE_OWNED", "true");
        }
        if (!CONNECTION_VARIABLES.containsAll(env.keySet())) {
            throw new IllegalStateException("CONNECTION_VARIABLES misses one of " + env.keySet());
        }
        return env;
    }

    /** A service of the embedded stack that an outage drill can take down. */
    public enum EmbeddedService {
        S3,
        POSTGRES
    }

    /** When a drill took a service down and when it answered again, in epoch milliseconds. */
    public record Outage(EmbeddedService service, long downAtMs, long upAtMs) {}

    /**
     * An outage drill: stops the embedded {@code service} for {@code down} (its port closed: clients see connection
     * failures, as when the real service fails), then starts it again on the same port over the same data. The
     * platform must ride it out (stage attempts retry; nothing partial becomes visible); the cluster's e2e tests
     * and operators' rehearsals use it ({@code docker/local-cluster outage}).
     *
     * @param onDown told the moment the service is down (epoch milliseconds)
     * @throws IllegalStateException when the service is not embedded in this stack (configured elsewhere)
     */
    public Outage interrupt(EmbeddedService service, Duration down, java.util.function.LongConsumer onDown)
            throws InterruptedException {
        Runnable stop;
        Runnable start;
        switch (service) {
            case S3 -> {
                if (embeddedS3 == null) {
                    throw new IllegalStateException("S3 is not embedded in this stack (CAUSALCXR_S3_ENDPOINT is set)");
                }
                stop = embeddedS3::stopListening;
                start = embeddedS3::resumeListening;
            }
            case POSTGRES -> {
                if (embeddedPostgres == null) {
                    throw new IllegalStateException(
                            "PostgreSQL is not embedded in this stack (CAUSALCXR_DB_URL is set)");
                }
                stop = embeddedPostgres::stopServer;
                start = embeddedPostgres::restartServer;
            }
            default -> throw new IllegalArgumentException(service.toString());
        }
        log.warn("outage drill: {} down for {} s", service, down.toSeconds());
        stop.run();
        long downAt = System.currentTimeMillis();
        try {
            onDown.accept(downAt);
            Thread.sleep(down.toMillis());
        } finally {
            start.run();
        }
        long upAt = System.currentTimeMillis();
        log.warn("outage drill: {} up again after {} ms", service, upAt - downAt);
        return new Outage(service, downAt, upAt);
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        MlflowServer server = mlflowServer;
        if (server != null) {
            server.close();
        }
        closeAll(owned);
    }

    private static void closeAll(List<AutoCloseable> owned) {
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception e) {
                log.warn("error while stopping {}: {}", owned.get(i).getClass().getSimpleName(), e.toString());
            }
        }
        owned.clear();
    }
}
