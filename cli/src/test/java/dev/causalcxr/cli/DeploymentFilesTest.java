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
}
