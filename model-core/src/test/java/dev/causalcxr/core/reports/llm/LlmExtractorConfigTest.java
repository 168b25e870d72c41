package dev.causalcxr.core.reports.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.core.reports.ReportTextException;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LlmExtractorConfigTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://llm.example.org/v1",
                "http://127.0.0.1:8000/v1",
                "http://localhost:8000",
                "http://[::1]:8000/v1"
            })
    void httpsAnywhereAndPlainHttpOnLoopbackAreAccepted(String url) {
        LlmExtractorConfig c = LlmExtractorConfig.of(URI.create(url), "m", null);
        assertTrue(
                c.endpoint().getPath().endsWith("/chat/completions"),
                c.endpoint().toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://llm.example.org/v1", "http://10.0.0.7:8000/v1", "ftp://127.0.0.1/v1"})
    void plainHttpToAnotherMachineIsRefusedBecauseReportsWouldTravelUnencrypted(String url) {
        ReportTextException e = assertThrows(
                ReportTextException.class,
                () -> LlmExtractorConfig.fromEnvironment(
                        Map.of(LlmExtractorConfig.ENV_ENDPOINT, url, LlmExtractorConfig.ENV_MODEL, "m")));
        assertTrue(e.getMessage().contains("https"), e.getMessage());
        assertFalse(e.getMessage().contains("example.org") || e.getMessage().contains("10.0.0.7"), e.getMessage());
    }

    @Test
    void logsSeeTheEndpointsHostButNeitherItsPathNorItsKey() {
        LlmExtractorConfig c = LlmExtractorConfig.of(
                URI.create("https://llm.example.org:8443/tenant-7/v1?key=s3cr3t"), "m", "sk-secret");
        assertEquals("https://llm.example.org:8443", c.endpointForLogs());
        String text = c.toString();
        assertFalse(text.contains("tenant-7") || text.contains("s3cr3t") || text.contains("sk-secret"), text);
    }
}
