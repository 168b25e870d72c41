package dev.causalcxr.core.retrain;

import java.util.List;

/** The gate's verdict: promote only when every rule passed on every split it applies to. */
public record GateDecision(boolean promote, List<RuleOutcome> outcomes) {

    public GateDecision {
        outcomes = List.copyOf(outcomes);
    }

    public List<RuleOutcome> failed() {
        return outcomes.stream().filter(o -> !o.passed()).toList();
    }

    /** The failed rules in one line (the reason a challenger stays a challenger), or "every rule passed". */
    public String reason() {
        List<RuleOutcome> failed = failed();
        if (failed.isEmpty()) {
            return "every rule passed (" + outcomes.size() + ")";
        }
        return String.join("; ", failed.stream().map(RuleOutcome::line).toList());
    }
}
