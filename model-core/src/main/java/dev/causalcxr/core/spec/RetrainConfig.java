package dev.causalcxr.core.spec;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code retrain:} block: how a champion is fine-tuned on new data and what a challenger must show to replace
 * it. Read like every spec block: every problem at once, each with its field path; unknown keys are errors.
 *
 * @param trainingSet    {@code new-only} (the new data set's training split) or {@code union} (with the champion's
 *                       training data)
 * @param start          {@code warm} (fine-tune from the champion's final checkpoints) or {@code cold} (train the
 *                       champion's stages from scratch with its own step budgets: the baseline a warm start is
 *                       measured against, and the way out when a checkpoint cannot be continued)
 * @param steps          per trainable stage, the optimizer steps added to the champion's (warm start only)
 * @param minTestStudies the fewest test studies a split may have for its numbers to count
 * @param rules          the gate's rules, in the spec's order
 */
public record RetrainConfig(
        TrainingSet trainingSet, Start start, Map<StageName, Integer> steps, int minTestStudies, List<GateRule> rules) {

    public enum Start {
        WARM("warm"),
        COLD("cold");

        private final String label;

        Start(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    public enum TrainingSet {
        NEW_ONLY("new-only"),
        UNION("union");

        private final String label;

        TrainingSet(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** The stages a retrain fine-tunes, with the config field that counts their steps. */
    public static final Map<StageName, String> STEP_FIELDS =
            Map.of(StageName.TRAIN_DISENTANGLER, "steps", StageName.TRAIN_DIFFUSION, "trainSteps");

    /** Added steps when the spec says nothing: a fraction of the quick profile's cold training. */
    static final Map<StageName, Integer> DEFAULT_STEPS =
            Map.of(StageName.TRAIN_DISENTANGLER, 200, StageName.TRAIN_DIFFUSION, 300);

    static final int DEFAULT_MIN_TEST_STUDIES = 20;

    /** The defaults: union, the default steps, and a gate that asks the new site to improve and the old to hold. */
    public static RetrainConfig defaults() {
        return read(ConfigNode.root(null, "retrain", new ArrayList<>()));
    }

    /**
     * Reads the {@code retrain} block of a YAML document (a retrain spec, or an experiment spec that has one).
     *
     * @throws SpecValidationException listing every problem
     */
    public static RetrainConfig parseYaml(String yaml) {
        JsonNode root = ExperimentSpec.readYaml(yaml);
        if (root == null || !root.isObject() || !root.has("retrain")) {
            throw new SpecValidationException(List.of(new SpecProblem("retrain", "the spec has no retrain block")));
        }
        if (root.size() > 1) {
            // the rest of the document is an experiment spec (which validates its retrain block too): all of it valid
            ExperimentSpec.parse(root);
        }
        List<SpecProblem> problems = new ArrayList<>();
        RetrainConfig cfg = read(ConfigNode.root(root.get("retrain"), "retrain", problems));
        if (!problems.isEmpty()) {
            throw new SpecValidationException(problems);
        }
        return cfg;
    }

    /** Reads the block; problems go to the node's list. */
    public static RetrainConfig read(ConfigNode n) {
        String set = n.string("training_set", TrainingSet.UNION.label(), "new-only", "union");
        TrainingSet trainingSet = TrainingSet.NEW_ONLY.label().equals(set) ? TrainingSet.NEW_ONLY : TrainingSet.UNION;
        Start start = Start.COLD.label().equals(n.string("start", Start.WARM.label(), "warm", "cold"))
                ? Start.COLD
                : Start.WARM;
        Map<StageName, Integer> steps = new LinkedHashMap<>(DEFAULT_STEPS);
        if (start == Start.COLD && n.raw("steps") != null) {
            n.problem(
                    "steps",
                    "a cold start trains each stage with the champion's own step budget; steps are added to the"
                            + " champion's in a warm start only");
        }
        ConfigNode stepsNode = n.object("steps");
        for (Iterator<String> it = stepsNode.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            var stage = StageName.fromLabel(key);
            if (stage.isEmpty() || !STEP_FIELDS.containsKey(stage.get())) {
                stepsNode.raw(key);
                stepsNode.problem(key, "not a stage a retrain fine-tunes (train-disentangler, train-diffusion)");
                continue;
            }
            steps.put(stage.get(), stepsNode.integer(key, DEFAULT_STEPS.get(stage.get()), 1, 10_000_000));
        }
        ConfigNode gate = n.object("gate");
        int minTest = gate.integer("min_test_studies", DEFAULT_MIN_TEST_STUDIES, 1, 10_000_000);
        List<GateRule> rules = new ArrayList<>();
        JsonNode rulesNode = gate.raw("rules");
        if (rulesNode == null) {
            // the decoder's own images: a residual counterfactual keeps its source's pixels, so its FID does not
            // follow how well the decoder fits the new site (bench/retrain/RESULTS.md)
            rules.add(parseRule("new.decoded_fid", "improves", gate));
            rules.add(parseRule("old.recon_ssim", "max_drop 0.01", gate));
        } else if (!rulesNode.isObject()) {
            gate.problem("rules", "must be a mapping of [SPLIT.]METRIC to improves, not_worse, max_drop X or min X");
        } else if (rulesNode.isEmpty()) {
            gate.problem("rules", "a gate needs at least one rule");
        } else {
            for (Iterator<Map.Entry<String, JsonNode>> it = rulesNode.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                GateRule r = parseRule(
                        e.getKey(), e.getValue().isValueNode() ? e.getValue().asText() : null, gate);
                if (r != null) {
                    rules.add(r);
                }
            }
        }
        if (start == Start.COLD) {
            steps.clear(); // nothing is added: the champion's own budgets
        }
        gate.rejectUnknownKeys();
        stepsNode.rejectUnknownKeys();
        n.rejectUnknownKeys();
        return new RetrainConfig(
                trainingSet, start, Collections.unmodifiableMap(steps), minTest, Collections.unmodifiableList(rules));
    }

    /** The gate metric names {@code improves_significantly} takes: those whose key has a paired comparison. */
    private static List<String> pairedNames() {
        return GateMetric.names().stream()
                .filter(n -> GateMetric.of(n).orElseThrow().pairedWithChampion())
                .toList();
    }

    /** One rule {@code [SPLIT.]METRIC: KIND [X]}; null (with a problem recorded) when it is not valid. */
    static GateRule parseRule(String key, String value, ConfigNode gate) {
        String path = "rules." + key;
        int dot = key.lastIndexOf('.');
        String split = dot < 0 ? null : key.substring(0, dot);
        String metricName = dot < 0 ? key : key.substring(dot + 1);
        var metric = GateMetric.of(metricName);
        boolean ok = true;
        if (metric.isEmpty()) {
            gate.problem(
                    path,
                    "unknown metric '" + metricName + "' (metrics: " + String.join(", ", GateMetric.names()) + ")");
            ok = false;
        }
        if (split != null && !split.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            gate.problem(path, "the split must be a data set's name, old or new");
            ok = false;
        }
        if (value == null || value.isBlank()) {
            gate.problem(path, "must be improves [X], improves_significantly, not_worse, max_drop X or min X");
            return null;
        }
        String[] words = value.trim().toLowerCase(Locale.ROOT).split("\\s+");
        GateRule.Kind kind = null;
        for (GateRule.Kind k : GateRule.Kind.values()) {
            if (k.label().equals(words[0])) {
                kind = k;
            }
        }
        if (kind == null) {
            gate.problem(
                    path,
                    "unknown rule '" + words[0]
                            + "' (improves [X], improves_significantly, not_worse, max_drop X, min X)");
            return null;
        }
        if (kind == GateRule.Kind.IMPROVES_SIGNIFICANTLY
                && metric.isPresent()
                && !metric.get().pairedWithChampion()) {
            gate.problem(
                    path,
                    "improves_significantly needs a downstream metric of the augmented arm with a paired interval ("
                            + String.join(", ", pairedNames()) + ")");
            return null;
        }
        boolean takesNumber = kind == GateRule.Kind.MAX_DROP || kind == GateRule.Kind.MIN;
        double threshold = 0;
        if (kind == GateRule.Kind.IMPROVES && words.length == 2) {
            // improves X: by at least X
            try {
                threshold = Double.parseDouble(words[1]);
            } catch (NumberFormatException e) {
                threshold = Double.NaN;
            }
            if (!(threshold >= 0)) {
                gate.problem(path, "improves takes no number or one number ≥ 0 (the smallest gain)");
                return null;
            }
        } else if (takesNumber) {
            try {
                threshold = words.length == 2 ? Double.parseDouble(words[1]) : Double.NaN;
            } catch (NumberFormatException e) {
                threshold = Double.NaN;
            }
            if (!Double.isFinite(threshold) || (kind == GateRule.Kind.MAX_DROP && threshold < 0)) {
                gate.problem(path, kind.label() + " needs one number" + (kind == GateRule.Kind.MAX_DROP ? " ≥ 0" : ""));
                return null;
            }
        } else if (words.length != 1 && kind != GateRule.Kind.IMPROVES || words.length > 2) {
            gate.problem(path, kind.label() + " takes no number");
            return null;
        }
        return ok ? new GateRule(key + ": " + value.trim(), split, metric.get(), kind, threshold) : null;
    }
}
