package dev.causalcxr.infra.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.infra.metadata.EmbeddedPostgresServer;
import dev.causalcxr.infra.metadata.MetadataDb;
import dev.causalcxr.infra.metadata.MetadataException;
import dev.causalcxr.infra.objectstore.EmbeddedS3Server;
import dev.causalcxr.infra.objectstore.ObjectRef;
import dev.causalcxr.infra.objectstore.ObjectStore;
import dev.causalcxr.infra.objectstore.ObjectStoreException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outage drills' building blocks on the real servers: a stopped embedded S3 endpoint or PostgreSQL server is a
 * connection failure the clients classify as "unavailable" (not as a missing object or a bad statement), and the
 * restarted one answers on the same port with everything it held.
 */
class EmbeddedServiceOutageTest {

    @Test
    void aStoppedS3EndpointIsUnavailableAndComesBackOnItsPortWithItsObjects(@TempDir Path dir) throws Exception {
        try (EmbeddedS3Server server =
                EmbeddedS3Server.start(dir.resolve("s3"), "outagekey", "outagesecret0123456789", "outage-bucket")) {
            ObjectStore store = new ObjectStore(server.endpoint());
            store.ensureBucket();
            ObjectRef before = store.putBytes("kept across the outage".getBytes(StandardCharsets.UTF_8));

            server.stopListening();
            ObjectStoreException put = assertThrows(
                    ObjectStoreException.class, () -> store.putBytes("lost?".getBytes(StandardCharsets.UTF_8)));
            assertTrue(ObjectStore.isUnavailable(put), put.toString());
            ObjectStoreException verify = assertThrows(ObjectStoreException.class, () -> store.verify(before.digest()));
            assertTrue(ObjectStore.isUnavailable(verify), "an outage is not reported as a missing object");
            assertFalse(store.awaitAvailable(Duration.ofMillis(300)));

            server.resumeListening();
            assertTrue(store.awaitAvailable(Duration.ofSeconds(30)));
            assertTrue(store.verify(before.digest()), "the object published before the outage");
            ObjectRef after = store.putBytes("after".getBytes(StandardCharsets.UTF_8));
            assertTrue(store.verify(after.digest()));
            assertTrue(store.listKeys("staging/").isEmpty(), "nothing left in staging");
            ObjectStoreException missing =
                    assertThrows(ObjectStoreException.class, () -> store.getBytes("0".repeat(64)));
            assertFalse(ObjectStore.isUnavailable(missing), "a missing object is not an outage");
        }
    }

    @Test
    void aStoppedPostgresIsUnavailableAndRestartsOnItsPortWithItsData(@TempDir Path dir) throws Exception {
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir.resolve("pg/data"))) {
            int port = pg.port();
            MetadataDb db = MetadataDb.connect(pg.endpoint("postgres"));
            db.update("create table outage_probe (v text)", ps -> {});
            db.update("insert into outage_probe values ('committed before')", ps -> {});

            pg.stopServer();
            MetadataException down = assertThrows(
                    MetadataException.class, () -> db.update("insert into outage_probe values ('x')", ps -> {}));
            assertTrue(MetadataDb.isUnavailable(down), down.toString());
            assertFalse(db.awaitAvailable(Duration.ofMillis(300)));

            pg.restartServer();
            assertEquals(port, pg.port());
            assertTrue(db.awaitAvailable(Duration.ofSeconds(30)));
            assertEquals(
                    java.util.List.of("committed before"),
                    db.query("select v from outage_probe", ps -> {}, rs -> rs.getString(1)));
            MetadataException bad = assertThrows(
                    MetadataException.class, () -> db.update("insert into no_such_table values (1)", ps -> {}));
            assertFalse(MetadataDb.isUnavailable(bad), "a bad statement is not an outage");
        }
    }
}
