package dev.causalcxr.infra.metadata;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;

/**
 * PostgreSQL run from the embedded binaries, with its data folder kept across restarts.
 *
 * <p>The binaries' {@code initdb} makes a superuser {@code postgres} with trust authentication: any
 * local user could read the journal, the registry and the report store. On its first start the server
 * is locked down: both roles get generated passwords (kept in {@code credentials.properties} beside the
 * data folder, readable by its owner only), every connection must authenticate with SCRAM, and the
 * platform connects as {@value #APP_ROLE}, a role that owns its databases' tables but is not a superuser
 * and cannot create roles or databases. A data folder made before this is converted on its next start
 * (its tables change owner).
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
    /** The platform's role: owns the metadata and MLflow databases' objects, nothing else. */
    public static final String APP_ROLE = "causalcxr";
    /** Databases the platform uses on this server (MLflow keeps its store in its own). */
    static final List<String> DATABASES = List.of("postgres", "mlflow");

    private static final String SUPERUSER = "postgres";

    private final Path dataDir;
    private final Credentials credentials;
    private final int port;
    /** The running server; null while it is stopped ({@link #stopServer()}). */
    private EmbeddedPostgres pg;

    private EmbeddedPostgresServer(Path dataDir, EmbeddedPostgres pg, Credentials credentials) {
        this.dataDir = dataDir;
        this.pg = pg;
        this.credentials = credentials;
        this.port = pg.getPort();
    }

    private static EmbeddedPostgres startServer(Path dataDir, Credentials credentials, int port) throws IOException {
        return EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false)
                .setPort(port)
                .setPGStartupWait(Duration.ofSeconds(60))
                // the binaries' readiness probe logs in as the superuser: with a password once locked down
                .setConnectConfig("password", credentials.superuserPassword())
                .setOutputRedirector(ProcessBuilder.Redirect.DISCARD)
                .setErrorRedirector(ProcessBuilder.Redirect.appendTo(
                        dataDir.resolveSibling("postgres.log").toFile()))
                .start();
    }

    public static EmbeddedPostgresServer start(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
            Credentials credentials = Credentials.loadOrCreate(dataDir.resolveSibling("credentials.properties"));
            EmbeddedPostgres pg = startServer(dataDir, credentials, 0);
            EmbeddedPostgresServer server = new EmbeddedPostgresServer(dataDir, pg, credentials);
            try {
                server.lockDown(dataDir);
            } catch (SQLException | IOException | RuntimeException e) {
                server.close();
                throw new IllegalStateException(
                        "cannot secure the embedded PostgreSQL in " + dataDir + ": " + e.getMessage(), e);
            }
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot start the embedded PostgreSQL in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    public int port() {
        return port;
    }

    /**
     * Shuts the server process down (fast mode: sessions are ended, committed data is on disk); clients get
     * connection failures until {@link #restartServer()}. For outage drills ({@code causalcxr stack}'s control
     * folder).
     */
    public synchronized void stopServer() {
        if (pg == null) {
            return;
        }
        try {
            pg.close();
        } catch (IOException e) {
            throw new IllegalStateException("cannot stop the embedded PostgreSQL", e);
        }
        pg = null;
    }

    /** Starts the server again on the same port over the same data folder. */
    public synchronized void restartServer() {
        if (pg != null) {
            return;
        }
        try {
            pg = startServer(dataDir, credentials, port);
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot restart the embedded PostgreSQL on port " + port + ": " + e.getMessage(), e);
        }
    }

    /** The platform's connection to a database of this server: the non-superuser application role. */
    public DbEndpoint endpoint(String database) {
        return new DbEndpoint(jdbcUrl(database), APP_ROLE, credentials.appPassword());
    }

    private String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
    }

    /**
     * Idempotent: passwords on both roles, the application role and its databases, ownership of every
     * table, sequence and view in their {@code public} schemas, then password authentication for every
     * connection (reloaded without a restart).
     */
    private void lockDown(Path dataDir) throws SQLException, IOException {
        Properties superuser = new Properties();
        superuser.setProperty("user", SUPERUSER);
        superuser.setProperty("password", credentials.superuserPassword());
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), superuser);
                Statement st = c.createStatement()) {
            st.execute("set password_encryption = 'scram-sha-256'");
            st.execute("alter role " + SUPERUSER + " password " + literal(credentials.superuserPassword()));
            boolean exists;
            try (ResultSet rs = st.executeQuery("select 1 from pg_roles where rolname = " + literal(APP_ROLE))) {
                exists = rs.next();
            }
            st.execute((exists ? "alter role " : "create role ") + APP_ROLE
                    + " login nosuperuser nocreatedb nocreaterole noreplication password "
                    + literal(credentials.appPassword()));
            for (String db : DATABASES) {
                try (ResultSet rs = st.executeQuery("select 1 from pg_database where datname = " + literal(db))) {
                    if (!rs.next()) {
                        st.execute("create database " + db + " owner " + APP_ROLE);
                    }
                }
                if (!db.equals("postgres")) {
                    st.execute("alter database " + db + " owner to " + APP_ROLE);
                }
            }
        }
        for (String db : DATABASES) {
            try (Connection c = DriverManager.getConnection(jdbcUrl(db), superuser);
                    Statement st = c.createStatement()) {
                st.execute("alter schema public owner to " + APP_ROLE);
                List<String> owned = new ArrayList<>();
                try (ResultSet rs = st.executeQuery("""
                        select case c.relkind when 'S' then 'sequence' when 'v' then 'view' when 'm' then 'materialized view'
                                              else 'table' end, quote_ident(c.relname)
                        from pg_class c join pg_namespace n on n.oid = c.relnamespace
                        where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'S')
                          and pg_get_userbyid(c.relowner) <> '%s'
                          and not (c.relkind = 'S' and exists (select 1 from pg_depend d
                                   where d.objid = c.oid and d.deptype in ('a', 'i')))""".formatted(APP_ROLE))) {
                    while (rs.next()) {
                        owned.add("alter " + rs.getString(1) + " public." + rs.getString(2) + " owner to " + APP_ROLE);
                    }
                }
                for (String statement : owned) {
                    st.execute(statement);
                }
                try (ResultSet rs = st.executeQuery("""
                        select t.typname from pg_type t join pg_namespace n on n.oid = t.typnamespace
                        where n.nspname = 'public' and t.typtype = 'e'
                          and pg_get_userbyid(t.typowner) <> '%s'""".formatted(APP_ROLE))) {
                    owned.clear();
                    while (rs.next()) {
                        owned.add("alter type public." + rs.getString(1) + " owner to " + APP_ROLE);
                    }
                }
                for (String statement : owned) {
                    st.execute(statement);
                }
            }
        }
        Path hba = dataDir.resolve("pg_hba.conf");
        String locked = """
                # written by causalcxr: every connection authenticates with a password (SCRAM)
                local all all scram-sha-256
                host  all all 127.0.0.1/32 scram-sha-256
                host  all all ::1/128 scram-sha-256
                """;
        if (!Files.exists(hba) || !Files.readString(hba).equals(locked)) {
            Files.writeString(hba, locked);
            try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), superuser);
                    Statement st = c.createStatement()) {
                st.execute("select pg_reload_conf()");
            }
        }
    }

    /** A string literal for the few DDL statements that cannot take bind parameters. */
    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    @Override
    public synchronized void close() {
        stopServer();
    }

    /** The two generated passwords, in a file only its owner can read. */
    record Credentials(String superuserPassword, String appPassword) {
        static Credentials loadOrCreate(Path file) throws IOException {
            Properties p = new Properties();
            if (Files.exists(file)) {
                try (InputStream in = Files.newInputStream(file)) {
                    p.load(in);
                }
            }
            String su = p.getProperty("superuser.password");
            String app = p.getProperty("app.password");
            if (su != null && app != null) {
                return new Credentials(su, app);
            }
            SecureRandom random = new SecureRandom();
            p.setProperty("superuser.password", su != null ? su : secret(random));
            p.setProperty("app.password", app != null ? app : secret(random));
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE)) {
                p.store(out, "embedded PostgreSQL roles of this data folder (generated; keep private)");
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return new Credentials(p.getProperty("superuser.password"), p.getProperty("app.password"));
        }

        private static String secret(SecureRandom random) {
            byte[] b = new byte[24];
            random.nextBytes(b);
            return HexFormat.of().formatHex(b);
        }

        @Override
        public String toString() {
            return "Credentials[***]";
        }
    }
}
