package dev.causalcxr.core.disentangle;

import dev.causalcxr.core.dataset.Split;
import dev.causalcxr.core.dataset.SplitProportions;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.phantom.FindingMask;
import dev.causalcxr.core.phantom.PhantomGenerator;
import dev.causalcxr.core.phantom.PhantomRenderer;
import dev.causalcxr.core.phantom.PhantomSpec;
import dev.causalcxr.core.phantom.RenderedStudy;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Diagnostics of the quick phantom for the disentangler (not a unit test): what the group sampler's
 * identity pairs and pathology pairs look like, and how large the finding signal is in the pixels.
 */
public final class DisentanglerDataStats {

    private DisentanglerDataStats() {}

    public static void main(String[] args) {
        DisentanglerDataset data = DisentanglerDataset.fromPhantom(
                new PhantomGenerator(PhantomSpec.defaults()), SplitProportions.defaults(), (d, t) -> {});
        int[] train = data.indices(Split.TRAIN);
        int[] patients = new int[train.length];
        int[] tuples = new int[train.length];
        String[] sets = new String[train.length];
        for (int i = 0; i < train.length; i++) {
            DisentanglerDataset.Study s = data.studies().get(train[i]);
            patients[i] = s.patient();
            tuples[i] = data.tupleId(s);
            sets[i] = java.util.Arrays.toString(data.multiHot(s));
        }
        GroupBatchSampler sampler = new GroupBatchSampler(patients, tuples, 24, 4, 42L);
        int idPairs = 0;
        int sameTuple = 0;
        int sameSet = 0;
        int bothEmpty = 0;
        for (int b = 0; b < 1000; b++) {
            GroupBatchSampler.Batch batch = sampler.next();
            for (int[] p : batch.identityPairs()) {
                int a = batch.studies()[p[0]];
                int c = batch.studies()[p[1]];
                idPairs++;
                sameTuple += tuples[a] == tuples[c] ? 1 : 0;
                sameSet += sets[a].equals(sets[c]) ? 1 : 0;
                bothEmpty += data.studies().get(train[a]).findings().isEmpty()
                                && data.studies().get(train[c]).findings().isEmpty()
                        ? 1
                        : 0;
            }
        }
        System.out.printf(
                "identity pairs drawn: %d, same tuple %.3f, same finding set %.3f, both no finding %.3f%n",
                idPairs, sameTuple / (double) idPairs, sameSet / (double) idPairs, bothEmpty / (double) idPairs);
        // finding signal: |x - x without findings| inside each finding's mask
        Map<Finding, double[]> signal = new TreeMap<>();
        int size = data.size();
        int empty = 0;
        for (int i = 0; i < 400 && i < train.length; i++) {
            DisentanglerDataset.Study s = data.studies().get(train[i]);
            if (s.findings().isEmpty()) {
                empty++;
            }
            float[] clean = PhantomRenderer.render(s.identity(), s.acquisition(), List.of(), size)
                    .image()
                    .toFloat();
            for (FindingMention m : s.findings()) {
                RenderedStudy r = PhantomRenderer.render(s.identity(), s.acquisition(), List.of(m), size);
                float[] with = r.image().toFloat();
                FindingMask mask = r.masks().get(0);
                double diff = 0;
                double all = 0;
                for (int k = 0; k < with.length; k++) {
                    all += Math.abs(with[k] - clean[k]);
                    if (mask.bits().get(k)) {
                        diff += Math.abs(with[k] - clean[k]);
                    }
                }
                double[] acc = signal.computeIfAbsent(m.finding(), f -> new double[4]);
                acc[0]++;
                acc[1] += mask.area() / (double) (size * size);
                acc[2] += mask.area() == 0 ? 0 : diff / mask.area();
                acc[3] += all / with.length;
            }
        }
        System.out.printf("of 400 train studies %d have no finding%n", empty);
        signal.forEach((f, a) -> System.out.printf(
                "%-18s n=%3d  mask area %.3f  mean |diff| in mask %.4f  over image %.4f%n",
                f, (int) a[0], a[1] / a[0], a[2] / a[0], a[3] / a[0]));
        // same-patient pixel difference (acquisition) vs different-patient difference
        double same = 0;
        double sameNormalized = 0;
        int ns = 0;
        for (int i = 0; i + 1 < train.length && ns < 300; i++) {
            if (patients[i] == patients[i + 1]) {
                DisentanglerDataset.Study a = data.studies().get(train[i]);
                DisentanglerDataset.Study b = data.studies().get(train[i + 1]);
                float[] ca = PhantomRenderer.render(a.identity(), a.acquisition(), List.of(), size)
                        .image()
                        .toFloat();
                float[] cb = PhantomRenderer.render(b.identity(), b.acquisition(), List.of(), size)
                        .image()
                        .toFloat();
                double d = 0;
                for (int k = 0; k < ca.length; k++) {
                    d += Math.abs(ca[k] - cb[k]);
                }
                same += d / ca.length;
                float[] na = standardized(ca);
                float[] nb = standardized(cb);
                double dn = 0;
                for (int k = 0; k < ca.length; k++) {
                    dn += Math.abs(na[k] - nb[k]);
                }
                sameNormalized += dn / ca.length * std(ca);
                ns++;
            }
        }
        System.out.printf(
                "same patient, no findings, different acquisition: mean |diff| %.4f (%d pairs)%n", same / ns, ns);
        System.out.printf("  after per-image standardization (rescaled by A's std): %.4f%n", sameNormalized / ns);
    }

    static float[] standardized(float[] a) {
        double m = 0;
        for (float v : a) {
            m += v;
        }
        m /= a.length;
        double sd = std(a);
        float[] o = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            o[i] = (float) ((a[i] - m) / sd);
        }
        return o;
    }

    static double std(float[] a) {
        double m = 0;
        for (float v : a) {
            m += v;
        }
        m /= a.length;
        double s = 0;
        for (float v : a) {
            s += (v - m) * (v - m);
        }
        return Math.sqrt(s / a.length);
    }
}
