package dev.causalcxr.core.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordConfigReaderTest {

    record Sample(int steps, double learningRate, boolean groupSupervision, String device) {
        Sample {
            if (steps <= 0) {
                throw new IllegalArgumentException("steps must be positive");
            }
        }
    }

    private static final Sample DEFAULTS = new Sample(100, 1e-3, true, "cpu");

    private static Sample read(String yaml, List<SpecProblem> problems) throws Exception {
        return RecordConfigReader.read(
                ConfigNode.root(new YAMLMapper().readTree(yaml), "stages.x", problems), Sample.class, DEFAULTS);
    }

    @Test
    void absentKeysKeepDefaultsAndGivenOnesOverrideThem() throws Exception {
        List<SpecProblem> problems = new ArrayList<>();
        assertEquals(new Sample(50, 1e-3, false, "cpu"), read("steps: 50\ngroup_supervision: false\n", problems));
        assertEquals(List.of(), problems);
    }

    @Test
    void everyBadValueAndUnknownKeyIsReportedWithItsPath() throws Exception {
        List<SpecProblem> problems = new ArrayList<>();
        assertEquals(DEFAULTS, read("steps: many\nlearning_rate: [1]\nbatch: 3\n", problems));
        assertEquals(
                List.of("stages.x.steps", "stages.x.learning_rate", "stages.x.batch"),
                problems.stream().map(SpecProblem::path).toList());
    }

    @Test
    void theRecordsOwnValidationIsReportedOnTheBlock() throws Exception {
        List<SpecProblem> problems = new ArrayList<>();
        read("steps: -1\n", problems);
        assertEquals("stages.x", problems.get(0).path());
        assertEquals("steps must be positive", problems.get(0).message());
    }

    record Checked(int batchSize, int pairsPerKind, String device) {
        Checked {
            List<String> p = new ArrayList<>();
            if (batchSize < 1) {
                p.add("batchSize: must be >= 1, got " + batchSize);
            } else if (pairsPerKind > batchSize) {
                p.add("pairsPerKind: must be <= batchSize (" + batchSize + ")");
            }
            if (!device.equals("cpu")) {
                p.add("device: must be cpu");
            }
            InvalidConfigException.check(Checked.class, p);
        }
    }

    @Test
    void everyProblemTheRecordFindsIsReportedAtItsSnakeCaseFieldInTheSpecsTerms() throws Exception {
        List<SpecProblem> problems = new ArrayList<>();
        RecordConfigReader.read(
                ConfigNode.root(
                        new YAMLMapper().readTree("batch_size: 4\npairs_per_kind: 9\ndevice: tpu\n"),
                        "stages.x",
                        problems),
                Checked.class,
                new Checked(8, 2, "cpu"));
        assertEquals(
                List.of("stages.x.pairs_per_kind: must be <= batch_size (4)", "stages.x.device: must be cpu"),
                problems.stream().map(SpecProblem::toString).toList());
    }

    @Test
    void aValueThatDoesNotConvertIsReportedOnceAndTheOtherFieldsAreStillChecked() throws Exception {
        List<SpecProblem> problems = new ArrayList<>();
        RecordConfigReader.read(
                ConfigNode.root(new YAMLMapper().readTree("batch_size: lots\ndevice: tpu\n"), "stages.x", problems),
                Checked.class,
                new Checked(8, 2, "cpu"));
        assertEquals(
                List.of("stages.x.batch_size", "stages.x.device"),
                problems.stream().map(SpecProblem::path).toList());
    }
}
