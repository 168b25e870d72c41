package dev.causalcxr.core.spec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.causalcxr.core.counterfactual.CounterfactualConfig;
import dev.causalcxr.core.diffusion.DiffusionConfig;
import dev.causalcxr.core.diffusion.tailnoise.TailNoiseStageConfig;
import dev.causalcxr.core.disentangle.DisentanglerConfig;
import dev.causalcxr.core.evaluation.ClassifierConfig;
import dev.causalcxr.core.evaluation.EvaluationConfig;
import dev.causalcxr.core.files.Digests;
import dev.causalcxr.core.labels.LabelSource;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * An experiment spec: name, seed, profile, dataset, which stages run and one block per stage. Parsing
 * validates the whole document and reports every problem with its field path; unknown keys are errors.
 * The canonical form (defaults filled in, keys sorted) is hashed and names the run's configuration.
 *
 * <p>Which stages run is explicit: every stage, unless the spec's {@code run} list names the ones that run
 * (ingest always runs). The {@code stages} block only configures: a stage that runs without a block of its
 * own runs with its defaults, and a block for a stage that does not run is an error.
 *
 * @param stages           the config record of every stage that runs after ingest, in pipeline order
 * @param configuredStages the stages among them that the spec has a block for (the others run with their
 *                         defaults); not part of the canonical form, which has every block filled in
 * @param tracking         the {@code tracking} block: what may go to the tracking server
 */
public record ExperimentSpec(
        String name,
        long seed,
        Profile profile,
        IngestConfig dataset,
        Map<StageName, Object> stages,
        Set<StageName> configuredStages,
        TrackingConfig tracking) {

    /** Canonical JSON: records and maps with sorted keys, no whitespace. */
    public static final ObjectMapper CANONICAL = JsonMapper.builder()
            .configure(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY, true)
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
            .build();

    /** Spec YAML: a key twice in one mapping is an error (not the last one silently winning). */
    private static final YAMLMapper YAML = new YAMLMapper(
            YAMLFactory.builder().loaderOptions(noDuplicateKeys()).build());

    private static LoaderOptions noDuplicateKeys() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        return options;
    }

    /** Stages that this version of the platform can run. */
    public static final List<StageName> AVAILABLE = List.of(StageName.values());

    /**
     * The diffusion model's defaults for the pipeline: the code size comes from the disentangler's
     * codes at run time, the seed from the experiment.
     */
    static final DiffusionConfig DIFFUSION_DEFAULTS =
            new DiffusionConfig(16, 256, 3, 64, 1000, 1500, 256, 1e-3f, 0.1f, null, 250, 50, "cpu");

    public static ExperimentSpec parseYaml(String yaml) {
        return parse(readYaml(yaml));
    }

    /**
     * The tree of a spec's YAML (an experiment spec, a retrain spec).
     *
     * @throws SpecValidationException when it is not valid YAML, or a mapping has a key twice (at that key's path)
     */
    public static JsonNode readYaml(String yaml) {
        try {
            return YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            String line =
                    e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
            if (e.getProcessor() instanceof JsonParser p
                    && e.getOriginalMessage().startsWith("Duplicate field")
                    && p.getParsingContext() != null) {
                throw new SpecValidationException(
                        List.of(new SpecProblem(path(p.getParsingContext()), "duplicate key" + line)));
            }
            throw new SpecValidationException(
                    List.of(new SpecProblem("(root)", "not valid YAML" + line + ": " + e.getOriginalMessage())));
        }
    }

    /** A parser's position as a spec field path: {@code stages.evaluate.seed_count}, {@code run[0]}. */
    private static String path(JsonStreamContext context) {
        StringBuilder b = new StringBuilder();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) {
                b.insert(0, "[" + c.getCurrentIndex() + "]");
            } else if (c.getCurrentName() != null) {
                b.insert(0, (b.length() == 0 || b.charAt(0) == '[' ? "" : ".")).insert(0, c.getCurrentName());
            }
        }
        return b.length() == 0 ? "(root)" : b.toString();
    }

    public static ExperimentSpec parse(JsonNode root) {
        List<SpecProblem> problems = new ArrayList<>();
        ConfigNode n = ConfigNode.root(root, "", problems);
        String name = n.string("name", null);
        if (name != null && !name.matches("[a-z0-9][a-z0-9._-]{0,63}")) {
            n.problem("name", "must be 1-64 lower-case letters, digits, '.', '_' or '-'");
        }
        long seed = n.integer("seed", 42L, 0L, Long.MAX_VALUE);
        String profileLabel = n.string("profile", "quick", "quick", "paper");
        Profile profile =
                profileLabel == null ? Profile.QUICK : Profile.valueOf(profileLabel.toUpperCase(java.util.Locale.ROOT));
        // one tail threshold for every stage that names tail classes (ingest's summary, parse-reports'
        // vocabulary, the tail-noise classes, the evaluation's tail recall)
        double tailFrequency = n.number("tail_frequency", SpecDefaults.TAIL_FREQUENCY, 0.001, 0.5);
        IngestConfig dataset = IngestConfig.read(n.object("dataset"), profile, tailFrequency);
        TrackingConfig tracking = TrackingConfig.read(n.object("tracking"));
        if (n.has("retrain")) {
            // read by `retrain`, not by `run`: validated here so that one file can hold both, not part of the digest
            RetrainConfig.read(n.object("retrain"));
        }
        List<StageName> running = readRun(n, problems);
        Map<StageName, Object> stages = new LinkedHashMap<>();
        JsonNode stagesNode = n.raw("stages");
        if (stagesNode != null && !stagesNode.isObject()) {
            problems.add(new SpecProblem("stages", "must be a mapping of stage name to its block"));
        } else if (stagesNode != null) {
            var it = stagesNode.fieldNames();
            while (it.hasNext()) {
                String key = it.next();
                String path = "stages." + key;
                var stage = StageName.fromLabel(key);
                if (stage.isEmpty()) {
                    problems.add(new SpecProblem(
                            path, "unknown stage (stages: " + labels(List.of(StageName.values())) + ")"));
                } else if (stage.get() == StageName.INGEST) {
                    problems.add(new SpecProblem(path, "ingest is configured by the top-level 'dataset' block"));
                } else if (!AVAILABLE.contains(stage.get())) {
                    problems.add(new SpecProblem(
                            path, "stage not available in this version (available: " + labels(AVAILABLE) + ")"));
                } else if (!running.contains(stage.get())) {
                    problems.add(new SpecProblem(
                            path,
                            "configures a stage that does not run (run: " + labels(running)
                                    + "): add it to run, or remove its block"));
                } else {
                    stages.put(
                            stage.get(),
                            readStage(
                                    stage.get(), ConfigNode.root(stagesNode.get(key), path, problems), tailFrequency));
                }
            }
        }
        // a stage the spec runs without a block of its own runs with its defaults
        for (StageName s : running) {
            if (!stages.containsKey(s)) {
                stages.put(s, readStage(s, ConfigNode.root(null, "stages." + s.label(), problems), tailFrequency));
            }
        }
        for (StageName stage : running) {
            reportMissingStages(stage, stage, running, EnumSet.noneOf(StageName.class), problems);
        }
        if (stages.get(StageName.PARSE_REPORTS) instanceof ParseReportsConfig parse
                && parse.labelSource().orElse(null) == LabelSource.TRUTH
                && !"phantom".equals(dataset.source())) {
            problems.add(new SpecProblem(
                    "stages.parse-reports.labels",
                    "truth is the phantom's ground truth and"
                            + " needs dataset.source: phantom (use reports or dataset for imported data)"));
        }
        n.rejectUnknownKeys();
        if (!problems.isEmpty()) {
            throw new SpecValidationException(problems);
        }
        Map<StageName, Object> ordered = new LinkedHashMap<>();
        for (StageName s : StageName.values()) {
            if (stages.containsKey(s)) {
                ordered.put(s, stages.get(s));
            }
        }
        Set<StageName> configured = EnumSet.noneOf(StageName.class);
        if (stagesNode != null && stagesNode.isObject()) {
            stagesNode.fieldNames().forEachRemaining(k -> StageName.fromLabel(k).ifPresent(configured::add));
        }
        return new ExperimentSpec(
                name,
                seed,
                profile,
                dataset,
                Collections.unmodifiableMap(ordered),
                Collections.unmodifiableSet(configured),
                tracking);
    }

    /**
     * Reports every stage that {@code stage} needs and the spec does not run: those {@code via} needs, and what each
     * of those needs in turn (a stage that runs reports its own), each once per stage.
     */
    private static void reportMissingStages(
            StageName stage,
            StageName via,
            List<StageName> running,
            Set<StageName> reported,
            List<SpecProblem> problems) {
        for (StageName required : via.needs()) {
            if (required == StageName.INGEST || running.contains(required) || !reported.add(required)) {
                continue;
            }
            problems.add(new SpecProblem(
                    "run",
                    stage.label() + " needs the stage " + required.label()
                            + (via == stage ? "" : " (through " + via.label() + ")")
                            + ", which the spec does not run"
                            + (required == StageName.PARSE_REPORTS ? " (it publishes the finding labels)" : "")
                            + ": add it to run"));
            reportMissingStages(stage, required, running, reported, problems);
        }
    }

    /**
     * The stages after ingest that the spec runs, in pipeline order: those its {@code run} list names, or every
     * available one when it has no {@code run}. Ingest always runs (naming it is allowed).
     */
    private static List<StageName> readRun(ConfigNode n, List<SpecProblem> problems) {
        List<String> named = n.strings("run", null);
        if (named == null) {
            return AVAILABLE.stream().filter(s -> s != StageName.INGEST).toList();
        }
        Set<StageName> chosen = EnumSet.noneOf(StageName.class);
        for (int i = 0; i < named.size(); i++) {
            var stage = StageName.fromLabel(named.get(i));
            if (stage.isEmpty()) {
                problems.add(new SpecProblem(
                        "run[" + i + "]",
                        "unknown stage '" + named.get(i) + "' (stages: " + labels(List.of(StageName.values())) + ")"));
            } else if (!AVAILABLE.contains(stage.get())) {
                problems.add(new SpecProblem(
                        "run[" + i + "]",
                        "stage not available in this version (available: " + labels(AVAILABLE) + ")"));
            } else if (!chosen.add(stage.get())) {
                problems.add(new SpecProblem("run[" + i + "]", stage.get().label() + " is listed twice"));
            }
        }
        chosen.remove(StageName.INGEST);
        return List.copyOf(chosen);
    }

    private static Object readStage(StageName stage, ConfigNode n, double tailFrequency) {
        if (stage == StageName.OPTIMIZE_TAIL_NOISE || stage == StageName.EVALUATE) {
            refuseOwnTailFrequency(n);
        }
        return switch (stage) {
            case PARSE_REPORTS -> ParseReportsConfig.read(n, tailFrequency);
            // the stage's seed comes from the experiment's seed and the stage name
            case TRAIN_DISENTANGLER ->
                // its cross-field checks run on the record (it does not check itself when built)
                RecordConfigReader.read(
                        n,
                        DisentanglerConfig.class,
                        DisentanglerConfig.quick(),
                        Set.of("seed"),
                        DisentanglerConfig::problems);
            case TRAIN_DIFFUSION ->
                RecordConfigReader.read(n, DiffusionConfig.class, DIFFUSION_DEFAULTS, java.util.Set.of("seed", "zDim"));
            case OPTIMIZE_TAIL_NOISE ->
                RecordConfigReader.read(
                        n,
                        TailNoiseStageConfig.class,
                        RecordConfigReader.withComponent(TailNoiseStageConfig.quick(), TAIL_FREQUENCY, tailFrequency),
                        Set.of(TAIL_FREQUENCY));
            case GENERATE_COUNTERFACTUALS ->
                RecordConfigReader.read(n, CounterfactualConfig.class, CounterfactualConfig.quick());
            case EVALUATE -> readEvaluation(n, tailFrequency);
            default -> throw new IllegalStateException("no config reader for " + stage);
        };
    }

    /** The evaluate block: its nested {@code classifier} block is read field by field like a stage block. */
    private static EvaluationConfig readEvaluation(ConfigNode n, double tailFrequency) {
        EvaluationConfig defaults =
                RecordConfigReader.withComponent(EvaluationConfig.quick(), TAIL_FREQUENCY, tailFrequency);
        ClassifierConfig classifier = n.has("classifier")
                ? RecordConfigReader.read(n.object("classifier"), ClassifierConfig.class, defaults.classifier())
                : defaults.classifier();
        EvaluationConfig rest = RecordConfigReader.read(
                n, EvaluationConfig.class, defaults.withClassifier(classifier), Set.of("classifier", TAIL_FREQUENCY));
        return rest.withClassifier(classifier);
    }

    /** The component every stage's tail threshold is in. */
    private static final String TAIL_FREQUENCY = "tailFrequency";

    /** A stage block's own tail_frequency (before there was one threshold) is an error that says where it went. */
    private static void refuseOwnTailFrequency(ConfigNode n) {
        if (n.has("tail_frequency")) {
            n.raw("tail_frequency");
            n.problem(
                    "tail_frequency",
                    "the tail threshold is the spec's top-level tail_frequency (one for every"
                            + " stage); move it there");
        }
    }

    /** The spec's tail threshold (top-level {@code tail_frequency}), which every stage's config carries. */
    public double tailFrequency() {
        return dataset.tailFrequency();
    }

    private static String labels(List<StageName> list) {
        return String.join(", ", list.stream().map(StageName::label).toList());
    }

    /** The stages to run, in pipeline order, ingest first. */
    public List<StageName> stageOrder() {
        List<StageName> order = new ArrayList<>();
        order.add(StageName.INGEST);
        order.addAll(stages.keySet());
        return order;
    }

    /**
     * One line for a person, printed before a run starts: the stages that run, in order, each marked
     * {@code (spec)} when the spec configures it or {@code (defaults)}, and those that do not run.
     */
    public String describeStages() {
        StringBuilder b = new StringBuilder("stages: ingest (dataset)");
        for (StageName s : stages.keySet()) {
            b.append(", ").append(s.label()).append(configuredStages.contains(s) ? " (spec)" : " (defaults)");
        }
        List<StageName> skipped = AVAILABLE.stream()
                .filter(s -> s != StageName.INGEST && !stages.containsKey(s))
                .toList();
        if (!skipped.isEmpty()) {
            b.append("; not run: ").append(labels(skipped));
        }
        return b.toString();
    }

    /** The config record of a stage (the dataset block for ingest). */
    public Object stageConfig(StageName stage) {
        return stage == StageName.INGEST ? dataset : stages.get(stage);
    }

    public String stageConfigJson(StageName stage) {
        return canonicalJson(stageConfig(stage));
    }

    /** A stage's seed: derived from the experiment seed and the stage name, stable across versions. */
    public long stageSeed(StageName stage) {
        byte[] d = sha256((seed + "/" + stage.label()).getBytes(StandardCharsets.UTF_8));
        long s = 0;
        for (int i = 0; i < 8; i++) {
            s = (s << 8) | (d[i] & 0xff);
        }
        return s & Long.MAX_VALUE;
    }

    public String canonicalJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("seed", seed);
        m.put("profile", profile.label());
        m.put("tail_frequency", dataset.tailFrequency());
        m.put("dataset", dataset);
        Map<String, Object> st = new LinkedHashMap<>();
        stages.forEach((k, v) -> st.put(k.label(), v));
        m.put("stages", st);
        // only when it departs from the default, so that the digest of every earlier spec stays what it was
        if (tracking.imagesAllowed()) {
            m.put("tracking", tracking);
        }
        return canonicalJson(m);
    }

    public String digest() {
        return HexFormat.of().formatHex(sha256(canonicalJson().getBytes(StandardCharsets.UTF_8)));
    }

    public static String canonicalJson(Object value) {
        try {
            return CANONICAL.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + value, e);
        }
    }

    private static byte[] sha256(byte[] b) {
        return Digests.sha256().digest(b);
    }

    /** The spec the demo runs when no file is given. */
    public static ExperimentSpec demo(Profile profile) {
        return parseYaml("name: demo\nseed: 42\nprofile: " + profile.label() + "\n");
    }
}
