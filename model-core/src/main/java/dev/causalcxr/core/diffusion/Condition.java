package dev.causalcxr.core.diffusion;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Laterality;
import dev.causalcxr.core.findings.Severity;
import dev.causalcxr.core.findings.Status;
import dev.causalcxr.core.findings.Zone;
import dev.causalcxr.core.reports.ReportExtractor;
import dev.causalcxr.core.reports.rules.RuleBasedReportExtractor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * What the diffusion model is conditioned on: the findings present in a study (each with severity,
 * laterality and zone), or the null condition used for classifier-free guidance.
 *
 * <p>Only present findings are kept: an absent finding is simply not in the condition, and an
 * uncertain one cannot be asked for (the model learns "present" findings only). Mentions are kept in
 * {@link Finding} order so that one set of findings always encodes the same way.
 *
 * @param present the present findings, one per finding, in {@link Finding} order
 * @param isNull  true for the unconditional (null) condition
 */
public record Condition(List<FindingMention> present, boolean isNull) {

    /** The unconditional condition (classifier-free guidance, condition dropout). */
    public static final Condition NULL = new Condition(List.of(), true);

    private static final RuleBasedReportExtractor RULES = new RuleBasedReportExtractor();

    public Condition {
        present = List.copyOf(present);
        if (isNull && !present.isEmpty()) {
            throw new IllegalArgumentException("the null condition has no findings");
        }
        for (FindingMention m : present) {
            if (m.status() != Status.PRESENT) {
                throw new IllegalArgumentException("a condition holds present findings only, not " + m);
            }
        }
        if (present.stream().map(FindingMention::finding).distinct().count() != present.size()) {
            throw new IllegalArgumentException("a condition names each finding once: " + present);
        }
    }

    /**
     * The condition of a study from its report-level findings: present ones are kept, absent and
     * uncertain ones dropped. A study with no present finding gives the (non-null) empty condition.
     */
    public static Condition ofStudy(List<FindingMention> mentions) {
        Map<Finding, FindingMention> byFinding = new EnumMap<>(Finding.class);
        for (FindingMention m : mentions) {
            if (m.status() == Status.PRESENT) {
                byFinding.putIfAbsent(m.finding(), m);
            }
        }
        return new Condition(new ArrayList<>(byFinding.values()), false);
    }

    /**
     * A condition requested for generation. Every mention must be present and the list non-empty;
     * anything else is a malformed request, reported with the offending mention.
     */
    public static Condition of(List<FindingMention> mentions) {
        if (mentions == null || mentions.isEmpty()) {
            throw new IllegalArgumentException("a condition needs at least one present finding (use Condition.NULL for"
                    + " unconditional sampling)");
        }
        List<FindingMention> sorted = new ArrayList<>(mentions);
        sorted.sort(Comparator.comparing(FindingMention::finding));
        return new Condition(sorted, false);
    }

    /** One present finding with unspecified severity, laterality and zone. */
    public static Condition of(Finding finding) {
        return of(List.of(FindingMention.present(finding, null, null, null)));
    }

    /**
     * A condition by finding name ("Pleural Effusion", "pleural_effusion"); unknown names are an error
     * that lists the vocabulary.
     */
    public static Condition ofFindingName(String name) {
        Finding f = Finding.fromLabel(name)
                .orElseThrow(() -> new IllegalArgumentException(
                        "unknown finding '" + name + "'; known findings: " + vocabulary()));
        return of(f);
    }

    /**
     * A free-text request ("moderate right pleural effusion", "no effusion") parsed by the rule-based
     * report parser, or a finding's own name ("No Finding", "Pneumothorax"). "no effusion" alone becomes
     * the {@code No Finding} condition (the parser's report-level reading); text in which the parser
     * recognizes no finding is an error.
     */
    public static Condition parse(String text) {
        return parse(text, RULES);
    }

    /** As {@link #parse(String)} with a given extractor. */
    public static Condition parse(String text, ReportExtractor extractor) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty condition text");
        }
        // a finding's own name ("No Finding", "pleural_effusion") is that finding, present; the report
        // reader would take "no finding" for a negation of nothing
        if (Finding.fromLabel(text).isPresent()) {
            return ofFindingName(text);
        }
        // sentence-level mentions tell "nothing recognized" apart from "No Finding", which the
        // report-level aggregation adds in both cases
        if (extractor instanceof RuleBasedReportExtractor rules
                && rules.extractMentions(text).isEmpty()) {
            throw new IllegalArgumentException(
                    "no finding recognized in '" + text + "'; known findings: " + vocabulary());
        }
        List<FindingMention> mentions = extractor.extract(text);
        List<FindingMention> present =
                mentions.stream().filter(m -> m.status() == Status.PRESENT).toList();
        if (present.isEmpty()) {
            String uncertain = mentions.stream()
                    .filter(m -> m.status() == Status.UNCERTAIN)
                    .map(m -> m.finding().label())
                    .collect(Collectors.joining(", "));
            throw new IllegalArgumentException("'" + text + "' names no present finding"
                    + (uncertain.isEmpty()
                            ? ""
                            : " (uncertain: " + uncertain + "; state it as present to generate it)"));
        }
        return of(present);
    }

    /**
     * The condition of a counterfactual: the source study's present findings changed by a request.
     * Findings the request states as present are added or replace the source's (new severity or
     * location); findings it states as absent are removed. {@code No Finding} is dropped when another
     * finding ends up present, and is the result when none does.
     */
    public static Condition intervene(List<FindingMention> source, List<FindingMention> request) {
        Map<Finding, FindingMention> result = new EnumMap<>(Finding.class);
        for (FindingMention m : source) {
            if (m.status() == Status.PRESENT) {
                result.putIfAbsent(m.finding(), m);
            }
        }
        for (FindingMention m : request) {
            if (m.status() == Status.PRESENT) {
                result.put(m.finding(), m);
            } else if (m.status() == Status.ABSENT) {
                result.remove(m.finding());
            }
        }
        if (result.size() > 1) {
            result.remove(Finding.NO_FINDING);
        }
        if (result.isEmpty()) {
            return of(Finding.NO_FINDING);
        }
        return of(new ArrayList<>(result.values()));
    }

    /**
     * This condition with each finding's severity, laterality and zone independently replaced by "unspecified" with
     * probability {@code p} (attribute dropout in training: the model learns what an open attribute means). The null
     * condition, and one without findings, come back as they are; {@code p} 0 draws nothing from {@code rng}.
     */
    public Condition withAttributesDropped(SplittableRandom rng, double p) {
        if (p <= 0.0 || present.isEmpty()) {
            return this;
        }
        List<FindingMention> dropped = new ArrayList<>(present.size());
        for (FindingMention m : present) {
            dropped.add(FindingMention.present(
                    m.finding(),
                    rng.nextDouble() < p ? Severity.UNSPECIFIED : m.severity(),
                    rng.nextDouble() < p ? Laterality.UNSPECIFIED : m.laterality(),
                    rng.nextDouble() < p ? Zone.UNSPECIFIED : m.zone()));
        }
        return new Condition(dropped, false);
    }

    public List<Finding> findings() {
        return present.stream().map(FindingMention::finding).toList();
    }

    public boolean contains(Finding f) {
        return present.stream().anyMatch(m -> m.finding() == f);
    }

    /** A short stable text, e.g. {@code Pleural Effusion(moderate,right,unspecified)+Edema(...)} or {@code <null>}. */
    public String describe() {
        if (isNull) {
            return "<null>";
        }
        if (present.isEmpty()) {
            return "<none present>";
        }
        return present.stream()
                .map(m -> m.finding().label() + "(" + m.severity().label() + ","
                        + m.laterality().label() + "," + m.zone().label() + ")")
                .collect(Collectors.joining("+"));
    }

    private static String vocabulary() {
        return java.util.Arrays.stream(Finding.values()).map(Finding::label).collect(Collectors.joining(", "));
    }
}
