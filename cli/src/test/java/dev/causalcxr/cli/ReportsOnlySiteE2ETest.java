package dev.causalcxr.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.causalcxr.activities.runner.StageManifest;
import dev.causalcxr.core.counterfactual.AugmentationSet;
import dev.causalcxr.core.dataset.DatasetBundle;
import dev.causalcxr.core.dataset.DatasetManifest;
import dev.causalcxr.core.dataset.PhantomGroundTruth;
import dev.causalcxr.core.diffusion.Condition;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Laterality;
import dev.causalcxr.core.findings.Severity;
import dev.causalcxr.core.findings.Zone;
import dev.causalcxr.core.labels.LabelSource;
import dev.causalcxr.core.labels.StudyLabels;
import dev.causalcxr.core.spec.ExperimentSpec;
import dev.causalcxr.infra.stack.PlatformStack;
import dev.causalcxr.infra.stack.StackConfig;
import dev.causalcxr.infra.tracking.MlflowTestSupport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's recipe for a site's data, as a new user runs it: a MIMIC-style folder of images and
 * reports with no label columns and no ground truth (written by {@code causalcxr phantom
 * --without-truth}), imported through {@code specs/import-site.yaml}. Every stage of the quick profile
 * runs on the parser's labels (tiny networks, so that the test takes minutes), a model is registered,
 * and each counterfactual's condition is its source study's parsed findings, with their severity and
 * location, plus the finding asked for.
 */
@Tag("e2e")
class ReportsOnlySiteE2ETest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Path IMPORT_SITE_SPEC = Path.of("..", "specs", "import-site.yaml");

    @Test
    void aReportsOnlySiteRunsEveryStageOnParsedLabelsAndItsCounterfactualsCarryParsedSeverityAndLocation(
            @TempDir Path dir) throws Exception {
        Path site = dir.resolve("site-a");
        assertEquals(
                ExitCodes.OK, Main.execute("phantom", "--out", site.toString(), "--studies", "160", "--without-truth"));
        assertFalse(Files.exists(site.resolve(PhantomGroundTruth.FILE_NAME)), "a site export has no ground truth");

        JsonNode root = YAML.readTree(Files.readString(IMPORT_SITE_SPEC));
        ((ObjectNode) root.get("dataset")).put("path", site.toString());
        ((ObjectNode) root).put("tail_frequency", 0.08);
        ObjectNode stages = (ObjectNode) root.get("stages");
        List<String> listed = new ArrayList<>();
        stages.fieldNames().forEachRemaining(listed::add);
        assertEquals(
                List.of(
                        "parse-reports",
                        "train-disentangler",
                        "train-diffusion",
                        "optimize-tail-noise",
                        "generate-counterfactuals",
                        "evaluate"),
                listed,
                "the spec runs every stage of the quick profile");
        // the spec's blocks, with networks and step counts small enough for a test
        stages.set("train-disentangler", YAML.readTree("""
                {steps: 20, batch_size: 8, pairs_per_kind: 2, base_width: 4, id_channels: 4, path_dim: 4,
                 head_hidden: 8, run_ablation: false, eval_pairs: 8, grid_identities: 2, grid_pathologies: 2}"""));
        stages.set(
                "train-diffusion",
                YAML.readTree(
                        "{train_steps: 60, hidden: 32, blocks: 1, condition_dim: 8, batch_size: 64, log_interval: 20}"));
        stages.set("optimize-tail-noise", YAML.readTree("""
                {iterations: 6, batch_size: 8, evaluation_samples: 8, comparison_samples: 16,
                 checkpoint_interval: 3}"""));
        stages.set("generate-counterfactuals", YAML.readTree("""
                {ddim_steps: 5, samples_per_condition: 2, metric_sources: 1, guidance_sweep: [], max_per_class: 6,
                 grid_sources: 2, grid_conditions: 2, grid_samples: 2}"""));
        stages.set("evaluate", YAML.readTree("""
                {seed_count: 1, minimum_class_count: 2, classifier: {epochs: 1, stage_widths: [4, 8, 16],
                 batch_size: 16}}"""));
        ExperimentSpec spec = ExperimentSpec.parse(root);

        Map<String, String> env = MlflowTestSupport.env("s3");
        Path summaryFile = dir.resolve("summary.json");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, UTF_8);
        int code = LocalPipeline.run(
                spec,
                StackConfig.fromEnvironment(dir.resolve("data"), env),
                new LocalPipeline.Options(Set.of(), false, summaryFile, true, null),
                new ConsoleOutput(ps, ps, false));
        assertEquals(0, code, out.toString(UTF_8));
        JsonNode summary = JSON.readTree(summaryFile.toFile());
        assertEquals("site-a@1", summary.path("model").asText(), summary.toString());
        JsonNode metrics = summary.get("metrics");
        for (String key : List.of(
                "recon_ssim",
                "diffusion_final_loss",
                "tail_classes",
                "cf_effectiveness",
                "cf_augmentation_images",
                "accuracy_real",
                "accuracy_augmented",
                "labels_labelled_studies")) {
            assertTrue(metrics.has(key), key + " missing from " + metrics);
        }
        assertTrue(metrics.get("tail_classes").asInt() > 0, "tail classes come from the parsed labels");
        assertEquals(160, metrics.get("labels_labelled_studies").asInt(), "every report parsed");
        assertFalse(metrics.has("labels_reports_vs_dataset_agreement"), "one source: nothing to compare");

        try (PlatformStack stack = PlatformStack.start(StackConfig.fromEnvironment(dir.resolve("data"), env), false)) {
            // the import has reports and no label columns
            Path bundle = fetch(
                    stack,
                    manifest(stack, summary, "ingest").outputs().get("dataset").digest(),
                    dir);
            DatasetManifest dataset = DatasetBundle.readManifest(bundle);
            assertTrue(dataset.entries().stream().allMatch(e -> e.labels().isEmpty() && e.reportPath() != null));

            StageManifest parse = manifest(stack, summary, "parse-reports");
            StudyLabels labels =
                    StudyLabels.read(fetch(stack, parse.outputs().get("labels").digest(), dir));
            assertEquals(LabelSource.REPORTS, labels.source());
            assertEquals(
                    Set.of("ingest", "parse-reports"),
                    manifest(stack, summary, "train-disentangler").inputs().keySet());
            assertTrue(manifest(stack, summary, "generate-counterfactuals")
                    .inputs()
                    .containsKey("parse-reports"));
            assertTrue(manifest(stack, summary, "evaluate").inputs().containsKey("parse-reports"));

            // every augmentation image was asked for as: its source's parsed findings + the tail finding
            StageManifest cf = manifest(stack, summary, "generate-counterfactuals");
            AugmentationSet set = AugmentationSet.read(
                    fetch(stack, cf.outputs().get("augmentation").digest(), dir));
            assertTrue(set.size() > 0);
            int withParsedAttributes = 0;
            for (AugmentationSet.Entry e : set.entries()) {
                List<FindingMention> parsed = labels.findings(e.sourceStudyId());
                Condition asked = Condition.intervene(
                        parsed,
                        List.of(FindingMention.present(
                                Finding.fromLabel(e.target()).orElseThrow(), null, null, null)));
                assertEquals(asked.describe(), e.condition(), "condition of " + e.file());
                if (parsed.stream()
                        .anyMatch(m -> m.severity() != Severity.UNSPECIFIED
                                || m.laterality() != Laterality.UNSPECIFIED
                                || m.zone() != Zone.UNSPECIFIED)) {
                    withParsedAttributes++;
                }
            }
            assertTrue(withParsedAttributes > 0, "some conditions carry a parsed severity, laterality or zone");

            Optional<String> uri = stack.awaitTracking(Duration.ofMinutes(15));
            assertTrue(uri.isPresent(), stack.tracker().offlineReason().orElse(""));
            JsonNode back = MlflowTestSupport.readBack(
                    uri.get(), "causalcxr/site-a", stack.objectStore().endpoint());
            Map<String, JsonNode> byName = new HashMap<>();
            back.get("runs").forEach(r -> byName.put(r.get("name").asText(), r));
            assertEquals(
                    "reports",
                    byName.get("parse-reports").at("/params/labels.source").asText());
            assertEquals(
                    "reports",
                    byName.get("train-disentangler").at("/params/labels.source").asText());
        }
    }

    private static StageManifest manifest(PlatformStack stack, JsonNode summary, String stage) {
        return stack.objectStore()
                .readJson(summary.at("/stages/" + stage + "/manifest").asText(), StageManifest.class);
    }

    private static Path fetch(PlatformStack stack, String digest, Path dir) throws Exception {
        Path file = Files.createTempFile(dir, "object-", ".bin");
        stack.objectStore().getToFile(digest, file);
        return file;
    }
}
