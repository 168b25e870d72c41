package dev.causalcxr.infra.metadata;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/**
 * The right to compute the outputs of one cache key, held by one stage attempt at a time on every worker that
 * shares the database: two pipelines that need the same stage outputs at the same moment compute them once, and
 * the second takes them from the cache. A PostgreSQL session-level advisory lock on its own connection, so that
 * it ends with the holder: released on {@link #close()}, and by the server when the holder's process dies
 * ({@code kill -9} included), so that a waiter never waits for a dead worker.
 */
public final class ComputationClaim implements AutoCloseable {
    private final Connection connection;
    private final long lockKey;
    private final boolean waited;

    private ComputationClaim(Connection connection, long lockKey, boolean waited) {
        this.connection = connection;
        this.lockKey = lockKey;
        this.waited = waited;
    }

    /**
     * Takes the claim on {@code cacheKey}, waiting while another holds it.
     *
     * @param poll        how often to try again while another holds it
     * @param onFirstWait called once when the claim is found held (to say so in the log)
     */
    static ComputationClaim acquire(MetadataDb db, String cacheKey, Duration poll, Runnable onFirstWait) {
        long key = lockKey(cacheKey);
        Connection c = null;
        try {
            c = db.connection(); // unpooled: a session of its own, which the lock lives and dies with
            boolean waited = false;
            while (!tryLock(c, key)) {
                if (!waited) {
                    onFirstWait.run();
                    waited = true;
                }
                Thread.sleep(poll.toMillis());
            }
            return new ComputationClaim(c, key, waited);
        } catch (SQLException e) {
            closeQuietly(c);
            throw new MetadataException("cannot claim a stage computation: " + e.getSQLState(), e);
        } catch (InterruptedException e) {
            closeQuietly(c);
            Thread.currentThread().interrupt();
            throw new MetadataException("interrupted while waiting for another worker's computation", e);
        }
    }

    /** Whether another attempt held the claim first: its outputs may be in the cache now. */
    public boolean waited() {
        return waited;
    }

    @Override
    public void close() {
        try (PreparedStatement ps = connection.prepareStatement("select pg_advisory_unlock(?)")) {
            ps.setLong(1, lockKey);
            ps.execute();
        } catch (SQLException ignored) {
            // closing the session below releases it as well
        } finally {
            closeQuietly(connection);
        }
    }

    private static boolean tryLock(Connection c, long key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select pg_try_advisory_lock(?)")) {
            ps.setLong(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** 64 bits of SHA-256 of the cache key: a collision would only serialize two computations. */
    static long lockKey(String cacheKey) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256")
                    .digest(("causalcxr-stage:" + cacheKey).getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(d).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException ignored) {
            // nothing more to release
        }
    }
}
