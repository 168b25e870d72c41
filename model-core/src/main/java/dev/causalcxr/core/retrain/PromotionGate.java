package dev.causalcxr.core.retrain;

import dev.causalcxr.core.spec.GateRule;
import dev.causalcxr.core.spec.RetrainConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The promotion gate, in one place: every rule of the spec checked on every test split it applies to, and each
 * split's test count against the minimum. A rule whose metric was not measured on a split, or that applies to no
 * split at all, fails: a gate never passes for lack of evidence. Pure: no I/O, no clock.
 */
public final class PromotionGate {
    private PromotionGate() {}

    public static GateDecision evaluate(RetrainConfig config, List<SplitEvidence> splits) {
        List<RuleOutcome> outcomes = new ArrayList<>();
        for (SplitEvidence s : splits) {
            boolean enough = s.testStudies() >= config.minTestStudies();
            outcomes.add(new RuleOutcome(
                    "min_test_studies: " + config.minTestStudies(),
                    s.dataset(),
                    null,
                    null,
                    (double) s.testStudies(),
                    enough,
                    s.testStudies() + " test studies"));
        }
        for (GateRule rule : config.rules()) {
            boolean applied = false;
            for (SplitEvidence s : splits) {
                if (rule.appliesTo(s.dataset(), s.role())) {
                    applied = true;
                    outcomes.add(check(rule, s));
                }
            }
            if (!applied) {
                outcomes.add(new RuleOutcome(
                        rule.text(), rule.split(), rule.metric().key(), null, null, false, "no such test split"));
            }
        }
        return new GateDecision(outcomes.stream().allMatch(RuleOutcome::passed), outcomes);
    }

    static RuleOutcome check(GateRule rule, SplitEvidence s) {
        if (rule.kind() == GateRule.Kind.IMPROVES_SIGNIFICANTLY) {
            return checkPaired(rule, s);
        }
        String key = rule.metric().key();
        Double champion = finite(s.champion().get(key));
        Double challenger = finite(s.challenger().get(key));
        boolean needsChampion = rule.kind() != GateRule.Kind.MIN;
        if (challenger == null || (needsChampion && champion == null)) {
            return failed(
                    rule,
                    s,
                    champion,
                    challenger,
                    "not measured for the " + (challenger == null ? "challenger" : "champion"));
        }
        // the challenger's gain in the metric's better direction (positive: better)
        double sign = rule.metric().higherIsBetter() ? 1 : -1;
        double gain = needsChampion ? sign * (challenger - champion) : 0;
        boolean passed = switch (rule.kind()) {
            case IMPROVES -> gain > 0 && gain >= rule.threshold();
            case NOT_WORSE -> gain >= 0;
            case MAX_DROP -> gain >= -rule.threshold();
            case MIN -> sign * challenger >= sign * rule.threshold();
            case IMPROVES_SIGNIFICANTLY -> throw new IllegalStateException("checked by checkPaired");
        };
        String detail = needsChampion
                ? String.format(Locale.ROOT, "champion %.4f, challenger %.4f", champion, challenger)
                : String.format(Locale.ROOT, "challenger %.4f, threshold %.4f", challenger, rule.threshold());
        return new RuleOutcome(rule.text(), s.dataset(), key, champion, challenger, passed, detail);
    }

    /**
     * The paired interval of challenger − champion ({@link ChampionComparison}, in the challenger's evidence) must lie
     * on the better side of 0.
     */
    private static RuleOutcome checkPaired(GateRule rule, SplitEvidence s) {
        String key = rule.metric().key();
        String paired = key + ChampionComparison.SUFFIX;
        Double champion = finite(s.champion().get(key));
        Double challenger = finite(s.challenger().get(key));
        Double difference = finite(s.challenger().get(paired));
        Double low = finite(s.challenger().get(paired + "_ci_low"));
        Double high = finite(s.challenger().get(paired + "_ci_high"));
        if (difference == null || low == null || high == null) {
            return failed(
                    rule, s, champion, challenger, "no paired comparison of the two models' classifiers on this split");
        }
        boolean passed = rule.metric().higherIsBetter() ? low > 0 : high < 0;
        String detail = String.format(
                Locale.ROOT,
                "challenger − champion %+.4f, 95 %% paired interval [%+.4f, %+.4f]",
                difference,
                low,
                high);
        return new RuleOutcome(rule.text(), s.dataset(), key, champion, challenger, passed, detail);
    }

    /** A rule that fails for lack of evidence on this split. */
    private static RuleOutcome failed(GateRule rule, SplitEvidence s, Double champion, Double challenger, String why) {
        return new RuleOutcome(rule.text(), s.dataset(), rule.metric().key(), champion, challenger, false, why);
    }

    private static Double finite(Double v) {
        return v == null || !Double.isFinite(v) ? null : v;
    }

    /** The outcome as a flat map (for tags and the history's evidence): {@code gate.<split>.<rule>} → pass/fail. */
    public static Map<String, String> asTags(GateDecision d) {
        Map<String, String> tags = new java.util.TreeMap<>();
        tags.put("causalcxr.gate.decision", d.promote() ? "promote" : "reject");
        for (RuleOutcome o : d.outcomes()) {
            String name = "causalcxr.gate." + o.split() + "." + o.rule().replaceAll("[^A-Za-z0-9._-]+", "_");
            tags.put(name, (o.passed() ? "pass: " : "fail: ") + o.detail());
        }
        return tags;
    }
}
