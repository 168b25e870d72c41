package dev.causalcxr.core.reports.rules;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.Laterality;
import dev.causalcxr.core.findings.Severity;
import dev.causalcxr.core.findings.Status;
import dev.causalcxr.core.findings.Zone;
import java.util.List;

/**
 * What a lexicon phrase means to the rule-based extractor.
 *
 * @param kind       the role of the phrase
 * @param findings   for MENTION and SUBJECT: the findings it names
 * @param status     for PREDICATE: the status it gives its subject
 * @param severity   severity it carries (MODIFIER, or inherent to a mention)
 * @param laterality laterality it carries
 * @param zone       zone it carries
 */
record Term(Kind kind, List<Finding> findings, Status status, Severity severity, Laterality laterality, Zone zone) {

    enum Kind {
        /** Names a finding directly ("pleural effusion", "ET tube"). */
        MENTION,
        /** An anatomical subject whose finding depends on a predicate ("heart size" ... "normal"). */
        SUBJECT,
        /** Says something about a SUBJECT ("enlarged", "within normal limits", "blunted"). */
        PREDICATE,
        /** Negation whose scope runs forward ("no", "without", "free of"). */
        NEG_PRE,
        /** Negation whose scope runs backward over the subject ("has resolved", "is not seen"). */
        NEG_POST,
        /** Negation in both directions ("no longer", "resolved"). */
        NEG_BOTH,
        /** Uncertainty whose scope runs forward ("possible", "may represent"). */
        UNC_PRE,
        /**
         * A differential diagnosis ("differential diagnosis includes"): uncertainty over the rest of the
         * clause, across commas, since what follows is a list of alternatives.
         */
        DIFFERENTIAL,
        /** Uncertainty whose scope runs backward ("cannot be excluded"). */
        UNC_POST,
        /** Uncertainty in both directions ("versus", "?"). */
        UNC_BOTH,
        /** Keeps a negation that is already in scope, otherwise makes uncertain ("to suggest", "concerning for"). */
        INHERIT,
        /** Looks like a cue but affirms ("no change in", "no increase"); ends any scope. */
        PSEUDO,
        /** Ends the clause ("but", "however", ";", "which"). */
        BOUNDARY,
        /** Ends the sentence. */
        SENTENCE_END,
        COMMA,
        /** "and"; a list may continue over it. */
        AND,
        /** "or", "nor"; a list continues over it. */
        OR,
        /** Severity, laterality and/or zone words. */
        MODIFIER,
        /** Prepositions that introduce a location after the finding ("in", "at", "on"). */
        PREPOSITION,
        /** Verbs and copulas; stop a backward scope and a forward modifier attachment. */
        VERB,
        /** Words that end a forward negation scope ("following", "after", "status post"). */
        SCOPE_END,
        /** Words that may stand inside a noun phrase between a modifier and its finding. */
        NOUN_PHRASE,
        /** Things that mimic findings on a radiograph ("nipple shadow", "overlapping vessels"). */
        MIMIC,
        /** Phrases consumed so that a part of them is not misread ("mass effect", "pericardial effusion"). */
        IGNORE
    }

    static Term of(Kind kind) {
        return new Term(kind, List.of(), null, Severity.UNSPECIFIED, Laterality.UNSPECIFIED, Zone.UNSPECIFIED);
    }

    static Term mention(Finding... findings) {
        return new Term(
                Kind.MENTION, List.of(findings), null, Severity.UNSPECIFIED, Laterality.UNSPECIFIED, Zone.UNSPECIFIED);
    }

    static Term mention(Zone zone, Finding... findings) {
        return new Term(Kind.MENTION, List.of(findings), null, Severity.UNSPECIFIED, Laterality.UNSPECIFIED, zone);
    }

    static Term subject(Finding... findings) {
        return new Term(
                Kind.SUBJECT, List.of(findings), null, Severity.UNSPECIFIED, Laterality.UNSPECIFIED, Zone.UNSPECIFIED);
    }

    static Term predicate(Status status) {
        return new Term(
                Kind.PREDICATE, List.of(), status, Severity.UNSPECIFIED, Laterality.UNSPECIFIED, Zone.UNSPECIFIED);
    }

    static Term predicate(Status status, Severity severity) {
        return new Term(Kind.PREDICATE, List.of(), status, severity, Laterality.UNSPECIFIED, Zone.UNSPECIFIED);
    }

    static Term modifier(Severity s, Laterality l, Zone z) {
        return new Term(Kind.MODIFIER, List.of(), null, s, l, z);
    }

    boolean isCue() {
        return isCue(kind);
    }

    static boolean isCue(Kind kind) {
        return switch (kind) {
            case NEG_PRE, NEG_POST, NEG_BOTH, UNC_PRE, DIFFERENTIAL, UNC_POST, UNC_BOTH, INHERIT, PSEUDO -> true;
            default -> false;
        };
    }
}
