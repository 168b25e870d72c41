package dev.causalcxr.cli.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.cli.Main;
import dev.causalcxr.core.imaging.GrayImage;
import dev.causalcxr.core.imaging.ImageCodec;
import dev.causalcxr.infra.stack.PlatformStack;
import dev.causalcxr.infra.stack.StackConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A tiny pipeline run (60 phantom studies, a few training steps) that registers a model, as
 * {@code CounterfactualCommandTest} trains one; the stack over its data folder; and a client that
 * speaks multipart. Shared by the service tests and the browser test.
 */
final class ServeFixture {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String MODEL = "serve-test";

    final Path dir;
    final Path data;
    final Path image;
    final String reference;

    ServeFixture(Path dir) throws Exception {
        System.setProperty("CAUSALCXR_MLFLOW", "off");
        this.dir = dir;
        data = dir.resolve("data");
        Path spec = dir.resolve("tiny.yaml");
        Files.writeString(spec, """
                name: serve-test
                seed: 5
                dataset: {studies: 60, image_size: 64}
                run: [parse-reports, train-disentangler, train-diffusion]
                stages:
                  parse-reports: {}
                  train-disentangler: {steps: 6, batch_size: 8, pairs_per_kind: 2, base_width: 4, id_channels: 4,
                                       path_dim: 4, head_hidden: 8, run_ablation: false, eval_pairs: 8,
                                       grid_identities: 2, grid_pathologies: 2}
                  train-diffusion: {train_steps: 30, hidden: 32, blocks: 1, condition_dim: 8, batch_size: 32,
                                    log_interval: 10}
                """);
        Path summary = dir.resolve("summary.json");
        int code = Main.execute(
                "run", "--spec", spec.toString(), "--data-dir", data.toString(), "--summary-json", summary.toString());
        JsonNode s = JSON.readTree(summary.toFile());
        assertEquals(0, code, s.toString());
        reference = s.path("model").asText();
        image = dir.resolve("source.png");
        Files.write(image, ImageCodec.encodePng16(noise(96, 80, 3)));
    }

    /**
     * The data set's pseudonym of a phantom study folder name ({@code s50000001}): the phantom's key is derived
     * from the ingest stage's seed (spec seed 5).
     */
    static String study(String rawStudyId) {
        return new dev.causalcxr.core.dataset.Pseudonymizer(dev.causalcxr.infra.datasets.PseudonymKeys.forPhantom(
                        dev.causalcxr.core.spec.ExperimentSpec.parseYaml("name: serve-test\nseed: 5\n")
                                .stageSeed(dev.causalcxr.core.spec.StageName.INGEST)))
                .study(rawStudyId);
    }

    /** The CLI's answer to a request: {@code counterfactual ... --out DIR}. */
    Path cli(String name, String... args) {
        Path out = dir.resolve(name);
        String[] all = new String[args.length + 6];
        all[0] = "counterfactual";
        all[1] = "--data-dir";
        all[2] = data.toString();
        all[3] = "--out";
        all[4] = out.toString();
        all[5] = "--model";
        System.arraycopy(args, 0, all, 6, args.length);
        assertEquals(0, Main.execute(all), "the CLI answered " + String.join(" ", args));
        return out;
    }

    PlatformStack stack() {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("CAUSALCXR_MLFLOW", "off");
        return PlatformStack.start(StackConfig.fromEnvironment(data, env).withMlflowEnabled(false), false);
    }

    static GrayImage noise(int width, int height, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] px = new float[width * height];
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) (0.3 + 0.4 * r.nextDouble() + 0.2 * Math.sin(i / 97.0));
        }
        return GrayImage.fromUnit(width, height, px);
    }

    /** A multipart/form-data body. */
    static final class Form {
        final String boundary = "----cxrTest" + Long.toHexString(System.nanoTime());
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Form field(String name, Object value) {
            write("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value
                    + "\r\n");
            return this;
        }

        Form file(String name, String filename, String type, byte[] bytes) {
            write("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"; filename=\"" + filename
                    + "\"\r\nContent-Type: " + type + "\r\n\r\n");
            out.writeBytes(bytes);
            write("\r\n");
            return this;
        }

        byte[] bytes() {
            ByteArrayOutputStream copy = new ByteArrayOutputStream();
            copy.writeBytes(out.toByteArray());
            copy.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
            return copy.toByteArray();
        }

        String contentType() {
            return "multipart/form-data; boundary=" + boundary;
        }

        private void write(String s) {
            out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** A client of one service. */
    static final class Client {
        final HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        final URI base;
        final String token;

        Client(URI base, String token) {
            this.base = base;
            this.token = token;
        }

        HttpRequest.Builder request(String path) {
            HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofMinutes(2));
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            return b;
        }

        HttpResponse<byte[]> post(Form form) throws IOException, InterruptedException {
            return post(form.contentType(), form.bytes(), null);
        }

        HttpResponse<byte[]> post(String contentType, byte[] body, String accept)
                throws IOException, InterruptedException {
            HttpRequest.Builder b = request("/v1/counterfactuals")
                    .header("Content-Type", contentType)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            if (accept != null) {
                b.header("Accept", accept);
            }
            return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        }

        HttpResponse<byte[]> get(String path) throws IOException, InterruptedException {
            return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        }

        JsonNode json(HttpResponse<byte[]> r) throws IOException {
            return JSON.readTree(r.body());
        }

        /** Every counterfactual of a JSON answer, by name. */
        Map<String, byte[]> images(JsonNode answer) throws IOException, InterruptedException {
            Map<String, byte[]> out = new LinkedHashMap<>();
            for (JsonNode c : answer.path("counterfactuals")) {
                HttpResponse<byte[]> r = get(c.path("url").asText());
                assertEquals(200, r.statusCode());
                out.put(c.path("name").asText(), r.body());
            }
            return out;
        }
    }
}
