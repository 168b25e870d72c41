package dev.causalcxr.cli.serve;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Recent results by unguessable id (128 random bits), in memory only: the files a JSON answer refers
 * to. Bounded by count, total bytes and age; the oldest go first. Nothing is written to disk.
 */
public final class ResultStore {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final int maxResults;
    private final long maxBytes;
    private final Duration ttl;
    private final Clock clock;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();
    private long bytes;

    private record Entry(Map<String, byte[]> files, Instant created, long size) {}

    public ResultStore(int maxResults, long maxBytes, Duration ttl, Clock clock) {
        this.maxResults = maxResults;
        this.maxBytes = maxBytes;
        this.ttl = ttl;
        this.clock = clock;
    }

    /** Keeps a result's files; returns its id. */
    public synchronized String put(Map<String, byte[]> files) {
        byte[] raw = new byte[16];
        RANDOM.nextBytes(raw);
        String id = HexFormat.of().formatHex(raw);
        long size = files.values().stream().mapToLong(b -> b.length).sum();
        entries.put(id, new Entry(Collections.unmodifiableMap(new LinkedHashMap<>(files)), clock.instant(), size));
        bytes += size;
        expire();
        while (entries.size() > maxResults || (bytes > maxBytes && entries.size() > 1)) {
            removeOldest();
        }
        return id;
    }

    /** A file of a result still kept. */
    public synchronized Optional<byte[]> file(String id, String name) {
        expire();
        Entry e = entries.get(id);
        return e == null ? Optional.empty() : Optional.ofNullable(e.files().get(name));
    }

    public synchronized int size() {
        return entries.size();
    }

    private void expire() {
        Instant cutoff = clock.instant().minus(ttl);
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (!e.created().isAfter(cutoff)) {
                bytes -= e.size();
                it.remove();
            } else {
                break;
            }
        }
    }

    private void removeOldest() {
        Iterator<Entry> it = entries.values().iterator();
        Entry e = it.next();
        bytes -= e.size();
        it.remove();
    }
}
