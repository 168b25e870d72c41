package dev.causalcxr.core.phantom;

/**
 * The anatomy at one pixel and the modifiers findings put on it. Geometry fields are filled by
 * {@link Anatomy#geometry}; lesion layers then change only the modifier fields, and only inside
 * their own support, which is what makes a counterfactual differ from its study only inside the
 * finding's mask.
 */
final class PixelState {
    // geometry (read-only for lesion layers)
    double p;
    double q;
    /** True on the patient's right half (image left). */
    boolean right;
    /** Lateral distance from the midline. */
    double s;

    LungShape shape;
    /** Lung membership in [0, 1] for this half. */
    double lung;
    /** Distance inside the lung field (negative outside). */
    double lungDist;
    /** Distance to the chest wall / apex from inside the lung (pneumothorax rim). */
    double wallGap;

    double lateral;
    double medial;
    double base;
    double top;
    double body;

    // modifiers
    double heart;
    double fill;
    double extraAir;
    double markings;
    double density;
    double ribGap;
    double ribShift;

    void fillWith(double amount) {
        fill = 1 - (1 - fill) * (1 - amount);
    }
}
