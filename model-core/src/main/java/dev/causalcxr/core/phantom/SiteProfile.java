package dev.causalcxr.core.phantom;

import dev.causalcxr.core.findings.Finding;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A hospital site of the phantom: how its machines expose and digitize (acquisition), which findings its
 * patients bring (prevalence) and how its radiologists write (report style). Two sites render the same kind
 * of anatomy with the same finding models, so the exact counterfactual of any study is still known, but
 * images, class balance and reports differ the way an export from another hospital does: a domain shift
 * that can be measured and retrained across.
 *
 * <p>Site {@link #A} is the phantom as it always was: every transform is neutral and the output is
 * bit-identical to a phantom without a site. Site {@link #B} is a busier, ICU-heavy site with portable
 * machines: lower and more variable exposure, more quantum noise, detector blur, a tighter field of view, a
 * different display window, more devices, effusions, edema and pneumothoraces, fewer nodules and masses,
 * and another report template.
 *
 * @param name             the site's name, as {@code phantom --site} takes it
 * @param seedSalt         mixed into the master seed so that site B's patients are not site A's (0: none)
 * @param patientIdBase    first MIMIC-style patient number ({@code p<base + i>})
 * @param studyIdBase      first MIMIC-style study number ({@code s<base + i>})
 * @param exposureScale    multiplies each study's drawn exposure
 * @param contrastShift    added to the display contrast curve's strength (kept in 0..1)
 * @param brightnessShift  added to the display window offset
 * @param noiseScale       multiplies the quantum-noise standard deviation
 * @param gradientShift    added to the vertical exposure gradient (heel effect)
 * @param blur             detector blur: Gaussian standard deviation as a fraction of the image edge (0: none)
 * @param zoom             field of view: 1 = the reference framing, above 1 = tighter collimation (anatomy larger)
 * @param classFrequencies the site's prevalence per renderable finding; empty: the spec's own
 * @param reportStyle      section headers and impression layout of the site's reports
 */
public record SiteProfile(
        String name,
        long seedSalt,
        int patientIdBase,
        int studyIdBase,
        double exposureScale,
        double contrastShift,
        double brightnessShift,
        double noiseScale,
        double gradientShift,
        double blur,
        double zoom,
        Map<Finding, Double> classFrequencies,
        ReportStyle reportStyle) {

    /**
     * How a site's reports are laid out. The sentences themselves come from the same vocabulary: a parser
     * that reads one site's findings must read the other's once it finds the sections.
     *
     * @param examinationHeader header of the examination line
     * @param indicationHeader  header of the clinical indication
     * @param findingsHeader    header of the findings paragraph
     * @param impressionHeader  header of the impression
     * @param numberedImpression whether impression statements are numbered ("1. …") or run as prose
     */
    public record ReportStyle(
            String examinationHeader,
            String indicationHeader,
            String findingsHeader,
            String impressionHeader,
            boolean numberedImpression) {

        /** The MIMIC-like template of the original phantom. */
        public static final ReportStyle MIMIC =
                new ReportStyle("EXAMINATION:", "INDICATION:", "FINDINGS:", "IMPRESSION:", true);
    }

    public SiteProfile {
        classFrequencies = Map.copyOf(classFrequencies);
        if (!(zoom > 0) || !(noiseScale >= 0) || !(exposureScale > 0) || !(blur >= 0)) {
            throw new IllegalArgumentException(
                    "site " + name + ": zoom and exposure scale must be > 0, noise scale " + "and blur >= 0");
        }
    }

    /** The original phantom: neutral acquisition, the spec's prevalences, MIMIC-like reports. */
    public static final SiteProfile A = new SiteProfile(
            "a", 0L, 10_000_000, 50_000_000, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, Map.of(), ReportStyle.MIMIC);

    /** A second hospital: portable ICU radiographs, another case mix, another report template. */
    public static final SiteProfile B = new SiteProfile(
            "b",
            0x517E_000BL,
            20_000_000,
            60_000_000,
            0.82,
            0.15,
            0.05,
            1.9,
            0.08,
            0.006,
            1.10,
            siteBFrequencies(),
            new ReportStyle("EXAM:", "HISTORY:", "REPORT:", "CONCLUSION:", false));

    public static final List<SiteProfile> BUILT_IN = List.of(A, B);

    /** A built-in site by name ({@code a}, {@code b}; case-insensitive). */
    public static Optional<SiteProfile> named(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String n = name.trim().toLowerCase(Locale.ROOT);
        return BUILT_IN.stream().filter(s -> s.name.equals(n)).findFirst();
    }

    /** True when rendering with this site changes nothing: the acquisition transforms are all neutral. */
    public boolean neutralAcquisition() {
        return exposureScale == 1.0
                && contrastShift == 0.0
                && brightnessShift == 0.0
                && noiseScale == 1.0
                && gradientShift == 0.0
                && blur == 0.0
                && zoom == 1.0;
    }

    /** The class frequencies this site uses, given the spec's. */
    public Map<Finding, Double> frequencies(Map<Finding, Double> specFrequencies) {
        return classFrequencies.isEmpty() ? specFrequencies : classFrequencies;
    }

    /** ICU-heavy: devices, effusions, edema, atelectasis and pneumothoraces up, nodules and masses down. */
    private static Map<Finding, Double> siteBFrequencies() {
        Map<Finding, Double> m = new EnumMap<>(Finding.class);
        m.put(Finding.PLEURAL_EFFUSION, 0.40);
        m.put(Finding.SUPPORT_DEVICES, 0.55);
        m.put(Finding.CARDIOMEGALY, 0.28);
        m.put(Finding.ATELECTASIS, 0.26);
        m.put(Finding.EDEMA, 0.22);
        m.put(Finding.CONSOLIDATION, 0.08);
        m.put(Finding.NODULE, 0.015);
        m.put(Finding.MASS, 0.01);
        m.put(Finding.PNEUMOTHORAX, 0.035);
        m.put(Finding.FRACTURE, 0.02);
        return m;
    }
}
