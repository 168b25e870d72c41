package dev.causalcxr.infra.tracking;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.causalcxr.infra.objectstore.S3Endpoint;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * For tests against a real MLflow server: a shared virtualenv (installed by the test setup on first
 * use) and a read-back through MLflow's own Python client.
 */
public final class MlflowTestSupport {
    private MlflowTestSupport() {}

    /** One virtualenv for every test run on this machine, so only the first run pays for the install. */
    public static Path sharedVenv() {
        return Path.of(
                System.getProperty("user.home"), ".cache", "causalcxr", "mlflow-venv-" + MlflowServer.MLFLOW_VERSION);
    }

    /** Stack environment with MLflow installed into the shared venv, artifacts as given. */
    public static Map<String, String> env(String artifacts) {
        Map<String, String> env = new HashMap<>();
        env.put("CAUSALCXR_MLFLOW_VENV", sharedVenv().toString());
        env.put("CAUSALCXR_MLFLOW_ARTIFACTS", artifacts);
        return env;
    }

    /**
     * Runs the read-back script with the venv's Python; returns its JSON. {@code s3} lets the Python
     * client list artifacts stored at {@code s3://} URIs (as any user reading them would need).
     */
    public static JsonNode readBack(String trackingUri, String experiment, S3Endpoint s3)
            throws IOException, InterruptedException {
        Path script = Files.createTempFile("mlflow_readback", ".py");
        try (InputStream in = MlflowTestSupport.class.getResourceAsStream("mlflow_readback.py")) {
            Files.write(script, in.readAllBytes());
        }
        ProcessBuilder pb = new ProcessBuilder(
                        sharedVenv().resolve("bin/python").toString(), script.toString(), trackingUri, experiment)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("MLFLOW_S3_ENDPOINT_URL", s3.url());
        pb.environment().put("AWS_ACCESS_KEY_ID", s3.accessKey());
        pb.environment().put("AWS_SECRET_ACCESS_KEY", s3.secretKey());
        pb.environment().put("AWS_DEFAULT_REGION", "us-east-1");
        pb.environment().put("AWS_REQUEST_CHECKSUM_CALCULATION", "when_required");
        pb.environment().put("AWS_RESPONSE_CHECKSUM_VALIDATION", "when_required");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("read-back through the MLflow Python client failed: " + out);
        }
        Files.deleteIfExists(script);
        // a metric may be NaN (cf_gt_ssim of data without ground truth), which Python's json writes as NaN
        return JsonMapper.builder()
                .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                .build()
                .readTree(out);
    }
}
