package dev.causalcxr.infra.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.causalcxr.infra.metadata.EmbeddedPostgresServer;
import dev.causalcxr.infra.metadata.MetadataDb;
import dev.causalcxr.infra.objectstore.EmbeddedS3Server;
import dev.causalcxr.infra.objectstore.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/** V2 over a database that V1 already filled: versions keep their numbers, V1's alias column moves to its table. */
class RegistryMigrationTest {

    @Test
    void versionsAndAliasesWrittenUnderV1SurviveTheMigration(@TempDir Path dir) {
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir.resolve("pg"));
                EmbeddedS3Server s3 = EmbeddedS3Server.start(
                        dir.resolve("s3"), "testkey", "testsecret0123456789", "migration-bucket")) {
            ObjectStore store = new ObjectStore(s3.endpoint());
            store.ensureBucket();
            String component =
                    store.putBytes("weights".getBytes(StandardCharsets.UTF_8)).digest();
            String bundle = store.putJson(Map.of(
                            "format",
                            ModelRegistry.BUNDLE_FORMAT,
                            "components",
                            Map.of("diffusion", component),
                            "provenance",
                            Map.of(),
                            "metrics",
                            Map.of()))
                    .digest();
            String bundle2 = store.putJson(Map.of(
                            "format",
                            ModelRegistry.BUNDLE_FORMAT,
                            "components",
                            Map.of("diffusion", component),
                            "provenance",
                            Map.of(),
                            "metrics",
                            Map.of("fid", 1.0)))
                    .digest();
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setUrl(pg.endpoint("postgres").jdbcUrl());
            ds.setUser(pg.endpoint("postgres").user());
            ds.setPassword(pg.endpoint("postgres").password());
            Flyway.configure()
                    .dataSource(ds)
                    .locations("classpath:db/migration")
                    .target("1")
                    .load()
                    .migrate();
            try (var c = ds.getConnection();
                    var st = c.createStatement()) {
                st.execute("insert into model_versions(name, version, manifest_digest, aliases) values"
                        + " ('old-gen', 1, '" + bundle + "', 'champion'), ('old-gen', 2, '" + bundle2
                        + "', 'challenger, staging')");
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
            MetadataDb db = MetadataDb.connect(pg.endpoint("postgres"));
            ModelRegistry registry = new ModelRegistry(db, store);
            assertEquals(Map.of("champion", 1, "challenger", 2, "staging", 2), registry.aliases("old-gen"));
            assertEquals(1, registry.resolve("old-gen@champion").version());
            assertEquals(
                    Map.of("diffusion", component),
                    registry.resolve("old-gen@champion").components());
            assertEquals(1.0, registry.resolve("old-gen@staging").metrics().get("fid"));
            String other =
                    store.putBytes("weights 3".getBytes(StandardCharsets.UTF_8)).digest();
            assertEquals(
                    3,
                    registry.register("old-gen", Map.of("diffusion", other), Map.of(), Map.of())
                            .version(),
                    "numbering continues after the versions written under V1");
        }
    }
}
