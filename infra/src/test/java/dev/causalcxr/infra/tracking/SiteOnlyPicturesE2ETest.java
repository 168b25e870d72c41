package dev.causalcxr.infra.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.causalcxr.infra.objectstore.ObjectRef;
import dev.causalcxr.infra.stack.PlatformStack;
import dev.causalcxr.infra.stack.StackConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pictures of real studies (journaled site-only) reach the site's own MLflow server — the embedded one, or
 * one declared with {@code CAUSALCXR_MLFLOW_SITE_OWNED=true} — and no other: a stack that tracks to a server
 * it was only given by URL withholds them and says so in a tag. Real MLflow server, read back in Python.
 */
@Tag("e2e")
class SiteOnlyPicturesE2ETest {

    /** Logs one run with a site-only picture and a table; returns nothing, the server is read back later. */
    private static void logRun(PlatformStack stack, String name, Path dir) throws Exception {
        Tracker t = stack.tracker();
        String run = t.startRun("causalcxr/pictures", name, null, Map.of());
        Path png = Files.write(dir.resolve(name + ".png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 9});
        Path txt = Files.writeString(dir.resolve(name + ".txt"), "table");
        ObjectRef picture = stack.objectStore().putFile(png);
        t.logArtifactObject(run, "grids/recon.png", picture, true);
        t.logArtifact(run, "summary.txt", txt);
        t.endRun(run, "FINISHED");
        stack.awaitTracking(Duration.ofMinutes(1));
    }

    @Test
    void picturesOfRealStudiesGoOnlyToTheSitesOwnServer(@TempDir Path dir) throws Exception {
        try (PlatformStack site = PlatformStack.start(
                StackConfig.fromEnvironment(dir.resolve("site"), MlflowTestSupport.env("proxy")), false)) {
            Optional<String> uri = site.awaitTracking(Duration.ofMinutes(15));
            assertTrue(uri.isPresent(), site.tracker().offlineReason().orElse(""));
            assertTrue(site.tracker().siteOwnedServer());
            assertEquals(
                    "true",
                    site.connectionEnvironment().get("CAUSALCXR_MLFLOW_SITE_OWNED"),
                    "processes joining the stack learn that its server is the site's");
            logRun(site, "embedded", dir);

            Map<String, String> elsewhere = new HashMap<>();
            elsewhere.put("MLFLOW_TRACKING_URI", uri.get());
            try (PlatformStack other =
                    PlatformStack.start(StackConfig.fromEnvironment(dir.resolve("other"), elsewhere), false)) {
                assertTrue(other.awaitTracking(Duration.ofMinutes(2)).isPresent());
                assertFalse(other.tracker().siteOwnedServer());
                logRun(other, "remote", dir);
            }
            elsewhere.put("CAUSALCXR_MLFLOW_SITE_OWNED", "true");
            try (PlatformStack declared =
                    PlatformStack.start(StackConfig.fromEnvironment(dir.resolve("declared"), elsewhere), false)) {
                assertTrue(declared.awaitTracking(Duration.ofMinutes(2)).isPresent());
                logRun(declared, "declared", dir);
            }

            JsonNode back = MlflowTestSupport.readBack(
                    uri.get(), "causalcxr/pictures", site.objectStore().endpoint());
            Map<String, JsonNode> byName = new HashMap<>();
            back.get("runs").forEach(r -> byName.put(r.get("name").asText(), r));
            assertEquals(
                    List.of("grids/recon.png", "summary.txt"),
                    byName.get("embedded").get("artifacts").findValuesAsText("path"));
            assertEquals(
                    List.of("grids/recon.png", "summary.txt"),
                    byName.get("declared").get("artifacts").findValuesAsText("path"));
            JsonNode remote = byName.get("remote");
            assertEquals(
                    List.of("summary.txt"),
                    remote.get("artifacts").findValuesAsText("path"),
                    "a server given only by URL gets no picture of real studies");
            assertTrue(
                    remote.at("/tags/causalcxr.images_withheld").asText().startsWith("1 picture(s)"),
                    remote.toString());
        }
    }
}
