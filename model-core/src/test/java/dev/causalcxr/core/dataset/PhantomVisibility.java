package dev.causalcxr.core.dataset;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.phantom.PhantomGenerator;
import dev.causalcxr.core.phantom.PhantomRenderer;
import dev.causalcxr.core.phantom.PhantomSpec;
import dev.causalcxr.core.phantom.PhantomStudy;
import dev.causalcxr.core.phantom.RenderedStudy;
import dev.causalcxr.core.random.SplitMix64;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How much signal each rendered finding puts into an image at a given size, measured against the study's own
 * quantum noise: for studies without the finding, the exact counterfactual with it added minus the study (same
 * anatomy, same noise realization, so the difference is the finding alone). Per finding and size: the finding
 * mask's area in pixels, how many pixels change by more than one noise standard deviation, and the ideal observer's
 * SNR, ‖Δ‖₂ / σ — what a detector that knew the finding's exact form and place could reach. It is an upper bound:
 * a real reader must also tell the finding from the variation of anatomy, which this leaves out. Run with {@code
 * bench/phantom/visibility}.
 *
 * <p>Arguments: {@code OUT_DIR [STUDIES_PER_FINDING] [SIZES, comma-separated]}.
 */
public final class PhantomVisibility {

    private PhantomVisibility() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "target/phantom-visibility");
        int perFinding = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int[] sizes = Arrays.stream((args.length > 2 ? args[2] : "64,128,256").split(","))
                .mapToInt(Integer::parseInt)
                .toArray();
        Files.createDirectories(out);
        StringBuilder results = new StringBuilder(String.format(
                Locale.ROOT,
                "phantom: default spec, seed 42, 2000 studies; %d studies without each finding, the finding added"
                        + " (renderer's own severity and place)%n"
                        + "%-16s %5s %14s %14s %22s %22s%n",
                perFinding,
                "finding",
                "px",
                "mask px (med)",
                "|d|>sigma px",
                "SNR median (p10-p90)",
                "share with SNR >= 5"));
        for (int size : sizes) {
            PhantomGenerator g = new PhantomGenerator(
                    PhantomSpec.defaults().withStudies(2000).withSeed(42).withSize(size));
            for (Finding f : PhantomRenderer.RENDERABLE) {
                results.append(measure(g, f, perFinding, size)).append('\n');
            }
        }
        Files.writeString(out.resolve("visibility.txt"), results.toString(), StandardCharsets.UTF_8);
        System.out.print(results);
    }

    private static String measure(PhantomGenerator g, Finding f, int perFinding, int size) {
        List<PhantomStudy> lacking =
                new ArrayList<>(g.studies().stream().filter(s -> !s.has(f)).toList());
        int[] order = new int[lacking.size()];
        Arrays.setAll(order, i -> i);
        new SplitMix64(SplitMix64.derive(42, 0x715L + f.ordinal())).shuffle(order);
        int n = Math.min(perFinding, order.length);
        double[] snr = new double[n];
        double[] maskArea = new double[n];
        double[] changed = new double[n];
        for (int k = 0; k < n; k++) {
            PhantomStudy s = lacking.get(order[k]);
            List<FindingMention> with = new ArrayList<>(s.findings());
            with.add(FindingMention.present(f, null, null, null));
            double[] source = g.render(s).image().toUnit();
            RenderedStudy exact = g.renderCounterfactual(s, with);
            double[] added = exact.image().toUnit();
            double sigma = s.acquisition().noiseSigma();
            double energy = 0;
            int above = 0;
            for (int p = 0; p < source.length; p++) {
                double d = added[p] - source[p];
                energy += d * d;
                above += Math.abs(d) > sigma ? 1 : 0;
            }
            snr[k] = Math.sqrt(energy) / sigma;
            changed[k] = above;
            maskArea[k] = exact.mask(f).map(m -> (double) m.area()).orElse(0.0);
        }
        double strong = Arrays.stream(snr).filter(v -> v >= 5).count() / (double) n;
        return String.format(
                Locale.ROOT,
                "%-16s %5d %14.0f %14.0f %22s %22.2f",
                f.key(),
                size,
                quantile(maskArea, 0.5),
                quantile(changed, 0.5),
                String.format(
                        Locale.ROOT, "%.1f (%.1f-%.1f)", quantile(snr, 0.5), quantile(snr, 0.1), quantile(snr, 0.9)),
                strong);
    }

    private static double quantile(double[] values, double q) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v[(int) Math.min(v.length - 1, Math.floor(q * v.length))];
    }
}
