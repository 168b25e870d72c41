package dev.causalcxr.cli.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.core.diffusion.SamplerConfig;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.Laterality;
import dev.causalcxr.core.findings.Severity;
import dev.causalcxr.core.imaging.GrayImage;
import dev.causalcxr.core.imaging.ImageCodec;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Request fields and uploaded images checked before the model sees them. */
class RequestValidationTest {
    static final ServeSettings S = ServeSettings.defaults();

    static RequestReader.Parsed json(String body) {
        return RequestReader.read("application/json", body.getBytes(StandardCharsets.UTF_8), S);
    }

    static String reason(Runnable r) {
        HttpError e = assertThrows(HttpError.class, r::run);
        assertEquals(400, e.status());
        return e.reason();
    }

    static String image64() {
        return Base64.getEncoder()
                .encodeToString(ImageCodec.encodePng16(GrayImage.fromUnit(64, 64, new float[64 * 64])));
    }

    @Test
    void aJsonRequestTakesTheClisDefaults() {
        RequestReader.Parsed p = json("{\"dataset\":\"phantom-quick\",\"study\":\"s1\",\"finding\":\"effusion\"}");
        assertEquals(8, p.n());
        assertEquals(0L, p.seed());
        // the sampler is left to the model: what its run generated with
        assertNull(p.guidance());
        assertNull(p.steps());
        assertNull(p.eta());
        assertEquals(new SamplerConfig(20, 0.5f, 4f), p.sampler(new SamplerConfig(20, 0.5f, 4f)));
        RequestReader.Parsed some =
                json("{\"dataset\":\"d\",\"study\":\"s1\",\"finding\":\"effusion\",\"guidance\":1.5,\"steps\":7}");
        assertEquals(new SamplerConfig(7, 0.5f, 1.5f), some.sampler(new SamplerConfig(20, 0.5f, 4f)));
        assertNull(p.model());
        assertNull(p.format());
        assertEquals("phantom-quick", p.dataset());
    }

    @Test
    void aStructuredConditionBecomesPresentMentions() {
        RequestReader.Parsed p = json("{\"image_base64\":\"" + image64() + "\",\"n\":\"3\",\"seed\":9007199254740993,"
                + "\"condition\":[{\"finding\":\"pleural effusion\",\"severity\":\"moderate\",\"laterality\":\"right\"},"
                + "{\"finding\":\"Cardiomegaly\",\"zone\":\"\"}]}");
        assertEquals(2, p.mentions().size());
        assertEquals(Finding.PLEURAL_EFFUSION, p.mentions().get(0).finding());
        assertEquals(Severity.MODERATE, p.mentions().get(0).severity());
        assertEquals(Laterality.RIGHT, p.mentions().get(0).laterality());
        assertEquals(9007199254740993L, p.seed(), "a seed beyond 2^53 survives as a string of digits");
        assertEquals(3, p.n());
    }

    @Test
    void badFieldsAreRefusedWithTheirReason() {
        String img = "\"image_base64\":\"" + image64() + "\"";
        assertTrue(reason(() -> json("{" + img + ",\"finding\":\"x\",\"n\":0}")).startsWith("n out of range"));
        assertTrue(
                reason(() -> json("{" + img + ",\"finding\":\"x\",\"n\":65}")).startsWith("n out of range"));
        assertTrue(reason(() -> json("{" + img + ",\"finding\":\"x\",\"n\":\"eight\"}"))
                .contains("whole number"));
        assertTrue(reason(() -> json("{" + img + ",\"finding\":\"x\",\"guidance\":\"NaN\"}"))
                .contains("guidance out of range"));
        assertTrue(reason(() -> json("{" + img + ",\"finding\":\"x\",\"steps\":0}"))
                .contains("steps out of range"));
        assertTrue(
                reason(() -> json("{" + img + ",\"finding\":\"x\",\"eta\":2}")).contains("eta out of range"));
        assertTrue(reason(() -> json("{" + img + ",\"finding\":\"x\",\"format\":\"gif\"}"))
                .contains("json, png or zip"));
        assertTrue(reason(() -> json("{" + img + ",\"finding\":\"x\",\"colour\":1}"))
                .contains("unknown field 'colour'"));
        assertTrue(reason(() -> json("{" + img + "}")).startsWith("no finding"));
        assertTrue(reason(() -> json("{" + img + ",\"finding\":\"x\",\"condition\":[]}"))
                .contains("not both"));
        assertTrue(reason(() -> json("{\"finding\":\"x\"}")).startsWith("no source image"));
        assertTrue(reason(() -> json("{" + img + ",\"dataset\":\"d\",\"study\":\"s\",\"finding\":\"x\"}"))
                .contains("not both"));
        assertTrue(reason(() -> json("{\"dataset\":\"d\",\"finding\":\"x\"}")).contains("both 'dataset'"));
        assertTrue(reason(() -> json("{\"image_base64\":\"***\",\"finding\":\"x\"}"))
                .contains("not base64"));
        assertTrue(reason(() -> json("{" + img + ",\"condition\":[{\"finding\":\"Purple Elephant\"}]}"))
                .startsWith("unknown finding 'Purple Elephant'"));
        assertTrue(reason(() -> json("{" + img + ",\"condition\":[{\"finding\":\"Edema\",\"severity\":\"huge\"}]}"))
                .contains("unknown severity"));
        assertTrue(reason(() -> json("{" + img + ",\"condition\":[{\"finding\":\"Edema\"},{\"finding\":\"edema\"}]}"))
                .contains("twice"));
        assertTrue(reason(() -> json("[1,2]")).contains("must be an object"));
        assertTrue(reason(() -> json("{not json")).contains("not valid JSON"));
        assertTrue(
                reason(() -> RequestReader.read("text/plain", new byte[0], S)).contains("Content-Type"));
    }

    @Test
    void anImageThatIsTooLargeIsRefusedBeforeItIsDecoded() {
        // a valid PNG header claiming 100,000 × 100,000 pixels: refused from the header alone
        byte[] png = ImageCodec.encodePng16(GrayImage.fromUnit(64, 64, new float[64 * 64]));
        png[16] = 0;
        png[17] = 1;
        png[18] = (byte) 0x86;
        png[19] = (byte) 0xA0;
        System.arraycopy(png, 16, png, 20, 4);
        String r = reason(() -> SourceImages.decode(png, S.maxImagePixels()));
        assertTrue(r.startsWith("image too large: 100000×100000"), r);
    }

    @Test
    void notAnImageAndTheWrongKindOfImageAreNamed() throws Exception {
        assertTrue(reason(() -> SourceImages.decode("%PDF-1.4".getBytes(StandardCharsets.US_ASCII), S.maxImagePixels()))
                .startsWith("not an image"));
        assertTrue(reason(() -> SourceImages.decode(new byte[0], S.maxImagePixels()))
                .startsWith("not an image"));
        byte[] truncated =
                java.util.Arrays.copyOf(ImageCodec.encodePng16(GrayImage.fromUnit(64, 64, new float[64 * 64])), 60);
        assertTrue(
                reason(() -> SourceImages.decode(truncated, S.maxImagePixels())).startsWith("not an image"));
        byte[] tiny = ImageCodec.encodePng16(GrayImage.fromUnit(8, 8, new float[64]));
        assertTrue(reason(() -> SourceImages.decode(tiny, S.maxImagePixels())).contains("too small"));
        byte[] strip = ImageCodec.encodePng16(GrayImage.fromUnit(400, 40, new float[16000]));
        assertTrue(reason(() -> SourceImages.decode(strip, S.maxImagePixels())).contains("strip"));
        BufferedImage photo = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                photo.setRGB(x, y, x < 32 ? 0x20A040 : 0xC03020);
            }
        }
        for (String format : new String[] {"png", "jpeg"}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(photo, format, out);
            assertTrue(
                    reason(() -> SourceImages.decode(out.toByteArray(), S.maxImagePixels()))
                            .contains("colour picture"),
                    format);
        }
    }

    @Test
    void aGrayImageStoredAsRgbIsAccepted() throws Exception {
        BufferedImage gray = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) {
                int v = (x * 4) & 0xFF;
                gray.setRGB(x, y, v << 16 | v << 8 | v);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(gray, "png", out);
        GrayImage g = SourceImages.decode(out.toByteArray(), S.maxImagePixels());
        assertEquals(64, g.width());
        assertEquals(48, g.height());
    }

    @Test
    void withoutATokenTheServiceMayListenOnLoopbackOnly() throws Exception {
        ServeSettings d = ServeSettings.defaults();
        java.net.InetAddress any = java.net.InetAddress.getByName("0.0.0.0");
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new ServeSettings(
                        any,
                        0,
                        null,
                        d.queueCapacity(),
                        d.maxBatchRequests(),
                        d.maxBatchRows(),
                        d.deadline(),
                        d.maxUploadBytes(),
                        d.maxImagePixels(),
                        d.maxN(),
                        d.pollInterval(),
                        d.maxLoadedModels(),
                        d.resultTtl(),
                        d.maxResults()));
        assertTrue(e.getMessage().contains("access token is required"), e.getMessage());
        new ServeSettings(
                any,
                0,
                "a-long-enough-token-1234",
                d.queueCapacity(),
                d.maxBatchRequests(),
                d.maxBatchRows(),
                d.deadline(),
                d.maxUploadBytes(),
                d.maxImagePixels(),
                d.maxN(),
                d.pollInterval(),
                d.maxLoadedModels(),
                d.resultTtl(),
                d.maxResults());
        assertThrows(IllegalArgumentException.class, () -> d.withToken("short"));
    }

    @Test
    void metricsAreValidPrometheusText() {
        ServiceMetrics m = new ServiceMetrics();
        m.request("POST", "/v1/counterfactuals", 200, 0.3);
        m.request("POST", "/v1/counterfactuals", 429, 0.001);
        m.batch(3, 24);
        m.rejected("queue_full");
        m.queue(() -> 5, () -> 64);
        String text = m.render();
        assertTrue(
                text.contains(
                                "causalcxr_http_requests_total{code=\"200\",method=\"POST\",route=\"/v1/counterfactuals\"} 1")
                        || text.contains(
                                "causalcxr_http_requests_total{method=\"POST\",route=\"/v1/counterfactuals\",code=\"200\"} 1"),
                text);
        assertTrue(
                text.contains(
                        "causalcxr_http_request_duration_seconds_bucket{method=\"POST\",route=\"/v1/counterfactuals\",le=\"0.5\"} 2"),
                text);
        assertTrue(
                text.contains(
                        "causalcxr_http_request_duration_seconds_bucket{method=\"POST\",route=\"/v1/counterfactuals\",le=\"0.25\"} 1"),
                text);
        assertTrue(
                text.contains(
                        "causalcxr_http_request_duration_seconds_count{method=\"POST\",route=\"/v1/counterfactuals\"} 2"),
                text);
        assertTrue(text.contains("causalcxr_queue_depth 5\n"), text);
        assertTrue(text.contains("causalcxr_counterfactuals_total 24\n"), text);
        assertTrue(text.contains("causalcxr_rejected_requests_total{reason=\"queue_full\"} 1\n"), text);
        for (String line : text.split("\n")) {
            assertTrue(
                    line.startsWith("# HELP ")
                            || line.startsWith("# TYPE ")
                            || line.matches("[a-z_]+(\\{[a-z_]+=\"[^\"]*\"(,[a-z_]+=\"[^\"]*\")*\\})? [0-9.eE+-]+"),
                    line);
        }
    }
}
