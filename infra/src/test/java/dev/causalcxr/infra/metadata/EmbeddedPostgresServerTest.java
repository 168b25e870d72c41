package dev.causalcxr.infra.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedPostgresServerTest {

    @Test
    void thePlatformConnectsAsARoleThatIsNotASuperuserAndNoRoleGetsInWithoutItsPassword(@TempDir Path dir)
            throws Exception {
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir.resolve("pg"))) {
            DbEndpoint app = pg.endpoint("postgres");
            assertEquals(EmbeddedPostgresServer.APP_ROLE, app.user());
            MetadataDb db = MetadataDb.connect(app); // the migrations run as the application role
            try (Connection c = db.connection();
                    Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery(
                            "select rolsuper, rolcreaterole, rolcreatedb from pg_roles where rolname = current_user")) {
                assertTrue(rs.next());
                assertFalse(rs.getBoolean(1), "superuser");
                assertFalse(rs.getBoolean(2), "may create roles");
                assertFalse(rs.getBoolean(3), "may create databases");
            }
            db.ensureDatabase("mlflow"); // made at lock-down, owned by the application role
            try (Connection c = DriverManager.getConnection(
                            app.withDatabase("mlflow").jdbcUrl(), app.user(), app.password());
                    Statement st = c.createStatement()) {
                st.execute("create table t (id serial primary key)");
            }
            for (String user : new String[] {"postgres", EmbeddedPostgresServer.APP_ROLE}) {
                Properties none = new Properties();
                none.setProperty("user", user);
                assertThrows(
                        SQLException.class,
                        () -> DriverManager.getConnection(app.jdbcUrl(), none).close(),
                        user);
                Properties wrong = new Properties();
                wrong.setProperty("user", user);
                wrong.setProperty("password", "postgres");
                assertThrows(
                        SQLException.class,
                        () -> DriverManager.getConnection(app.jdbcUrl(), wrong).close(),
                        user);
            }
        }
        Path credentials = dir.resolve("credentials.properties");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials)));
    }

    @Test
    void aDataFolderMadeWithTrustAndSuperuserTablesIsLockedDownOnItsNextStartAndKeepsItsData(@TempDir Path dir)
            throws Exception {
        Path data = dir.resolve("pg");
        String appPassword;
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(data)) {
            assertTrue(Files.readString(data.resolve("pg_hba.conf")).contains("scram-sha-256"));
            appPassword = pg.endpoint("postgres").password();
            // back to the state of a folder from before: trust authentication, tables owned by the superuser
            Properties su = new Properties();
            su.setProperty("user", "postgres");
            su.setProperty(
                    "password",
                    EmbeddedPostgresServer.Credentials.loadOrCreate(dir.resolve("credentials.properties"))
                            .superuserPassword());
            try (Connection c =
                            DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres", su);
                    Statement st = c.createStatement()) {
                Files.writeString(
                        data.resolve("pg_hba.conf"), "local all all trust\nhost all all 127.0.0.1/32 trust\n");
                st.execute("select pg_reload_conf()");
                st.execute("alter schema public owner to postgres");
                st.execute("create table legacy (id serial primary key, note text)");
                st.execute("insert into legacy (note) values ('kept')");
            }
        }
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(data)) {
            DbEndpoint app = pg.endpoint("postgres");
            assertEquals(appPassword, app.password(), "the generated passwords are kept");
            try (Connection c = DriverManager.getConnection(app.jdbcUrl(), app.user(), app.password());
                    Statement st = c.createStatement()) {
                st.execute("insert into legacy (note) values ('new')"); // owned by the application role now
                try (ResultSet rs = st.executeQuery("select string_agg(note, ',' order by id) from legacy")) {
                    assertTrue(rs.next());
                    assertEquals("kept,new", rs.getString(1));
                }
            }
            Properties su = new Properties();
            su.setProperty("user", "postgres");
            assertThrows(
                    SQLException.class,
                    () -> DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres", su)
                            .close());
        }
    }
}
