package dev.causalcxr.infra.metadata;

import java.net.URI;

/** A JDBC URL with its credentials. {@link #toString()} hides the password. */
public record DbEndpoint(String jdbcUrl, String user, String password) {

    /** Host and port, parsed from the JDBC URL (for peers such as the MLflow server). */
    public URI hostUri() {
        return URI.create(jdbcUrl.substring("jdbc:".length()));
    }

    public DbEndpoint withDatabase(String database) {
        URI u = hostUri();
        return new DbEndpoint("jdbc:postgresql://" + u.getHost() + ":" + u.getPort() + "/" + database, user, password);
    }

    @Override
    public String toString() {
        return "DbEndpoint[" + jdbcUrl + ", user=" + user + "]";
    }
}
