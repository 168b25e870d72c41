package dev.causalcxr.core.reports.rules;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Laterality;
import dev.causalcxr.core.findings.Severity;
import dev.causalcxr.core.findings.Status;
import dev.causalcxr.core.findings.Zone;
import dev.causalcxr.core.reports.FindingAggregation;
import dev.causalcxr.core.reports.MentionAttributes;
import dev.causalcxr.core.reports.ReportExtractor;
import dev.causalcxr.core.reports.rules.Term.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The default, offline report parser. A report goes through:
 * <ol>
 *   <li>section selection ({@link ReportSections});</li>
 *   <li>tokenization ({@link ReportTokenizer});</li>
 *   <li>a longest-match walk of the {@link Lexicon} trie that turns tokens into units (mentions,
 *       subjects and predicates, cues, modifiers, structure words);</li>
 *   <li>per sentence, clauses split at boundaries ("but", "however", ";", "which", ...);</li>
 *   <li>per clause, composite mentions ("heart size is normal"), negation/uncertainty scope
 *       (forward cues reach over coordinated lists, to the end of a disjunction whatever adjectives
 *       its items carry, and a differential diagnosis over the rest of the clause; backward cues and
 *       normal-frames reach over the subject, a coordinated one included), and severity/laterality/zone
 *       modifiers attached to the nearest fitting mention and shared with the findings linked to it;</li>
 *   <li>report-level aggregation ({@link FindingAggregation}).</li>
 * </ol>
 * Where labelling conventions disagree about what a phrase means, the {@link LabelConvention} decides
 * (the lexicon differs, the rules do not). Thread-safe and allocation-light: each convention's lexicon
 * is built once and shared.
 */
public final class RuleBasedReportExtractor implements ReportExtractor {

    /** Words skipped when a backward cue looks for its subject ("pneumothorax [is] no longer seen"). */
    private static final Set<String> AUXILIARIES = Set.of(
            "is",
            "are",
            "was",
            "were",
            "has",
            "have",
            "had",
            "been",
            "be",
            "now",
            "also",
            "completely",
            "entirely",
            "fully",
            "since",
            "totally",
            "then",
            "appear",
            "appears",
            "remain",
            "remains");

    private static final Set<String> ARTICLES = Set.of("the", "a", "an");

    private static final Term NUMBER = Term.of(Kind.NOUN_PHRASE);

    private static final int FORWARD_ATTACH_WINDOW = 7;
    private static final int BACKWARD_ATTACH_WINDOW = 8;
    private static final int PREDICATE_AFTER_SUBJECT_WINDOW = 7;
    private static final int PREDICATE_BEFORE_SUBJECT_WINDOW = 6;

    private final Lexicon lexicon;

    private final LabelConvention convention;

    /** The extractor of the default convention, {@link LabelConvention#CHEXPERT}. */
    public RuleBasedReportExtractor() {
        this(LabelConvention.CHEXPERT);
    }

    public RuleBasedReportExtractor(LabelConvention convention) {
        this.convention = convention;
        this.lexicon = Lexicon.of(convention);
    }

    public LabelConvention convention() {
        return convention;
    }

    /** {@code rules}, or {@code rules-mesh} under {@link LabelConvention#MESH}. */
    @Override
    public String name() {
        return convention == LabelConvention.MESH ? "rules-mesh" : "rules";
    }

    @Override
    public List<FindingMention> extract(String reportText) {
        return FindingAggregation.aggregate(extractMentions(reportText));
    }

    /** Sentence-level mentions before report-level aggregation (useful to explain a result). */
    public List<FindingMention> extractMentions(String reportText) {
        if (reportText == null || reportText.isBlank()) {
            return List.of();
        }
        List<String> tokens = ReportTokenizer.tokenize(ReportSections.findingText(reportText));
        List<Unit> units = match(tokens);
        List<FindingMention> mentions = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= units.size(); i++) {
            if (i == units.size() || units.get(i).kind() == Kind.SENTENCE_END) {
                if (i > start) {
                    sentence(units.subList(start, i), mentions);
                }
                start = i + 1;
            }
        }
        return mentions;
    }

    /** One matched phrase (or a single unknown word, with a null term) and its text. */
    private record Unit(Term term, String word) {
        Kind kind() {
            return term == null ? null : term.kind();
        }
    }

    private List<Unit> match(List<String> tokens) {
        List<Unit> units = new ArrayList<>(tokens.size());
        int n = tokens.size();
        int i = 0;
        while (i < n) {
            Lexicon.Node node = lexicon.root();
            Term best = null;
            int bestEnd = i;
            for (int j = i; j < n; j++) {
                node = node.next.get(tokens.get(j));
                if (node == null) {
                    break;
                }
                if (node.term != null) {
                    best = node.term;
                    bestEnd = j + 1;
                }
            }
            if (best == null) {
                String word = tokens.get(i);
                // "a 6 mm nodule", "left 5th and 6th rib fractures": sizes and ordinals sit inside noun phrases
                units.add(new Unit(Character.isDigit(word.charAt(0)) ? NUMBER : null, word));
                i++;
            } else {
                units.add(new Unit(
                        best, bestEnd == i + 1 ? tokens.get(i) : String.join(" ", tokens.subList(i, bestEnd))));
                i = bestEnd;
            }
        }
        return units;
    }

    /** A mention with its status decided, in sentence order. */
    private record Resolved(Found found, Status status, int order) {}

    private void sentence(List<Unit> sentence, List<FindingMention> out) {
        List<Resolved> resolved = new ArrayList<>();
        List<Integer> hedgedMimics = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= sentence.size(); i++) {
            if (i == sentence.size() || sentence.get(i).kind() == Kind.BOUNDARY) {
                if (i > start) {
                    clause(sentence.subList(start, i), start, resolved, hedgedMimics);
                }
                start = i + 1;
            }
        }
        for (Resolved r : resolved) {
            Status status = r.status();
            if (status == Status.PRESENT && hedgedAfter(r, resolved, hedgedMimics)) {
                status = Status.UNCERTAIN;
            }
            Found f = r.found();
            for (Finding finding : f.findings) {
                out.add(restrict(
                        finding, status, f.attributes.severity(), f.attributes.laterality(), f.attributes.zone()));
            }
        }
    }

    /**
     * A present sign (costophrenic blunting) whose cause the sentence hedges later ("..., likely due to
     * a small effusion") is uncertain; so is a present opacity, nodule or mass that the sentence says
     * may be a mimic ("..., which may represent a nipple shadow").
     */
    private static boolean hedgedAfter(Resolved r, List<Resolved> all, List<Integer> hedgedMimics) {
        boolean observation = r.found().findings.contains(Finding.LUNG_OPACITY)
                || r.found().findings.contains(Finding.NODULE)
                || r.found().findings.contains(Finding.MASS);
        if (r.found().sign || observation) {
            for (int m : hedgedMimics) {
                if (m > r.order()) {
                    return true;
                }
            }
        }
        if (r.found().sign) {
            for (Resolved o : all) {
                if (o != r && o.order() > r.order() && o.status() == Status.UNCERTAIN) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A mention found in a clause: where it is, what it names, and what has been attached to it. */
    private static final class Found {
        final int start;
        final int end; // exclusive
        final int anchor; // where cues are evaluated: the mention itself, or the predicate of a composite
        final List<Finding> findings;
        final Status fixedStatus; // a predicate's own status (normal -> absent), or null
        final MentionAttributes attributes = new MentionAttributes(); // "right upper lobe and lingula": no single zone
        boolean sign; // costophrenic blunting

        Found(int start, int end, int anchor, List<Finding> findings, Status fixedStatus, Term inherent) {
            this.start = start;
            this.end = end;
            this.anchor = anchor;
            this.findings = findings;
            this.fixedStatus = fixedStatus;
            if (inherent != null) {
                apply(inherent);
            }
        }

        void apply(Term t) {
            attributes.add(t.severity(), t.laterality(), t.zone());
        }
    }

    private void clause(List<Unit> c, int offset, List<Resolved> out, List<Integer> hedgedMimics) {
        int n = c.size();
        List<Found> found = new ArrayList<>(4);
        boolean[] consumed = new boolean[n];
        // cue roles of predicates not taken by a subject ("borderline cardiomegaly")
        Term[] cueOverride = new Term[n];

        for (int i = 0; i < n; i++) {
            Unit u = c.get(i);
            if (u.kind() == Kind.MENTION) {
                Found f = new Found(i, i + 1, i, u.term().findings(), null, u.term());
                f.sign = u.term() == Lexicon.BLUNTING;
                found.add(f);
                consumed[i] = true;
            }
        }
        compositeMentions(c, found, consumed, cueOverride);
        boolean anyMimic = false;
        for (Unit u : c) {
            anyMimic |= u.kind() == Kind.MIMIC;
        }
        if (found.isEmpty() && !anyMimic) {
            return;
        }
        found.sort((a, b) -> Integer.compare(a.start, b.start));

        Status[] forward = forwardScope(c, cueOverride);
        Status[] backward = backwardScope(c);
        for (int i = 0; i < c.size(); i++) {
            if (c.get(i).kind() == Kind.MIMIC && (forward[i] == Status.UNCERTAIN || backward[i] == Status.UNCERTAIN)) {
                hedgedMimics.add(offset + i);
            }
        }
        attachModifiers(c, found);
        inheritLocationOverLink(c, found);

        for (Found f : found) {
            Status status;
            if (f.fixedStatus == Status.ABSENT) {
                status = Status.ABSENT; // "heart size is normal" is a negative statement by itself
            } else {
                Status cue = forward[f.anchor] != null ? forward[f.anchor] : backward[f.anchor];
                if (cue == Status.ABSENT) {
                    status = Status.ABSENT;
                } else if (cue == Status.UNCERTAIN || f.fixedStatus == Status.UNCERTAIN) {
                    status = Status.UNCERTAIN;
                } else {
                    status = Status.PRESENT;
                }
            }
            out.add(new Resolved(f, status, offset + f.start));
        }
    }

    /**
     * "Moderate right effusion with adjacent atelectasis", "left lower lobe atelectasis versus
     * consolidation", "streaky left basilar opacity, likely atelectasis", "right lower lobe infiltrate
     * consistent with pneumonia": a finding that states no location of its own shares the location of
     * the finding before it when only a link (with, versus, or, a hedge, "consistent with", "represents")
     * and noun-phrase words stand between them.
     */
    private static void inheritLocationOverLink(List<Unit> c, List<Found> found) {
        for (int k = 1; k < found.size(); k++) {
            Found f = found.get(k);
            Found prev = found.get(k - 1);
            if (f.attributes.hasLocation() || prev.end > f.start) {
                continue;
            }
            boolean linked = false;
            boolean alternative = false; // "mild scarring/atelectasis": two names for one observation, one size
            boolean onlyNounPhrase = true;
            int unknown = 0;
            for (int j = prev.end; j < f.start && onlyNounPhrase; j++) {
                Unit u = c.get(j);
                Kind kind = u.kind();
                if (isLocationLink(u)) {
                    linked = true;
                    alternative |= kind == Kind.OR || "versus".equals(u.word()) || "vs".equals(u.word());
                } else if (kind == null) {
                    onlyNounPhrase = ++unknown <= 2 && !LOCATION_BREAKERS.contains(u.word());
                } else if (kind == Kind.VERB) {
                    onlyNounPhrase = AUXILIARIES.contains(u.word()) || STATED.contains(u.word());
                } else if (kind != Kind.MODIFIER && kind != Kind.PREPOSITION) {
                    // modifiers and prepositions between them are the earlier finding's own location ("opacities
                    // are present in the right base, consistent with atelectasis"), already attached to it
                    onlyNounPhrase = kind == Kind.NOUN_PHRASE || kind == Kind.COMMA;
                }
            }
            if (linked && onlyNounPhrase) {
                f.attributes.copyLocationFrom(prev.attributes);
                if (alternative) {
                    f.attributes.add(prev.attributes.severity(), Laterality.UNSPECIFIED, Zone.UNSPECIFIED);
                }
            }
        }
    }

    /** Verbs that only say a finding is there ("present", "seen"). */
    private static final Set<String> STATED =
            Set.of("present", "seen", "noted", "identified", "demonstrated", "visualized", "evident");

    /** Unknown words that end a noun phrase: a new statement starts after them. */
    private static final Set<String> LOCATION_BREAKERS = Set.of("there", "is", "are", "which", "but");

    /** Words that tie a finding to the one before it as its cause, alternative or companion. */
    private static boolean isLocationLink(Unit u) {
        Kind k = u.kind();
        if (k == Kind.OR || k == Kind.UNC_PRE || k == Kind.UNC_BOTH || k == Kind.INHERIT) {
            return true;
        }
        String w = u.word();
        return switch (w) {
            case "with",
                    "with associated",
                    "versus",
                    "vs",
                    "adjacent",
                    "compressive",
                    "overlying",
                    "associated",
                    "consistent with",
                    "compatible with",
                    "in keeping with",
                    "represents",
                    "represent",
                    "representing",
                    "due to",
                    "related to",
                    "secondary to",
                    "likely",
                    "probably",
                    "most likely",
                    "xxxx" -> true;
            default -> false;
        };
    }

    /**
     * Which attributes a finding can carry: devices none (their position is not a pathology
     * location), heart and mediastinum severity only, everything else all three (a fracture's
     * severity is its displacement, its zone the rib level: "displaced left lower rib fracture").
     */
    private static FindingMention restrict(Finding f, Status s, Severity sev, Laterality lat, Zone zone) {
        if (s == Status.ABSENT) {
            return new FindingMention(f, s, null, null, null); // an absent finding has no size or place
        }
        return switch (f) {
            case SUPPORT_DEVICES, NO_FINDING -> new FindingMention(f, s, null, null, null);
            case CARDIOMEGALY, ENLARGED_CARDIOMEDIASTINUM -> new FindingMention(f, s, sev, null, null);
            default -> new FindingMention(f, s, sev, lat, zone);
        };
    }

    /** Pairs SUBJECTs with PREDICATEs: "heart size is normal", "enlarged cardiac silhouette". */
    private void compositeMentions(List<Unit> c, List<Found> found, boolean[] consumed, Term[] cueOverride) {
        int n = c.size();
        boolean[] predicateUsed = new boolean[n];
        for (int i = 0; i < n; i++) {
            Unit u = c.get(i);
            if (u.kind() != Kind.SUBJECT) {
                continue;
            }
            int pred = -1;
            boolean coordinated = false; // "heart size and vascular congestion are normal": one predicate, both
            for (int j = i + 1; j < n && j <= i + PREDICATE_AFTER_SUBJECT_WINDOW; j++) {
                Kind k = c.get(j).kind();
                if (k == Kind.PREDICATE) {
                    pred = j;
                    break;
                }
                coordinated |= k == Kind.AND;
                if ((k == Kind.MENTION && !coordinated) || k == Kind.SCOPE_END) {
                    break;
                }
            }
            if (pred < 0) {
                for (int j = i - 1; j >= 0 && j >= i - PREDICATE_BEFORE_SUBJECT_WINDOW; j--) {
                    Kind k = c.get(j).kind();
                    if (k == Kind.PREDICATE) {
                        pred = j;
                        break;
                    }
                    // "unremarkable heart size and mediastinal contours": one predicate, several subjects
                    if (k != Kind.MODIFIER
                            && k != Kind.NOUN_PHRASE
                            && k != Kind.PREPOSITION
                            && k != Kind.AND
                            && k != Kind.SUBJECT) {
                        break;
                    }
                }
            }
            if (pred < 0) {
                continue;
            }
            predicateUsed[pred] = true;
            Term p = c.get(pred).term();
            int start = Math.min(i, pred);
            int end = Math.max(i, pred) + 1;
            Found f = new Found(start, end, pred, u.term().findings(), p.status(), u.term());
            f.sign = p == Lexicon.BLUNTED;
            if (p.status() != Status.UNCERTAIN) {
                f.apply(p);
            }
            found.add(f);
            for (int k = start; k < end; k++) {
                consumed[k] = true;
            }
        }
        for (int i = 0; i < n; i++) {
            if (!predicateUsed[i] && c.get(i).term() == Lexicon.BORDERLINE) {
                cueOverride[i] = Term.of(Kind.UNC_PRE);
            }
        }
    }

    private static Kind cueKind(List<Unit> c, Term[] cueOverride, int i) {
        return cueOverride[i] != null ? cueOverride[i].kind() : c.get(i).kind();
    }

    /**
     * The status each position gets from forward cues. A cue's scope runs to the end of the clause,
     * is replaced by the next cue, ends at SCOPE_END words, and at a comma or "and" unless a list of
     * findings continues there ("no effusion, pneumothorax or consolidation" but not "no
     * pneumothorax, small left effusion" or "no effusion and the heart is enlarged").
     */
    private Status[] forwardScope(List<Unit> c, Term[] cueOverride) {
        int n = c.size();
        Status[] s = new Status[n];
        Status active = null;
        boolean differential = false;
        boolean namedSinceCue = false; // "no acute, displaced fracture": a comma before any finding joins adjectives
        boolean conditionalPending = false;
        for (int i = 0; i < n; i++) {
            Kind k = cueKind(c, cueOverride, i);
            if (k == null) {
                s[i] = active;
                continue;
            }
            if (conditionalPending && k == Kind.VERB) {
                active = Status.UNCERTAIN;
                conditionalPending = false;
            }
            if (Term.isCue(k) || k == Kind.SCOPE_END) {
                differential = false; // a new cue or a scope end replaces a differential's scope
                namedSinceCue = false;
            }
            namedSinceCue |= k == Kind.MENTION || k == Kind.SUBJECT || k == Kind.IGNORE;
            switch (k) {
                case NEG_PRE, NEG_BOTH -> active = Status.ABSENT;
                case UNC_PRE, UNC_BOTH -> {
                    if (CONDITIONAL.contains(c.get(i).word())) {
                        // "in the right clinical context, the basilar opacity would be read as pneumonia": the
                        // condition is on the reading, so its scope starts at the verb
                        conditionalPending = true;
                    } else {
                        active = Status.UNCERTAIN;
                    }
                }
                case DIFFERENTIAL -> {
                    active = Status.UNCERTAIN;
                    differential = true;
                }
                case INHERIT -> active = active == Status.ABSENT ? Status.ABSENT : Status.UNCERTAIN;
                case PSEUDO, SCOPE_END -> active = null;
                case COMMA, AND -> {
                    // ", less likely, a neoplasm": a comma right after a cue does not end its scope
                    boolean afterCue = i > 0
                            && c.get(i - 1).term() != null
                            && c.get(i - 1).term().isCue();
                    if (active != null
                            && !afterCue
                            && !differential
                            && namedSinceCue
                            && !listContinues(c, i + 1)
                            && !disjunctionAhead(c, i + 1)) {
                        active = null;
                    }
                }
                default -> {}
            }
            s[i] = active;
        }
        pastNounPhrases(c, s);
        return s;
    }

    /** Conditions on a reading ("lingular opacity, pneumonia in the right clinical context"). */
    private static final Set<String> CONDITIONAL = Set.of(
            "in the appropriate clinical setting",
            "in the right clinical setting",
            "in the proper clinical setting",
            "in the correct clinical setting",
            "in the appropriate clinical context",
            "in the right clinical context");

    /** Adjectives that place the finding they head in the past ("prior tuberculous pneumonia"). */
    private static final Set<String> PAST = Set.of("prior", "previous");

    /** Words that end a "prior ..." phrase: it names an earlier study, not an earlier finding ("prior exam"). */
    private static final Set<String> STUDY_WORDS = Set.of(
            "exam",
            "exams",
            "examination",
            "examinations",
            "study",
            "studies",
            "film",
            "films",
            "radiograph",
            "radiographs",
            "ct",
            "imaging",
            "comparison",
            "x",
            "chest",
            "one",
            "ones",
            "day",
            "days");

    /**
     * "Calcified nodes after a prior fungal infection", "apical scarring from a history of tuberculous
     * pneumonia": a finding headed by "prior", "previous" or "history of" within its own noun
     * phrase is named as past, not asserted on this study, so it is uncertain unless a cue already decides
     * it. Only adjectives, noun-phrase words and unknown words may stand between; an article or a word
     * naming a study ends the phrase ("prior exam the effusion is larger"; "the previously seen nodule has
     * grown" is left as is). A past fracture or operation leaves what is seen today (a healed fracture,
     * a valve replacement, sternotomy wires), so fractures and devices are not affected.
     */
    private static void pastNounPhrases(List<Unit> c, Status[] s) {
        int n = c.size();
        for (int i = 0; i < n; i++) {
            Unit u = c.get(i);
            int from;
            if (u.kind() == Kind.NOUN_PHRASE && PAST.contains(u.word())) {
                from = i + 1;
            } else if (u.kind() == null
                    && "history".equals(u.word())
                    && i + 1 < n
                    && "of".equals(c.get(i + 1).word())) {
                from = i + 2;
            } else {
                continue;
            }
            for (int j = from; j < n && j < from + 5; j++) {
                Unit v = c.get(j);
                Kind k = v.kind();
                if (k == Kind.MENTION) {
                    for (int m = j; m < n && c.get(m).kind() == Kind.MENTION; m++) {
                        List<Finding> named = c.get(m).term().findings();
                        if (s[m] == null
                                && !named.contains(Finding.FRACTURE)
                                && !named.contains(Finding.SUPPORT_DEVICES)) {
                            s[m] = Status.UNCERTAIN;
                        }
                    }
                    break;
                }
                boolean phraseWord = k == null || k == Kind.MODIFIER || k == Kind.IGNORE || k == Kind.NOUN_PHRASE;
                if (!phraseWord || ARTICLES.contains(v.word()) || STUDY_WORDS.contains(v.word())) {
                    break;
                }
            }
        }
    }

    private boolean listContinues(List<Unit> c, int from) {
        boolean first = true;
        for (int j = from; j < c.size(); j++) {
            Unit u = c.get(j);
            Kind k = u.kind();
            if (k == Kind.AND || k == Kind.OR || k == Kind.COMMA) {
                continue;
            }
            if (first && k == Kind.NOUN_PHRASE && u.word() != null && ARTICLES.contains(u.word())) {
                return false; // ", the heart ..." starts a new statement
            }
            first = false;
            if (k == Kind.MENTION || k == Kind.NEG_PRE || k == Kind.UNC_PRE) {
                return true;
            }
            if (k == Kind.MODIFIER) {
                if (u.term().severity() != Severity.UNSPECIFIED) {
                    return false;
                }
                continue;
            }
            if (k == Kind.NOUN_PHRASE) {
                continue;
            }
            return false;
        }
        return false;
    }

    /**
     * "No focal consolidation, large pleural effusion, or pneumothorax": a list whose last item is
     * joined by "or" or "nor" is one negated (or hedged) disjunction, whatever adjectives and unknown
     * words its items carry, so a comma inside it does not end the scope. A verb, a subject or
     * predicate, a cue or a scope end before the "or" means the list ended earlier ("no effusion,
     * the heart is enlarged or ...").
     */
    private static boolean disjunctionAhead(List<Unit> c, int from) {
        for (int j = from; j < c.size(); j++) {
            Kind k = c.get(j).kind();
            if (k == Kind.OR) {
                int next = j + 1;
                while (next < c.size()
                        && (c.get(next).kind() == Kind.OR || c.get(next).kind() == Kind.AND)) {
                    next++; // "and/or" comes as "and or" and "or"
                }
                return next < c.size() && (isListItemWord(c.get(next).kind()) || attributiveVerb(c, next));
            }
            if (!isListItemWord(k) && k != Kind.COMMA && k != Kind.AND && !attributiveVerb(c, j)) {
                return false;
            }
        }
        return false;
    }

    /** A participle used as an adjective inside a list item: "visible pneumothorax", "identified mass". */
    private static boolean attributiveVerb(List<Unit> c, int j) {
        if (c.get(j).kind() != Kind.VERB || j + 1 >= c.size()) {
            return false;
        }
        Kind next = c.get(j + 1).kind();
        return next == Kind.MENTION || next == Kind.MODIFIER || next == Kind.NOUN_PHRASE;
    }

    /** Words that can make up an item of a list of findings: finding names, adjectives, nouns, "in the base". */
    private static boolean isListItemWord(Kind k) {
        return k == null
                || k == Kind.MENTION
                || k == Kind.MODIFIER
                || k == Kind.NOUN_PHRASE
                || k == Kind.PREPOSITION
                || k == Kind.IGNORE
                || k == Kind.MIMIC;
    }

    /**
     * The status each position gets from backward cues: from the cue back over auxiliaries, then
     * over the subject until a comma, a verb, another cue or the clause start. A comma does not end
     * the subject when it is a coordinated list ("consolidation, atelectasis and blunting have
     * cleared"): a conjunction was passed and the item before the comma holds only list words.
     */
    private Status[] backwardScope(List<Unit> c) {
        int n = c.size();
        Status[] s = new Status[n];
        for (int i = 0; i < n; i++) {
            Kind k = c.get(i).kind();
            Status status;
            boolean otherStudy =
                    false; // its subject ends at "with": "hilar opacity matching with the mass noted on CT"
            if (k == Kind.NEG_POST || k == Kind.NEG_BOTH || normalFrame(c, i)) {
                status = Status.ABSENT;
            } else if (k == Kind.UNC_POST || k == Kind.UNC_BOTH) {
                status = Status.UNCERTAIN;
            } else if (seenOnOtherStudy(c, i)) {
                status = Status.UNCERTAIN;
                otherStudy = true;
            } else {
                continue;
            }
            int j = i - 1;
            while (j >= 0
                    && c.get(j).kind() == Kind.VERB
                    && AUXILIARIES.contains(c.get(j).word())) {
                j--;
            }
            if (j > 0 && j == i - 1 && c.get(j).kind() == Kind.COMMA) {
                j--; // "mild edema, difficult to exclude": an appended cue is about what precedes the comma
            }
            j = beforeCoordinatedPredicate(c, j);
            int subjectEnd = j;
            boolean conjunction = false;
            for (; j >= 0; j--) {
                Unit u = c.get(j);
                Kind uk = u.kind();
                if (uk == Kind.AND || uk == Kind.OR) {
                    conjunction = true;
                }
                if (uk == Kind.COMMA && conjunction && listItemBefore(c, j)) {
                    continue;
                }
                if (uk == Kind.PREDICATE && conjunction) {
                    break; // "the heart is enlarged and the effusion is not seen": the predicate's own clause
                }
                if (uk == Kind.VERB && !conjunction && reducedRelative(c, j, subjectEnd)) {
                    continue; // "the nodules seen on the prior exam are not seen": part of the subject
                }
                if (uk == Kind.COMMA
                        || uk == Kind.VERB
                        || uk == Kind.SCOPE_END
                        || (u.term() != null && u.term().isCue())
                        || (otherStudy && "with".equals(u.word()))) {
                    break;
                }
                if (s[j] == null) {
                    s[j] = status;
                }
            }
        }
        return s;
    }

    /**
     * "The nodules are smaller and no longer seen": when a backward cue closes a coordinated predicate,
     * the subject is the one before the first predicate's copula. Gives the position to sweep the subject
     * from: before that copula, or {@code j} itself when no such predicate stands there.
     */
    private static int beforeCoordinatedPredicate(List<Unit> c, int j) {
        if (j < 2 || c.get(j).kind() != Kind.AND) {
            return j;
        }
        int words = 0;
        for (int k = j - 1; k >= 0; k--) {
            Unit u = c.get(k);
            Kind kind = u.kind();
            if (kind == Kind.VERB && AUXILIARIES.contains(u.word())) {
                return words > 0 ? k - 1 : j;
            }
            boolean predicateWord = (kind == null && !LOCATION_BREAKERS.contains(u.word()))
                    || kind == Kind.NOUN_PHRASE
                    || kind == Kind.MODIFIER;
            if (!predicateWord || ++words > 3) {
                return j;
            }
        }
        return j;
    }

    /**
     * "The nodules seen on the prior exam are not seen", "opacity noted previously has resolved": a
     * participle of stating right after a noun phrase, followed only by words placing it on an earlier
     * study, is a reduced relative clause inside the subject, not the clause's verb.
     */
    private static boolean reducedRelative(List<Unit> c, int verb, int subjectEnd) {
        if (!statingParticiple(c.get(verb)) || verb == 0 || verb == subjectEnd) {
            return false;
        }
        Unit before = c.get(verb - 1);
        Kind bk = before.kind();
        boolean afterNounPhrase = bk == Kind.MENTION
                || bk == Kind.NOUN_PHRASE
                || bk == Kind.MODIFIER
                || (bk == null && !LOCATION_BREAKERS.contains(before.word()));
        if (!afterNounPhrase) {
            return false;
        }
        for (int k = verb + 1; k <= subjectEnd; k++) {
            if (!EARLIER_STUDY.contains(c.get(k).word())) {
                return false;
            }
        }
        return true;
    }

    /** Words between "seen" and the other study it was seen on ("described on an outside chest CT"). */
    private static final Set<String> STUDY_REFERENCE = Set.of(
            "on",
            "by",
            "at",
            "in",
            "the",
            "a",
            "an",
            "prior",
            "previous",
            "recent",
            "outside",
            "chest",
            "abdominal",
            "xxxx");

    /**
     * Words after a reduced relative's participle that place it on an earlier study ("seen on the prior exam"):
     * the words of {@link #STUDY_REFERENCE} and the names of a study and of earlier times.
     */
    private static final Set<String> EARLIER_STUDY = java.util.stream.Stream.concat(
                    STUDY_REFERENCE.stream(),
                    java.util.stream.Stream.of(
                            "previously",
                            "earlier",
                            "before",
                            "exam",
                            "examination",
                            "study",
                            "studies",
                            "film",
                            "films",
                            "radiograph",
                            "radiographs"))
            .collect(java.util.stream.Collectors.toUnmodifiableSet());

    /** "seen", "noted", "identified", …, or "described": a participle that reports a finding. */
    private static boolean statingParticiple(Unit u) {
        return (u.kind() == Kind.VERB && STATED.contains(u.word())) || "described".equals(u.word());
    }

    /** The name of a cross-sectional study. */
    private static final Set<String> OTHER_STUDY = Set.of("ct", "cat", "scan", "mri", "pet");

    /**
     * "Pneumonia seen on the abdominal CT ...", "two nodules were described on the outside CT": a
     * finding reported as seen on another, cross-sectional study is that study's finding, not one this
     * radiograph asserts; it is uncertain here unless a cue of its own clause decides it.
     */
    private static boolean seenOnOtherStudy(List<Unit> c, int i) {
        if (!statingParticiple(c.get(i))) {
            return false;
        }
        for (int j = i + 1; j < c.size() && j <= i + 6; j++) {
            String w = c.get(j).word();
            if (OTHER_STUDY.contains(w)) {
                return true;
            }
            if (!STUDY_REFERENCE.contains(w)) {
                return false;
            }
        }
        return false;
    }

    /**
     * "Heart size and vascular engorgement appear within limits of normal": a normal-predicate after
     * a copula, or a "within ... normal" frame, negates the findings named before it, not only the
     * anatomical subjects it pairs with.
     */
    private static boolean normalFrame(List<Unit> c, int i) {
        Unit u = c.get(i);
        if (u.kind() != Kind.PREDICATE || u.term().status() != Status.ABSENT) {
            return false;
        }
        return u.word().startsWith("within ")
                || (i > 0
                        && c.get(i - 1).kind() == Kind.VERB
                        && AUXILIARIES.contains(c.get(i - 1).word()));
    }

    /** The words before a comma, back to the previous comma or the clause start, form a list item naming a finding. */
    private static boolean listItemBefore(List<Unit> c, int comma) {
        boolean mention = false;
        for (int j = comma - 1; j >= 0 && c.get(j).kind() != Kind.COMMA; j--) {
            Kind k = c.get(j).kind();
            if (!isListItemWord(k) && k != Kind.AND) {
                return false;
            }
            mention |= k == Kind.MENTION;
        }
        return mention;
    }

    /**
     * Attaches each severity/laterality/zone word to one mention. A word after a preposition ("in the
     * right lower lobe") describes the finding before it; otherwise it describes the next finding when
     * only noun-phrase words stand between ("small loculated right effusion"); each falls back to the
     * other direction. Words inside a composite mention ("heart is mildly enlarged") belong to it.
     */
    private void attachModifiers(List<Unit> c, List<Found> found) {
        int n = c.size();
        int sharedPreposition = -1;
        List<Found> shared = List.of();
        for (int i = 0; i < n; i++) {
            Unit u = c.get(i);
            if (u.kind() != Kind.MODIFIER) {
                continue;
            }
            Found inside = null;
            for (Found f : found) {
                if (i >= f.start && i < f.end) {
                    inside = f;
                    break;
                }
            }
            if (inside != null) {
                inside.apply(u.term());
                continue;
            }
            Found adjacent = adjacentForwardTarget(c, found, i);
            if (adjacent != null) {
                adjacent.apply(u.term()); // "of the left pneumothorax"
                continue;
            }
            int preposition = prepositionBefore(c, i);
            boolean afterPreposition = preposition >= 0;
            Found target = afterPreposition ? backwardTarget(found, i) : forwardTarget(c, found, i, false);
            if (afterPreposition && target != null && u.term().severity() == Severity.UNSPECIFIED) {
                if (preposition != sharedPreposition) {
                    // decided once per phrase: "in the left lung base" is two location words
                    sharedPreposition = preposition;
                    shared = coordinatedBefore(c, found, target);
                }
                shared.forEach(f -> f.apply(u.term()));
            }
            if (target == null) {
                target = afterPreposition ? forwardTarget(c, found, i, true) : backwardTarget(found, i);
                if (!afterPreposition && target != null && andBetween(c, target.end, i) && namesOtherThing(c, i)) {
                    target = null; // "mild cardiomegaly and moderate hiatal hernia": it names something else
                }
            }
            if (target != null) {
                target.apply(u.term());
            }
        }
    }

    /** The modifier at {@code i} is followed by a noun that is not one of our findings ("moderate hiatal hernia"). */
    private static boolean namesOtherThing(List<Unit> c, int i) {
        for (int j = i + 1; j < c.size(); j++) {
            Kind k = c.get(j).kind();
            if (k == null || k == Kind.IGNORE) {
                return true;
            }
            if (k != Kind.MODIFIER && k != Kind.NOUN_PHRASE) {
                return false;
            }
        }
        return false;
    }

    private static boolean andBetween(List<Unit> c, int from, int to) {
        for (int j = from; j < to; j++) {
            if (c.get(j).kind() == Kind.AND) {
                return true;
            }
        }
        return false;
    }

    /**
     * "Consolidation and atelectasis are present in the right base": the findings coordinated before
     * the one a trailing location attaches to, that state no location of their own, share it.
     */
    private static List<Found> coordinatedBefore(List<Unit> c, List<Found> found, Found target) {
        List<Found> out = new ArrayList<>(2);
        int from = target.start;
        for (int k = found.indexOf(target) - 1; k >= 0; k--) {
            Found f = found.get(k);
            if (f.end > from || f.attributes.hasLocation()) {
                break;
            }
            boolean conjunction = false;
            for (int j = f.end; j < from; j++) {
                Kind kind = c.get(j).kind();
                if (kind == Kind.AND || kind == Kind.OR) {
                    conjunction = true;
                } else if (kind != Kind.COMMA && kind != Kind.NOUN_PHRASE) {
                    return out;
                }
            }
            if (!conjunction && f.end == from) {
                break; // two mentions side by side ("mass lesion") are one phrase, not a list
            }
            out.add(f);
            from = f.start;
        }
        return out;
    }

    /** The preposition that the location word at {@code i} follows ("in the right lower lobe"), or -1. */
    private static int prepositionBefore(List<Unit> c, int i) {
        for (int j = i - 1; j >= 0 && j >= i - 4; j--) {
            Kind k = c.get(j).kind();
            if (k == Kind.PREPOSITION) {
                return "with".equals(c.get(j).word())
                        ? -1
                        : j; // "mass with left upper lobe collapse" starts a new phrase
            }
            if (k != Kind.MODIFIER && k != Kind.NOUN_PHRASE && k != Kind.AND) {
                return -1;
            }
        }
        return -1;
    }

    /** The mention right after a modifier, with only modifiers and noun-phrase words between. */
    private static Found adjacentForwardTarget(List<Unit> c, List<Found> found, int i) {
        for (int j = i + 1; j < c.size() && j <= i + 6; j++) {
            for (Found f : found) {
                if (f.start == j) {
                    return f;
                }
            }
            Kind k = c.get(j).kind();
            if (k != Kind.MODIFIER && k != Kind.NOUN_PHRASE) {
                return null;
            }
        }
        return null;
    }

    /** @param relaxed a fallback: also look past "with" and one more unknown word */
    private static Found forwardTarget(List<Unit> c, List<Found> found, int i, boolean relaxed) {
        int unknown = relaxed ? -1 : 0;
        for (int j = i + 1; j < c.size() && j <= i + FORWARD_ATTACH_WINDOW; j++) {
            for (Found f : found) {
                if (f.start == j) {
                    return f;
                }
            }
            Unit u = c.get(j);
            Kind k = u.kind();
            if (k == null) {
                if (++unknown > 1) {
                    return null;
                }
            } else if (k == Kind.PREPOSITION && ("of".equals(u.word()) || (relaxed && "with".equals(u.word())))) {
                continue;
            } else if (k == Kind.IGNORE && j + 1 < c.size() && c.get(j + 1).kind() == Kind.OR) {
                continue; // "right basilar scarring/atelectasis": an alternative name we do not label
            } else if (k == Kind.OR && j > 0 && c.get(j - 1).kind() == Kind.IGNORE) {
                continue;
            } else if (k != Kind.MODIFIER
                    && k != Kind.NOUN_PHRASE
                    && k != Kind.AND
                    && k != Kind.OR
                    && k != Kind.PREDICATE) {
                return null;
            }
        }
        return null;
    }

    private static Found backwardTarget(List<Found> found, int i) {
        Found best = null;
        for (Found f : found) {
            if (f.end <= i && i - f.end < BACKWARD_ATTACH_WINDOW && (best == null || f.end > best.end)) {
                best = f;
            }
        }
        return best;
    }
}
