package dev.causalcxr.core.phantom;

import static dev.causalcxr.core.phantom.Noise.bump;
import static dev.causalcxr.core.phantom.Noise.smooth01;

import dev.causalcxr.core.random.SplitMix64;

/**
 * The normal chest of one {@link PatientIdentity} as functions of the normalized position: lung
 * fields, heart, mediastinum, diaphragm, bones, vessels and soft tissue, and their combination into
 * an attenuation value. Shared by the renderer and by lesion layers, which place findings relative
 * to this anatomy.
 */
final class Anatomy {

    final PatientIdentity id;
    private final double cosTilt;
    private final double sinTilt;
    private final long vesselSeedR;
    private final long vesselSeedL;
    private final long warpSeed;

    Anatomy(PatientIdentity id) {
        this.id = id;
        this.cosTilt = StrictMath.cos(id.heartTilt());
        this.sinTilt = StrictMath.sin(id.heartTilt());
        this.vesselSeedR = SplitMix64.derive(id.textureSeed(), 1);
        this.vesselSeedL = SplitMix64.derive(id.textureSeed(), 2);
        this.warpSeed = SplitMix64.derive(id.textureSeed(), 3);
    }

    // ---- lung field boundaries (per half, in lateral distance s and row q) ----

    /** Lateral border (inner chest wall): widens slightly toward the base. */
    double lateral(LungShape l, double q) {
        double t = (q - l.apex()) / (l.domeTop() - l.apex());
        double g = Math.max(0, Math.min(1, t / 0.6));
        return l.width() * (0.45 + 0.55 * Math.sqrt(g * (2 - g))) * (0.95 + 0.05 * smooth01(t));
    }

    /** Medial border: the mediastinum, with the aortic knob on the left. */
    double medial(boolean right, double q) {
        double m = id.mediastinumHalfWidth();
        if (!right) {
            m += id.aorticKnob() * bump((q - (id.hilumLevel() - 0.1)) / 0.06);
        }
        return m;
    }

    /** Upper border: a rounded apex, highest at about 45% of the lung width. */
    double top(LungShape l, double s) {
        double x = s / l.width() - 0.38;
        return l.apex() + 0.9 * x * x;
    }

    /** Diaphragm: a dome, deepest laterally at the costophrenic angle. */
    double base(LungShape l, double s) {
        double x = s / l.width() - l.domePeak();
        double c = l.costophrenicDepth() / ((1 - l.domePeak()) * (1 - l.domePeak()));
        return l.domeTop() + c * x * x;
    }

    /** Row of the lateral costophrenic angle. */
    double costophrenicRow(LungShape l) {
        return base(l, l.width() * 0.97);
    }

    double lungDistance(LungShape l, boolean right, double s, double q) {
        return Math.min(Math.min(s - medial(right, q), lateral(l, q) - s), Math.min(q - top(l, s), base(l, s) - q));
    }

    /** Heart membership of an ellipse (centre cx, cy; radii rx, ry) with the identity's tilt. */
    double heartValue(double p, double q, double cx, double cy, double rx, double ry) {
        double dx = p - cx;
        double dy = q - cy;
        double xr = (cosTilt * dx + sinTilt * dy) / rx;
        double yr = (-sinTilt * dx + cosTilt * dy) / ry;
        double r2 = xr * xr + yr * yr;
        // the upper heart merges into the mediastinum (great vessels): no sharp top border
        return smooth01((1 - r2) / 0.12) * smooth01((q - (cy - 0.95 * ry)) / (0.55 * ry));
    }

    double heartCenterX() {
        return id.midline() + id.heartOffsetX();
    }

    /** Lateral position and row of this half's hilum. */
    double hilumS() {
        return id.mediastinumHalfWidth() + 0.04;
    }

    /** Rib centerline row at lateral distance s for posterior rib k (0-based). */
    double ribCenterRow(LungShape l, double s, int k) {
        double x = s / l.width() - 0.15;
        double c = id.ribTop() + id.ribCurvature() * x * x * (0.5 + 0.5 * x * x);
        double phi = k + id.ribWidth() / 2;
        double sp = id.ribSpacing();
        double y = phi * sp / (1 - phi * sp * id.ribSpacingGrowth());
        return c + y;
    }

    // ---- per-pixel evaluation ----

    void geometry(PixelState st, double p, double q) {
        st.p = p;
        st.q = q;
        double dp = p - id.midline();
        st.right = dp < 0;
        double s = Math.abs(dp);
        st.s = s;
        LungShape l = st.right ? id.rightLung() : id.leftLung();
        st.shape = l;

        double half = id.neckHalfWidth()
                + (id.bodyHalfWidth() - id.neckHalfWidth()) * smooth01((q - (id.shoulderLevel() - 0.12)) / 0.12);
        double xb = s / half;
        // path length through the chest: thick centrally, thinning toward the lateral chest wall
        st.body = xb < 1 ? (1 - xb * xb) * (0.55 + 0.45 * Math.sqrt(1 - xb * xb)) * smooth01((half - s) / 0.04) : 0;

        double lat = lateral(l, q);
        double med = medial(st.right, q);
        double top = top(l, s);
        double base = base(l, s);
        st.lateral = lat;
        st.medial = med;
        st.top = top;
        st.base = base;
        double d = Math.min(Math.min(s - med, lat - s), Math.min(q - top, base - q));
        st.lungDist = d;
        st.lung = smooth01(d / 0.012);
        st.wallGap = Math.min(lat - s, q - top);

        st.heart = heartValue(p, q, heartCenterX(), id.heartCenterY(), id.heartRadiusX(), id.heartRadiusY());
        st.fill = 0;
        st.extraAir = 0;
        st.markings = 1;
        st.density = 0;
        st.ribGap = 0;
        st.ribShift = 0;
    }

    /** Total attenuation at the pixel after lesion layers have set their modifiers. */
    double attenuation(PixelState st) {
        double p = st.p;
        double q = st.q;
        double s = st.s;
        LungShape l = st.shape;
        double a = id.softTissue() * st.body;

        // abdomen below the diaphragm: liver and bowel are denser than the chest wall
        a += 0.10 * st.body * smooth01((q - st.base) / 0.05);

        if (st.lung > 0) {
            // thinner lung (less air) at the apex, where muscles and clavicles overlap, and at the edges
            double depth = (0.55 + 0.35 * smooth01(st.lungDist / 0.07)) * (0.7 + 0.3 * smooth01((q - st.top) / 0.12));
            double air = st.lung * depth * (1 - 0.72 * st.heart) * (1 - st.fill);
            a -= 0.62 * air * (0.45 + 0.55 * st.body);
            double v = vessels(st) * st.markings;
            a += 0.20 * v * st.lung * (1 - st.fill) * (1 - 0.6 * st.heart);
        }
        a -= st.extraAir;

        // trachea and main bronchi: an air column in the upper mediastinum
        double carina = id.hilumLevel() - 0.07;
        double dx = p - id.midline() - 0.004;
        if (q < carina + 0.05) {
            double tr;
            if (q < carina) {
                tr = bump(dx / 0.017) * smooth01((carina - q) / 0.02 + 0.3);
            } else {
                double spread = (q - carina) * 0.9;
                tr = Math.max(bump((dx - spread) / 0.011), bump((dx + spread) / 0.011))
                        * smooth01((carina + 0.05 - q) / 0.03);
            }
            a -= 0.28 * tr * st.body;
        }

        // stomach air bubble under the left hemidiaphragm
        if (id.gastricBubble() > 0 && !st.right) {
            LungShape lt = id.leftLung();
            double bx = (s - lt.width() * 0.6) / (0.05 * (0.6 + 0.4 * id.gastricBubble()));
            double by = (q - (lt.domeTop() + 0.065)) / (0.032 * (0.6 + 0.4 * id.gastricBubble()));
            double b = bx * bx + by * by;
            if (b < 1) {
                a -= 0.18 * smooth01((1 - b) / 0.3);
            }
        }

        // breast shadows: soft tissue over the lower lungs with a curved inferolateral margin
        if (id.breastShadow() > 0) {
            double bx = (s - l.width() * 0.62) / 0.17;
            double by = (q - (l.domeTop() - 0.07)) / 0.12;
            double b2 = bx * bx + by * by;
            if (b2 < 1) {
                a += 0.13
                        * id.breastShadow()
                        * smooth01((1 - b2) / 0.12)
                        * smooth01((by + 0.6) / 0.9)
                        * st.body
                        * (1 - smooth01((q - st.base) / 0.03));
            }
        }

        a += bones(st, l, p, q, s);
        a += st.density;
        return a;
    }

    /**
     * Pulmonary vessels: branches radiating from the hilum. The angular width shrinks like 1/r so
     * vessels taper toward the periphery; a finer second generation starts further out.
     */
    private double vessels(PixelState st) {
        double dx = st.s - hilumS();
        double dy = st.q - id.hilumLevel();
        double r = Math.sqrt(dx * dx + dy * dy);
        if (r > 0.42) {
            return 0;
        }
        double ad = Math.abs(dx) + Math.abs(dy) + 1e-9;
        double a = dy / ad;
        double ang = dx >= 0 ? a : (a > 0 ? 2 - a : -2 - a);
        long seed = st.right ? vesselSeedR : vesselSeedL;
        double warp = Noise.noise1(warpSeed, r * 9) - 0.5;
        double rr = r + 0.02;
        double n1 = Noise.noise1(seed, ang * 7 + warp * 0.9);
        double taper = 1.05 - r / 0.42;
        double w1 = Math.min(0.6, 0.045 * taper * taper / rr);
        double v1 = smooth01(((1 - Math.abs(2 * n1 - 1)) - (1 - w1)) / w1);
        double n2 = Noise.noise1(seed + 77, ang * 17 + warp * 1.2 + r * 2);
        double w2 = Math.min(0.9, 0.03 * taper * taper / rr);
        double v2 = smooth01(((1 - Math.abs(2 * n2 - 1)) - (1 - w2)) / w2);
        // vessels emerge from the hilar shadow rather than from one point
        double fade1 = smooth01((0.40 - r) / 0.3) * smooth01((r - 0.025) / 0.06);
        double fade2 = smooth01((0.38 - r) / 0.2) * smooth01((r - 0.07) / 0.06);
        double hilum = bump(r / (0.08 + 0.02 * (Noise.noise1(warpSeed + 9, ang * 2) - 0.5)));
        double texture = Noise.noise2(seed + 5, st.s * 70, st.q * 70) - 0.5;
        return 0.42 * v1 * fade1 + 0.35 * v2 * fade2 + 0.75 * hilum + 0.3 * texture;
    }

    private double bones(PixelState st, LungShape l, double p, double q, double s) {
        double b = 0;
        // spine: vertebral bodies with darker disc spaces, brightest in the midline
        double sp = (p - id.midline()) / 0.034;
        if (sp > -1 && sp < 1) {
            double prof = Math.sqrt(1 - sp * sp);
            double ph = q / 0.043 + 0.3;
            double fr = ph - Math.floor(ph);
            double disc = bump((fr - 0.5) / 0.16);
            double pedicle = bump((Math.abs(sp) - 0.62) / 0.22) * bump((fr - 0.3) / 0.25);
            b += 0.13 * prof * (1 - 0.45 * disc) + 0.06 * pedicle;
        }

        double w = l.width();
        double x = s / w;
        // posterior ribs: one phase function for the whole cage, so cost does not grow with rib count
        double ribFade = smooth01((s - 0.03) / 0.02)
                * smooth01((w + 0.045 - s) / 0.03)
                * (1 - 0.75 * smooth01((q - st.base) / 0.05))
                * smooth01((costophrenicRow(l) + 0.08 - q) / 0.06);
        if (ribFade > 0) {
            double cx = x - 0.15;
            double y = q - st.ribShift - (id.ribTop() + id.ribCurvature() * cx * cx * (0.5 + 0.5 * cx * cx));
            if (y > 0) {
                double phi = y / (id.ribSpacing() * (1 + id.ribSpacingGrowth() * y));
                int k = (int) phi;
                if (k < 10) {
                    double t = (phi - k) / id.ribWidth();
                    if (t < 1) {
                        b += 0.12 * ribFade * ribProfile(t) * (1 - st.ribGap);
                    }
                }
            }
            // anterior ribs: fainter, sloping down toward the midline, seen laterally
            double ya = q - (id.ribTop() + 0.13 + 0.16 * (1 - x));
            if (ya > 0 && x > 0.3) {
                double phiA = ya / (id.ribSpacing() * 1.1 * (1 + 0.5 * ya));
                int ka = (int) phiA;
                if (ka < 6) {
                    double ta = (phiA - ka) / 0.45;
                    if (ta < 1) {
                        b += 0.035 * ribFade * smooth01((x - 0.3) / 0.3) * ribProfile(ta);
                    }
                }
            }
        }

        // clavicles: from the sternal end near the midline, rising laterally in a gentle S
        double xc = s / (w + 0.04);
        if (xc > 0.04 && xc < 1.0) {
            double cq = id.clavicleMedialLevel()
                    + (id.clavicleLateralLevel() - id.clavicleMedialLevel()) * xc
                    + 0.12 * xc * (1 - xc) * (0.45 - xc)
                    + 0.03 * (1 - xc) * (1 - xc) * (1 - xc);
            double dd = (q - cq) / (0.016 + 0.004 * (1 - xc));
            if (dd > -1 && dd < 1) {
                double fade = smooth01((xc - 0.04) / 0.05) * smooth01((1.0 - xc) / 0.1);
                b += 0.2 * fade * ribProfile((dd + 1) / 2);
            }
        }
        return b;
    }

    /** Cross-section of a tubular bone: marrow plus bright cortical edges, soft at the border. */
    private static double ribProfile(double t) {
        double m = Math.min(t, 1 - t);
        double tube = 2 * Math.sqrt(t * (1 - t));
        double cortex = bump((m - 0.1) / 0.12);
        return smooth01(m / 0.06) * (0.55 * tube + 0.45 * cortex);
    }
}
