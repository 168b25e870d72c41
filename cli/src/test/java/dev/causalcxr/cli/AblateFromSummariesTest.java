package dev.causalcxr.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `ablate --from-summaries`: the tables over runs made earlier, from their summary files alone. */
class AblateFromSummariesTest {

    private static String summary(String runId, double delta, double low, double high) {
        String k = "power_tail_auroc_delta_augmented";
        return """
                {"run_id": "%s", "status": "COMPLETED", "metrics": {
                  "%s": %s, "%s_ci_low": %s, "%s_ci_high": %s,
                  "tail_auroc_augmented": 0.62, "tail_auroc_real": 0.60, "cf_diversity_region__no_finding": "NaN"}}
                """.formatted(runId, k, delta, k, low, k, high);
    }

    @Test
    void summariesOfEarlierRunsGiveTheCohortDeltasOverRunsAndTheAblationRows(@TempDir Path dir) throws Exception {
        Path a = Files.writeString(dir.resolve("a.json"), summary("run-a", 0.02, -0.01, 0.05));
        Path b = Files.writeString(dir.resolve("b.json"), summary("run-b", 0.04, 0.01, 0.07));
        Path c = Files.writeString(dir.resolve("c.json"), summary("run-c", 0.06, 0.03, 0.09));
        Path table = dir.resolve("out/table.md");
        Result r = execute(
                "ablate", "--from-summaries", a.toString(), b.toString(), c.toString(), "--table", table.toString());
        assertEquals(ExitCodes.OK, r.code(), r.out());
        String md = Files.readString(table, UTF_8);
        assertTrue(md.contains("run-a, run-b, run-c"), md);
        assertTrue(md.contains("| auroc_delta_augmented | +0.040 | -0.010 to +0.090 | 2 / 0 of 3 |"), md);
        assertTrue(md.contains("| augmentation (downstream classifier) | tail_auroc ↑ |"), md);
        assertTrue(r.out().contains("| auroc_delta_augmented |"), r.out());
    }

    @Test
    void aFileThatIsNotASummaryOrBothSourcesAtOnceExitWithTwoAndWriteNothing(@TempDir Path dir) throws Exception {
        Path a = Files.writeString(dir.resolve("a.json"), summary("run-a", 0.02, -0.01, 0.05));
        Path notSummary = Files.writeString(dir.resolve("spec.json"), "{\"name\": \"x\"}");
        Path table = dir.resolve("table.md");
        Result bad =
                execute("ablate", "--from-summaries", a.toString(), notSummary.toString(), "--table", table.toString());
        assertEquals(ExitCodes.USAGE, bad.code(), bad.out());
        assertTrue(bad.out().contains("is not a run summary"), bad.out());
        Result both = execute("ablate", "--spec", "s.yaml", "--from-summaries", a.toString(), a.toString());
        assertEquals(ExitCodes.USAGE, both.code(), both.out());
        assertTrue(both.out().contains("either --spec"), both.out());
        assertTrue(Files.notExists(table));
    }

    @Test
    void theSameRunGivenTwiceIsRefusedByName(@TempDir Path dir) throws Exception {
        Path a = Files.writeString(dir.resolve("a.json"), summary("run-a", 0.02, -0.01, 0.05));
        Path copy = Files.writeString(dir.resolve("copy.json"), summary("run-a", 0.02, -0.01, 0.05));
        for (Path second : new Path[] {a, copy}) {
            Result twice = execute("ablate", "--from-summaries", a.toString(), second.toString());
            assertEquals(ExitCodes.USAGE, twice.code(), twice.out());
            assertTrue(twice.out().contains("run run-a is given twice"), twice.out());
        }
    }

    private record Result(int code, String out) {}

    private static Result execute(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        PrintStream capture = new PrintStream(out, true, UTF_8);
        System.setOut(capture);
        System.setErr(capture);
        try {
            return new Result(Main.execute(args), out.toString(UTF_8));
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
    }
}
