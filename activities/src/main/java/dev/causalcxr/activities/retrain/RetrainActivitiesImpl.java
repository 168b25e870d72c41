package dev.causalcxr.activities.retrain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.causalcxr.activities.runner.DatasetLineage;
import dev.causalcxr.activities.runner.StageManifest;
import dev.causalcxr.activities.runner.WarmStart;
import dev.causalcxr.core.dataset.DatasetBundle;
import dev.causalcxr.core.dataset.DatasetEntry;
import dev.causalcxr.core.dataset.DatasetManifest;
import dev.causalcxr.core.dataset.IngestStage;
import dev.causalcxr.core.dataset.SourceIds;
import dev.causalcxr.core.dataset.Split;
import dev.causalcxr.core.disentangle.DisentanglerStage;
import dev.causalcxr.core.files.Digests;
import dev.causalcxr.core.files.FileTrees;
import dev.causalcxr.core.retrain.GateDecision;
import dev.causalcxr.core.retrain.PromotionGate;
import dev.causalcxr.core.retrain.RuleOutcome;
import dev.causalcxr.core.retrain.SplitEvidence;
import dev.causalcxr.core.spec.CodeVersion;
import dev.causalcxr.core.spec.GateRule;
import dev.causalcxr.core.spec.RetrainConfig;
import dev.causalcxr.core.spec.SpecValidationException;
import dev.causalcxr.core.spec.StageName;
import dev.causalcxr.infra.datasets.DatasetCatalog;
import dev.causalcxr.infra.metadata.PipelineJournal;
import dev.causalcxr.infra.objectstore.ObjectRef;
import dev.causalcxr.infra.objectstore.ObjectStore;
import dev.causalcxr.infra.registry.ModelNotFoundException;
import dev.causalcxr.infra.registry.ModelReference;
import dev.causalcxr.infra.registry.ModelRegistry;
import dev.causalcxr.infra.registry.ModelVersion;
import dev.causalcxr.infra.tracking.Tracker;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The retrain's activities on the platform's own stores: the registry (champion, aliases, history), the journal
 * (the champion's run, its stage manifests and checkpoints), the data set catalogue and the object store.
 */
public final class RetrainActivitiesImpl implements RetrainActivities {
    /** The alias a promotion leaves on the version it replaced. */
    public static final String PREVIOUS = "previous";
    /** The alias a refused challenger gets. */
    public static final String CHALLENGER = "challenger";
    /** The alias a promotion moves when the champion was named by version. */
    public static final String CHAMPION = "champion";

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The stages a retrain's fine-tuning run has; the measuring runs have every stage the champion's run had. */
    private static final Set<StageName> TRAINING_STAGES = Set.of(
            StageName.PARSE_REPORTS,
            StageName.TRAIN_DISENTANGLER,
            StageName.TRAIN_DIFFUSION,
            StageName.OPTIMIZE_TAIL_NOISE);

    private final ModelRegistry registry;
    private final PipelineJournal journal;
    private final DatasetCatalog catalog;
    private final ObjectStore store;
    private final Tracker tracker;
    private final Path workRoot;

    public RetrainActivitiesImpl(
            ModelRegistry registry,
            PipelineJournal journal,
            DatasetCatalog catalog,
            ObjectStore store,
            Tracker tracker,
            Path workRoot) {
        this.registry = registry;
        this.journal = journal;
        this.catalog = catalog;
        this.store = store;
        this.tracker = tracker;
        this.workRoot = workRoot;
    }

    /** The champion and the new data, resolved and checked; nothing written. */
    public record Resolved(
            RetrainConfig config,
            ModelVersion champion,
            String championRunId,
            JsonNode spec,
            List<PipelineJournal.StageRunRow> championStages,
            StageManifest championIngest,
            DatasetCatalog.VersionRow oldData,
            DatasetCatalog.VersionRow newData,
            DatasetManifest newManifest) {
        /** The champion's part. */
        public ChampionLineage lineage() {
            return new ChampionLineage(champion, championRunId, championStages, championIngest, oldData);
        }
    }

    /**
     * Resolves and checks a request without writing anything: the CLI calls it before starting the workflow, and
     * {@link #prepare} again (the state may have changed in between).
     *
     * @throws RetrainInputException (or {@link SpecValidationException}) for bad input
     */
    public Resolved resolve(RetrainRequest request) {
        RetrainConfig config = request.retrainSpecYaml() == null
                ? RetrainConfig.defaults()
                : RetrainConfig.parseYaml(request.retrainSpecYaml());
        ChampionLineage lineage = lineage(request.model());
        ModelVersion champion = lineage.champion();
        String runId = lineage.runId();
        JsonNode spec;
        try {
            spec = JSON.readTree(journal.specJson(runId).orElse("{}"));
        } catch (IOException e) {
            throw new RetrainInputException("the spec of " + champion.reference() + "'s run cannot be read");
        }
        List<PipelineJournal.StageRunRow> stages = lineage.stages();
        StageManifest ingest = lineage.ingest();
        DatasetCatalog.VersionRow oldData = lineage.trainingData();
        DatasetCatalog.VersionRow newData;
        try {
            newData = catalog.resolve(request.dataset())
                    .orElseThrow(() -> new RetrainInputException(
                            "no data set " + request.dataset() + " in the catalogue (see `causalcxr dataset list`)"));
        } catch (IllegalArgumentException e) {
            throw new RetrainInputException(e.getMessage());
        }
        if (newData.dataset().equals(oldData.dataset()) && newData.version().equals(oldData.version())) {
            throw new RetrainInputException(request.dataset() + " is the data " + champion.reference()
                    + " was trained on: nothing new to retrain on");
        }
        DatasetManifest newManifest = bundleManifest(newData);
        int newTests = newManifest.countsBySplit().get(Split.TEST);
        if (newTests == 0) {
            throw new RetrainInputException(
                    newData.dataset() + "@" + newData.version().substring(0, 12)
                            + " has no test split: champion and challenger could not be compared on it");
        }
        if (newManifest.countsBySplit().get(Split.TRAIN) == 0) {
            throw new RetrainInputException(newData.dataset() + " has no training split to fine-tune on");
        }
        for (GateRule r : config.rules()) {
            if (r.split() != null
                    && !r.split().equals(GateRule.OLD)
                    && !r.split().equals(GateRule.NEW)
                    && !r.split().equals(oldData.dataset())
                    && !r.split().equals(newData.dataset())) {
                throw new RetrainInputException("gate rule '" + r.text() + "' names the test split '" + r.split()
                        + "'; this retrain compares on " + oldData.dataset() + " (old) and " + newData.dataset()
                        + " (new)");
            }
        }
        return new Resolved(config, champion, runId, spec, stages, ingest, oldData, newData, newManifest);
    }

    /**
     * A champion and what it was trained on: its run in the journal, that run's stage outputs and the data set version
     * its ingest stage read (for a retrained champion, the training set its retrain recorded).
     */
    public record ChampionLineage(
            ModelVersion champion,
            String runId,
            List<PipelineJournal.StageRunRow> stages,
            StageManifest ingest,
            DatasetCatalog.VersionRow trainingData) {}

    /**
     * Resolves {@code model} ({@code NAME@ALIAS} or {@code NAME@VERSION}) to a champion that can be retrained, without
     * writing anything.
     *
     * @throws RetrainInputException an unknown model or alias, or a version whose lineage is unknown
     */
    public ChampionLineage lineage(String model) {
        ModelVersion champion;
        try {
            champion = registry.resolve(model);
        } catch (ModelNotFoundException | IllegalArgumentException e) {
            throw new RetrainInputException(e.getMessage());
        }
        String runId = champion.provenance().get(ModelRegistry.PIPELINE_RUN_ID);
        if (runId == null || journal.pipelineRun(runId).isEmpty()) {
            throw new RetrainInputException(champion.reference()
                    + " has no pipeline run in the journal: its lineage (spec, data, checkpoints) is unknown");
        }
        List<PipelineJournal.StageRunRow> stages = journal.stageRuns(runId).stream()
                .filter(r -> "succeeded".equals(r.status()) && r.outputManifestDigest() != null)
                .toList();
        Map<String, String> byStage = new TreeMap<>();
        stages.forEach(r -> byStage.put(r.stage(), r.outputManifestDigest()));
        for (StageName needed : List.of(
                StageName.INGEST, StageName.PARSE_REPORTS, StageName.TRAIN_DISENTANGLER, StageName.TRAIN_DIFFUSION)) {
            if (!byStage.containsKey(needed.label())) {
                throw new RetrainInputException(champion.reference() + "'s run " + runId + " has no " + needed.label()
                        + " output to retrain from");
            }
        }
        StageManifest ingest = store.readJson(byStage.get(StageName.INGEST.label()), StageManifest.class);
        String oldName = ingest.params().get("dataset.name");
        String oldVersion = ingest.params().get("dataset.version");
        DatasetCatalog.VersionRow oldData =
                oldName == null ? null : catalog.version(oldName, oldVersion).orElse(null);
        if (oldData == null) {
            throw new RetrainInputException(champion.reference() + "'s training data is not in the data set catalogue");
        }
        return new ChampionLineage(champion, runId, stages, ingest, oldData);
    }

    @Override
    public RetrainPreparation prepare(RetrainRequest request) {
        Resolved r;
        try {
            r = resolve(request);
        } catch (SpecValidationException | RetrainInputException e) {
            throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), "RetrainInputException");
        }
        String id = request.retrainId();
        Map<String, StageManifest> champion = manifests(r.championStages());
        List<StageName> stageOrder = new ArrayList<>();
        for (StageName s : StageName.values()) {
            if (s != StageName.INGEST && champion.containsKey(s.label())) {
                stageOrder.add(s);
            }
        }
        // the test splits: the champion's data as its run ingested it (with the phantom's truth where it has one),
        // and the new data as the catalogue holds it
        String oldIngest = digestOf(r.championStages(), StageName.INGEST);
        String newIngest = ingestManifest(r.newData(), r.newManifest(), List.of());
        DatasetManifest oldManifest = bundleManifest(r.oldData());
        List<TestSplit> splits = List.of(
                testSplit(r.oldData(), GateRule.OLD, oldIngest, oldManifest),
                testSplit(r.newData(), GateRule.NEW, newIngest, r.newManifest()));
        // the training set: the new data alone, or its union with the champion's, recorded with its parents
        String trainingIngest;
        String trainingSet;
        List<String> parents;
        if (r.config().trainingSet() == RetrainConfig.TrainingSet.NEW_ONLY) {
            trainingIngest = newIngest;
            trainingSet = r.newData().dataset() + "@" + r.newData().version();
            parents = List.of(trainingSet);
        } else {
            DatasetCatalog.VersionRow union = union(r.oldData(), oldManifest, r.newData(), r.newManifest());
            DatasetManifest unionManifest = bundleManifest(union);
            parents = catalog.parents(union.dataset(), union.version());
            trainingIngest = ingestManifest(union, unionManifest, parents);
            trainingSet = union.dataset() + "@" + union.version();
        }
        List<ChainStage> training = new ArrayList<>();
        for (StageName s : stageOrder) {
            if (!TRAINING_STAGES.contains(s)) {
                continue;
            }
            StageManifest m = champion.get(s.label());
            Integer added = r.config().steps().get(s);
            String config = added == null ? m.configJson() : withAddedSteps(s, m.configJson(), added);
            training.add(chainStage(s, config, m.seed(), stageOrder, added == null ? null : warmStart(s, m)));
        }
        ChainPlan trainingRun = new ChainPlan(
                id + "-train",
                (r.config().start() == RetrainConfig.Start.COLD ? "training from scratch on " : "fine-tuning on ")
                        + trainingSet,
                training,
                Map.of(StageName.INGEST.label(), trainingIngest),
                false);
        List<ChainPlan> championRuns = new ArrayList<>();
        for (TestSplit split : splits) {
            championRuns.add(measuringRun(
                    id + "-champion-on-" + split.dataset(),
                    "champion on " + split.dataset(),
                    split,
                    stageOrder,
                    champion,
                    champion));
        }
        return new RetrainPreparation(
                r.champion().name(),
                r.champion().version(),
                r.championRunId(),
                r.spec().path("name").asText(r.champion().name()),
                journal.pipelineRun(r.championRunId()).orElseThrow().specDigest(),
                JSON.valueToTree(r.spec()).toString(),
                CodeVersion.current(),
                r.spec().path("seed").asLong(0),
                r.spec().path("profile").asText("quick"),
                "causalcxr/" + r.spec().path("name").asText(r.champion().name()),
                trainingSet,
                parents,
                splits,
                trainingRun,
                championRuns);
    }

    @Override
    public List<ChainPlan> challengerEvaluations(RetrainPreparation prep, Map<String, String> challengerManifests) {
        Map<String, StageManifest> champion = manifests(journal.stageRuns(prep.championRunId()).stream()
                .filter(r -> "succeeded".equals(r.status()) && r.outputManifestDigest() != null)
                .toList());
        Map<String, StageManifest> challenger = new TreeMap<>(champion);
        challengerManifests.forEach((stage, digest) -> {
            if (digest != null && StageName.fromLabel(stage).isPresent()) {
                challenger.put(stage, store.readJson(digest, StageManifest.class));
            }
        });
        List<StageName> stageOrder = new ArrayList<>();
        for (StageName s : StageName.values()) {
            if (s != StageName.INGEST && champion.containsKey(s.label())) {
                stageOrder.add(s);
            }
        }
        List<ChainPlan> runs = new ArrayList<>();
        for (TestSplit split : prep.splits()) {
            runs.add(measuringRun(
                    prep.training().runId().replaceAll("-train$", "") + "-challenger-on-" + split.dataset(),
                    "challenger on " + split.dataset(),
                    split,
                    stageOrder,
                    champion,
                    challenger));
        }
        return runs;
    }

    /**
     * A run that measures a model on a test split: its trained stages warm-started from the model's final
     * checkpoints with no further step (the trainer resumes at its last step and only evaluates and publishes), the
     * other stages as the champion's run configured them.
     */
    private ChainPlan measuringRun(
            String runId,
            String purpose,
            TestSplit split,
            List<StageName> stageOrder,
            Map<String, StageManifest> champion,
            Map<String, StageManifest> model) {
        List<ChainStage> stages = new ArrayList<>();
        for (StageName s : stageOrder) {
            boolean trained = RetrainConfig.STEP_FIELDS.containsKey(s);
            StageManifest m = trained ? model.get(s.label()) : champion.get(s.label());
            stages.add(chainStage(s, m.configJson(), m.seed(), stageOrder, trained ? warmStart(s, m) : null));
        }
        return new ChainPlan(runId, purpose, stages, Map.of(StageName.INGEST.label(), measuringIngest(split)), true);
    }

    /**
     * The split's ingest manifest marked as measured on: every stage of the run evaluates ({@link DatasetLineage}'s
     * context for MLflow), with the frozen test split's digest. The same outputs, so the same cache keys.
     */
    private String measuringIngest(TestSplit split) {
        StageManifest m = store.readJson(split.ingestManifest(), StageManifest.class);
        Map<String, String> params = new TreeMap<>(m.params() == null ? Map.of() : m.params());
        params.put(DatasetLineage.CONTEXT_PARAM, DatasetLineage.EVALUATION);
        params.put(DatasetLineage.TEST_SPLIT_PARAM, split.testDigest());
        return store.putJson(new StageManifest(
                        m.stage(),
                        m.cacheKey(),
                        m.configJson(),
                        m.seed(),
                        m.inputs(),
                        m.outputs(),
                        m.artifacts(),
                        m.metrics(),
                        params,
                        m.provenance()))
                .digest();
    }

    private static ChainStage chainStage(
            StageName s, String configJson, long seed, List<StageName> stageOrder, String warmStart) {
        List<String> inputs = new ArrayList<>();
        for (StageName in : s.reads()) {
            if (in == StageName.INGEST || stageOrder.contains(in)) {
                inputs.add(in.label());
            }
        }
        return new ChainStage(
                s.label(), configJson, seed, inputs, warmStart == null ? null : Map.of(WarmStart.INPUT, warmStart));
    }

    /**
     * The warm-start manifest of a trained stage: its final checkpoint (the one at its configured last step; an
     * earlier one would not be the model that was registered).
     */
    String warmStart(StageName stage, StageManifest m) {
        long expected = finalCheckpointStep(stage, m.configJson());
        PipelineJournal.CheckpointRow last = journal.checkpoints(m.cacheKey(), "", true).stream()
                .max(Comparator.comparingLong(PipelineJournal.CheckpointRow::step))
                .orElse(null);
        if (last == null || last.step() != expected || !store.verify(last.digest())) {
            throw ApplicationFailure.newNonRetryableFailure(
                    stage.label() + ": the model's final checkpoint (step " + expected + ") is not stored"
                            + (last == null ? "" : " (newest: step " + last.step() + ")")
                            + "; a warm start needs it. Models trained before retraining existed lack the diffusion"
                            + " stage's; train the champion again with this version",
                    "RetrainInputException");
        }
        Map<String, StageManifest.Entry> outputs = new TreeMap<>();
        outputs.put(stage.label(), new StageManifest.Entry(last.digest(), 0));
        if (stage == StageName.TRAIN_DISENTANGLER && m.outputs().containsKey(DisentanglerStage.OUTPUT_MODEL)) {
            outputs.put(WarmStart.modelOutput(stage.label()), m.outputs().get(DisentanglerStage.OUTPUT_MODEL));
        }
        StageManifest warm = new StageManifest(
                WarmStart.INPUT,
                WarmStart.INPUT + ":" + m.cacheKey(),
                "{}",
                m.seed(),
                Map.of(),
                outputs,
                Map.of(),
                Map.of(),
                Map.of(WarmStart.stepParam(stage.label()), String.valueOf(last.step())),
                Map.of("source_cache_key", m.cacheKey()));
        return store.putJson(warm).digest();
    }

    /** The step under which a trained stage's last checkpoint is journaled. */
    static long finalCheckpointStep(StageName stage, String configJson) {
        JsonNode c = readTree(configJson);
        return switch (stage) {
            // the main phase's steps are journaled after the ablation's when it runs first
            case TRAIN_DISENTANGLER ->
                c.path("steps").asLong() * (c.path("runAblation").asBoolean() ? 2 : 1);
            case TRAIN_DIFFUSION -> c.path("trainSteps").asLong();
            default -> throw new IllegalArgumentException(stage.label() + " is not fine-tuned");
        };
    }

    static String withAddedSteps(StageName stage, String configJson, int added) {
        ObjectNode c = (ObjectNode) readTree(configJson);
        String field = RetrainConfig.STEP_FIELDS.get(stage);
        c.put(field, c.path(field).asLong() + added);
        return c.toString();
    }

    private static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Map<String, StageManifest> manifests(List<PipelineJournal.StageRunRow> rows) {
        Map<String, StageManifest> m = new TreeMap<>();
        for (PipelineJournal.StageRunRow r : rows) {
            if (StageName.fromLabel(r.stage()).isPresent()) {
                m.put(r.stage(), store.readJson(r.outputManifestDigest(), StageManifest.class));
            }
        }
        return m;
    }

    private static String digestOf(List<PipelineJournal.StageRunRow> rows, StageName stage) {
        return rows.stream()
                .filter(r -> r.stage().equals(stage.label()))
                .findFirst()
                .orElseThrow()
                .outputManifestDigest();
    }

    /**
     * A catalogue version published as the ingest stage's output: the manifest the later stages read it from. Its
     * digest depends only on the version, so the same data is the same input (and cache key) in every retrain.
     */
    private String ingestManifest(DatasetCatalog.VersionRow v, DatasetManifest manifest, List<String> parents) {
        Map<String, String> params = new TreeMap<>();
        params.put(DatasetLineage.NAME_PARAM, v.dataset());
        params.put(DatasetLineage.VERSION_PARAM, v.version());
        if (!parents.isEmpty()) {
            params.put(DatasetLineage.PARENTS_PARAM, String.join(",", parents));
        }
        Map<String, Double> metrics = new TreeMap<>();
        metrics.put("dataset_studies", (double) manifest.entries().size());
        metrics.put("dataset_patients", (double) manifest.entries().stream()
                .map(DatasetEntry::patientId)
                .distinct()
                .count());
        StageManifest m = new StageManifest(
                StageName.INGEST.label(),
                "catalog:" + v.dataset() + "@" + v.version(),
                "{}",
                0,
                Map.of(),
                Map.of(IngestStage.OUTPUT_DATASET, new StageManifest.Entry(v.bundleDigest(), 0)),
                Map.of(),
                metrics,
                params,
                Map.of("source", "catalog"));
        return store.putJson(m).digest();
    }

    private static TestSplit testSplit(DatasetCatalog.VersionRow v, String role, String ingest, DatasetManifest m) {
        List<DatasetEntry> test =
                m.entries().stream().filter(e -> e.split() == Split.TEST).toList();
        StringBuilder canonical = new StringBuilder("causalcxr-test-split-v1\n");
        for (DatasetEntry e : test) {
            canonical
                    .append(e.studyId())
                    .append('\t')
                    .append(e.patientId())
                    .append('\t')
                    .append(e.imageDigest())
                    .append('\n');
        }
        return new TestSplit(
                v.dataset(),
                v.version(),
                role,
                ingest,
                Digests.sha256Hex(canonical.toString().getBytes(StandardCharsets.UTF_8)),
                test.size());
    }

    private DatasetManifest bundleManifest(DatasetCatalog.VersionRow v) {
        try {
            Path tmp = Files.createTempFile(scratch(), "bundle-", ".zip");
            try {
                store.getToFile(v.bundleDigest(), tmp);
                return DatasetBundle.readManifest(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the bundle of " + v.dataset(), e);
        }
    }

    private Path scratch() throws IOException {
        return Files.createDirectories(workRoot.resolve("retrain"));
    }

    /**
     * The union of the champion's data and the new data as one recorded version: every entry of both with its
     * split (so each site's test studies stay test studies), refused when a patient would sit in two splits.
     */
    private DatasetCatalog.VersionRow union(
            DatasetCatalog.VersionRow old,
            DatasetManifest oldManifest,
            DatasetCatalog.VersionRow neu,
            DatasetManifest newManifest) {
        if (oldManifest.imageSize() != newManifest.imageSize()) {
            throw ApplicationFailure.newNonRetryableFailure(
                    "the champion's data has " + oldManifest.imageSize() + " px images, " + neu.dataset() + " "
                            + newManifest.imageSize() + " px: a union needs one size (import it with --size "
                            + oldManifest.imageSize() + ")",
                    "RetrainInputException");
        }
        Map<String, Split> patientSplit = new TreeMap<>();
        List<DatasetEntry> entries = new ArrayList<>();
        Set<String> studies = new HashSet<>();
        for (DatasetManifest m : List.of(oldManifest, newManifest)) {
            for (DatasetEntry e : m.entries()) {
                Split before = patientSplit.putIfAbsent(e.patientId(), e.split());
                if (before != null && before != e.split()) {
                    throw ApplicationFailure.newNonRetryableFailure(
                            "a patient of " + neu.dataset() + " is in another split of the champion's data: the union"
                                    + " would not keep the test splits patient-disjoint",
                            "RetrainInputException");
                }
                if (studies.add(e.studyId() + "\t" + e.imageDigest())) {
                    entries.add(e);
                }
            }
        }
        String name = truncate(neu.dataset() + "-with-" + old.dataset(), 64);
        DatasetManifest union = new DatasetManifest(name, oldManifest.imageSize(), entries);
        try {
            Path dir = Files.createTempDirectory(scratch(), "union-");
            try {
                Path folder = dir.resolve("dataset");
                for (DatasetCatalog.VersionRow v : List.of(old, neu)) {
                    Path zip = store.getToFile(v.bundleDigest(), dir.resolve(v.version() + ".zip"));
                    Path part = DatasetBundle.unpack(zip, dir.resolve("part-" + v.version()));
                    // each site's way back from its pseudonyms is sealed under its own key: kept apart, by source
                    Path sourceIds = part.resolve(SourceIds.FILE_NAME);
                    if (Files.exists(sourceIds)) {
                        Path kept = folder.resolve("sources")
                                .resolve(v.dataset() + "@" + v.version())
                                .resolve(SourceIds.FILE_NAME);
                        Files.createDirectories(kept.getParent());
                        Files.move(sourceIds, kept);
                    }
                    merge(part, folder);
                }
                union.write(folder.resolve("manifest.json"));
                Path bundle = dir.resolve("union.zip");
                DatasetBundle.pack(folder, bundle);
                ObjectRef ref = store.putFile(bundle);
                DatasetCatalog.Recorded rec = catalog.record(union, ref.digest(), "union");
                catalog.recordParents(name, rec.version().version(), List.of(old, neu));
                return rec.version();
            } finally {
                FileTrees.delete(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the union of the data sets", e);
        }
    }

    /** Copies {@code from} into {@code to}; a file both have must be the same bytes (images are content-named). */
    private static void merge(Path from, Path to) throws IOException {
        try (var walk = Files.walk(from)) {
            for (Path f : walk.filter(Files::isRegularFile).toList()) {
                Path rel = from.relativize(f);
                if (rel.toString().equals("manifest.json")) {
                    continue;
                }
                Path target = to.resolve(rel);
                if (Files.exists(target)) {
                    if (Files.mismatch(f, target) != -1) {
                        // the folder only: a file name is a content digest, of a report among others
                        throw new IOException("two data sets hold different files under one name in " + rel.getName(0));
                    }
                    continue;
                }
                Files.createDirectories(target.getParent());
                Files.copy(f, target, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    /** Champion against challenger on split {@code i}, study by study (empty where there is nothing to pair). */
    private Map<String, Double> pairedComparison(RetrainDecisionRequest d, int i, String dataset) {
        return PairedEvidence.read(
                store,
                d.championEvaluations() == null ? null : d.championEvaluations().get(i),
                d.challengerEvaluations() == null
                        ? null
                        : d.challengerEvaluations().get(i),
                dataset);
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }

    @Override
    public RetrainDecision decide(RetrainDecisionRequest d) {
        RetrainRequest request = d.request();
        RetrainPreparation prep = d.preparation();
        RetrainConfig config = request.retrainSpecYaml() == null
                ? RetrainConfig.defaults()
                : RetrainConfig.parseYaml(request.retrainSpecYaml());
        List<SplitEvidence> evidence = new ArrayList<>();
        // per split, challenger − champion of the augmented arm with its paired interval (kept whether a rule asks)
        Map<String, Map<String, Double>> paired = new LinkedHashMap<>();
        for (int i = 0; i < prep.splits().size(); i++) {
            TestSplit s = prep.splits().get(i);
            paired.put(s.dataset(), pairedComparison(d, i, s.dataset()));
            Map<String, Double> challenger = new TreeMap<>(d.challengerMetrics().get(i));
            challenger.putAll(paired.get(s.dataset()));
            evidence.add(new SplitEvidence(
                    s.dataset(),
                    s.role(),
                    s.testDigest(),
                    s.testStudies(),
                    d.championMetrics().get(i),
                    challenger));
        }
        GateDecision gate = PromotionGate.evaluate(config, evidence);
        int challengerVersion = ModelReference.parse(d.challenger()).version();
        String name = prep.modelName();
        String alias = ModelReference.parse(request.model()).aliasName().orElse(CHAMPION);
        String actor = "workflow " + request.retrainId() + " (started by " + request.actor() + ")";
        String evidenceJson = evidenceJson(d, gate, paired);
        Map<String, Integer> aliases = registry.aliases(name);
        if (challengerVersion == prep.championVersion()) {
            // the fine-tuning reproduced the champion's files: nothing to move
            return new RetrainDecision(
                    false,
                    name + "@" + prep.championVersion(),
                    d.challenger(),
                    lines(gate),
                    "the challenger is the champion's own version");
        }
        // a retried decision moves nothing twice and appends no second record
        if (gate.promote()) {
            if (!Integer.valueOf(challengerVersion).equals(aliases.get(alias))) {
                registry.setAlias(
                        name,
                        PREVIOUS,
                        prep.championVersion(),
                        actor,
                        "replaced by " + d.challenger() + " (promotion gate passed)",
                        evidenceJson);
                registry.setAlias(
                        name, alias, challengerVersion, actor, "promotion gate passed: " + gate.reason(), evidenceJson);
            }
        } else if (!Integer.valueOf(challengerVersion).equals(aliases.get(CHALLENGER))) {
            registry.setAlias(
                    name,
                    CHALLENGER,
                    challengerVersion,
                    actor,
                    "promotion gate refused: " + gate.reason(),
                    evidenceJson);
        }
        // the gate's outcome on the fine-tuning run in MLflow, rule by rule
        journal.pipelineRun(prep.training().runId())
                .map(PipelineJournal.PipelineRunRow::trackingRunId)
                .ifPresent(run -> {
                    tracker.setTags(run, PromotionGate.asTags(gate));
                    tracker.flush(run); // pushes them now when MLflow is connected (else `mlflow sync` does)
                });
        int now = registry.aliases(name).getOrDefault(alias, prep.championVersion());
        return new RetrainDecision(gate.promote(), name + "@" + now, d.challenger(), lines(gate), gate.reason());
    }

    private static List<String> lines(GateDecision gate) {
        return gate.outcomes().stream().map(RuleOutcome::line).toList();
    }

    /** What the history keeps as the decision's evidence: the splits by digest, every rule's outcome, each split's paired comparison. */
    private static String evidenceJson(
            RetrainDecisionRequest d, GateDecision gate, Map<String, Map<String, Double>> paired) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("retrain", d.request().retrainId());
        e.put("champion", d.preparation().modelName() + "@" + d.preparation().championVersion());
        e.put("challenger", d.challenger());
        e.put("training_set", d.preparation().trainingSet());
        e.put("decision", gate.promote() ? "promote" : "reject");
        e.put("splits", d.preparation().splits());
        e.put("rules", gate.outcomes());
        e.put("paired_vs_champion", paired);
        try {
            return JSON.writeValueAsString(e);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
