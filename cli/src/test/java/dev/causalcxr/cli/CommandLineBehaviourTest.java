package dev.causalcxr.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandLineBehaviourTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream savedOut;
    private PrintStream savedErr;

    @BeforeEach
    void capture() {
        savedOut = System.out;
        savedErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(savedOut);
        System.setErr(savedErr);
    }

    @Test
    void invalidSpecExitsWithTwoAndListsEveryProblem(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("bad.yaml");
        Files.writeString(
                spec, "name: ok\nseed: x\ndataset: {image_size: 7, color: red}\nrun: [generate-counterfactuals]\n");
        int code = Main.execute(
                "run",
                "--spec",
                spec.toString(),
                "--data-dir",
                dir.resolve("data").toString());
        assertEquals(2, code);
        String e = err.toString(StandardCharsets.UTF_8);
        for (String path : List.of(
                "seed:",
                "dataset.image_size:",
                "dataset.color: unknown key",
                "run: generate-counterfactuals needs the stage train-disentangler")) {
            assertTrue(e.contains(path), "missing " + path + " in:\n" + e);
        }
        assertFalse(Files.exists(dir.resolve("data/postgres")), "nothing is started for an invalid spec");
    }

    @Test
    void serveRefusesToListenOffLoopbackWithoutATokenBeforeStartingAnything(@TempDir Path dir) {
        Path data = dir.resolve("data");
        assertEquals(2, Main.execute("serve", "--data-dir", data.toString(), "--model", "demo", "--bind", "0.0.0.0"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("an access token is required"), err.toString(UTF_8));
        assertEquals(2, Main.execute("serve", "--data-dir", data.toString(), "--model", "demo", "--max-n", "0"));
        assertFalse(Files.exists(data.resolve("postgres")), "nothing is started for a refused configuration");
        assertEquals(0, Main.execute("serve", "--help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("--token-file"));
    }

    @Test
    void everyCommandsHelpRendersWithoutAFormatWarning() {
        // picocli formats each description as a format string: a bare "95 % t" warned and printed raw
        List<picocli.CommandLine> commands = new java.util.ArrayList<>(List.of(new picocli.CommandLine(new Main())));
        for (int i = 0; i < commands.size(); i++) {
            picocli.CommandLine c = commands.get(i);
            assertFalse(c.getUsageMessage().isBlank(), c.getCommandName());
            commands.addAll(c.getSubcommands().values());
        }
        assertTrue(commands.size() > 10, "the subcommands were walked: " + commands.size());
        assertFalse(err.toString(UTF_8).contains("picocli WARN"), err.toString(UTF_8));
    }

    @Test
    void unknownCommandsAndOptionsAreUsageErrors() {
        assertEquals(2, Main.execute("bogus"));
        assertEquals(2, Main.execute("demo", "--profile", "huge"));
        assertEquals(0, Main.execute("--help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("demo"));
    }

    @Test
    void malformedReportRowsGetClearErrorsAndTheOtherRowsStillParse(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("reports.csv");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes("study_id,report\n".getBytes(StandardCharsets.UTF_8));
        bytes.writeBytes("s1,\"FINDINGS: Small right pleural effusion.\nIMPRESSION: Effusion.\"\n"
                .getBytes(StandardCharsets.UTF_8));
        bytes.writeBytes("s2,\n".getBytes(StandardCharsets.UTF_8));
        bytes.writeBytes("s3,\"bad bytes ".getBytes(StandardCharsets.UTF_8));
        bytes.writeBytes(new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF});
        bytes.writeBytes("\"\n".getBytes(StandardCharsets.UTF_8));
        bytes.writeBytes(("s4,\"" + "No pneumothorax. ".repeat(70_000) + "\"\n").getBytes(StandardCharsets.UTF_8));
        bytes.writeBytes("s5,\"No acute cardiopulmonary process.\"\n".getBytes(StandardCharsets.UTF_8));
        Files.write(csv, bytes.toByteArray());
        Path jsonl = dir.resolve("findings.jsonl");

        assertEquals(0, Main.execute("parse-reports", "--in", csv.toString(), "--out", jsonl.toString()));
        List<String> lines = Files.readAllLines(jsonl);
        assertEquals(5, lines.size(), "one line per input row");
        ObjectMapper json = new ObjectMapper();
        JsonNode s1 = json.readTree(lines.get(0));
        assertEquals("s1", s1.get("study_id").asText());
        assertEquals("Pleural Effusion", s1.at("/findings/0/finding").asText());
        assertEquals("right", s1.at("/findings/0/laterality").asText());
        for (int i = 1; i <= 3; i++) {
            JsonNode bad = json.readTree(lines.get(i));
            assertTrue(
                    bad.has("error"),
                    lines.get(i).substring(0, Math.min(200, lines.get(i).length())));
            assertFalse(bad.get("error").asText().contains("pneumothorax"), "report text never appears in errors");
        }
        assertTrue(json.readTree(lines.get(4)).has("findings"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("3 row errors"));
    }

    @Test
    void reportsCsvWithoutTheReportColumnIsAUsageError(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("reports.csv");
        Files.writeString(csv, "study_id,text\ns1,No effusion.\n");
        assertEquals(
                2,
                Main.execute(
                        "parse-reports",
                        "--in",
                        csv.toString(),
                        "--out",
                        dir.resolve("o.jsonl").toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("report"));
    }

    @Test
    void evalParserScoresPredictionsAgainstGold(@TempDir Path dir) throws Exception {
        Path gold = dir.resolve("gold.jsonl");
        Files.writeString(
                gold,
                "{\"study_id\":\"a\",\"findings\":[{\"finding\":\"Pneumothorax\",\"status\":\"present\","
                        + "\"severity\":\"mild\",\"laterality\":\"left\",\"zone\":\"upper\"}]}\n");
        assertEquals(0, Main.execute("eval-parser", "--gold", gold.toString(), "--pred", gold.toString(), "--json"));
        JsonNode r =
                new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8).trim());
        assertEquals(1.0, r.at("/per_finding/Pneumothorax/f1").asDouble(), r.toString());
        assertEquals(0, r.at("/per_finding/Pneumothorax/fp").asInt());
    }

    @Test
    void evalParserScoresAPositivesOnlyGoldOnChosenFindings(@TempDir Path dir) throws Exception {
        Path gold = dir.resolve("gold.jsonl");
        Files.writeString(
                gold,
                "{\"study_id\":\"a\",\"findings\":[{\"finding\":\"Edema\",\"status\":\"present\"}]}\n"
                        + "{\"study_id\":\"b\",\"findings\":[]}\n");
        Path pred = dir.resolve("pred.jsonl");
        Files.writeString(
                pred,
                "{\"study_id\":\"a\",\"findings\":[{\"finding\":\"Edema\",\"status\":\"present\"}]}\n"
                        + "{\"study_id\":\"b\",\"findings\":[{\"finding\":\"Edema\",\"status\":\"present\"},"
                        + "{\"finding\":\"Fracture\",\"status\":\"present\"}]}\n");
        assertEquals(
                0,
                Main.execute(
                        "eval-parser",
                        "--gold",
                        gold.toString(),
                        "--pred",
                        pred.toString(),
                        "--positives-only",
                        "--findings",
                        "Edema,Pneumothorax",
                        "--json"));
        JsonNode r =
                new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8).trim());
        assertEquals(0.5, r.at("/micro_precision").asDouble(), 1e-9, "the fracture is not scored");
        assertEquals(2.0 / 3, r.at("/macro_f1").asDouble(), 1e-9);
        assertTrue(r.at("/absent_accuracy").isMissingNode());
        assertEquals(
                2,
                Main.execute(
                        "eval-parser", "--gold", gold.toString(), "--pred", pred.toString(), "--findings", "Bogus"));
    }

    @Test
    void evalParserRunsTheExtractorOnAnIuFolder(@TempDir Path dir) throws Exception {
        // an invented three-report folder in the layout of the IU / OpenI export
        Files.writeString(
                dir.resolve("indiana_reports.csv"),
                "uid,MeSH,Problems,image,indication,comparison,findings,impression\n"
                        + "1,Pleural Effusion/left/small,x,a.png,,,\"No pneumothorax, consolidation, or edema. Small left effusion.\",\n"
                        + "2,normal,normal,b.png,,,The lungs are clear.,No acute disease.\n"
                        + "3,Pulmonary Congestion,x,c.png,,,Mild vascular congestion.,\n");
        Files.writeString(
                dir.resolve("openi_gld_std14.csv"),
                "filename,Atelectasis,Cardiomegaly,Effusion,Infiltration,Mass,Nodule,Pneumonia,Pneumothorax,"
                        + "Consolidation,Edema,Emphysema,Fibrosis,Pleural_Thickening,Hernia,normal\n"
                        + "CXR1,0,0,1,0,0,0,0,0,0,0,0,0,0,0,0\nCXR2,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1\n"
                        + "CXR3,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0\n");
        Files.writeString(dir.resolve("openi-testset.txt"), "CXR2\n");
        assertEquals(0, Main.execute("eval-parser", "--iu", dir.toString(), "--half", "odd", "--json"));
        JsonNode r =
                new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8).trim());
        assertEquals("rules-mesh", r.at("/extractor").asText());
        assertEquals(2, r.at("/reports").asInt(), "uids 1 and 3");
        assertEquals(1.0, r.at("/nlm_gold/micro_f1").asDouble(), 1e-9, "MeSH reading: congestion is not edema");
        out.reset();
        assertEquals(0, Main.execute("eval-parser", "--iu", dir.toString(), "--convention", "chexpert", "--json"));
        JsonNode c =
                new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8).trim());
        assertEquals(1, c.at("/nlm_gold/per_finding/Edema/fp").asInt(), "CheXpert reading: congestion is edema");
        assertEquals(
                2, Main.execute("eval-parser", "--iu", dir.resolve("missing").toString()));
        assertEquals(2, Main.execute("eval-parser", "--iu", dir.toString(), "--half", "third"));
        assertFalse(err.toString(StandardCharsets.UTF_8).contains("vascular congestion"), "no report text in errors");
    }

    @Test
    void exampleSpecsInTheRepositoryAreValid() throws Exception {
        Path specs = Path.of("..", "specs");
        try (var files = Files.list(specs)) {
            List<Path> yamls = files.filter(f -> f.toString().endsWith(".yaml")).toList();
            assertFalse(yamls.isEmpty());
            for (Path f : yamls) {
                dev.causalcxr.core.spec.ExperimentSpec.parseYaml(Files.readString(f));
            }
        }
    }

    @Test
    void aMalformedFeatureCsvIsBadInputAndExitsTwo(@TempDir Path dir) throws Exception {
        Path good = Files.writeString(dir.resolve("a.csv"), "1,2\n3,4\n5,7\n");
        Path bad = Files.writeString(dir.resolve("bad.csv"), "1,2\n3,four\n");
        assertEquals(2, Main.execute("fid", good.toString(), bad.toString()));
        assertTrue(err.toString(UTF_8).contains("bad.csv:2: not a number"), err.toString(UTF_8));
    }

    @Test
    void theLlmExtractorWithoutAnEndpointIsAUsageErrorAndWritesNothing(@TempDir Path dir) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                System.getenv("CAUSALCXR_LLM_ENDPOINT") == null, "an LLM endpoint is configured here");
        Path csv = Files.writeString(dir.resolve("reports.csv"), "study_id,report\ns1,No effusion.\n");
        Path jsonl = dir.resolve("y.jsonl");
        assertEquals(
                2,
                Main.execute("parse-reports", "--in", csv.toString(), "--out", jsonl.toString(), "--extractor", "llm"));
        assertTrue(err.toString(UTF_8).contains("CAUSALCXR_LLM_ENDPOINT"), err.toString(UTF_8));
        assertFalse(Files.exists(jsonl));
    }

    @Test
    void aReportsCsvThatCannotBeReadLeavesNoOutputAndAnEarlierOneAsItWas(@TempDir Path dir) throws Exception {
        Path csv = Files.writeString(dir.resolve("wrongcols.csv"), "study_id,text\ns1,No effusion.\n");
        Path fresh = dir.resolve("y.jsonl");
        assertEquals(2, Main.execute("parse-reports", "--in", csv.toString(), "--out", fresh.toString()));
        Path earlier = Files.writeString(dir.resolve("earlier.jsonl"), "{\"study_id\": \"s0\"}\n");
        assertEquals(2, Main.execute("parse-reports", "--in", csv.toString(), "--out", earlier.toString()));
        assertFalse(Files.exists(fresh), "no empty output is left behind");
        assertEquals("{\"study_id\": \"s0\"}\n", Files.readString(earlier));
        try (var left = Files.list(dir)) {
            assertEquals(
                    List.of("earlier.jsonl", "wrongcols.csv"),
                    left.map(f -> f.getFileName().toString()).sorted().toList(),
                    "no temporary file is left either");
        }
    }

    @Test
    void aCommandGroupWithoutASubcommandIsAUsageErrorWithItsOwnUsageOnStandardError() {
        for (String group : List.of("models", "dataset", "schedule", "mlflow")) {
            out.reset();
            err.reset();
            assertEquals(2, Main.execute(group), group);
            assertTrue(err.toString(UTF_8).contains("Usage: causalcxr " + group + " "), err.toString(UTF_8));
            assertEquals("", out.toString(UTF_8), group);
        }
    }

    @Test
    void aMissingSpecSaysNoSuchFileAndADataDirThatIsAFileSaysSo(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("nonexist.yaml");
        assertEquals(
                2,
                Main.execute(
                        "run",
                        "--spec",
                        missing.toString(),
                        "--data-dir",
                        dir.resolve("d").toString()));
        assertTrue(
                err.toString(UTF_8).contains("cannot read the spec " + missing + ": no such file"),
                err.toString(UTF_8));
        Path file = Files.writeString(dir.resolve("F"), "x");
        assertEquals(2, Main.execute("status", "--data-dir", file.toString()));
        assertTrue(
                err.toString(UTF_8).contains("cannot create the data folder " + file + ": it is a file, not a folder"),
                err.toString(UTF_8));
    }

    @Test
    void everyCommandsSummaryInItsParentsHelpIsAWholeSentence() {
        // picocli lists a subcommand with the first line of its description (or its header)
        List<picocli.CommandLine> commands = new java.util.ArrayList<>(List.of(new picocli.CommandLine(new Main())));
        for (int i = 0; i < commands.size(); i++) {
            for (picocli.CommandLine sub : commands.get(i).getSubcommands().values()) {
                var usage = sub.getCommandSpec().usageMessage();
                String summary = usage.header().length > 0 ? usage.header()[0] : usage.description()[0];
                assertTrue(
                        summary.strip().matches(".*[.!?)]$"),
                        sub.getCommandSpec().qualifiedName() + ": '" + summary + "'");
                commands.add(sub);
            }
        }
    }
}
