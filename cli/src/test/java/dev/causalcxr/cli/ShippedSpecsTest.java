package dev.causalcxr.cli;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.causalcxr.core.spec.ExperimentSpec;
import dev.causalcxr.core.spec.RetrainConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every spec a user is handed — the files under {@code specs/} and {@code bench/}, and the YAML blocks of
 * the README and docs/spec.md — passes the validator the {@code run} command applies (a retrain spec's, the
 * {@code retrain} command's). Spec fields move
 * (issue 17 moved {@code tail_frequency} to the top level): a shipped example that no longer validates is
 * the first thing a new user would hit.
 */
class ShippedSpecsTest {

    static final Path ROOT = Path.of("..");
    static final Pattern YAML_BLOCK = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL);

    @TestFactory
    Stream<DynamicTest> everyShippedSpecValidates() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (String folder : List.of("specs", "bench")) {
            try (Stream<Path> files = Files.walk(ROOT.resolve(folder))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".yaml"))
                        .sorted()
                        .toList()) {
                    String text = Files.readString(f);
                    // a file whose only root key is retrain: is a retrain spec (`retrain --spec`)
                    JsonNode root = new YAMLMapper().readTree(text);
                    boolean retrain = root != null && root.size() == 1 && root.has("retrain");
                    tests.add(DynamicTest.dynamicTest(
                            ROOT.relativize(f).toString(),
                            () -> assertDoesNotThrow(
                                    () -> {
                                        if (retrain) {
                                            RetrainConfig.parseYaml(text);
                                        } else {
                                            ExperimentSpec.parseYaml(text);
                                        }
                                    },
                                    f.toString())));
                }
            }
        }
        for (String doc : List.of("README.md", "docs/spec.md")) {
            Matcher m = YAML_BLOCK.matcher(Files.readString(ROOT.resolve(doc)));
            for (int i = 1; m.find(); i++) {
                String block = m.group(1);
                // a block that is only a retrain: block is a retrain spec (`retrain --spec`)
                boolean retrain = block.stripLeading().startsWith("retrain:");
                tests.add(DynamicTest.dynamicTest(
                        doc + " yaml block " + i,
                        () -> assertDoesNotThrow(
                                () -> {
                                    if (retrain) {
                                        RetrainConfig.parseYaml(block);
                                    } else {
                                        ExperimentSpec.parseYaml(block);
                                    }
                                },
                                doc)));
            }
        }
        return tests.stream();
    }

    @Test
    void theShippedExamplesAreFound() throws IOException {
        // guards the test above against a moved folder silently leaving it with nothing to check
        assertFalse(everyShippedSpecValidates().toList().size() < 3);
    }
}
