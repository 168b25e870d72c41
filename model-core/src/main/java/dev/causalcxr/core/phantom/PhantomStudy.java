package dev.causalcxr.core.phantom;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import java.util.List;

/**
 * One generated study: who (patient identity seed), how (acquisition seed), what it shows
 * ({@link #findings()}, the rendered pathology) and what its report says ({@link #report()}).
 * Re-render it, or its counterfactual, with {@link PhantomRenderer}.
 *
 * @param index           position in the data set (0-based)
 * @param patientIndex    patient number (0-based)
 * @param visit           this study's order among the patient's studies (0 = first)
 * @param patientId       MIMIC-style patient id, e.g. {@code p10000003}
 * @param studyId         MIMIC-style study id, e.g. {@code s50000012}
 * @param identitySeed    seed of {@link PatientIdentity#fromSeed(long)}
 * @param acquisitionSeed seed of {@link Acquisition#fromSeed(long)} (also seeds the noise)
 * @param findings        the rendered findings (all {@code PRESENT}); empty = normal study
 * @param report          report text and its ground-truth mentions
 * @param site            the site whose machines acquired it
 */
public record PhantomStudy(
        int index,
        int patientIndex,
        int visit,
        String patientId,
        String studyId,
        long identitySeed,
        long acquisitionSeed,
        List<FindingMention> findings,
        PhantomReport report,
        SiteProfile site) {

    public PhantomStudy {
        findings = List.copyOf(findings);
        site = site == null ? SiteProfile.A : site;
    }

    public PatientIdentity identity() {
        return PatientIdentity.fromSeed(identitySeed);
    }

    public Acquisition acquisition() {
        return Acquisition.fromSeed(acquisitionSeed, site);
    }

    public boolean has(Finding f) {
        return findings.stream().anyMatch(m -> m.finding() == f);
    }

    /** This study's findings with {@code f} removed: the finding set of its "healthy" counterfactual. */
    public List<FindingMention> findingsWithout(Finding f) {
        return findings.stream().filter(m -> m.finding() != f).toList();
    }
}
