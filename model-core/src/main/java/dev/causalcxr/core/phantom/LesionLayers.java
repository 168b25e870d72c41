package dev.causalcxr.core.phantom;

import static dev.causalcxr.core.phantom.Noise.bump;
import static dev.causalcxr.core.phantom.Noise.smooth01;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Laterality;
import dev.causalcxr.core.findings.Severity;
import dev.causalcxr.core.findings.Zone;
import dev.causalcxr.core.random.SplitMix64;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the lesion layer of each supported finding, placed relative to the patient's anatomy.
 * Placement jitter comes from a seed derived from the placement seed (the acquisition seed unless a
 * caller varies it) and the finding (finding,
 * laterality, zone) only, so adding or removing another finding never moves this one, and a
 * finding rendered at another severity stays in place and only changes in magnitude.
 */
final class LesionLayers {

    private LesionLayers() {}

    static LesionLayer build(Anatomy a, long placementSeed, FindingMention m, double pixel) {
        SplitMix64 r = new SplitMix64(SplitMix64.derive(
                placementSeed,
                0x1E5,
                m.finding().ordinal(),
                m.laterality().ordinal(),
                m.zone().ordinal()));
        int sev = severityIndex(m.severity());
        return switch (m.finding()) {
            case PLEURAL_EFFUSION -> new Effusion(a, m, sides(m.laterality(), r), sev, r);
            case CARDIOMEGALY -> new Cardiomegaly(a, m, sev);
            case PNEUMOTHORAX -> new Pneumothorax(a, m, side(m.laterality(), r), sev);
            case CONSOLIDATION ->
                new Consolidation(a, m, side(m.laterality(), r), zone(m.zone(), r, Zone.LOWER), sev, r);
            case ATELECTASIS -> new Atelectasis(a, m, side(m.laterality(), r), zone(m.zone(), r, Zone.LOWER), sev, r);
            case EDEMA -> new Edema(a, m, sev, r);
            case NODULE ->
                new Round(
                        a,
                        m,
                        side(m.laterality(), r),
                        zone(m.zone(), r, null),
                        new double[] {0.016, 0.022, 0.029}[sev],
                        0.029,
                        0.0,
                        0.30,
                        r);
            case MASS ->
                new Round(
                        a,
                        m,
                        side(m.laterality(), r),
                        zone(m.zone(), r, null),
                        new double[] {0.045, 0.062, 0.082}[sev],
                        0.082 * 1.1,
                        0.18,
                        0.40,
                        r);
            case FRACTURE -> new Fracture(a, m, side(m.laterality(), r), zone(m.zone(), r, null), sev, r, pixel);
            case SUPPORT_DEVICES -> new Devices(a, m, r, pixel);
            default ->
                throw new IllegalArgumentException(
                        "the phantom does not render " + m.finding().label());
        };
    }

    /** Unspecified severity renders as moderate. */
    static int severityIndex(Severity s) {
        return switch (s) {
            case MILD -> 0;
            case SEVERE -> 2;
            default -> 1;
        };
    }

    private static boolean side(Laterality l, SplitMix64 r) {
        return switch (l) {
            case RIGHT -> true;
            case LEFT -> false;
            default -> r.chance(0.5);
        };
    }

    private static boolean[] sides(Laterality l, SplitMix64 r) {
        return switch (l) {
            case RIGHT -> new boolean[] {true};
            case LEFT -> new boolean[] {false};
            case BILATERAL -> new boolean[] {true, false};
            default -> new boolean[] {r.chance(0.5)};
        };
    }

    private static Zone zone(Zone z, SplitMix64 r, Zone fallback) {
        if (z != Zone.UNSPECIFIED) {
            return z;
        }
        return fallback != null ? fallback : r.pick(Zone.UPPER, Zone.MIDDLE, Zone.LOWER);
    }

    /** A point well inside one lung within the given zone (thirds of the lung height). */
    static double[] lungPoint(Anatomy a, boolean right, Zone zone, double margin, SplitMix64 r) {
        LungShape l = a.id.lung(right);
        double h = l.domeTop() - l.apex();
        double z0 = switch (zone) {
            case UPPER -> 0.10;
            case MIDDLE -> 0.40;
            default -> 0.68;
        };
        double[] best = null;
        double bestD = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < 24; i++) {
            double s = a.medial(right, l.apex() + h / 2)
                    + (l.width() - a.medial(right, l.apex() + h / 2)) * r.uniform(0.2, 0.8);
            double q = l.apex() + h * (z0 + r.uniform(0.0, 0.24));
            double d = a.lungDistance(l, right, s, q);
            double heartOverlap = a.heartValue(
                    right ? a.id.midline() - s : a.id.midline() + s,
                    q,
                    a.heartCenterX(),
                    a.id.heartCenterY(),
                    a.id.heartRadiusX(),
                    a.id.heartRadiusY());
            d -= heartOverlap * 0.05;
            if (d >= margin) {
                return new double[] {s, q};
            }
            if (d > bestD) {
                bestD = d;
                best = new double[] {s, q};
            }
        }
        return best;
    }

    // ------------------------------------------------------------------

    /** Fluid layering in the costophrenic recess: meniscus climbing the lateral wall, height by severity. */
    static final class Effusion extends LesionLayer {
        private final boolean[] sides;
        private final double[] cp;
        private final double height;
        private final double soft;

        Effusion(Anatomy a, FindingMention m, boolean[] sides, int sev, SplitMix64 r) {
            super(m);
            this.sides = sides;
            this.height = new double[] {0.05, 0.11, 0.20}[sev] * r.uniform(0.92, 1.08);
            this.soft = 0.015 + 0.12 * height;
            this.cp = new double[2];
            for (boolean right : sides) {
                LungShape l = a.id.lung(right);
                double row = a.costophrenicRow(l);
                cp[right ? 0 : 1] = row;
                boundSide(
                        a,
                        right,
                        a.id.mediastinumHalfWidth() - 0.02,
                        l.width() * 1.2 + 0.03,
                        row - height - 0.01,
                        row + 0.045);
            }
        }

        @Override
        boolean apply(PixelState st) {
            boolean hit = false;
            for (boolean right : sides) {
                hit |= right == st.right;
            }
            if (!hit) {
                return false;
            }
            LungShape l = st.shape;
            double row = cp[st.right ? 0 : 1];
            double x = Math.min(1.1, Math.max(0, st.s / l.width()));
            double top = row - height * (0.62 + 0.38 * x * x);
            double f = smooth01((st.q - top) / soft);
            double inside = smooth01((st.s - st.medial + 0.005) / 0.01) * smooth01((st.lateral + 0.012 - st.s) / 0.012);
            double low = smooth01((row + 0.03 - st.q) / 0.02);
            double e = f * inside * low;
            if (e <= 0) {
                return false;
            }
            st.fillWith(0.95 * e);
            st.markings *= 1 - e;
            st.density += 0.12 * e * (1 - st.lung);
            return true;
        }
    }

    /** Enlarged heart: wider (mostly toward the patient's left) and a little lower. */
    static final class Cardiomegaly extends LesionLayer {
        private final Anatomy a;
        private final double cx;
        private final double cy;
        private final double rx;
        private final double ry;

        Cardiomegaly(Anatomy a, FindingMention m, int sev) {
            super(m);
            this.a = a;
            double k = new double[] {1.15, 1.28, 1.42}[sev];
            PatientIdentity id = a.id;
            rx = id.heartRadiusX() * k;
            ry = id.heartRadiusY() * (1 + 0.3 * (k - 1));
            cx = a.heartCenterX() + 0.5 * (k - 1) * id.heartRadiusX();
            cy = id.heartCenterY() + 0.25 * (k - 1) * id.heartRadiusY();
            double rr = Math.max(rx, ry) * 1.1;
            boundBox(cx - rr, cx + rr, cy - rr, cy + rr);
        }

        @Override
        boolean apply(PixelState st) {
            double h = a.heartValue(st.p, st.q, cx, cy, rx, ry);
            if (h <= st.heart) {
                return false;
            }
            st.heart = h;
            return true;
        }
    }

    /** Lucent rim without lung markings along the apex and lateral wall, with a thin pleural line. */
    static final class Pneumothorax extends LesionLayer {
        private final boolean right;
        private final double width;
        private final double lowest;

        Pneumothorax(Anatomy a, FindingMention m, boolean right, int sev) {
            super(m);
            this.right = right;
            this.width = new double[] {0.02, 0.037, 0.058}[sev];
            LungShape l = a.id.lung(right);
            this.lowest = l.apex() + (l.domeTop() - l.apex()) * (0.62 + 0.1 * sev);
            boundSide(a, right, 0, l.width() * 1.2, l.apex() - 0.02, lowest + 0.01);
        }

        @Override
        boolean apply(PixelState st) {
            if (st.right != right || st.lung <= 0) {
                return false;
            }
            double vertical = smooth01((lowest - st.q) / 0.09);
            if (vertical <= 0) {
                return false;
            }
            double gap = st.wallGap;
            double rim = smooth01((width - gap) / 0.005) * vertical;
            double line = bump((gap - width) / 0.0045) * vertical;
            if (rim <= 0 && line <= 0) {
                return false;
            }
            st.markings *= 1 - rim;
            st.extraAir += 0.14 * rim * st.lung;
            st.density += 0.07 * line * st.lung;
            return true;
        }
    }

    /** Patchy dense airspace opacity: a cluster of overlapping blobs in one zone. */
    static final class Consolidation extends LesionLayer {
        private final boolean right;
        private final double[] bs;
        private final double[] bq;
        private final double[] br;
        private final double density;
        private final long seed;

        Consolidation(Anatomy a, FindingMention m, boolean right, Zone zone, int sev, SplitMix64 r) {
            super(m);
            this.right = right;
            double radius = new double[] {0.045, 0.065, 0.088}[sev];
            this.density = new double[] {0.42, 0.55, 0.68}[sev];
            double[] c = lungPoint(a, right, zone, 0.088 * 0.6, r);
            int n = 6 + 2 * sev;
            bs = new double[n];
            bq = new double[n];
            br = new double[n];
            for (int i = 0; i < n; i++) {
                double ang = 2 * StrictMath.PI * i / n + r.uniform(-0.4, 0.4);
                double off = i == 0 ? 0 : radius * r.uniform(0.3, 0.8);
                bs[i] = c[0] + off * StrictMath.cos(ang);
                bq[i] = c[1] + off * StrictMath.sin(ang);
                br[i] = radius * r.uniform(0.4, 0.65);
                boundSide(a, right, bs[i] - br[i], bs[i] + br[i], bq[i] - br[i], bq[i] + br[i]);
            }
            seed = r.nextLong();
        }

        @Override
        boolean apply(PixelState st) {
            if (st.right != right || st.lung <= 0) {
                return false;
            }
            double c = 0;
            for (int i = 0; i < bs.length; i++) {
                double ds = st.s - bs[i];
                double dq = st.q - bq[i];
                double d2 = (ds * ds + dq * dq) / (br[i] * br[i]);
                if (d2 < 1) {
                    double b = (1 - d2) * (1 - d2);
                    c = 1 - (1 - c) * (1 - b);
                }
            }
            if (c <= 0) {
                return false;
            }
            // irregular, patchy margins: the blob field is perturbed by two octaves of noise
            double n = 0.65 * Noise.noise2(seed, st.s * 22, st.q * 22)
                    + 0.35 * Noise.noise2(seed + 2, st.s * 55, st.q * 55);
            double irregular = c + 0.55 * (n - 0.5);
            // air bronchograms: thin lucent branches inside the dense part
            double bn = Noise.noise2(seed + 1, st.s * 18, st.q * 18);
            double bronchus = bump((bn - 0.5) / 0.05) * 0.35;
            double e = smooth01(irregular / 0.9) * smooth01(c / 0.12) * density * (1 - bronchus);
            st.fillWith(e);
            st.markings *= 1 - 0.7 * c;
            return true;
        }
    }

    /** Plate-like band of collapse, plus elevation of the hemidiaphragm (volume loss) when basal. */
    static final class Atelectasis extends LesionLayer {
        private final boolean right;
        private final double cs;
        private final double cq;
        private final double length;
        private final double thickness;
        private final double slope;
        private final double lift;
        private final double density;

        Atelectasis(Anatomy a, FindingMention m, boolean right, Zone zone, int sev, SplitMix64 r) {
            super(m);
            this.right = right;
            LungShape l = a.id.lung(right);
            double[] c = lungPoint(a, right, zone, 0.03, r);
            this.cs = c[0];
            this.cq = zone == Zone.LOWER ? Math.min(c[1], a.base(l, c[0]) - 0.05) : c[1];
            this.length = l.width() * new double[] {0.2, 0.28, 0.36}[sev];
            this.thickness = new double[] {0.009, 0.014, 0.02}[sev];
            this.slope = r.uniform(-0.3, 0.15);
            this.density = new double[] {0.55, 0.7, 0.85}[sev];
            this.lift = zone == Zone.LOWER ? new double[] {0.006, 0.016, 0.028}[sev] : 0;
            double halo = thickness * 2.5;
            boundSide(
                    a,
                    right,
                    cs - length,
                    cs + length,
                    cq - halo - Math.abs(slope) * length,
                    cq + halo + Math.abs(slope) * length);
            if (lift > 0) {
                boundSide(a, right, 0, l.width() * 1.1, l.domeTop() - lift - 0.02, a.costophrenicRow(l) + 0.01);
            }
        }

        @Override
        boolean apply(PixelState st) {
            if (st.right != right || st.lung <= 0) {
                return false;
            }
            double along = (st.s - cs) / length;
            double e = 0;
            if (along > -1 && along < 1) {
                double across = (st.q - cq - slope * (st.s - cs)) / thickness;
                double core = bump(across);
                double haze = bump(across / 2.5) * 0.35;
                e = Math.max(core, haze) * (1 - along * along) * density;
            }
            double liftE = 0;
            if (lift > 0) {
                double x = (st.s / st.shape.width() - st.shape.domePeak()) / 0.75;
                double bx = 1 - x * x;
                if (bx > 0) {
                    double raised = st.base - lift * bx;
                    liftE = smooth01((st.q - raised) / 0.008);
                }
            }
            double total = Math.max(e, liftE);
            if (total <= 0) {
                return false;
            }
            st.fillWith(total);
            st.markings *= 1 - total;
            return true;
        }
    }

    /** Bilateral perihilar haze (bat wing), vessels blurred, septal lines at the bases when worse. */
    static final class Edema extends LesionLayer {
        private final Anatomy a;
        private final double radius;
        private final double density;
        private final boolean septal;
        private final long seed;

        Edema(Anatomy a, FindingMention m, int sev, SplitMix64 r) {
            super(m);
            this.a = a;
            this.radius = new double[] {0.14, 0.18, 0.23}[sev];
            this.density = new double[] {0.3, 0.45, 0.6}[sev];
            this.septal = sev >= 1;
            this.seed = r.nextLong();
            for (boolean right : new boolean[] {true, false}) {
                LungShape l = a.id.lung(right);
                boundSide(a, right, 0, l.width() * 1.2, a.id.hilumLevel() - radius - 0.01, a.costophrenicRow(l) + 0.01);
            }
        }

        @Override
        boolean apply(PixelState st) {
            if (st.lung <= 0) {
                return false;
            }
            double dx = (st.s - a.hilumS()) / (radius * 1.25);
            double dy = (st.q - a.id.hilumLevel()) / radius;
            double haze = bump(Math.sqrt(dx * dx + dy * dy));
            double lines = 0;
            if (septal) {
                double g = st.lateral - st.s;
                if (g < 0.04 && st.q > st.base - 0.13) {
                    double ph = st.q / 0.012;
                    double fr = ph - Math.floor(ph);
                    lines = bump((fr - 0.5) / 0.2)
                            * smooth01((0.04 - g) / 0.02)
                            * smooth01((st.q - (st.base - 0.13)) / 0.03);
                }
            }
            if (haze <= 0 && lines <= 0) {
                return false;
            }
            double patch = 0.7 + 0.3 * Noise.noise2(seed, st.s * 30, st.q * 30);
            st.fillWith(haze * density * patch);
            st.markings *= 1 - 0.5 * haze;
            st.density += 0.06 * lines;
            return true;
        }
    }

    /** Round solid opacity: a nodule (small, smooth) or a mass (large, lobulated). */
    static final class Round extends LesionLayer {
        private final boolean right;
        private final double cs;
        private final double cq;
        private final double radius;
        private final double lobulation;
        private final double density;
        private final long seed;

        Round(
                Anatomy a,
                FindingMention m,
                boolean right,
                Zone zone,
                double radius,
                double largestRadius,
                double lobulation,
                double density,
                SplitMix64 r) {
            super(m);
            this.right = right;
            // the margin uses the largest radius so that every severity sits at the same place
            double[] c = lungPoint(a, right, zone, largestRadius + 0.015, r);
            this.cs = c[0];
            this.cq = c[1];
            this.radius = radius * r.uniform(0.9, 1.1);
            this.lobulation = lobulation;
            this.density = density;
            this.seed = r.nextLong();
            double rr = this.radius * (1 + lobulation);
            boundSide(a, right, cs - rr, cs + rr, cq - rr, cq + rr);
        }

        @Override
        boolean apply(PixelState st) {
            if (st.right != right) {
                return false;
            }
            double ds = st.s - cs;
            double dq = st.q - cq;
            double d2 = ds * ds + dq * dq;
            double rmax = radius * (1 + lobulation);
            if (d2 >= rmax * rmax) {
                return false;
            }
            double rad = radius;
            if (lobulation > 0) {
                double ad = Math.abs(ds) + Math.abs(dq) + 1e-12;
                double ang = ds >= 0 ? dq / ad : (dq > 0 ? 2 - dq / ad : -2 - dq / ad);
                rad = radius * (1 + lobulation * (2 * Noise.noise1(seed, (ang + 2) * 2.2) - 1));
            }
            double u = d2 / (rad * rad);
            if (u >= 1) {
                return false;
            }
            double prof = Math.sqrt(1 - u) * smooth01((1 - u) / 0.15);
            double texture = lobulation > 0 ? 0.85 + 0.15 * Noise.noise2(seed + 3, st.s * 60, st.q * 60) : 1;
            st.density += density * (0.3 + 0.7 * prof) * smooth01((1 - u) / 0.1) * texture;
            st.markings *= 1 - prof;
            return true;
        }
    }

    /** A break in the cortex of one posterior rib with displacement growing with severity. */
    static final class Fracture extends LesionLayer {
        private final boolean right;
        private final double s0;
        private final double qCenter;
        private final double disc;
        private final double gapWidth;
        private final double gapDepth;
        private final double shift;

        Fracture(Anatomy a, FindingMention m, boolean right, Zone zone, int sev, SplitMix64 r, double pixel) {
            super(m);
            this.right = right;
            LungShape l = a.id.lung(right);
            int[] ribs = switch (zone) {
                case UPPER -> new int[] {2, 3};
                case MIDDLE -> new int[] {4, 5};
                default -> new int[] {6, 7};
            };
            int k = ribs[r.nextInt(ribs.length)];
            this.s0 = l.width() * r.uniform(0.62, 0.85);
            this.qCenter = a.ribCenterRow(l, s0, k);
            this.disc = 0.035;
            this.gapWidth = Math.max(new double[] {0.004, 0.006, 0.008}[sev], 0.7 * pixel);
            this.gapDepth = new double[] {0.75, 0.9, 1.0}[sev];
            this.shift = new double[] {0.002, 0.007, 0.013}[sev];
            boundSide(a, right, s0 - disc, s0 + disc, qCenter - disc, qCenter + disc);
        }

        @Override
        boolean apply(PixelState st) {
            if (st.right != right) {
                return false;
            }
            double ds = st.s - s0;
            double dq = st.q - qCenter;
            double d2 = ds * ds + dq * dq;
            if (d2 >= disc * disc) {
                return false;
            }
            double fade = smooth01((disc - Math.sqrt(d2)) / 0.012);
            double line = ds + 0.35 * dq;
            st.ribGap = Math.max(st.ribGap, bump(line / gapWidth) * gapDepth * fade);
            st.ribShift += shift * smooth01(line / gapWidth * 0.5 + 0.5) * fade;
            return true;
        }
    }

    /** Tubes and lines: endotracheal tube, central venous catheter, enteric tube, pacemaker. */
    static final class Devices extends LesionLayer {
        private final List<double[]> segments = new ArrayList<>();
        private final double[] box;

        Devices(Anatomy a, FindingMention m, SplitMix64 r, double pixel) {
            super(m);
            PatientIdentity id = a.id;
            double mid = id.midline();
            double carina = id.hilumLevel() - 0.07;
            boolean ett = r.chance(0.55);
            boolean cvc = r.chance(0.6);
            boolean ngt = r.chance(0.35);
            boolean pacer = r.chance(0.15);
            if (!ett && !cvc && !ngt && !pacer) {
                cvc = true;
            }
            if (ett) {
                double tip = carina - r.uniform(0.03, 0.06);
                stroke(pixel, 0.006, 0.14, mid + 0.004, -0.05, mid + 0.003, tip);
                stroke(pixel, 0.0018, 0.6, mid + 0.008, -0.05, mid + 0.007, tip);
            }
            if (cvc) {
                double tipQ = id.hilumLevel() - r.uniform(0.0, 0.04);
                polyline(pixel, 0.0025, 0.6, new double[] {
                    mid - 0.25, id.shoulderLevel() + 0.07,
                    mid - 0.12, id.clavicleMedialLevel() + 0.012,
                    mid - 0.058, id.clavicleMedialLevel() + 0.05,
                    mid - 0.045, tipQ
                });
            }
            if (ngt) {
                LungShape lt = id.leftLung();
                polyline(pixel, 0.003, 0.5, new double[] {
                    mid - 0.004,
                    -0.05,
                    mid + 0.006,
                    id.hilumLevel(),
                    mid + 0.03,
                    lt.domeTop() - 0.01,
                    mid + 0.11,
                    lt.domeTop() + 0.06,
                    mid + 0.17,
                    lt.domeTop() + 0.075
                });
            }
            if (pacer) {
                double gx = mid + id.leftLung().width() * 0.72;
                double gy = id.clavicleLateralLevel() + 0.05;
                box = new double[] {gx - 0.035, gy - 0.024, gx + 0.035, gy + 0.024};
                boundBox(box[0], box[2], box[1], box[3]);
                polyline(pixel, 0.0022, 0.6, new double[] {
                    gx - 0.02,
                    gy,
                    mid + 0.06,
                    id.clavicleMedialLevel() + 0.05,
                    mid + 0.015,
                    id.hilumLevel(),
                    a.heartCenterX() - 0.01,
                    id.heartCenterY() + 0.04
                });
            } else {
                box = null;
            }
        }

        private void polyline(double pixel, double half, double dens, double[] pts) {
            for (int i = 0; i + 3 < pts.length; i += 2) {
                stroke(pixel, half, dens, pts[i], pts[i + 1], pts[i + 2], pts[i + 3]);
            }
        }

        /** A straight stroke; thin lines are widened to ~a pixel and dimmed so they neither alias nor vanish. */
        private void stroke(double pixel, double half, double dens, double xa, double ya, double xb, double yb) {
            double eff = Math.max(half, 0.6 * pixel);
            double d = dens * half / eff;
            segments.add(new double[] {xa, ya, xb, yb, eff, d});
            double m = eff + 0.002;
            boundBox(Math.min(xa, xb) - m, Math.max(xa, xb) + m, Math.min(ya, yb) - m, Math.max(ya, yb) + m);
        }

        @Override
        boolean apply(PixelState st) {
            double p = st.p;
            double q = st.q;
            double add = 0;
            for (double[] sg : segments) {
                double m = sg[4];
                if (p < Math.min(sg[0], sg[2]) - m
                        || p > Math.max(sg[0], sg[2]) + m
                        || q < Math.min(sg[1], sg[3]) - m
                        || q > Math.max(sg[1], sg[3]) + m) {
                    continue;
                }
                double vx = sg[2] - sg[0];
                double vy = sg[3] - sg[1];
                double t = ((p - sg[0]) * vx + (q - sg[1]) * vy) / (vx * vx + vy * vy);
                t = Math.max(0, Math.min(1, t));
                double ex = p - (sg[0] + t * vx);
                double ey = q - (sg[1] + t * vy);
                double dist = Math.sqrt(ex * ex + ey * ey);
                if (dist < m) {
                    add = Math.max(add, sg[5] * bump(dist / m));
                }
            }
            if (box != null && p > box[0] && p < box[2] && q > box[1] && q < box[3]) {
                double edge = Math.min(Math.min(p - box[0], box[2] - p), Math.min(q - box[1], box[3] - q));
                add = Math.max(add, 0.9 * smooth01(edge / 0.004));
            }
            if (add <= 0) {
                return false;
            }
            st.density += add;
            return true;
        }
    }

    static boolean renders(Finding f) {
        return switch (f) {
            case PLEURAL_EFFUSION,
                    CARDIOMEGALY,
                    PNEUMOTHORAX,
                    CONSOLIDATION,
                    ATELECTASIS,
                    EDEMA,
                    NODULE,
                    MASS,
                    FRACTURE,
                    SUPPORT_DEVICES -> true;
            default -> false;
        };
    }
}
