package dev.causalcxr.infra.stack;

import dev.causalcxr.core.spec.ValidationException;
import dev.causalcxr.infra.metadata.DbEndpoint;
import dev.causalcxr.infra.objectstore.S3Endpoint;
import dev.causalcxr.infra.tracking.MlflowServer.ArtifactMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Which parts of the platform are embedded and which are configured services. Every configured
 * endpoint switches one part to the real service; the code path through the clients is the same.
 *
 * @param dataDir        where embedded parts keep their state (PostgreSQL, S3 bucket, MLflow venv)
 * @param s3             {@code CAUSALCXR_S3_ENDPOINT}, {@code _ACCESS_KEY}, {@code _SECRET_KEY}, {@code _BUCKET}
 * @param db             {@code CAUSALCXR_DB_URL}, {@code _USER}, {@code _PASSWORD}
 * @param mlflowUri      {@code MLFLOW_TRACKING_URI}
 * @param mlflowEnabled  {@code CAUSALCXR_MLFLOW}: {@code auto} (default, true) or {@code off} (false)
 * @param artifactMode   {@code CAUSALCXR_MLFLOW_ARTIFACTS}: {@code proxy} (default) or {@code s3}
 * @param temporalAddress {@code TEMPORAL_ADDRESS}, with {@code TEMPORAL_NAMESPACE}
 * @param mlflowVenv     {@code CAUSALCXR_MLFLOW_VENV}: where the embedded MLflow server is installed
 *                       (default {@code <data-dir>/mlflow/venv}; one venv can serve several data folders)
 * @param mlflowSiteOwned {@code CAUSALCXR_MLFLOW_SITE_OWNED=true}: the configured {@code MLFLOW_TRACKING_URI} is the
 *                       site's own server (a running {@code causalcxr stack} says so to the processes that join it),
 *                       which may receive pictures of real studies; the embedded server always is
 */
public record StackConfig(
        Path dataDir,
        Optional<S3Endpoint> s3,
        Optional<DbEndpoint> db,
        Optional<String> mlflowUri,
        boolean mlflowEnabled,
        ArtifactMode artifactMode,
        Optional<String> temporalAddress,
        String temporalNamespace,
        Path mlflowVenv,
        boolean mlflowSiteOwned) {

    public static final String DEFAULT_BUCKET = "causalcxr";

    public static StackConfig fromEnvironment(Path dataDir) {
        return fromEnvironment(dataDir, System.getenv());
    }

    /** Reads the environment; every problem is reported at once. */
    public static StackConfig fromEnvironment(Path dataDir, Map<String, String> env) {
        List<String> problems = new ArrayList<>();
        Optional<S3Endpoint> s3 = Optional.empty();
        String s3Url = blankToNull(env.get("CAUSALCXR_S3_ENDPOINT"));
        if (s3Url != null) {
            String ak = blankToNull(env.get("CAUSALCXR_S3_ACCESS_KEY"));
            String sk = blankToNull(env.get("CAUSALCXR_S3_SECRET_KEY"));
            if (ak == null) {
                problems.add("CAUSALCXR_S3_ACCESS_KEY is required with CAUSALCXR_S3_ENDPOINT");
            }
            if (sk == null) {
                problems.add("CAUSALCXR_S3_SECRET_KEY is required with CAUSALCXR_S3_ENDPOINT");
            }
            if (!s3Url.startsWith("http://") && !s3Url.startsWith("https://")) {
                problems.add("CAUSALCXR_S3_ENDPOINT must be an http(s) URL");
            }
            s3 = Optional.of(new S3Endpoint(
                    s3Url,
                    ak,
                    sk,
                    Optional.ofNullable(blankToNull(env.get("CAUSALCXR_S3_BUCKET")))
                            .orElse(DEFAULT_BUCKET)));
        }
        Optional<DbEndpoint> db = Optional.empty();
        String dbUrl = blankToNull(env.get("CAUSALCXR_DB_URL"));
        if (dbUrl != null) {
            if (!dbUrl.startsWith("jdbc:postgresql://")) {
                problems.add("CAUSALCXR_DB_URL must be a jdbc:postgresql:// URL");
            }
            db = Optional.of(new DbEndpoint(
                    dbUrl,
                    Optional.ofNullable(env.get("CAUSALCXR_DB_USER")).orElse("postgres"),
                    Optional.ofNullable(env.get("CAUSALCXR_DB_PASSWORD")).orElse("")));
        }
        Optional<String> mlflowUri = Optional.ofNullable(blankToNull(env.get("MLFLOW_TRACKING_URI")));
        if (mlflowUri.isPresent() && !mlflowUri.get().matches("https?://.+")) {
            problems.add(
                    "MLFLOW_TRACKING_URI must be an http(s):// URL of a tracking server (file stores are not supported)");
        }
        String mode = Optional.ofNullable(blankToNull(env.get("CAUSALCXR_MLFLOW")))
                .orElse("auto")
                .toLowerCase(Locale.ROOT);
        if (!mode.equals("auto") && !mode.equals("off")) {
            problems.add("CAUSALCXR_MLFLOW must be auto or off, not " + mode);
        }
        String art = Optional.ofNullable(blankToNull(env.get("CAUSALCXR_MLFLOW_ARTIFACTS")))
                .orElse("proxy")
                .toLowerCase(Locale.ROOT);
        if (!art.equals("proxy") && !art.equals("s3")) {
            problems.add("CAUSALCXR_MLFLOW_ARTIFACTS must be proxy or s3, not " + art);
        }
        if (!problems.isEmpty()) {
            throw new ValidationException("invalid configuration:\n  - " + String.join("\n  - ", problems));
        }
        Path dir = dataDir.toAbsolutePath().normalize();
        Path venv = Optional.ofNullable(blankToNull(env.get("CAUSALCXR_MLFLOW_VENV")))
                .map(Path::of)
                .orElse(dir.resolve("mlflow/venv"))
                .toAbsolutePath();
        return new StackConfig(
                dir,
                s3,
                db,
                mlflowUri,
                mode.equals("auto"),
                art.equals("s3") ? ArtifactMode.S3_DIRECT : ArtifactMode.SERVER_PROXY,
                Optional.ofNullable(blankToNull(env.get("TEMPORAL_ADDRESS"))),
                Optional.ofNullable(blankToNull(env.get("TEMPORAL_NAMESPACE"))).orElse("default"),
                venv,
                "true".equalsIgnoreCase(blankToNull(env.get("CAUSALCXR_MLFLOW_SITE_OWNED"))));
    }

    public StackConfig withArtifactMode(ArtifactMode mode) {
        return new StackConfig(
                dataDir,
                s3,
                db,
                mlflowUri,
                mlflowEnabled,
                mode,
                temporalAddress,
                temporalNamespace,
                mlflowVenv,
                mlflowSiteOwned);
    }

    public StackConfig withMlflowEnabled(boolean enabled) {
        return new StackConfig(
                dataDir,
                s3,
                db,
                mlflowUri,
                enabled,
                artifactMode,
                temporalAddress,
                temporalNamespace,
                mlflowVenv,
                mlflowSiteOwned);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
