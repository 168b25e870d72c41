package dev.causalcxr.core.phantom;

import dev.causalcxr.core.random.SplitMix64;

/**
 * The anatomy of one phantom patient, shared by all of that patient's studies. All geometry is in
 * normalized coordinates (0..1 of the image side), so one identity renders at any resolution.
 * Deterministic from {@code seed}: {@link #fromSeed(long)} always gives the same patient.
 *
 * @param midline             column of the spine
 * @param rotation            small patient rotation in radians
 * @param bodyHalfWidth       half width of the chest wall outline
 * @param neckHalfWidth       half width of the neck
 * @param shoulderLevel       row where the shoulders reach full width
 * @param softTissue          soft-tissue thickness (attenuation scale)
 * @param rightLung           the patient's right lung (displayed on the image left)
 * @param leftLung            the patient's left lung (displayed on the image right)
 * @param mediastinumHalfWidth half width of the mediastinum
 * @param aorticKnob          bulge of the aortic knob into the left upper lung
 * @param heartOffsetX        heart centre offset toward the patient's left
 * @param heartCenterY        heart centre row
 * @param heartRadiusX        heart half width
 * @param heartRadiusY        heart half height
 * @param heartTilt           heart long-axis tilt (radians)
 * @param hilumLevel          row of the hila
 * @param ribSpacing          spacing of the posterior ribs at the top
 * @param ribTop              row where the first posterior rib starts
 * @param ribCurvature        how much the ribs curve down laterally
 * @param ribSpacingGrowth    how much the rib spacing widens further down
 * @param ribWidth            rib thickness as a fraction of the spacing
 * @param clavicleMedialLevel row of the medial clavicle ends
 * @param clavicleLateralLevel row of the lateral clavicle ends
 * @param gastricBubble       size of the stomach air bubble (0 = none)
 * @param textureSeed         seed of the vessel and parenchyma texture
 * @param breastShadow        density of breast soft-tissue shadows over the lower lungs (0 = none)
 */
public record PatientIdentity(
        long seed,
        double midline,
        double rotation,
        double bodyHalfWidth,
        double neckHalfWidth,
        double shoulderLevel,
        double softTissue,
        LungShape rightLung,
        LungShape leftLung,
        double mediastinumHalfWidth,
        double aorticKnob,
        double heartOffsetX,
        double heartCenterY,
        double heartRadiusX,
        double heartRadiusY,
        double heartTilt,
        double hilumLevel,
        double ribSpacing,
        double ribTop,
        double ribCurvature,
        double ribSpacingGrowth,
        double ribWidth,
        double clavicleMedialLevel,
        double clavicleLateralLevel,
        double gastricBubble,
        long textureSeed,
        double breastShadow) {

    public static PatientIdentity fromSeed(long seed) {
        SplitMix64 r = new SplitMix64(SplitMix64.derive(seed, 0x1D));
        double midline = 0.5 + r.uniform(-0.012, 0.012);
        double rotation = r.uniform(-0.045, 0.045);
        double bodyHalf = r.uniform(0.43, 0.49);
        double neckHalf = r.uniform(0.10, 0.13);
        double shoulder = r.uniform(0.10, 0.15);
        double soft = r.uniform(0.85, 1.2);
        double apexR = r.uniform(0.11, 0.15);
        double widthR = r.uniform(0.30, 0.345);
        double domeR = r.uniform(0.66, 0.72);
        LungShape right = new LungShape(apexR, widthR, domeR, r.uniform(0.38, 0.52), r.uniform(0.05, 0.085));
        LungShape left = new LungShape(
                apexR + r.uniform(-0.01, 0.015),
                widthR * r.uniform(0.93, 1.0),
                domeR + r.uniform(0.015, 0.045),
                r.uniform(0.40, 0.55),
                r.uniform(0.05, 0.085));
        double mediastinum = r.uniform(0.045, 0.058);
        double knob = r.uniform(0.012, 0.028);
        double heartOffset = r.uniform(0.03, 0.055);
        double heartY = domeR - r.uniform(0.02, 0.045);
        double heartRx = r.uniform(0.125, 0.15);
        double heartRy = r.uniform(0.12, 0.14);
        double tilt = r.uniform(0.25, 0.45);
        double hilum = apexR + (domeR - apexR) * r.uniform(0.50, 0.56);
        double ribSpacing = r.uniform(0.056, 0.066);
        double ribTop = apexR - r.uniform(0.0, 0.02);
        double ribCurv = r.uniform(0.16, 0.26);
        double ribGrowth = r.uniform(0.6, 1.0);
        double ribWidth = r.uniform(0.38, 0.46);
        double clavMed = apexR + r.uniform(0.085, 0.115);
        double clavLat = clavMed - r.uniform(0.055, 0.085);
        double bubble = r.nextDouble();
        bubble = bubble < 0.3 ? 0 : bubble;
        long texture = SplitMix64.derive(seed, 0x7E47);
        double breast = r.chance(0.5) ? r.uniform(0.4, 1.0) : 0;
        return new PatientIdentity(
                seed,
                midline,
                rotation,
                bodyHalf,
                neckHalf,
                shoulder,
                soft,
                right,
                left,
                mediastinum,
                knob,
                heartOffset,
                heartY,
                heartRx,
                heartRy,
                tilt,
                hilum,
                ribSpacing,
                ribTop,
                ribCurv,
                ribGrowth,
                ribWidth,
                clavMed,
                clavLat,
                bubble,
                texture,
                breast);
    }

    public LungShape lung(boolean patientRight) {
        return patientRight ? rightLung : leftLung;
    }
}
