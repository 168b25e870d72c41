package dev.causalcxr.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.core.dataset.Pseudonymizer;
import dev.causalcxr.core.imaging.GrayImage;
import dev.causalcxr.core.imaging.ImageCodec;
import dev.causalcxr.core.spec.ExperimentSpec;
import dev.causalcxr.core.spec.StageName;
import dev.causalcxr.infra.datasets.PseudonymKeys;
import dev.causalcxr.infra.registry.ModelRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tiny pipeline registers its model; {@code counterfactual} and {@code models} use it as a user
 * would, bad requests included. MLflow is off (the registry mirror is tested in infra's e2e tests).
 */
class CounterfactualCommandTest {
    @TempDir
    static Path dir;

    static Path data;
    static Path image;
    static String reference;
    static Pseudonymizer phantomKey;
    static String study1;
    static String firstRunId;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void trainTinyModel() throws Exception {
        System.setProperty("CAUSALCXR_MLFLOW", "off");
        data = dir.resolve("data");
        Path spec = dir.resolve("tiny.yaml");
        String yaml = """
                name: cf-cli
                seed: 5
                dataset: {studies: 60, image_size: 64}
                run: [parse-reports, train-disentangler, train-diffusion]
                stages:
                  train-disentangler: {steps: 6, batch_size: 8, pairs_per_kind: 2, base_width: 4, id_channels: 4,
                                       path_dim: 4, head_hidden: 8, run_ablation: false, eval_pairs: 8,
                                       grid_identities: 2, grid_pathologies: 2}
                  train-diffusion: {train_steps: 30, hidden: 32, blocks: 1, condition_dim: 8, batch_size: 32,
                                    log_interval: 10}
                """;
        Files.writeString(spec, yaml);
        // the phantom's studies are named by pseudonyms, keyed from the ingest stage's seed
        phantomKey = new Pseudonymizer(
                PseudonymKeys.forPhantom(ExperimentSpec.parseYaml(yaml).stageSeed(StageName.INGEST)));
        study1 = phantomKey.study("s50000001");
        Path summary = dir.resolve("summary.json");
        int code = Main.execute(
                "run", "--spec", spec.toString(), "--data-dir", data.toString(), "--summary-json", summary.toString());
        JsonNode s = new ObjectMapper().readTree(summary.toFile());
        assertEquals(0, code, s.toString());
        reference = s.path("model").asText();
        firstRunId = s.path("run_id").asText();
        image = dir.resolve("source.png");
        Files.write(image, ImageCodec.encodePng16(noise(64)));
    }

    @AfterAll
    static void clear() {
        System.clearProperty("CAUSALCXR_MLFLOW");
    }

    @BeforeEach
    void capture() {
        out.reset();
        err.reset();
    }

    private int cli(String... args) {
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return Main.execute(args);
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
    }

    /** Two "effusion" counterfactuals of the test image at seed 3, with the sampler left to the model unless given. */
    /**
     * The tiny spec's training (answered from the cache) plus a counterfactual stage at guidance 3.5 and 8 DDIM steps,
     * with {@code extraSettings} appended to its block, run under the name {@code name}; the registered model.
     */
    private String runWithCounterfactualStage(String name, String extraSettings) throws Exception {
        Path spec = dir.resolve(name + ".yaml");
        Files.writeString(
                spec,
                Files.readString(dir.resolve("tiny.yaml"))
                                .replace("name: cf-cli", "name: " + name)
                                .replace("train-diffusion]", "train-diffusion, generate-counterfactuals]")
                        + "  generate-counterfactuals: {guidance: 3.5, ddim_steps: 8, samples_per_condition: 2,"
                        + " metric_sources: 1, max_per_class: 2, grid_sources: 1, grid_conditions: 1, grid_samples: 1"
                        + extraSettings + "}\n");
        Path summary = dir.resolve("summary-" + name + ".json");
        assertEquals(
                0,
                cli(
                        "run",
                        "--spec",
                        spec.toString(),
                        "--data-dir",
                        data.toString(),
                        "--summary-json",
                        summary.toString()),
                err.toString(UTF_8));
        return new ObjectMapper().readTree(summary.toFile()).path("model").asText();
    }

    private String[] effusionOf(String model, Path outDir, String... sampler) {
        List<String> more = new ArrayList<>(List.of("--n", "2", "--seed", "3"));
        more.addAll(List.of(sampler));
        return counterfactual(model, image, "effusion", outDir, more.toArray(String[]::new));
    }

    /** Three counterfactuals at seed 11 with 10 DDIM steps. */
    private String[] request(String model, Path img, String finding, Path outDir) {
        return counterfactual(model, img, finding, outDir, "--n", "3", "--steps", "10", "--seed", "11");
    }

    private String[] counterfactual(String model, Path img, String finding, Path outDir, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "counterfactual",
                "--data-dir",
                data.toString(),
                "--model",
                model,
                "--image",
                img.toString(),
                "--finding",
                finding,
                "--out",
                outDir.toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void theRunRegistersItsModelAndTheCommandWritesCounterfactualsDeterministically() throws Exception {
        assertEquals("cf-cli@1", reference);
        Path a = dir.resolve("out-a");
        Path b = dir.resolve("out-b");
        assertEquals(0, cli(request("cf-cli", image, "moderate right pleural effusion", a)), err.toString(UTF_8));
        assertEquals(0, cli(request("cf-cli@1", image, "moderate right pleural effusion", b)), err.toString(UTF_8));
        for (String f : new String[] {
            "source.png", "counterfactual-01.png", "counterfactual-03.png", "contact-sheet.png", "counterfactuals.json"
        }) {
            assertTrue(Files.isRegularFile(a.resolve(f)), f);
        }
        assertArrayEquals(
                Files.readAllBytes(a.resolve("counterfactual-02.png")),
                Files.readAllBytes(b.resolve("counterfactual-02.png")),
                "same seed, same model: same image");
        JsonNode doc =
                new ObjectMapper().readTree(a.resolve("counterfactuals.json").toFile());
        assertEquals("cf-cli@1", doc.path("model").asText());
        assertTrue(doc.path("condition").asText().toLowerCase(Locale.ROOT).contains("effusion"), doc.toString());
        assertEquals(64, ImageCodec.read(a.resolve("counterfactual-01.png")).width());
    }

    @Test
    void badRequestsGetClearErrorsAndWriteNothing() throws Exception {
        Path o = dir.resolve("never");
        assertEquals(2, cli(request("cf-cli@champion", image, "effusion", o)));
        assertTrue(err.toString(UTF_8).contains("no alias 'champion'"), err.toString(UTF_8));
        err.reset();
        assertEquals(2, cli(request("no-such-model", image, "effusion", o)));
        assertTrue(err.toString(UTF_8).contains("no model named 'no-such-model'"), err.toString(UTF_8));
        err.reset();
        assertEquals(2, cli(request("cf-cli@9", image, "effusion", o)));
        assertTrue(err.toString(UTF_8).contains("no version 9"), err.toString(UTF_8));
        err.reset();
        Path broken = dir.resolve("broken.png");
        Files.writeString(broken, "not an image");
        assertEquals(2, cli(request("cf-cli", broken, "effusion", o)));
        assertTrue(err.toString(UTF_8).contains("not a readable PNG or JPEG"), err.toString(UTF_8));
        err.reset();
        assertEquals(2, cli(request("cf-cli", image, "purple elephant", o)));
        assertTrue(err.toString(UTF_8).startsWith("error: "), err.toString(UTF_8));
        err.reset();
        String absent = phantomKey.study("s49999999");
        assertEquals(2, cli(studyRequest("phantom-quick", absent, o)));
        assertTrue(err.toString(UTF_8).contains("no study " + absent + " in phantom-quick@"), err.toString(UTF_8));
        err.reset();
        assertEquals(2, cli(studyRequest("no-such-dataset", study1, o)));
        assertTrue(err.toString(UTF_8).contains("no dataset no-such-dataset"), err.toString(UTF_8));
        err.reset();
        assertEquals(
                2,
                cli(
                        "counterfactual",
                        "--data-dir",
                        data.toString(),
                        "--model",
                        "cf-cli",
                        "--image",
                        image.toString(),
                        "--dataset",
                        "phantom-quick",
                        "--study",
                        study1,
                        "--finding",
                        "effusion",
                        "--out",
                        o.toString()));
        assertTrue(err.toString(UTF_8).contains("--image IMG, or as --dataset"), err.toString(UTF_8));
        assertTrue(!Files.exists(o), "nothing written for a bad request");
    }

    private String[] studyRequest(String datasetRef, String studyId, Path outDir) {
        return new String[] {
            "counterfactual",
            "--data-dir",
            data.toString(),
            "--model",
            "cf-cli",
            "--dataset",
            datasetRef,
            "--study",
            studyId,
            "--finding",
            "effusion",
            "--n",
            "2",
            "--steps",
            "10",
            "--out",
            outDir.toString()
        };
    }

    @Test
    void anImageOfAnotherSizeIsFittedIntoTheModelsSquareAsOnImport() throws Exception {
        Path wide = dir.resolve("wide.png");
        Files.write(wide, ImageCodec.encodePng16(noise(48, 32)));
        Path o = dir.resolve("out-wide");
        assertEquals(0, cli(request("cf-cli", wide, "effusion", o)), err.toString(UTF_8));
        assertTrue(out.toString(UTF_8).contains("48×32 px, fitted into 64×64"), out.toString(UTF_8));
        assertEquals(64, ImageCodec.read(o.resolve("source.png")).width());
        assertEquals(64, ImageCodec.read(o.resolve("counterfactual-01.png")).height());
        JsonNode source = new ObjectMapper()
                .readTree(o.resolve("counterfactuals.json").toFile())
                .path("source");
        assertEquals(48, source.path("width").asInt());
        assertEquals(32, source.path("height").asInt());
        assertEquals(64, source.path("fitted_into").asInt());
    }

    @Test
    void aStudyOfAnImportedDatasetVersionCanBeTheSource() throws Exception {
        Path o = dir.resolve("out-study");
        assertEquals(0, cli(studyRequest("phantom-quick", study1, o)), err.toString(UTF_8));
        assertTrue(out.toString(UTF_8).contains("counterfactuals of study " + study1), out.toString(UTF_8));
        JsonNode source = new ObjectMapper()
                .readTree(o.resolve("counterfactuals.json").toFile())
                .path("source");
        assertEquals(study1, source.path("study").asText());
        assertFalse(
                Files.readString(o.resolve("counterfactuals.json")).contains("s5000"),
                "no raw study id in counterfactuals.json");
        assertTrue(source.path("fitted_into").isNull(), "the dataset's images are the model's size already");
        assertEquals(64, ImageCodec.read(o.resolve("counterfactual-02.png")).width());
    }

    @Test
    void runningTheSameSpecAgainIsAnsweredFromTheCacheAndKeepsTheModelVersion() throws Exception {
        Path summary = dir.resolve("summary-again.json");
        assertEquals(
                0,
                cli(
                        "run",
                        "--spec",
                        dir.resolve("tiny.yaml").toString(),
                        "--data-dir",
                        data.toString(),
                        "--summary-json",
                        summary.toString()),
                err.toString(UTF_8));
        JsonNode s = new ObjectMapper().readTree(summary.toFile());
        assertTrue(s.at("/stages/train-disentangler/cache_hit").asBoolean(), s.toString());
        assertEquals("cf-cli@1", s.path("model").asText());
    }

    @Test
    void aRerunFromScratchIsBitIdenticalToTheFirstRunStageByStage() throws Exception {
        Path summary = dir.resolve("summary-verify.json");
        assertEquals(
                0,
                cli(
                        "run",
                        "--spec",
                        dir.resolve("tiny.yaml").toString(),
                        "--data-dir",
                        data.toString(),
                        "--no-cache",
                        "--verify-against",
                        firstRunId,
                        "--summary-json",
                        summary.toString()),
                out + err.toString(UTF_8));
        JsonNode s = new ObjectMapper().readTree(summary.toFile());
        assertTrue(!s.at("/stages/train-disentangler/cache_hit").asBoolean(), "--no-cache trained again");
        String console = out.toString(UTF_8);
        for (String stage : new String[] {"ingest", "train-disentangler", "train-diffusion"}) {
            assertTrue(console.matches("(?s).*" + stage + " +identical.*"), console);
        }
        assertTrue(console.contains("every stage's outputs are bit-identical to " + firstRunId), console);
        assertEquals("cf-cli@1", s.path("model").asText(), "the same files are the same model version");

        assertEquals(
                2,
                cli(
                        "run",
                        "--spec",
                        dir.resolve("tiny.yaml").toString(),
                        "--data-dir",
                        data.toString(),
                        "--verify-against",
                        "no-such-run"));
        assertTrue(err.toString(UTF_8).contains("no run no-such-run"), err.toString(UTF_8));
    }

    @Test
    void modelsShowPrintsTheProvenanceOfAVersion() throws Exception {
        assertEquals(0, cli("models", "show", "--data-dir", data.toString(), "cf-cli@1"), err.toString(UTF_8));
        String shown = out.toString(UTF_8);
        for (String key : new String[] {
            "code.train-disentangler",
            "code.train-diffusion",
            "git_commit",
            "libtorch",
            "native_sha256",
            "intra_op_threads",
            "java",
            "arch",
            "spec_digest",
            "dataset",
            "seed.train-disentangler",
            "pipeline_run_id"
        }) {
            assertTrue(
                    shown.matches("(?s).*\\n  " + java.util.regex.Pattern.quote(key) + " +\\S+.*"),
                    key + " in " + shown);
        }
        assertEquals(2, cli("models", "show", "--data-dir", data.toString(), "cf-cli@99"));

        Path o = dir.resolve("out-provenance");
        assertEquals(0, cli(request("cf-cli@1", image, "effusion", o)), err.toString(UTF_8));
        JsonNode doc =
                new ObjectMapper().readTree(o.resolve("counterfactuals.json").toFile());
        assertTrue(
                doc.at("/model_provenance/code.train-disentangler").asText().matches("[0-9a-f]{64}"), doc.toString());
        assertTrue(doc.at("/generated_by/libtorch").isTextual(), doc.toString());
    }

    @Test
    void theModelsSamplerSettingsAreTheDefaultsAndTheCommandLineOverridesThem() throws Exception {
        // the same training (answered from the cache) with a counterfactual stage at guidance 3.5
        String guided = runWithCounterfactualStage("cf-cli-guided", "");
        assertEquals("cf-cli-guided@1", guided);
        assertEquals(0, cli("models", "show", "--data-dir", data.toString(), guided), err.toString(UTF_8));
        String shown = out.toString(UTF_8);
        assertTrue(shown.matches("(?s).*\\n  sampler\\.guidance +3\\.5\\n.*"), shown);
        assertTrue(shown.matches("(?s).*\\n  sampler\\.ddim_steps +8\\n.*"), shown);

        Path byModelDir = dir.resolve("out-model-sampler");
        out.reset();
        assertEquals(0, cli(effusionOf(guided, byModelDir)), err.toString(UTF_8));
        assertTrue(out.toString(UTF_8).contains("guidance 3.5 (the model's)"), out.toString(UTF_8));
        JsonNode byModel = new ObjectMapper()
                .readTree(byModelDir.resolve("counterfactuals.json").toFile());
        assertEquals(3.5, byModel.path("guidance").asDouble(), byModel.toString());
        assertEquals(8, byModel.path("ddim_steps").asInt(), byModel.toString());

        // the same files and settings asked for by hand give the same bytes
        Path explicit = dir.resolve("out-explicit-sampler");
        assertEquals(
                0, cli(effusionOf("cf-cli@1", explicit, "--guidance", "3.5", "--steps", "8")), err.toString(UTF_8));
        assertArrayEquals(
                Files.readAllBytes(explicit.resolve("counterfactual-02.png")),
                Files.readAllBytes(byModelDir.resolve("counterfactual-02.png")));

        // the command line wins; a model that records none gets the old defaults, and says so
        Path over = dir.resolve("out-override-sampler");
        assertEquals(0, cli(effusionOf(guided, over, "--guidance", "1.0")), err.toString(UTF_8));
        assertEquals(
                1.0,
                new ObjectMapper()
                        .readTree(over.resolve("counterfactuals.json").toFile())
                        .path("guidance")
                        .asDouble());
        out.reset();
        Path old = dir.resolve("out-unrecorded-sampler");
        assertEquals(0, cli(request("cf-cli@1", image, "effusion", old)), err.toString(UTF_8));
        assertTrue(
                out.toString(UTF_8).contains("guidance 2.0 (the default; the model records none)"),
                out.toString(UTF_8));
        assertEquals(
                2.0,
                new ObjectMapper()
                        .readTree(old.resolve("counterfactuals.json").toFile())
                        .path("guidance")
                        .asDouble());
    }

    @Test
    void aModelWhoseRunComposedLocallyAnswersWithLocalizedCounterfactuals() throws Exception {
        // the same training (answered from the cache) with a counterfactual stage that composes locally
        String localized =
                runWithCounterfactualStage("cf-cli-localized", ", composition: localized, localize_threshold: 0.9");
        assertEquals(0, cli("models", "show", "--data-dir", data.toString(), localized), err.toString(UTF_8));
        String shown = out.toString(UTF_8);
        assertTrue(shown.matches("(?s).*\\n  composition +localized\\n.*"), shown);
        assertTrue(shown.matches("(?s).*\\n  composition\\.localize_threshold +0\\.9\\n.*"), shown);

        Path local = dir.resolve("out-localized");
        assertEquals(0, cli(effusionOf(localized, local)), err.toString(UTF_8));
        JsonNode doc = new ObjectMapper()
                .readTree(local.resolve("counterfactuals.json").toFile());
        assertEquals("localized", doc.path("composition").asText(), doc.toString());
        // the same models and sampler, composed residually (a model that records no composition)
        Path residual = dir.resolve("out-residual");
        assertEquals(
                0, cli(effusionOf("cf-cli@1", residual, "--guidance", "3.5", "--steps", "8")), err.toString(UTF_8));
        assertEquals(
                "residual",
                new ObjectMapper()
                        .readTree(residual.resolve("counterfactuals.json").toFile())
                        .path("composition")
                        .asText());
        assertFalse(java.util.Arrays.equals(
                Files.readAllBytes(residual.resolve("counterfactual-02.png")),
                Files.readAllBytes(local.resolve("counterfactual-02.png"))));
    }

    @Test
    void modelsListShowsTheVersionAndAnAliasCanPointAtIt() {
        assertEquals(0, cli("models", "list", "--data-dir", data.toString()));
        assertTrue(out.toString(UTF_8).contains("cf-cli@1"), out.toString(UTF_8));
        assertEquals(
                0,
                cli(
                        "models",
                        "alias",
                        "--data-dir",
                        data.toString(),
                        "cf-cli",
                        "champion",
                        "1",
                        "--reason",
                        "validated on site A"));
        assertEquals(
                0,
                cli(request("cf-cli@champion", image, "effusion", dir.resolve("out-champion"))),
                err.toString(UTF_8));
        assertEquals(0, cli("models", "unalias", "--data-dir", data.toString(), "cf-cli", "champion"));
        assertEquals(2, cli("models", "list", "--data-dir", data.toString(), "nope"));
        // the history names the registration (by its pipeline run), the move with its reason, and the removal
        out.reset();
        assertEquals(0, cli("models", "history", "--data-dir", data.toString(), "cf-cli"));
        List<String> lines = out.toString(UTF_8).lines().toList();
        assertEquals(3, lines.size(), out.toString(UTF_8));
        assertTrue(
                lines.get(0).contains("registered cf-cli@1") && lines.get(0).contains("by pipeline run "),
                lines.get(0));
        assertTrue(
                lines.get(1).contains("@champion → 1 (new)")
                        && lines.get(1).contains("by " + ModelRegistry.currentUser())
                        && lines.get(1).endsWith("— validated on site A"),
                lines.get(1));
        assertTrue(lines.get(2).contains("@champion removed (was 1)"), lines.get(2));
        assertEquals(2, cli("models", "history", "--data-dir", data.toString(), "nope"));
    }

    private static GrayImage noise(int size) {
        return noise(size, size);
    }

    private static GrayImage noise(int width, int height) {
        SplittableRandom r = new SplittableRandom(3);
        float[] px = new float[width * height];
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) r.nextDouble();
        }
        return GrayImage.fromUnit(width, height, px);
    }
}
