package dev.causalcxr.infra.metadata;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.postgresql.ds.PGSimpleDataSource;

/** The metadata database: a JDBC data source migrated by Flyway, and small query helpers. */
public final class MetadataDb {
    private final DataSource dataSource;
    private final DbEndpoint endpoint;

    private MetadataDb(DataSource dataSource, DbEndpoint endpoint) {
        this.dataSource = dataSource;
        this.endpoint = endpoint;
    }

    /** Connects and applies pending migrations. */
    public static MetadataDb connect(DbEndpoint endpoint) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(endpoint.jdbcUrl());
        ds.setUser(endpoint.user());
        ds.setPassword(endpoint.password());
        Flyway.configure()
                .dataSource(ds)
                .locations("classpath:db/migration")
                .load()
                .migrate();
        return new MetadataDb(ds, endpoint);
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public DbEndpoint endpoint() {
        return endpoint;
    }

    public Connection connection() throws SQLException {
        return dataSource.getConnection();
    }

    /**
     * Whether {@code failure} (or a cause of it) is the database being unreachable: SQLSTATE class 08
     * (connection exception), or the server shutting down or not yet accepting connections (57P01–57P03). The
     * statement's transaction did not commit; once the server is back, the same work can run again.
     */
    public static boolean isUnavailable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException e && e.getSQLState() != null) {
                String state = e.getSQLState();
                if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")) {
                    return true;
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** Waits until the server accepts a connection, up to {@code limit}; returns whether it does. */
    public boolean awaitAvailable(java.time.Duration limit) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (true) {
            try (Connection c = connection();
                    var st = c.createStatement()) {
                st.execute("select 1");
                return true;
            } catch (SQLException e) {
                if (System.nanoTime() > end) {
                    return false;
                }
            }
            Thread.sleep(500);
        }
    }

    /** Creates another database on the same server when missing (e.g. MLflow's own store). */
    public void ensureDatabase(String name) {
        if (!name.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("bad database name " + name);
        }
        try (Connection c = connection();
                PreparedStatement ps = c.prepareStatement("select 1 from pg_database where datname = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    try (var st = c.createStatement()) {
                        st.execute("create database " + name);
                    }
                }
            }
        } catch (SQLException e) {
            throw new MetadataException("cannot create database " + name, e);
        }
    }

    @FunctionalInterface
    public interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    @FunctionalInterface
    public interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    public int update(String sql, Binder binder) {
        try (Connection c = connection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new MetadataException("metadata update failed: " + e.getMessage(), e);
        }
    }

    public <T> List<T> query(String sql, Binder binder, RowMapper<T> mapper) {
        try (Connection c = connection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(mapper.map(rs));
                }
                return out;
            }
        } catch (SQLException e) {
            throw new MetadataException("metadata query failed: " + e.getMessage(), e);
        }
    }

    /** The first row's value; empty when there is no row or its value is SQL NULL. */
    public <T> Optional<T> queryOne(String sql, Binder binder, RowMapper<T> mapper) {
        List<T> rows = query(sql, binder, mapper);
        return rows.isEmpty() ? Optional.empty() : Optional.ofNullable(rows.get(0));
    }

    @FunctionalInterface
    public interface TxWork<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs work in one transaction: all of it lands or none of it. */
    public <T> T inTransaction(TxWork<T> work) {
        try (Connection c = connection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new MetadataException("metadata transaction failed: " + e.getMessage(), e);
        }
    }
}
