package dev.causalcxr.cli.serve;

import dev.causalcxr.core.counterfactual.CounterfactualGenerator;
import dev.causalcxr.infra.registry.ModelNotFoundException;
import dev.causalcxr.infra.registry.ModelReference;
import dev.causalcxr.infra.registry.ModelVersion;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registered model versions loaded for serving: the served reference ({@code NAME@ALIAS},
 * {@code NAME@VERSION} or {@code NAME}) loaded once at start and again only when it resolves to
 * another version ({@link #refresh}, polled by the service: an alias moved or a new latest version
 * was registered), plus other versions that requests name, loaded on first use and kept while at most
 * {@code maxLoaded} versions are loaded (least recently used ones go first).
 *
 * <p>A request {@linkplain #acquire acquires} a loaded version and {@linkplain Loaded#release releases}
 * it when answered; a version that is replaced or evicted is closed once its last request is done, so
 * a request never sees its model closed under it.
 */
public final class ModelPool implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ModelPool.class);

    /** Where versions come from. */
    public interface Source {
        ModelVersion resolve(String reference);

        CounterfactualGenerator open(ModelVersion version) throws IOException;
    }

    /** One loaded version. */
    public final class Loaded {
        private final ModelVersion version;
        private final CounterfactualGenerator generator;
        private int refs;
        private boolean retired;
        private long lastUsed;

        Loaded(ModelVersion version, CounterfactualGenerator generator) {
            this.version = version;
            this.generator = generator;
        }

        public ModelVersion version() {
            return version;
        }

        public CounterfactualGenerator generator() {
            return generator;
        }

        /** Ends a request's use; a retired version closes with its last use. */
        public void release() {
            boolean close;
            synchronized (ModelPool.this) {
                refs--;
                close = retired && refs == 0;
            }
            if (close) {
                closeQuietly(this);
            }
        }

        @Override
        public String toString() {
            return version.reference();
        }
    }

    private final Source source;
    private final String servedReference;
    private final int maxLoaded;
    private final Runnable onLoad;
    private final Map<String, Loaded> loaded = new LinkedHashMap<>();
    private final Map<String, CompletableFuture<Loaded>> loading = new LinkedHashMap<>();
    private Loaded served;
    private long clock;
    private boolean closed;

    /**
     * @param servedReference the reference {@code serve --model} names
     * @param onLoad          called after each load (metrics)
     */
    public ModelPool(Source source, String servedReference, int maxLoaded, Runnable onLoad) {
        this.source = Objects.requireNonNull(source);
        ModelReference.parse(servedReference);
        this.servedReference = servedReference;
        this.maxLoaded = maxLoaded;
        this.onLoad = onLoad == null ? () -> {} : onLoad;
    }

    /** Resolves and loads the served reference (the service is ready after this). */
    public ModelVersion start() throws IOException {
        refresh();
        return served();
    }

    /** The version the served reference resolves to now. */
    public synchronized ModelVersion served() {
        if (served == null) {
            throw new IllegalStateException("no model loaded yet");
        }
        return served.version();
    }

    public synchronized boolean ready() {
        return served != null && !closed;
    }

    public String servedReference() {
        return servedReference;
    }

    /** The versions loaded now, served first. */
    public synchronized List<ModelVersion> loadedVersions() {
        List<ModelVersion> out = new ArrayList<>();
        if (served != null) {
            out.add(served.version());
        }
        loaded.values().stream()
                .map(Loaded::version)
                .filter(v -> served == null || !v.equals(served.version()))
                .forEach(out::add);
        return out;
    }

    public synchronized int loadedCount() {
        return loaded.size();
    }

    /**
     * Resolves the served reference again and, when it names another version now, loads that version
     * and serves it; requests already holding the old one finish on it. Returns true on a switch.
     */
    public boolean refresh() throws IOException {
        ModelVersion now = source.resolve(servedReference);
        synchronized (this) {
            if (served != null && served.version().reference().equals(now.reference())) {
                return false;
            }
        }
        Loaded next = load(now);
        synchronized (this) {
            Loaded before = served;
            served = next;
            touch(next);
            if (before != null && before != next) {
                log.info(
                        "serving {} (was {}): {} resolves to it now",
                        next.version().reference(),
                        before.version().reference(),
                        servedReference);
            }
            evict();
            return before != next;
        }
    }

    /**
     * A loaded version for a request: the served one for null or the served reference, else the
     * version {@code reference} names (loaded if needed). Release it when done.
     *
     * @throws ModelNotFoundException for a reference naming no registered version
     */
    public Loaded acquire(String reference) throws IOException {
        Loaded l;
        synchronized (this) {
            if (closed) {
                throw new ServiceStoppingException();
            }
            if (reference == null || reference.isBlank() || reference.equals(servedReference)) {
                if (served == null) {
                    throw new IllegalStateException("no model loaded yet");
                }
                return use(served);
            }
            l = loaded.get(reference);
            if (l != null && !l.retired) {
                return use(l);
            }
        }
        ModelVersion v = source.resolve(reference);
        Loaded got = load(v);
        synchronized (this) {
            if (got.retired) {
                // evicted between loading and now (a burst of other versions): load it again
                return acquire(v.reference());
            }
            evict();
            return use(got);
        }
    }

    private Loaded use(Loaded l) {
        l.refs++;
        touch(l);
        return l;
    }

    private void touch(Loaded l) {
        l.lastUsed = ++clock;
    }

    /** The loaded instance of a version, loading it once however many requests ask at the same time. */
    private Loaded load(ModelVersion v) throws IOException {
        CompletableFuture<Loaded> mine;
        CompletableFuture<Loaded> theirs;
        synchronized (this) {
            Loaded l = loaded.get(v.reference());
            if (l != null && !l.retired) {
                return l;
            }
            theirs = loading.get(v.reference());
            mine = theirs == null ? new CompletableFuture<>() : null;
            if (mine != null) {
                loading.put(v.reference(), mine);
            }
        }
        if (theirs != null) {
            try {
                return theirs.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while loading " + v.reference());
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw new IOException(e.getCause());
            }
        }
        try {
            long t = System.nanoTime();
            CounterfactualGenerator g = source.open(v);
            Loaded l = new Loaded(v, g);
            synchronized (this) {
                loading.remove(v.reference());
                if (closed) {
                    g.close();
                    throw new ServiceStoppingException();
                }
                loaded.put(v.reference(), l);
                touch(l);
            }
            log.info("loaded {} in {} ms", v.reference(), (System.nanoTime() - t) / 1_000_000);
            onLoad.run();
            mine.complete(l);
            return l;
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                loading.remove(v.reference());
            }
            mine.completeExceptionally(e);
            throw e;
        }
    }

    /** Retires the least recently used versions beyond the limit (never the served one). */
    private void evict() {
        while (loaded.size() > maxLoaded) {
            Loaded victim = loaded.values().stream()
                    .filter(l -> l != served)
                    .min((a, b) -> Long.compare(a.lastUsed, b.lastUsed))
                    .orElse(null);
            if (victim == null) {
                return;
            }
            retire(victim);
        }
    }

    private void retire(Loaded l) {
        loaded.remove(l.version().reference());
        l.retired = true;
        if (l.refs == 0) {
            closeQuietly(l);
        }
    }

    private static void closeQuietly(Loaded l) {
        try {
            l.generator().close();
            log.info("unloaded {}", l.version().reference());
        } catch (RuntimeException e) {
            log.warn(
                    "closing {} failed: {}",
                    l.version().reference(),
                    e.getClass().getName());
        }
    }

    @Override
    public void close() {
        List<Loaded> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(loaded.values());
            served = null;
        }
        for (Loaded l : all) {
            synchronized (this) {
                retire(l);
            }
        }
    }
}
