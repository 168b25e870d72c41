package dev.causalcxr.cli.serve;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.causalcxr.core.imaging.ImageCodec;
import dev.causalcxr.infra.registry.ModelVersion;
import dev.causalcxr.infra.stack.PlatformStack;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The service on an ephemeral loopback port over a tiny registered model, driven by a real HTTP
 * client: the CLI's bytes for the same request, batching that changes no answer, bad input, a client
 * that goes away, a full queue, deadlines, the token, alias moves, and logs without request data.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CounterfactualServiceTest {
    static final String FINDING = "moderate right pleural effusion";

    @TempDir
    static Path dir;

    static ServeFixture fx;
    static PlatformStack stack;
    static ServiceHost host;
    static ServeFixture.Client client;
    static Path cliImage;
    static Path cliStudy;
    static final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    /** While set, the model's worker waits before each batch (a busy model, deterministically). */
    static final AtomicBoolean hold = new AtomicBoolean();

    static volatile CountDownLatch release = new CountDownLatch(0);

    @BeforeAll
    static void start() throws Exception {
        fx = new ServeFixture(dir);
        // the CLI's answers first: it starts its own embedded stack on the data folder
        cliImage = fx.cli(
                "cli-image",
                ServeFixture.MODEL,
                "--image",
                fx.image.toString(),
                "--finding",
                FINDING,
                "--n",
                "3",
                "--steps",
                "10",
                "--seed",
                "11");
        cliStudy = fx.cli(
                "cli-study",
                ServeFixture.MODEL,
                "--dataset",
                "phantom-quick",
                "--study",
                ServeFixture.study("s50000001"),
                "--finding",
                "no finding",
                "--n",
                "2",
                "--steps",
                "10",
                "--seed",
                "4",
                "--guidance",
                "1.5");
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        logs.start();
        root.addAppender(logs);
        stack = fx.stack();
        ServeSettings settings = ServeSettings.defaults()
                .withQueue(4, 32)
                .withUploadLimits(2L << 20, 4096L * 4096L)
                .withPollInterval(Duration.ofMillis(200));
        host = ServiceHost.start(stack, ServeFixture.MODEL, settings, runner -> batch -> {
            if (hold.get()) {
                release.await(60, TimeUnit.SECONDS);
            }
            return runner.run(batch);
        });
        client = new ServeFixture.Client(host.server().uri(), null);
    }

    @AfterAll
    static void stop() {
        if (host != null) {
            host.close();
        }
        if (stack != null) {
            stack.close();
        }
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        System.clearProperty("CAUSALCXR_MLFLOW");
    }

    static ServeFixture.Form imageRequest(String finding, int n, long seed) throws Exception {
        return new ServeFixture.Form()
                .file("image", "patient-jane-doe.png", "image/png", Files.readAllBytes(fx.image))
                .field("finding", finding)
                .field("n", n)
                .field("steps", 10)
                .field("seed", seed);
    }

    private static void awaitQueue(int depth, int running) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < until) {
            int[] q = host.server().queueState();
            if (q[0] == depth && q[1] == running) {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("queue never reached depth " + depth + ", running " + running + ": "
                + java.util.Arrays.toString(host.server().queueState()));
    }

    @Test
    @Order(1)
    void theServiceAnswersWithTheClisBytesForTheSameRequest() throws Exception {
        HttpResponse<byte[]> r = client.post(imageRequest(FINDING, 3, 11));
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        JsonNode a = client.json(r);
        assertEquals(fx.reference, a.path("model").asText());
        assertEquals(11, a.path("seed").asLong());
        assertEquals(3, a.path("counterfactuals").size());
        Map<String, byte[]> images = client.images(a);
        for (String name : List.of("counterfactual-01.png", "counterfactual-02.png", "counterfactual-03.png")) {
            assertArrayEquals(Files.readAllBytes(cliImage.resolve(name)), images.get(name), name + ": service = CLI");
        }
        for (String name : List.of("source.png", "contact-sheet.png")) {
            String url = a.path("files")
                    .path(name.equals("source.png") ? "source" : "contact_sheet")
                    .asText();
            assertArrayEquals(
                    Files.readAllBytes(cliImage.resolve(name)), client.get(url).body(), name);
        }
        JsonNode cliDoc = ServeFixture.JSON.readTree(
                cliImage.resolve("counterfactuals.json").toFile());
        for (String k : List.of(
                "model",
                "bundle_digest",
                "request",
                "condition",
                "seed",
                "n",
                "guidance",
                "ddim_steps",
                "tail_prior",
                "images",
                "model_provenance")) {
            assertEquals(cliDoc.get(k), a.get(k), k);
        }
        assertEquals(96, a.at("/source/width").asInt());
        assertEquals(64, a.at("/source/fitted_into").asInt());
        assertFalse(a.toString().contains("jane-doe"), "the upload's file name is not kept");
        // the grid as PNG, and everything as a zip: the same bytes
        ServeFixture.Form again = imageRequest(FINDING, 3, 11);
        HttpResponse<byte[]> png = client.post(again.contentType(), again.bytes(), "image/png");
        assertEquals("image/png", png.headers().firstValue("Content-Type").orElse(""));
        assertArrayEquals(Files.readAllBytes(cliImage.resolve("contact-sheet.png")), png.body());
        HttpResponse<byte[]> zip = client.post(imageRequest(FINDING, 3, 11).field("format", "zip"));
        Map<String, byte[]> entries = unzip(zip.body());
        assertArrayEquals(
                Files.readAllBytes(cliImage.resolve("counterfactual-02.png")), entries.get("counterfactual-02.png"));
        assertTrue(
                entries.containsKey("difference-01.png") && entries.containsKey("counterfactuals.json"),
                entries.keySet().toString());
        BufferedImage overlay = ImageIO.read(new ByteArrayInputStream(entries.get("difference-01.png")));
        assertEquals(64, overlay.getWidth());
    }

    @Test
    @Order(2)
    void aStudyOfAnImportedDatasetGivesTheClisBytesToo() throws Exception {
        String body = "{\"dataset\":\"phantom-quick\",\"study\":\"" + ServeFixture.study("s50000001")
                + "\",\"finding\":\"no finding\",\"n\":2," + "\"steps\":10,\"seed\":4,\"guidance\":1.5}";
        HttpResponse<byte[]> r = client.post("application/json", body.getBytes(StandardCharsets.UTF_8), null);
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        Map<String, byte[]> images = client.images(client.json(r));
        assertArrayEquals(
                Files.readAllBytes(cliStudy.resolve("counterfactual-01.png")), images.get("counterfactual-01.png"));
        assertArrayEquals(
                Files.readAllBytes(cliStudy.resolve("counterfactual-02.png")), images.get("counterfactual-02.png"));

        JsonNode datasets = client.json(client.get("/v1/datasets"));
        String ref = datasets.at("/datasets/0/reference").asText();
        assertTrue(ref.startsWith("phantom-quick@"), datasets.toString());
        JsonNode studies = client.json(client.get("/v1/datasets/" + ref + "/studies?limit=5"));
        assertEquals(5, studies.path("studies").size());
        HttpResponse<byte[]> img =
                client.get("/v1/datasets/" + ref + "/studies/" + ServeFixture.study("s50000001") + "/image");
        assertEquals(200, img.statusCode());
        assertEquals(64, ImageCodec.decode(img.body()).width());
        assertEquals(
                404,
                client.get("/v1/datasets/" + ref + "/studies/" + ServeFixture.study("s49999999") + "/image")
                        .statusCode());
        assertEquals(404, client.get("/v1/datasets/nope/studies").statusCode());
    }

    @Test
    @Order(3)
    void concurrentRequestsAreBatchedAndEachGetsTheBitsItGetsAlone() throws Exception {
        String[] findings = {
            FINDING, "left pleural effusion", "no finding", "mild bilateral pleural effusion", "effusion"
        };
        List<ServeFixture.Form> forms = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ServeFixture.Form f = imageRequest(findings[i % findings.length], 1 + i % 4, 100 + i);
            if (i % 3 == 0) {
                f.field("guidance", "1.0");
            }
            forms.add(f);
        }
        // alone: one at a time
        List<Map<String, byte[]>> alone = new ArrayList<>();
        for (ServeFixture.Form f : forms) {
            HttpResponse<byte[]> r = client.post(f);
            assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
            alone.add(client.images(client.json(r)));
        }
        double batchesBefore = metric("causalcxr_batches_total");
        // together: the model held until all twelve wait, then run as one batch
        hold.set(true);
        release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(12);
        ServeSettings wide = ServeSettings.defaults().withQueue(16, 32);
        try (ServiceHost batching = ServiceHost.start(stack, ServeFixture.MODEL, wide, runner -> batch -> {
            if (hold.get()) {
                release.await(60, TimeUnit.SECONDS);
            }
            return runner.run(batch);
        })) {
            ServeFixture.Client c = new ServeFixture.Client(batching.server().uri(), null);
            List<Future<HttpResponse<byte[]>>> answers = new ArrayList<>();
            answers.add(pool.submit(() -> c.post(forms.get(0))));
            awaitRunning(batching, 0, 1);
            for (int i = 1; i < forms.size(); i++) {
                ServeFixture.Form f = forms.get(i);
                answers.add(pool.submit(() -> c.post(f)));
            }
            awaitRunning(batching, forms.size() - 1, 1);
            hold.set(false);
            release.countDown();
            for (int i = 0; i < forms.size(); i++) {
                HttpResponse<byte[]> r = answers.get(i).get(120, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode());
                Map<String, byte[]> together = c.images(c.json(r));
                assertEquals(alone.get(i).keySet(), together.keySet());
                for (String name : together.keySet()) {
                    assertArrayEquals(alone.get(i).get(name), together.get(name), "request " + i + " " + name);
                }
            }
            String text = batching.metrics().render();
            assertTrue(text.contains("causalcxr_batches_total 2\n"), "one alone, eleven together:\n" + text);
            assertTrue(text.contains("causalcxr_batch_requests_bucket{le=\"16\"} 2"), text);
            assertTrue(text.contains("causalcxr_batch_requests_bucket{le=\"8\"} 1"), text);
        } finally {
            hold.set(false);
            release.countDown();
            pool.shutdownNow();
        }
        assertEquals(batchesBefore, metric("causalcxr_batches_total"), "the other service was not involved");
    }

    private static void awaitRunning(ServiceHost h, int depth, int running) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < until) {
            int[] q = h.server().queueState();
            if (q[0] == depth && q[1] == running) {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("queue never reached " + depth + "/" + running);
    }

    static double metric(String name) throws Exception {
        String text = new String(client.get("/metrics").body(), StandardCharsets.UTF_8);
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1));
            }
        }
        if (name.contains("{")) {
            return 0;
        }
        throw new AssertionError(name + " not in " + text);
    }

    @Test
    @Order(4)
    void aHundredMalformedRequestsAreAnswered400WithTheirReasonAndTheServiceStaysCorrect() throws Exception {
        byte[] png = Files.readAllBytes(fx.image);
        ByteArrayOutputStream colour = new ByteArrayOutputStream();
        BufferedImage photo = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                photo.setRGB(x, y, (x * 4) << 16 | (y * 4));
            }
        }
        ImageIO.write(photo, "png", colour);
        byte[] huge = new byte[3 << 20];
        System.arraycopy(png, 0, huge, 0, png.length);
        List<Object[]> cases = new ArrayList<>();
        cases.add(new Object[] {
            new ServeFixture.Form()
                    .file("image", "a.txt", "text/plain", "hello".getBytes(UTF_8))
                    .field("finding", FINDING),
            "not an image"
        });
        cases.add(new Object[] {
            new ServeFixture.Form()
                    .file("image", "a.png", "image/png", colour.toByteArray())
                    .field("finding", FINDING),
            "wrong kind of image"
        });
        cases.add(new Object[] {
            new ServeFixture.Form()
                    .file("image", "a.png", "image/png", ImageCodec.encodePng16(ServeFixture.noise(16, 16, 1)))
                    .field("finding", FINDING),
            "wrong kind of image"
        });
        cases.add(new Object[] {
            new ServeFixture.Form().file("image", "a.png", "image/png", huge).field("finding", FINDING), "too large"
        });
        cases.add(new Object[] {
            new ServeFixture.Form().file("image", "a.png", "image/png", png).field("finding", "purple elephant"),
            "unknown finding"
        });
        cases.add(new Object[] {
            new ServeFixture.Form()
                    .file("image", "a.png", "image/png", png)
                    .field("condition", "[{\"finding\":\"Purple Elephant\"}]"),
            "unknown finding"
        });
        cases.add(new Object[] {
            new ServeFixture.Form()
                    .file("image", "a.png", "image/png", png)
                    .field("finding", FINDING)
                    .field("n", 0),
            "n out of range"
        });
        cases.add(new Object[] {
            new ServeFixture.Form()
                    .file("image", "a.png", "image/png", png)
                    .field("finding", FINDING)
                    .field("n", 65),
            "n out of range"
        });
        cases.add(new Object[] {
            new ServeFixture.Form()
                    .file("image", "a.png", "image/png", png)
                    .field("finding", FINDING)
                    .field("steps", 5000),
            "steps out of range"
        });
        cases.add(new Object[] {new ServeFixture.Form().field("finding", FINDING), "no source image"});
        cases.add(new Object[] {
            new ServeFixture.Form()
                    .file("image", "a.png", "image/png", png)
                    .field("finding", FINDING)
                    .field("shoe_size", 9),
            "unknown form field"
        });
        cases.add(new Object[] {"garbage", "malformed multipart"});
        cases.add(new Object[] {"json", "not valid JSON"});
        cases.add(new Object[] {"plain", "Content-Type"});
        for (int i = 0; i < 100; i++) {
            Object[] c = cases.get(i % cases.size());
            HttpResponse<byte[]> r;
            if (c[0] instanceof ServeFixture.Form f) {
                r = client.post(f);
            } else if (c[0].equals("garbage")) {
                r = client.post("multipart/form-data; boundary=xyz", "--abc\r\nnonsense".getBytes(UTF_8), null);
            } else if (c[0].equals("json")) {
                r = client.post("application/json", "{\"finding\": ".getBytes(UTF_8), null);
            } else {
                r = client.post("text/plain", "moderate effusion".getBytes(UTF_8), null);
            }
            String body = new String(r.body(), StandardCharsets.UTF_8);
            assertEquals(400, r.statusCode(), "case " + i + ": " + body);
            JsonNode e = ServeFixture.JSON.readTree(body);
            assertTrue(e.path("error").asText().contains((String) c[1]), "case " + i + ": " + body);
            assertFalse(
                    body.contains("IHDR") || body.contains("hello") || body.contains("nonsense"),
                    "the reason does not echo the upload: " + body);
        }
        assertEquals(
                404,
                client.post(imageRequest(FINDING, 1, 1).field("model", "no-such-model"))
                        .statusCode());
        assertEquals(405, client.get("/v1/counterfactuals").statusCode());
        assertEquals(404, client.get("/v1/nothing-here").statusCode());
        assertEquals(
                404,
                client.get("/v1/results/00000000000000000000000000000000/counterfactual-01.png")
                        .statusCode());
        // still correct afterwards
        Map<String, byte[]> images = client.images(client.json(client.post(imageRequest(FINDING, 3, 11))));
        assertArrayEquals(
                Files.readAllBytes(cliImage.resolve("counterfactual-03.png")), images.get("counterfactual-03.png"));
    }

    @Test
    @Order(5)
    void aClientThatDisconnectsMidRequestDisturbsNoOtherAnswer() throws Exception {
        ServeFixture.Form form = imageRequest(FINDING, 3, 11);
        byte[] body = form.bytes();
        String type = form.contentType();
        // 1: gone half-way through its upload
        try (Socket s = new Socket(host.server().uri().getHost(), host.server().port())) {
            OutputStream out = s.getOutputStream();
            out.write(
                    ("POST /v1/counterfactuals HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=zz\r\n"
                                    + "Content-Length: " + body.length + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            out.write(body, 0, body.length / 2);
            out.flush();
        }
        // 2: gone while its request waits for the (held) model; 3: a client that stays
        hold.set(true);
        release = new CountDownLatch(1);
        ServeFixture.Form stays = imageRequest(FINDING, 3, 11);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Socket gone =
                    new Socket(host.server().uri().getHost(), host.server().port());
            String boundary = type.substring(type.indexOf('=') + 1);
            OutputStream out = gone.getOutputStream();
            out.write(("POST /v1/counterfactuals HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary="
                            + boundary + "\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            awaitQueue(0, 1);
            Future<HttpResponse<byte[]>> later = pool.submit(() -> client.post(stays));
            awaitQueue(1, 1);
            gone.close();
            hold.set(false);
            release.countDown();
            HttpResponse<byte[]> r = later.get(60, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode());
            Map<String, byte[]> images = client.images(client.json(r));
            assertArrayEquals(
                    Files.readAllBytes(cliImage.resolve("counterfactual-01.png")), images.get("counterfactual-01.png"));
        } finally {
            hold.set(false);
            release.countDown();
            pool.shutdownNow();
        }
        awaitQueue(0, 0);
        assertEquals(200, client.get("/healthz").statusCode());
        HttpResponse<byte[]> again = client.post(imageRequest("no finding", 2, 5));
        assertEquals(200, again.statusCode());
    }

    @Test
    @Order(6)
    void aFullQueueAnswers429AndLosesNoAdmittedRequest() throws Exception {
        hold.set(true);
        release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<HttpResponse<byte[]>>> admitted = new ArrayList<>();
            admitted.add(pool.submit(() -> client.post(imageRequest(FINDING, 2, 200))));
            awaitQueue(0, 1);
            for (int i = 1; i <= 4; i++) {
                long seed = 200L + i;
                admitted.add(pool.submit(() -> client.post(imageRequest(FINDING, 2, seed))));
                awaitQueue(i, 1);
            }
            double refusedBefore = metric("causalcxr_rejected_requests_total{reason=\"queue_full\"}");
            for (int i = 0; i < 6; i++) {
                HttpResponse<byte[]> r = client.post(imageRequest(FINDING, 2, 300 + i));
                assertEquals(429, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
                assertEquals("1", r.headers().firstValue("Retry-After").orElse(""));
            }
            assertEquals(refusedBefore + 6, metric("causalcxr_rejected_requests_total{reason=\"queue_full\"}"));
            assertEquals(4, metric("causalcxr_queue_depth"));
            hold.set(false);
            release.countDown();
            for (int i = 0; i < admitted.size(); i++) {
                HttpResponse<byte[]> r = admitted.get(i).get(60, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode());
                JsonNode a = client.json(r);
                assertEquals(200 + i, a.path("seed").asLong(), "each client got its own answer");
                HttpResponse<byte[]> alone = client.post(imageRequest(FINDING, 2, 200 + i));
                assertEquals(
                        client.images(client.json(alone)).keySet(),
                        client.images(a).keySet());
                byte[] x = client.images(a).get("counterfactual-02.png");
                byte[] y = client.images(client.json(alone)).get("counterfactual-02.png");
                assertArrayEquals(y, x, "request " + i);
            }
        } finally {
            hold.set(false);
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    @Order(7)
    void aRequestNotAnsweredWithinItsDeadlineGets504() throws Exception {
        hold.set(true);
        release = new CountDownLatch(1);
        try {
            long t = System.nanoTime();
            HttpResponse<byte[]> r = client.post(imageRequest(FINDING, 2, 1).field("deadline_ms", 300));
            long ms = (System.nanoTime() - t) / 1_000_000;
            assertEquals(504, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
            assertTrue(ms >= 250 && ms < 20_000, ms + " ms");
        } finally {
            hold.set(false);
            release.countDown();
        }
        awaitQueue(0, 0);
        assertTrue(metric("causalcxr_rejected_requests_total{reason=\"deadline\"}") >= 1);
        assertEquals(200, client.post(imageRequest(FINDING, 1, 2)).statusCode());
    }

    @Test
    @Order(8)
    void modelsProbesAndMetricsAnswer() throws Exception {
        JsonNode m = client.json(client.get("/v1/models"));
        assertEquals(fx.reference, m.path("served").asText());
        assertEquals(ServeFixture.MODEL, m.path("served_reference").asText());
        assertEquals(64, m.at("/served_model/image_size").asInt());
        // the fixture's run had no counterfactual stage: the defaults, and the page is told so
        assertEquals(2.0, m.at("/served_model/sampler/guidance").asDouble(), m.toString());
        assertEquals(50, m.at("/served_model/sampler/ddim_steps").asInt());
        assertFalse(m.at("/served_model/sampler/recorded").asBoolean());
        assertTrue(m.at("/served_model/findings").toString().contains("Pleural Effusion"), m.toString());
        assertTrue(m.path("versions").size() >= 1);
        assertTrue(m.at("/versions/0/provenance/git_commit").isTextual(), m.toString());
        assertEquals(16, m.at("/vocabulary/findings").size());
        assertEquals("ok\n", new String(client.get("/healthz").body(), StandardCharsets.UTF_8));
        assertEquals(200, client.get("/readyz").statusCode());
        HttpResponse<byte[]> metrics = client.get("/metrics");
        assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        String text = new String(metrics.body(), StandardCharsets.UTF_8);
        assertTrue(
                text.contains(
                        "causalcxr_http_requests_total{method=\"POST\",route=\"/v1/counterfactuals\",code=\"200\"}"),
                text);
        assertTrue(
                text.contains(
                        "causalcxr_http_request_duration_seconds_bucket{method=\"POST\",route=\"/v1/counterfactuals\",le=\"+Inf\"}"),
                text);
        assertTrue(text.contains("causalcxr_queue_depth 0"), text);
        assertTrue(text.contains("route=\"/v1/results/{id}/{file}\""), "routes are templates: " + text);
        HttpResponse<byte[]> page = client.get("/");
        assertEquals(200, page.statusCode());
        assertTrue(new String(page.body(), StandardCharsets.UTF_8).contains("<script src=\"app.js\""));
        assertEquals(200, client.get("/app.js").statusCode());
    }

    @Test
    @Order(9)
    void withATokenTheApiNeedsItAndTheProbesAndPageDoNot() throws Exception {
        String token = "correct-horse-battery-staple-42";
        try (ServiceHost guarded = ServiceHost.start(
                stack, ServeFixture.MODEL, ServeSettings.defaults().withToken(token))) {
            ServeFixture.Client anonymous =
                    new ServeFixture.Client(guarded.server().uri(), null);
            ServeFixture.Client wrong = new ServeFixture.Client(guarded.server().uri(), "not-the-token-at-all-000");
            ServeFixture.Client right = new ServeFixture.Client(guarded.server().uri(), token);
            assertEquals(401, anonymous.get("/v1/models").statusCode());
            assertEquals(
                    "Bearer",
                    anonymous
                            .get("/v1/models")
                            .headers()
                            .firstValue("WWW-Authenticate")
                            .orElse(""));
            assertEquals(401, wrong.get("/v1/models").statusCode());
            assertEquals(401, anonymous.get("/metrics").statusCode());
            assertEquals(401, anonymous.post(imageRequest(FINDING, 1, 1)).statusCode());
            assertEquals(200, right.get("/v1/models").statusCode());
            assertEquals(200, anonymous.get("/healthz").statusCode());
            assertEquals(200, anonymous.get("/readyz").statusCode());
            assertEquals(200, anonymous.get("/").statusCode());
            HttpResponse<byte[]> r = right.post(imageRequest(FINDING, 1, 1));
            assertEquals(200, r.statusCode());
            assertEquals(
                    401,
                    anonymous
                            .get(right.json(r).at("/counterfactuals/0/url").asText())
                            .statusCode());
        }
    }

    @Test
    @Order(10)
    void theServedModelFollowsItsAliasAndARequestMayNameAnotherVersion() throws Exception {
        ModelVersion one = stack.registry().resolve(fx.reference);
        Map<String, String> provenance = new HashMap<>(one.provenance());
        provenance.put("note", "a second version with the same files");
        provenance.remove("pipeline_run_id");
        ModelVersion two = stack.registry().register(ServeFixture.MODEL, one.components(), provenance, one.metrics());
        assertNotEquals(one.version(), two.version());
        stack.registry().setAlias(ServeFixture.MODEL, "champion", one.version());
        ServeSettings fast = ServeSettings.defaults().withPollInterval(Duration.ofMillis(100));
        try (ServiceHost champion = ServiceHost.start(stack, ServeFixture.MODEL + "@champion", fast)) {
            ServeFixture.Client c = new ServeFixture.Client(champion.server().uri(), null);
            assertEquals(
                    one.reference(),
                    c.json(c.post(imageRequest(FINDING, 1, 1))).path("model").asText());
            stack.registry().setAlias(ServeFixture.MODEL, "champion", two.version());
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!champion.models().served().reference().equals(two.reference()) && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            JsonNode after = c.json(c.post(imageRequest(FINDING, 1, 1)));
            assertEquals(two.reference(), after.path("model").asText(), "the alias moved: the service followed");
            JsonNode named = c.json(c.post(imageRequest(FINDING, 1, 1).field("model", one.reference())));
            assertEquals(one.reference(), named.path("model").asText());
            assertArrayEquals(
                    c.images(after).get("counterfactual-01.png"),
                    c.images(named).get("counterfactual-01.png"),
                    "same files, same seed: same image");
            assertTrue(c.json(c.get("/v1/models")).path("loaded").size() >= 1);
            assertTrue(
                    champion.metrics().render().contains("causalcxr_model_loads_total 2"), "loaded once per version");
            // a third version named by a request: at most two stay loaded, the least recently used goes
            provenance.put("note", "a third version");
            ModelVersion three =
                    stack.registry().register(ServeFixture.MODEL, one.components(), provenance, one.metrics());
            JsonNode third = c.json(c.post(imageRequest(FINDING, 1, 1).field("model", three.reference())));
            assertEquals(three.reference(), third.path("model").asText());
            String text = champion.metrics().render();
            assertTrue(
                    text.contains("causalcxr_models_loaded 2\n") && text.contains("causalcxr_model_loads_total 3\n"),
                    text);
            JsonNode oneAgain = c.json(c.post(imageRequest(FINDING, 1, 1).field("model", one.reference())));
            assertEquals(one.reference(), oneAgain.path("model").asText());
            assertTrue(
                    champion.metrics().render().contains("causalcxr_model_loads_total 4\n"), "evicted, loaded again");
            assertArrayEquals(
                    c.images(named).get("counterfactual-01.png"),
                    c.images(oneAgain).get("counterfactual-01.png"));
        }
    }

    @Test
    @Order(11)
    void aRequestWithoutSamplerSettingsGetsThoseTheModelsRunUsed() throws Exception {
        ModelVersion one = stack.registry().resolve(fx.reference);
        ModelVersion recorded = reregisteredRecording(
                one, Map.of("sampler.guidance", "3.5", "sampler.ddim_steps", "10", "sampler.eta", "0.0"));
        ServeFixture.Form bare = new ServeFixture.Form()
                .file("image", "x.png", "image/png", Files.readAllBytes(fx.image))
                .field("finding", FINDING)
                .field("n", 2)
                .field("seed", 3)
                .field("model", recorded.reference());
        JsonNode byModel = client.json(client.post(bare));
        assertEquals(3.5, byModel.path("guidance").asDouble(), byModel.toString());
        assertEquals(10, byModel.path("ddim_steps").asInt(), byModel.toString());
        JsonNode explicit = client.json(
                client.post(imageRequest(FINDING, 2, 3).field("guidance", "3.5").field("model", one.reference())));
        assertArrayEquals(
                client.images(explicit).get("counterfactual-02.png"),
                client.images(byModel).get("counterfactual-02.png"),
                "the model's guidance 3.5 = guidance 3.5 asked for");
        JsonNode asked = client.json(
                client.post(imageRequest(FINDING, 2, 3).field("guidance", "1.0").field("model", recorded.reference())));
        assertEquals(1.0, asked.path("guidance").asDouble(), "a request's own setting wins");
        // a version registered before models recorded their sampler: the old defaults
        JsonNode old = client.json(client.post(imageRequest(FINDING, 1, 3).field("model", one.reference())));
        assertEquals(2.0, old.path("guidance").asDouble(), old.toString());
    }

    @Test
    @Order(12)
    void aModelWhoseRunComposedLocallyServesLocalizedCounterfactuals() throws Exception {
        ModelVersion one = stack.registry().resolve(fx.reference);
        ModelVersion localized = reregisteredRecording(
                one,
                Map.of(
                        dev.causalcxr.activities.pipeline.ModelComponents.COMPOSITION,
                        "localized",
                        dev.causalcxr.activities.pipeline.ModelComponents.COMPOSITION_LOCALIZE_THRESHOLD,
                        "0.9"));
        JsonNode residual = client.json(client.post(imageRequest(FINDING, 2, 3).field("model", one.reference())));
        JsonNode local = client.json(client.post(imageRequest(FINDING, 2, 3).field("model", localized.reference())));
        assertEquals("residual", residual.path("composition").asText(), "a model that records none: " + residual);
        assertEquals("localized", local.path("composition").asText(), local.toString());
        assertEquals(0.9, local.path("localize_threshold").asDouble(), local.toString());
        Map<String, byte[]> residualImages = client.images(residual);
        Map<String, byte[]> localizedImages = client.images(local);
        assertEquals(residualImages.keySet(), localizedImages.keySet());
        assertFalse(
                java.util.Arrays.equals(
                        residualImages.get("counterfactual-02.png"), localizedImages.get("counterfactual-02.png")),
                "the localized model leaves part of the change out");
    }

    @Test
    @Order(100)
    void theLogsHoldNoRequestTextStudyIdsOrImageBytes() throws Exception {
        String digest = dev.causalcxr.core.files.Digests.sha256Hex(Files.readAllBytes(fx.image));
        List<String> lines = new ArrayList<>();
        synchronized (logs) {
            for (ILoggingEvent e : logs.list) {
                lines.add(e.getFormattedMessage()
                        + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy())));
            }
        }
        assertTrue(lines.stream().anyMatch(l -> l.contains("POST /v1/counterfactuals 200")), lines.toString());
        for (String l : lines) {
            String lower = l.toLowerCase(java.util.Locale.ROOT);
            for (String secret : new String[] {
                "effusion",
                "cardiomegaly",
                "pneumothorax",
                "purple elephant",
                "s50000001",
                ServeFixture.study("s50000001").toLowerCase(java.util.Locale.ROOT),
                "jane-doe",
                digest.substring(0, 16),
                "ihdr"
            }) {
                assertFalse(lower.contains(secret), "log line with '" + secret + "': " + l);
            }
        }
    }

    /** A new version of the same files whose provenance (no pipeline run) also records {@code settings}. */
    private ModelVersion reregisteredRecording(ModelVersion one, Map<String, String> settings) {
        Map<String, String> provenance = new HashMap<>(one.provenance());
        provenance.remove("pipeline_run_id");
        provenance.putAll(settings);
        return stack.registry().register(ServeFixture.MODEL, one.components(), provenance, one.metrics());
    }

    private static Map<String, byte[]> unzip(byte[] zip) throws Exception {
        Map<String, byte[]> out = new HashMap<>();
        try (ZipInputStream z = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
                out.put(e.getName(), z.readAllBytes());
            }
        }
        return out;
    }
}
