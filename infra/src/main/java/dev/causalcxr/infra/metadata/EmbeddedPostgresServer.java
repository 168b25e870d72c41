package dev.causalcxr.infra.metadata;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** PostgreSQL run from the embedded binaries, with its data folder kept across restarts. */
public final class EmbeddedPostgresServer implements AutoCloseable {
    private final EmbeddedPostgres pg;

    private EmbeddedPostgresServer(EmbeddedPostgres pg) {
        this.pg = pg;
    }

    public static EmbeddedPostgresServer start(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setPort(0)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setOutputRedirector(ProcessBuilder.Redirect.DISCARD)
                    .setErrorRedirector(ProcessBuilder.Redirect.appendTo(dataDir.resolveSibling("postgres.log").toFile()))
                    .start();
            return new EmbeddedPostgresServer(pg);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the embedded PostgreSQL in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    public int port() {
        return pg.getPort();
    }

    /** The superuser connection of the embedded server (user and password {@code postgres}). */
    public DbEndpoint endpoint(String database) {
        return new DbEndpoint("jdbc:postgresql://127.0.0.1:" + port() + "/" + database, "postgres", "postgres");
    }

    @Override
    public void close() {
        try {
            pg.close();
        } catch (IOException e) {
            throw new IllegalStateException("cannot stop the embedded PostgreSQL", e);
        }
    }
}
