package dev.causalcxr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The production files in {@code docker/} cannot be run here (no Docker engine), so their security
 * rules are checked as text: no default secrets, loopback-only published ports, pinned images, no
 * database URI on a command line.
 */
class DeploymentFilesTest {
    static final Path DOCKER = Path.of("..", "docker");

    @Test
    void composeHasNoDefaultSecretsAndRefusesToStartWithoutThem() throws Exception {
        String compose = Files.readString(DOCKER.resolve("compose.yaml"));
        Matcher m = Pattern.compile("\\$\\{([A-Z_]+)(:?[-?])?([^}]*)}").matcher(compose);
        List<String> secretsWithDefaults = new ArrayList<>();
        int secrets = 0;
        while (m.find()) {
            String name = m.group(1);
            if (name.contains("PASSWORD") || name.contains("KEY") || name.contains("USER")) {
                secrets++;
                if (!":?".equals(m.group(2))) {
                    secretsWithDefaults.add(m.group());
                }
            }
        }
        assertTrue(secrets >= 4, "the compose file names its secrets");
        assertEquals(List.of(), secretsWithDefaults, "a secret must be required (${X:?reason}), never defaulted");
    }

    /**
     * The compose workers get the environment contract the local cluster's stack publishes to its workers: the same
     * variable names, every one of them, so a worker configured for one topology runs in the other.
     */
    @Test
    void composeGivesItsWorkersTheLocalClustersEnvironmentContract() throws Exception {
        // SnakeYAML, not Jackson: the services share their environment through a YAML alias (*causalcxr-env)
        Map<String, Object> compose =
                new org.yaml.snakeyaml.Yaml().load(Files.readString(DOCKER.resolve("compose.yaml")));
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
        for (String service : List.of("worker-cpu", "worker-gpu", "cli")) {
            Object env = services.get(service).get("environment");
            assertTrue(env instanceof Map<?, ?>, service + " has an environment map: " + env);
            List<String> missing = dev.causalcxr.infra.stack.PlatformStack.CONNECTION_VARIABLES.stream()
                    .filter(name -> !((Map<?, ?>) env).containsKey(name))
                    .toList();
            assertEquals(List.of(), missing, service + " lacks variables of the stack's environment contract");
        }
    }

    @Test
    void composePublishesPortsOnLoopbackByDefaultAndPinsEveryImage() throws Exception {
        JsonNode services = new ObjectMapper(new YAMLFactory())
                .readTree(DOCKER.resolve("compose.yaml").toFile())
                .get("services");
        int published = 0;
        for (Map.Entry<String, JsonNode> service : iterable(services)) {
            for (JsonNode port : service.getValue().path("ports")) {
                published++;
                assertTrue(
                        port.asText().startsWith("${BIND_ADDRESS:-127.0.0.1}:"),
                        service.getKey() + " publishes " + port.asText() + " beyond loopback");
            }
            JsonNode image = service.getValue().get("image");
            if (image != null) {
                assertTrue(
                        image.asText().matches("[^:]+:[^:]*[0-9][^:]*")
                                && !image.asText().endsWith(":latest"),
                        service.getKey() + " image is not pinned to a release: " + image.asText());
            }
            for (JsonNode arg : service.getValue().path("command")) {
                assertFalse(
                        arg.asText().contains("postgresql"),
                        service.getKey() + " has a database URI on its command line");
            }
        }
        assertTrue(published >= 1);
    }

    @Test
    void dockerfilesPinTheirBaseImagesAndThePythonPackages() throws Exception {
        for (String file : List.of("Dockerfile", "mlflow.Dockerfile")) {
            for (String line : Files.readAllLines(DOCKER.resolve(file))) {
                if (line.startsWith("FROM ")) {
                    String image = line.split("\\s+")[1];
                    assertTrue(
                            image.matches("[^:]+:[0-9][^:]*"), file + ": base image not pinned to a version: " + image);
                }
                if (line.contains("pip install")) {
                    assertTrue(
                            line.contains("-r "),
                            file + ": pip installs something other than the pinned lock: " + line);
                }
            }
        }
    }

    private static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode node) {
        return node::fields;
    }

    /**
     * Runs the launcher script from a copy beside a stand-in launcher jar (so it builds nothing) with a stand-in
     * {@code java} that prints its arguments.
     */
    private static String launch(Path dir, String javaOpts) throws Exception {
        Path launcher = dir.resolve("causalcxr");
        if (Files.notExists(launcher)) {
            Files.copy(Path.of("..", "causalcxr"), launcher);
            Files.createDirectories(dir.resolve("cli/target"));
            Files.writeString(dir.resolve("cli/target/causalcxr.jar"), "");
            Path java = Files.createDirectories(dir.resolve("jdk/bin")).resolve("java");
            Files.writeString(java, "#!/bin/sh\necho \"$@\"\n");
            assertTrue(java.toFile().setExecutable(true));
        }
        ProcessBuilder pb = new ProcessBuilder("bash", launcher.toString(), "status").redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", dir.resolve("jdk").toString());
        pb.environment().remove("CAUSALCXR_JAVA_OPTS");
        if (javaOpts != null) {
            pb.environment().put("CAUSALCXR_JAVA_OPTS", javaOpts);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        assertEquals(0, p.waitFor(), out);
        return out.substring(0, out.indexOf(" -jar "));
    }

    @Test
    void theLaunchersJavaOptionsAddToTheDefaultHeapUnlessTheyLimitTheHeapThemselves(
            @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        assertEquals("-Xmx8g -Dai.djl.offline=true", launch(dir, null));
        assertEquals(
                "-Xmx8g -Dai.djl.pytorch.num_threads=1 -Dai.djl.offline=true",
                launch(dir, "-Dai.djl.pytorch.num_threads=1"));
        assertEquals("-Xmx2g -Dai.djl.offline=true", launch(dir, "-Xmx2g"));
        assertEquals(
                "-Dai.djl.pytorch.num_threads=1 -XX:MaxRAMPercentage=50 -Dai.djl.offline=true",
                launch(dir, "-Dai.djl.pytorch.num_threads=1 -XX:MaxRAMPercentage=50"));
    }
}
