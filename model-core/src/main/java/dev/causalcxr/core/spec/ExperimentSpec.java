package dev.causalcxr.core.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.causalcxr.core.counterfactual.CounterfactualConfig;
import dev.causalcxr.core.diffusion.DiffusionConfig;
import dev.causalcxr.core.diffusion.tailnoise.TailNoiseStageConfig;
import dev.causalcxr.core.evaluation.ClassifierConfig;
import dev.causalcxr.core.evaluation.EvaluationConfig;
import dev.causalcxr.core.disentangle.DisentanglerConfig;
import dev.causalcxr.core.labels.LabelSource;
import java.nio.charset.StandardCharsets;
import dev.causalcxr.core.files.Digests;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An experiment spec: name, seed, profile, dataset and one block per stage. Parsing validates the
 * whole document and reports every problem with its field path; unknown keys are errors. The
 * canonical form (defaults filled in, keys sorted) is hashed and names the run's configuration.
 */
public record ExperimentSpec(String name, long seed, Profile profile, IngestConfig dataset,
                             Map<StageName, Object> stages) {

    /** Canonical JSON: records and maps with sorted keys, no whitespace. */
    public static final ObjectMapper CANONICAL = JsonMapper.builder()
            .configure(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY, true)
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
            .build();
    private static final YAMLMapper YAML = new YAMLMapper();

    /** Stages that this version of the platform can run. */
    public static final List<StageName> AVAILABLE = List.of(StageName.values());

    /**
     * Stages that read another stage's outputs and cannot run without it. {@code parse-reports} publishes
     * the finding labels: the disentangler trains on them (and its codes carry them to the diffusion model
     * and the tail classes), the evaluation's targets are them.
     */
    private static final Map<StageName, List<StageName>> NEEDS = Map.of(
            StageName.TRAIN_DISENTANGLER, List.of(StageName.PARSE_REPORTS),
            StageName.EVALUATE, List.of(StageName.PARSE_REPORTS),
            StageName.TRAIN_DIFFUSION, List.of(StageName.TRAIN_DISENTANGLER),
            StageName.OPTIMIZE_TAIL_NOISE, List.of(StageName.TRAIN_DISENTANGLER, StageName.TRAIN_DIFFUSION),
            StageName.GENERATE_COUNTERFACTUALS, List.of(StageName.TRAIN_DISENTANGLER, StageName.TRAIN_DIFFUSION));

    /**
     * The diffusion model's defaults for the pipeline: the code size comes from the disentangler's
     * codes at run time, the seed from the experiment.
     */
    static final DiffusionConfig DIFFUSION_DEFAULTS = new DiffusionConfig(16, 256, 3, 64, 1000, 1500, 256, 1e-3f, 0.1f,
            null, 250, 50, "cpu");

    public static ExperimentSpec parseYaml(String yaml) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
            throw new SpecValidationException(List.of(new SpecProblem("(root)", "not valid YAML" + where + ": "
                    + e.getOriginalMessage())));
        }
        return parse(root);
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
        Profile profile = profileLabel == null ? Profile.QUICK : Profile.valueOf(profileLabel.toUpperCase(java.util.Locale.ROOT));
        IngestConfig dataset = IngestConfig.read(n.object("dataset"), profile);
        Map<StageName, Object> stages = new LinkedHashMap<>();
        JsonNode stagesNode = n.raw("stages");
        if (stagesNode == null) {
            for (StageName s : AVAILABLE) {
                if (s != StageName.INGEST) {
                    stages.put(s, readStage(s, ConfigNode.root(null, "stages." + s.label(), problems)));
                }
            }
        } else if (!stagesNode.isObject()) {
            problems.add(new SpecProblem("stages", "must be a mapping of stage name to its block"));
        } else {
            var it = stagesNode.fieldNames();
            while (it.hasNext()) {
                String key = it.next();
                String path = "stages." + key;
                var stage = StageName.fromLabel(key);
                if (stage.isEmpty()) {
                    problems.add(new SpecProblem(path, "unknown stage (stages: " + labels(List.of(StageName.values())) + ")"));
                } else if (stage.get() == StageName.INGEST) {
                    problems.add(new SpecProblem(path, "ingest is configured by the top-level 'dataset' block"));
                } else if (!AVAILABLE.contains(stage.get())) {
                    problems.add(new SpecProblem(path, "stage not available in this version (available: "
                            + labels(AVAILABLE) + ")"));
                } else {
                    stages.put(stage.get(), readStage(stage.get(), ConfigNode.root(stagesNode.get(key), path, problems)));
                }
            }
        }
        for (StageName stage : StageName.values()) {
            if (stages.containsKey(stage)) {
                for (StageName required : NEEDS.getOrDefault(stage, List.of())) {
                    if (!stages.containsKey(required)) {
                        problems.add(new SpecProblem("stages." + stage.label(), "needs the stage "
                                + required.label() + ", which the spec does not run"
                                + (required == StageName.PARSE_REPORTS
                                ? " (it publishes the finding labels; add 'parse-reports: {}' to stages)" : "")));
                    }
                }
            }
        }
        if (stages.get(StageName.PARSE_REPORTS) instanceof ParseReportsConfig parse
                && parse.labelSource().orElse(null) == LabelSource.TRUTH && !"phantom".equals(dataset.source())) {
            problems.add(new SpecProblem("stages.parse-reports.labels", "truth is the phantom's ground truth and"
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
        return new ExperimentSpec(name, seed, profile, dataset, Collections.unmodifiableMap(ordered));
    }

    private static Object readStage(StageName stage, ConfigNode n) {
        return switch (stage) {
            case PARSE_REPORTS -> ParseReportsConfig.read(n);
            // the stage's seed comes from the experiment's seed and the stage name
            case TRAIN_DISENTANGLER -> RecordConfigReader.read(n, DisentanglerConfig.class, DisentanglerConfig.quick(),
                    java.util.Set.of("seed"));
            case TRAIN_DIFFUSION -> RecordConfigReader.read(n, DiffusionConfig.class, DIFFUSION_DEFAULTS,
                    java.util.Set.of("seed", "zDim"));
            case OPTIMIZE_TAIL_NOISE -> RecordConfigReader.read(n, TailNoiseStageConfig.class, TailNoiseStageConfig.quick());
            case GENERATE_COUNTERFACTUALS -> RecordConfigReader.read(n, CounterfactualConfig.class,
                    CounterfactualConfig.quick());
            case EVALUATE -> readEvaluation(n);
            default -> throw new IllegalStateException("no config reader for " + stage);
        };
    }

    /** The evaluate block: its nested {@code classifier} block is read field by field like a stage block. */
    private static EvaluationConfig readEvaluation(ConfigNode n) {
        EvaluationConfig defaults = EvaluationConfig.quick();
        ClassifierConfig classifier = n.has("classifier")
                ? RecordConfigReader.read(n.object("classifier"), ClassifierConfig.class, defaults.classifier())
                : defaults.classifier();
        EvaluationConfig rest = RecordConfigReader.read(n, EvaluationConfig.class, defaults.withClassifier(classifier),
                java.util.Set.of("classifier"));
        return rest.withClassifier(classifier);
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
        m.put("dataset", dataset);
        Map<String, Object> st = new LinkedHashMap<>();
        stages.forEach((k, v) -> st.put(k.label(), v));
        m.put("stages", st);
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
