package dev.causalcxr.core.phantom;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Laterality;
import dev.causalcxr.core.findings.Severity;
import dev.causalcxr.core.findings.Zone;
import dev.causalcxr.core.random.SplitMix64;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Generates a phantom cohort from a {@link PhantomSpec}: patients with several studies each, a
 * long-tailed pathology per study, and a report per study. Study metadata is cheap and computed
 * up front; images are rendered on demand ({@link #render(PhantomStudy)}), one study at a time,
 * so large sets stream. Every study's randomness comes from seeds derived from the master seed and
 * the study's position, never from generation order.
 */
public final class PhantomGenerator {

    private final PhantomSpec spec;
    private final SiteProfile site;
    private List<PhantomStudy> studies;

    /** The phantom of site {@link SiteProfile#A}. */
    public PhantomGenerator(PhantomSpec spec) {
        this(spec, SiteProfile.A);
    }

    /**
     * The phantom of a site: its own patients (the master seed mixed with the site's salt), its prevalences
     * (when it has its own) and ids (MIMIC-like, from the site's bases), its acquisition and its reports.
     */
    public PhantomGenerator(PhantomSpec spec, SiteProfile site) {
        PhantomSpec s = spec.validated();
        if (site.seedSalt() != 0) {
            s = s.withSeed(SplitMix64.derive(s.seed(), site.seedSalt()));
        }
        this.spec =
                s.withClassFrequencies(site.frequencies(s.classFrequencies())).validated();
        this.site = site;
    }

    public SiteProfile site() {
        return site;
    }

    public PhantomSpec spec() {
        return spec;
    }

    /** All studies of the cohort, in patient order, visits in order. */
    public synchronized List<PhantomStudy> studies() {
        if (studies == null) {
            studies = List.copyOf(generate());
        }
        return studies;
    }

    /** Renders a study at the spec's size, with masks. */
    public RenderedStudy render(PhantomStudy study) {
        return PhantomRenderer.render(study.identity(), study.acquisition(), study.findings(), spec.size());
    }

    /** The exact counterfactual: the same patient and acquisition (and noise) with other findings. */
    public RenderedStudy renderCounterfactual(PhantomStudy study, List<FindingMention> findings) {
        return PhantomRenderer.render(study.identity(), study.acquisition(), findings, spec.size());
    }

    private List<PhantomStudy> generate() {
        List<PhantomStudy> out = new ArrayList<>(spec.studies());
        SplitMix64 cohort = new SplitMix64(SplitMix64.derive(spec.seed(), 0xC0407));
        int patient = 0;
        while (out.size() < spec.studies()) {
            int span = spec.maxStudiesPerPatient() - spec.minStudiesPerPatient() + 1;
            int visits = spec.minStudiesPerPatient() + cohort.nextInt(span);
            long identitySeed = SplitMix64.derive(spec.seed(), 0x1D, patient);
            List<FindingMention> prior = null;
            for (int v = 0; v < visits && out.size() < spec.studies(); v++) {
                int index = out.size();
                List<FindingMention> findings = samplePathology(index, prior);
                ReportWriter writer = new ReportWriter(
                        SplitMix64.derive(spec.seed(), 0x4E9, index), spec.uncertaintyRate(), site.reportStyle());
                PhantomReport report = writer.write(findings, prior);
                out.add(new PhantomStudy(
                        index,
                        patient,
                        v,
                        "p" + (site.patientIdBase() + patient),
                        "s" + (site.studyIdBase() + index),
                        identitySeed,
                        SplitMix64.derive(spec.seed(), 0xACC, index),
                        findings,
                        report,
                        site));
                prior = findings;
            }
            patient++;
        }
        return out;
    }

    /**
     * Each renderable finding independently with its class frequency; a follow-up study redraws
     * (a few times) when it would show exactly the same set as the previous one.
     */
    private List<FindingMention> samplePathology(int index, List<FindingMention> prior) {
        SplitMix64 r = new SplitMix64(SplitMix64.derive(spec.seed(), 0x57D, index));
        Set<Finding> priorSet = EnumSet.noneOf(Finding.class);
        if (prior != null) {
            prior.forEach(m -> priorSet.add(m.finding()));
        }
        List<FindingMention> found = new ArrayList<>();
        for (int attempt = 0; attempt < 8; attempt++) {
            found.clear();
            Set<Finding> set = EnumSet.noneOf(Finding.class);
            for (Finding f : Finding.values()) {
                Double p = spec.classFrequencies().get(f);
                if (p != null && r.chance(p)) {
                    found.add(mention(f, r));
                    set.add(f);
                }
            }
            if (prior == null || !set.equals(priorSet)) {
                break;
            }
        }
        return found;
    }

    private FindingMention mention(Finding f, SplitMix64 r) {
        PhantomSpec.SeverityMix mix = spec.severityMix();
        Severity sev = new Severity[] {Severity.MILD, Severity.MODERATE, Severity.SEVERE}
                [r.weighted(mix.mild(), mix.moderate(), mix.severe())];
        Laterality side = r.chance(0.55) ? Laterality.RIGHT : Laterality.LEFT;
        return switch (f) {
            case PLEURAL_EFFUSION ->
                FindingMention.present(f, sev, r.chance(0.3) ? Laterality.BILATERAL : side, Zone.UNSPECIFIED);
            case CARDIOMEGALY -> FindingMention.present(f, sev, Laterality.UNSPECIFIED, Zone.UNSPECIFIED);
            case PNEUMOTHORAX -> FindingMention.present(f, sev, side, Zone.UNSPECIFIED);
            case EDEMA -> FindingMention.present(f, sev, Laterality.BILATERAL, Zone.UNSPECIFIED);
            case CONSOLIDATION ->
                FindingMention.present(
                        f, sev, side, new Zone[] {Zone.UPPER, Zone.MIDDLE, Zone.LOWER}[r.weighted(0.2, 0.3, 0.5)]);
            case ATELECTASIS -> FindingMention.present(f, sev, side, r.chance(0.3) ? Zone.MIDDLE : Zone.LOWER);
            case NODULE, MASS, FRACTURE ->
                FindingMention.present(f, sev, side, new Zone[] {Zone.UPPER, Zone.MIDDLE, Zone.LOWER}[r.nextInt(3)]);
            case SUPPORT_DEVICES ->
                FindingMention.present(f, Severity.UNSPECIFIED, Laterality.UNSPECIFIED, Zone.UNSPECIFIED);
            default -> throw new IllegalStateException("not renderable: " + f);
        };
    }

    /** Number of studies showing each finding (the class histogram). */
    public Map<Finding, Integer> classHistogram() {
        Map<Finding, Integer> h = new java.util.EnumMap<>(Finding.class);
        for (PhantomStudy s : studies()) {
            for (FindingMention m : s.findings()) {
                h.merge(m.finding(), 1, Integer::sum);
            }
        }
        return h;
    }
}
