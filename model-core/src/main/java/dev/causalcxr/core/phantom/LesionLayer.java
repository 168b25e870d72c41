package dev.causalcxr.core.phantom;

import dev.causalcxr.core.findings.FindingMention;

/**
 * One rendered finding: it changes the {@link PixelState} modifiers inside its support only and
 * says where it did so (its mask). Bounds are in anatomical coordinates and let the renderer skip
 * pixels cheaply.
 */
abstract class LesionLayer {

    final FindingMention mention;
    double p0 = Double.POSITIVE_INFINITY;
    double p1 = Double.NEGATIVE_INFINITY;
    double q0 = Double.POSITIVE_INFINITY;
    double q1 = Double.NEGATIVE_INFINITY;

    LesionLayer(FindingMention mention) {
        this.mention = mention;
    }

    /** Extends the bounds by a box given in lateral distance on one side of the midline. */
    final void boundSide(Anatomy a, boolean right, double s0, double s1, double top, double bottom) {
        double m = a.id.midline();
        if (right) {
            p0 = Math.min(p0, m - s1);
            p1 = Math.max(p1, m - s0);
        } else {
            p0 = Math.min(p0, m + s0);
            p1 = Math.max(p1, m + s1);
        }
        q0 = Math.min(q0, top);
        q1 = Math.max(q1, bottom);
    }

    final void boundBox(double pa, double pb, double qa, double qb) {
        p0 = Math.min(p0, pa);
        p1 = Math.max(p1, pb);
        q0 = Math.min(q0, qa);
        q1 = Math.max(q1, qb);
    }

    final boolean mayCover(double p, double q) {
        return p >= p0 && p <= p1 && q >= q0 && q <= q1;
    }

    /** Applies the finding at this pixel; returns true where it is active (its mask). */
    abstract boolean apply(PixelState st);
}
