package dev.causalcxr.core.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExperimentSpecTest {

    @Test
    void invalidSpecReportsEveryProblemWithItsFieldPath() {
        String yaml = """
                name: Bad Name!
                seed: -3
                profile: huge
                colour: blue
                dataset:
                  source: phantom
                  image_size: 1000
                  studies: ten
                  typo_key: 1
                stages:
                  parse-reports:
                    extractor: regex
                    threads: 4
                  train-everything: {}
                """;
        SpecValidationException e = assertThrows(SpecValidationException.class, () -> ExperimentSpec.parseYaml(yaml));
        List<String> paths = e.problems().stream().map(SpecProblem::path).toList();
        assertEquals(
                List.of(
                        "name",
                        "seed",
                        "profile",
                        "dataset.image_size",
                        "dataset.studies",
                        "dataset.typo_key",
                        "stages.parse-reports.extractor",
                        "stages.parse-reports.threads",
                        "stages.train-everything",
                        "colour"),
                paths,
                e.getMessage());
        assertTrue(e.getMessage().startsWith("10 problems in the spec"));
        assertTrue(e.getMessage().contains("dataset.typo_key: unknown key"));
    }

    @Test
    void missingNameAndMalformedYamlAreReported() {
        var e = assertThrows(SpecValidationException.class, () -> ExperimentSpec.parseYaml("seed: 1\n"));
        assertEquals("name", e.problems().get(0).path());
        var y = assertThrows(SpecValidationException.class, () -> ExperimentSpec.parseYaml("name: [unclosed\n"));
        assertTrue(y.getMessage().contains("not valid YAML"));
    }

    @Test
    void canonicalFormIgnoresKeyOrderAndSpelledOutDefaults() {
        ExperimentSpec a = ExperimentSpec.parseYaml("name: x\nseed: 42\n");
        ExperimentSpec b = ExperimentSpec.parseYaml("""
                profile: quick
                seed: 42
                tail_frequency: 0.05
                stages:
                  parse-reports: {extractor: rules}
                  train-disentangler: {}
                  train-diffusion: {}
                  optimize-tail-noise: {}
                  generate-counterfactuals: {}
                  evaluate: {classifier: {epochs: 12}}
                dataset: {source: phantom, image_size: 64}
                name: x
                """);
        assertEquals(a.canonicalJson(), b.canonicalJson());
        assertEquals(a.digest(), b.digest());
        assertNotEquals(
                a.digest(), ExperimentSpec.parseYaml("name: x\nseed: 43\n").digest());
    }

    @Test
    void aStageWithoutTheStagesItReadsAndBadNestedBlocksAreAllReported() {
        var e = assertThrows(SpecValidationException.class, () -> ExperimentSpec.parseYaml("""
                name: x
                run: [generate-counterfactuals, evaluate]
                stages:
                  generate-counterfactuals: {ddim_steps: 0}
                  evaluate: {classifier: {epochs: zero, colour: red}}
                """));
        List<String> paths = e.problems().stream().map(SpecProblem::path).toList();
        assertTrue(paths.contains("stages.evaluate.classifier.epochs"), paths.toString());
        assertTrue(paths.contains("stages.evaluate.classifier.colour"), paths.toString());
        assertTrue(paths.contains("stages.generate-counterfactuals.ddim_steps"), paths.toString());
        assertTrue(paths.contains("run"), paths.toString());
        assertTrue(
                e.getMessage().contains("run: generate-counterfactuals needs the stage train-disentangler"),
                e.getMessage());
    }

    @Test
    void stageSeedsDifferPerStageAndFollowTheExperimentSeed() {
        ExperimentSpec a = ExperimentSpec.parseYaml("name: x\nseed: 7\n");
        assertNotEquals(a.stageSeed(StageName.INGEST), a.stageSeed(StageName.PARSE_REPORTS));
        assertEquals(
                a.stageSeed(StageName.INGEST),
                ExperimentSpec.parseYaml("name: y\nseed: 7\n").stageSeed(StageName.INGEST));
        assertEquals(List.of(StageName.values()), a.stageOrder());
    }

    @Test
    void stageBlocksAreReadIntoTheirConfigRecordsAndTheSeedIsNotTheirs() {
        ExperimentSpec s = ExperimentSpec.parseYaml("""
                name: x
                stages:
                  parse-reports: {}
                  train-disentangler: {steps: 12, group_supervision: false}
                """);
        var cfg = (dev.causalcxr.core.disentangle.DisentanglerConfig) s.stageConfig(StageName.TRAIN_DISENTANGLER);
        assertEquals(12, cfg.steps());
        assertEquals(false, cfg.groupSupervision());
        var e = assertThrows(SpecValidationException.class, () -> ExperimentSpec.parseYaml("""
                name: x
                stages:
                  parse-reports: {}
                  train-disentangler: {seed: 3, steps: lots}
                """));
        assertEquals(
                List.of("stages.train-disentangler.steps", "stages.train-disentangler.seed"),
                e.problems().stream().map(SpecProblem::path).toList());
    }

    @Test
    void theDisentanglerConfigsCrossFieldProblemsAreSpecProblemsAtTheirFieldPaths() {
        var e = assertThrows(SpecValidationException.class, () -> ExperimentSpec.parseYaml("""
                name: x
                stages:
                  parse-reports: {}
                  train-disentangler: {finding_layers: true, slot_swaps: 4, decoder_map_grid: 3}
                """));
        assertEquals(
                List.of(
                        "stages.train-disentangler.decoder_map_grid",
                        "stages.train-disentangler.slot_swaps",
                        "stages.train-disentangler.finding_layers"),
                e.problems().stream().map(SpecProblem::path).toList());
        assertTrue(e.getMessage().contains("finding slots are off"), e.getMessage());
    }

    @Test
    void labelsComeFromTheReportsByDefaultAndTheSpecMayNameAnotherSource() {
        ExperimentSpec defaults = ExperimentSpec.parseYaml("name: x\n");
        ParseReportsConfig parse = (ParseReportsConfig) defaults.stageConfig(StageName.PARSE_REPORTS);
        assertEquals(java.util.Optional.empty(), parse.labelSource(), "unset: reports when the dataset has them");
        assertEquals(
                "{\"extractor\":\"rules\",\"tailFrequency\":0.05}",
                defaults.stageConfigJson(StageName.PARSE_REPORTS),
                "an unset source and the planner's extractor version are not part of the spec");
        ExperimentSpec truth = ExperimentSpec.parseYaml("name: x\nstages: {parse-reports: {labels: truth}}\n");
        assertEquals(
                dev.causalcxr.core.labels.LabelSource.TRUTH,
                ((ParseReportsConfig) truth.stageConfig(StageName.PARSE_REPORTS))
                        .labelSource()
                        .orElseThrow());
        assertNotEquals(
                defaults.digest(),
                ExperimentSpec.parseYaml(
                                "name: x\nstages: {parse-reports: {labels: reports}, train-disentangler: {}}\n")
                        .digest());
    }

    @Test
    void everyImportFormatTheImporterReadsIsAValidSpecFormat() {
        for (dev.causalcxr.core.dataset.ImportFormat f : dev.causalcxr.core.dataset.ImportFormat.values()) {
            String format = f.name().toLowerCase(java.util.Locale.ROOT);
            ExperimentSpec spec = ExperimentSpec.parseYaml(
                    "name: x\ndataset: {source: import, name: site, format: " + format + ", path: /data/site}\n");
            assertEquals(format, spec.dataset().format());
        }
        var e = assertThrows(
                SpecValidationException.class,
                () -> ExperimentSpec.parseYaml(
                        "name: x\ndataset: {source: import, name: site, format: dicom, path: /data/site}\n"));
        assertEquals(
                List.of("dataset.format"),
                e.problems().stream().map(SpecProblem::path).toList());
    }

    @Test
    void aLabelSourceTheDataCannotHaveAndStagesWithoutTheirLabelsAreSpecErrors() {
        var e = assertThrows(SpecValidationException.class, () -> ExperimentSpec.parseYaml("""
                name: x
                dataset: {source: import, name: site, format: mimic, path: /data/site}
                stages:
                  parse-reports: {labels: truth}
                """));
        assertEquals(
                List.of("stages.parse-reports.labels"),
                e.problems().stream().map(SpecProblem::path).toList());
        assertTrue(e.getMessage().contains("needs dataset.source: phantom"), e.getMessage());

        var unknown = assertThrows(
                SpecValidationException.class,
                () -> ExperimentSpec.parseYaml("name: x\nstages: {parse-reports: {labels: llm}}\n"));
        assertTrue(unknown.getMessage().contains("must be one of reports, dataset, truth"), unknown.getMessage());

        var unlabelled = assertThrows(SpecValidationException.class, () -> ExperimentSpec.parseYaml("""
                name: x
                run: [train-disentangler, evaluate]
                """));
        assertEquals(
                List.of("run", "run"),
                unlabelled.problems().stream().map(SpecProblem::path).toList());
        assertTrue(
                unlabelled.getMessage().contains("train-disentangler needs the stage parse-reports"),
                unlabelled.getMessage());
        assertTrue(
                unlabelled
                        .getMessage()
                        .contains("evaluate needs the stage parse-reports, which the spec does not"
                                + " run (it publishes the finding labels): add it to run"),
                unlabelled.getMessage());
    }

    @Test
    void aStagesBlockThatConfiguresOneStageLeavesEveryOtherStageRunningWithItsDefaults() {
        ExperimentSpec s = ExperimentSpec.parseYaml("""
                name: x
                stages:
                  train-diffusion: {train_steps: 40}
                """);
        assertEquals(List.of(StageName.values()), s.stageOrder(), "no stage is skipped by configuring another");
        assertEquals(
                40,
                ((dev.causalcxr.core.diffusion.DiffusionConfig) s.stageConfig(StageName.TRAIN_DIFFUSION)).trainSteps());
        assertEquals(
                ExperimentSpec.parseYaml("name: x\n").stageConfigJson(StageName.EVALUATE),
                s.stageConfigJson(StageName.EVALUATE));
        assertEquals(
                "stages: ingest (dataset), parse-reports (defaults), train-disentangler (defaults),"
                        + " train-diffusion (spec), optimize-tail-noise (defaults), generate-counterfactuals (defaults),"
                        + " evaluate (defaults)",
                s.describeStages());
    }

    @Test
    void theRunListNamesTheStagesThatRunAndTheOthersAreSaidNotToRun() {
        ExperimentSpec s = ExperimentSpec.parseYaml("""
                name: x
                run: [parse-reports, train-disentangler]
                stages:
                  train-disentangler: {steps: 12}
                """);
        assertEquals(List.of(StageName.INGEST, StageName.PARSE_REPORTS, StageName.TRAIN_DISENTANGLER), s.stageOrder());
        assertEquals(
                "stages: ingest (dataset), parse-reports (defaults), train-disentangler (spec); not run:"
                        + " train-diffusion, optimize-tail-noise, generate-counterfactuals, evaluate",
                s.describeStages());
        assertEquals(
                List.of(StageName.INGEST),
                ExperimentSpec.parseYaml("name: x\nrun: []\n").stageOrder());
        assertEquals(
                s.stageOrder(),
                ExperimentSpec.parseYaml("name: x\nrun: [train-disentangler, ingest, parse-reports]\n")
                        .stageOrder(),
                "pipeline order, ingest always");
    }

    @Test
    void aBlockForAStageThatDoesNotRunAndABadRunListAreSpecErrors() {
        var e = assertThrows(SpecValidationException.class, () -> ExperimentSpec.parseYaml("""
                name: x
                run: [parse-reports, parse-reports, train-everything]
                stages:
                  evaluate: {seed_count: 1}
                """));
        assertEquals(
                List.of("run[1]", "run[2]", "stages.evaluate"),
                e.problems().stream().map(SpecProblem::path).toList(),
                e.getMessage());
        assertTrue(e.getMessage().contains("stages.evaluate: configures a stage that does not run"), e.getMessage());
        var notAList = assertThrows(
                SpecValidationException.class, () -> ExperimentSpec.parseYaml("name: x\nrun: parse-reports\n"));
        assertEquals(
                List.of("run"),
                notAList.problems().stream().map(SpecProblem::path).toList());
    }

    @Test
    void theEvaluationOnlyCohortIsAnEvaluateSettingCheckedWithItsPath() {
        ExperimentSpec s =
                ExperimentSpec.parseYaml("name: x\nstages:\n  evaluate: {power_cohort_studies: 1000, seed_count: 5}\n");
        var cfg = (dev.causalcxr.core.evaluation.EvaluationConfig) s.stageConfig(StageName.EVALUATE);
        assertEquals(1000, cfg.powerCohortStudies());
        assertEquals(5, cfg.seedCount());
        assertEquals(
                0,
                ((dev.causalcxr.core.evaluation.EvaluationConfig)
                                ExperimentSpec.parseYaml("name: x\n").stageConfig(StageName.EVALUATE))
                        .powerCohortStudies(),
                "off by default: the demo stays quick");
        var e = assertThrows(
                SpecValidationException.class,
                () -> ExperimentSpec.parseYaml("name: x\nstages:\n  evaluate: {power_cohort_studies: -5}\n"));
        assertTrue(e.problems().stream().anyMatch(p -> p.path().startsWith("stages.evaluate")), e.getMessage());
        assertTrue(e.getMessage().contains("power_cohort_studies"), e.getMessage());
    }

    @Test
    void theDependencyGraphReadsOnlyEarlierStagesAndNeedsOnlyWhatItReads() {
        for (StageName s : StageName.values()) {
            for (StageName r : s.reads()) {
                assertTrue(r.ordinal() < s.ordinal(), s + " reads the later " + r);
            }
            assertTrue(s.reads().containsAll(s.needs()), s + " needs only stages it reads");
        }
    }

    @Test
    void oneTailThresholdFromTheSpecReachesEveryStageThatNamesTailClasses() {
        ExperimentSpec s = ExperimentSpec.parseYaml("name: x\ntail_frequency: 0.08\n");
        assertEquals(0.08, s.tailFrequency());
        assertEquals(0.08, ((IngestConfig) s.stageConfig(StageName.INGEST)).tailFrequency());
        assertEquals(0.08, ((ParseReportsConfig) s.stageConfig(StageName.PARSE_REPORTS)).tailFrequency());
        assertEquals(
                0.08,
                ((dev.causalcxr.core.diffusion.tailnoise.TailNoiseStageConfig)
                                s.stageConfig(StageName.OPTIMIZE_TAIL_NOISE))
                        .tailFrequency());
        assertEquals(
                0.08,
                ((dev.causalcxr.core.evaluation.EvaluationConfig) s.stageConfig(StageName.EVALUATE)).tailFrequency());
        assertEquals(
                SpecDefaults.TAIL_FREQUENCY,
                ExperimentSpec.parseYaml("name: x\n").tailFrequency());

        var e = assertThrows(SpecValidationException.class, () -> ExperimentSpec.parseYaml("""
                name: x
                stages:
                  optimize-tail-noise: {tail_frequency: 0.08}
                  evaluate: {tail_frequency: 0.08}
                """));
        assertEquals(
                List.of("stages.optimize-tail-noise.tail_frequency", "stages.evaluate.tail_frequency"),
                e.problems().stream().map(SpecProblem::path).toList());
        assertTrue(e.getMessage().contains("top-level tail_frequency"), e.getMessage());
    }

    @Test
    void everyExampleSpecIsValid() throws Exception {
        try (var specs = Files.list(Path.of("..", "specs"))) {
            List<Path> files =
                    specs.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
            assertEquals(
                    List.of(
                            "import-site.yaml",
                            "quick-phantom-power-layers.yaml",
                            "quick-phantom-power-rendered-3200.yaml",
                            "quick-phantom-power-rendered.yaml",
                            "quick-phantom-power-weighted-aux20.yaml",
                            "quick-phantom-power-weighted-g4-studies8000.yaml",
                            "quick-phantom-power-weighted-g4.yaml",
                            "quick-phantom-power-weighted.yaml",
                            "quick-phantom-power.yaml",
                            "quick-phantom.yaml"),
                    files.stream().map(p -> p.getFileName().toString()).toList());
            for (Path f : files) {
                ExperimentSpec spec = ExperimentSpec.parseYaml(Files.readString(f));
                assertEquals(List.of(StageName.values()), spec.stageOrder(), f + " runs every stage");
            }
        }
    }

    @Test
    void trackingImagesIsSiteOnlyByDefaultAllowedOnRequestAndValidated() {
        ExperimentSpec plain = ExperimentSpec.parseYaml("name: t\n");
        assertEquals(TrackingConfig.SITE_ONLY, plain.tracking().images());
        ExperimentSpec explicit = ExperimentSpec.parseYaml("name: t\ntracking: {images: site-only}\n");
        assertEquals(plain.digest(), explicit.digest(), "the default leaves the digest of earlier specs as it was");
        assertTrue(!plain.canonicalJson().contains("tracking"), plain.canonicalJson());

        ExperimentSpec allowed = ExperimentSpec.parseYaml("name: t\ntracking: {images: allowed}\n");
        assertTrue(allowed.tracking().imagesAllowed());
        assertNotEquals(plain.digest(), allowed.digest());
        assertTrue(allowed.canonicalJson().contains("\"tracking\":{\"images\":\"allowed\"}"), allowed.canonicalJson());

        SpecValidationException e = assertThrows(
                SpecValidationException.class,
                () -> ExperimentSpec.parseYaml("name: t\ntracking: {images: everywhere, artifacts: all}\n"));
        assertEquals(
                List.of("tracking.images", "tracking.artifacts"),
                e.problems().stream().map(SpecProblem::path).toList(),
                e.getMessage());
        assertTrue(e.getMessage().contains("must be one of site-only, allowed (got 'everywhere')"), e.getMessage());
    }

    @Test
    void priorClassesIsTailByDefaultOrAllAndAnythingElseIsReportedOnItsBlock() {
        var defaults = (dev.causalcxr.core.diffusion.tailnoise.TailNoiseStageConfig)
                ExperimentSpec.parseYaml("name: x\n").stages().get(StageName.OPTIMIZE_TAIL_NOISE);
        assertTrue(!defaults.priorsForAllClasses());
        var all = (dev.causalcxr.core.diffusion.tailnoise.TailNoiseStageConfig)
                ExperimentSpec.parseYaml("""
                        name: x
                        stages:
                          optimize-tail-noise: {prior_classes: all}
                        """).stages().get(StageName.OPTIMIZE_TAIL_NOISE);
        assertTrue(all.priorsForAllClasses());
        var e = assertThrows(SpecValidationException.class, () -> ExperimentSpec.parseYaml("""
                name: x
                stages:
                  optimize-tail-noise: {prior_classes: head}
                """));
        assertEquals(
                List.of("stages.optimize-tail-noise.prior_classes"),
                e.problems().stream().map(SpecProblem::path).toList(),
                e.getMessage());
        assertTrue(e.getMessage().contains("prior_classes: must be tail or all, got head"), e.getMessage());
    }

    private static List<String> problemPaths(String yaml) {
        var e = assertThrows(SpecValidationException.class, () -> ExperimentSpec.parseYaml(yaml));
        return e.problems().stream().map(SpecProblem::path).toList();
    }

    @Test
    void everyStageBlockReportsEveryProblemAtItsSnakeCaseFieldPath() {
        var e = assertThrows(SpecValidationException.class, () -> ExperimentSpec.parseYaml("""
                name: x
                stages:
                  train-diffusion: {train_steps: 99999999999, learning_rate: -1, device: tpu, batch_size: 0}
                  optimize-tail-noise: {batch_size: 1, comparison_samples: 1, learning_rate: 0}
                  generate-counterfactuals: {class_counts: {Pneumothorx: 3, Mass: -1}, composition: blend}
                  evaluate:
                    seed_count: 0
                    tail_findings: [Fracture, Fractur]
                    classifier: {epochs: 0, batch_size: 1}
                """));
        assertEquals(
                List.of(
                        "stages.train-diffusion.train_steps",
                        "stages.train-diffusion.batch_size",
                        "stages.train-diffusion.learning_rate",
                        "stages.train-diffusion.device",
                        "stages.optimize-tail-noise.comparison_samples",
                        "stages.optimize-tail-noise.batch_size",
                        "stages.optimize-tail-noise.learning_rate",
                        "stages.generate-counterfactuals.class_counts.Pneumothorx",
                        "stages.generate-counterfactuals.class_counts.Mass",
                        "stages.generate-counterfactuals.composition",
                        "stages.evaluate.classifier.epochs",
                        "stages.evaluate.classifier.batch_size",
                        "stages.evaluate.seed_count",
                        "stages.evaluate.tail_findings[1]"),
                e.problems().stream().map(SpecProblem::path).toList(),
                e.getMessage());
        assertTrue(
                e.getMessage().contains("stages.evaluate.tail_findings[1]: unknown finding 'Fractur' (findings: "),
                e.getMessage());
        assertTrue(e.getMessage().contains("stages.train-diffusion.device: must be cpu, gpu or gpu:N (got 'tpu')"));
        // the spec's names, not Java's
        assertTrue(!e.getMessage().matches("(?s).*\\b(batchSize|learningRate|seedCount|comparisonSamples)\\b.*"));
    }

    @Test
    void aDeviceTheEngineCannotParseIsASpecProblemInEveryBlockWithADevice() {
        assertEquals(
                List.of(
                        "stages.train-disentangler.device",
                        "stages.train-diffusion.device",
                        "stages.optimize-tail-noise.device",
                        "stages.generate-counterfactuals.device",
                        "stages.evaluate.classifier.device"),
                problemPaths("""
                        name: x
                        stages:
                          train-disentangler: {device: tpu}
                          train-diffusion: {device: "gpu:x"}
                          optimize-tail-noise: {device: "gpu:"}
                          generate-counterfactuals: {device: cuda}
                          evaluate: {classifier: {device: "gpu:-1"}}
                        """));
        ExperimentSpec ok = ExperimentSpec.parseYaml("""
                name: x
                stages:
                  train-disentangler: {device: "gpu:1"}
                  train-diffusion: {device: GPU}
                """);
        assertEquals(
                "GPU",
                ((dev.causalcxr.core.diffusion.DiffusionConfig) ok.stageConfig(StageName.TRAIN_DIFFUSION)).device());
    }

    @Test
    void aKeyGivenTwiceIsASpecProblemAtItsPath() {
        assertEquals(List.of("seed"), problemPaths("name: x\nseed: 1\nseed: 2\n"));
        var e = assertThrows(SpecValidationException.class, () -> ExperimentSpec.parseYaml("""
                name: x
                stages:
                  evaluate:
                    seed_count: 1
                    seed_count: 2
                """));
        assertEquals(
                List.of("stages.evaluate.seed_count"),
                e.problems().stream().map(SpecProblem::path).toList());
        assertTrue(e.getMessage().contains("duplicate key at line 5"), e.getMessage());
        var retrain = assertThrows(
                SpecValidationException.class,
                () -> RetrainConfig.parseYaml("retrain:\n  training_set: union\n  training_set: new-only\n"));
        assertEquals(
                List.of("retrain.training_set"),
                retrain.problems().stream().map(SpecProblem::path).toList());
    }

    @Test
    void anInvalidBatchSizeIsReportedWithoutTheChecksOfFieldsThatDependOnIt() {
        var e = assertThrows(SpecValidationException.class, () -> ExperimentSpec.parseYaml("""
                name: x
                stages:
                  train-disentangler: {batch_size: 0}
                """));
        assertEquals(
                List.of("stages.train-disentangler.batch_size"),
                e.problems().stream().map(SpecProblem::path).toList(),
                e.getMessage());
        assertEquals(
                List.of("stages.train-disentangler.path_dim"),
                problemPaths("name: x\nstages:\n  train-disentangler: {path_dim: 0, finding_slots: 2}\n"));
    }

    @Test
    void aRunListReportsEveryMissingUpstreamStageDirectAndTransitiveAtOnce() {
        var e = assertThrows(
                SpecValidationException.class, () -> ExperimentSpec.parseYaml("name: x\nrun: [train-diffusion]\n"));
        assertEquals(
                List.of(
                        "run: train-diffusion needs the stage train-disentangler, which the spec does not run: add it"
                                + " to run",
                        "run: train-diffusion needs the stage parse-reports (through train-disentangler), which the"
                                + " spec does not run (it publishes the finding labels): add it to run"),
                e.problems().stream().map(SpecProblem::toString).toList());
        assertEquals(
                List.of("run", "run", "run"),
                problemPaths("name: x\nrun: [generate-counterfactuals]\n"),
                "train-disentangler, train-diffusion and parse-reports, each once");
    }
}
