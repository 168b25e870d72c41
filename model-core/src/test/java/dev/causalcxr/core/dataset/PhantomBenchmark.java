package dev.causalcxr.core.dataset;

import dev.causalcxr.core.files.FileTrees;
import dev.causalcxr.core.phantom.PhantomContactSheet;
import dev.causalcxr.core.phantom.PhantomGenerator;
import dev.causalcxr.core.phantom.PhantomSpec;
import dev.causalcxr.core.phantom.PhantomStudy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Single-thread throughput of the phantom renderer (64 and 256 px) and of the MIMIC importer on a
 * phantom data set. Run with {@code bench/phantom/run}; prints one result line per measurement and
 * writes a contact sheet of studies and their counterfactuals.
 *
 * <p>Arguments: {@code OUT_DIR [STUDIES_64] [STUDIES_256] [IMPORT_STUDIES]}.
 */
public final class PhantomBenchmark {

    private PhantomBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "target/phantom-bench");
        int n64 = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        int n256 = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        int nImport = args.length > 3 ? Integer.parseInt(args[3]) : 500;
        Files.createDirectories(out);
        StringBuilder results = new StringBuilder();
        results.append(render(64, n64)).append('\n');
        results.append(render(256, n256)).append('\n');
        results.append(importRate(out, nImport)).append('\n');
        PhantomContactSheet.write(
                new PhantomGenerator(PhantomSpec.defaults().withStudies(60).withSize(256)),
                12,
                160,
                out.resolve("contact-sheet.png"));
        Files.writeString(out.resolve("results.txt"), results.toString(), StandardCharsets.UTF_8);
        System.out.print(results);
    }

    private static String render(int size, int n) {
        PhantomGenerator g =
                new PhantomGenerator(PhantomSpec.defaults().withStudies(n).withSize(size));
        List<PhantomStudy> studies = g.studies();
        int warm = Math.min(n, 100);
        for (int i = 0; i < warm; i++) {
            g.render(studies.get(i));
        }
        long t0 = System.nanoTime();
        for (PhantomStudy s : studies) {
            g.render(s);
        }
        double sec = (System.nanoTime() - t0) / 1e9;
        return String.format(
                Locale.ROOT,
                "phantom render %d px: %d images in %.2f s = %.1f images/s (1 thread, with masks)",
                size,
                n,
                sec,
                n / sec);
    }

    private static String importRate(Path out, int n) throws Exception {
        Path src = out.resolve("phantom-src");
        Path dst = out.resolve("imported");
        FileTrees.delete(src);
        FileTrees.delete(dst);
        long w0 = System.nanoTime();
        PhantomDatasetWriter.write(PhantomSpec.defaults().withStudies(n).withSize(256), src);
        double writeSec = (System.nanoTime() - w0) / 1e9;
        long t0 = System.nanoTime();
        ImportResult r = DatasetImporter.run(new ImportOptions(
                ImportFormat.MIMIC,
                src,
                dst,
                "bench",
                64,
                "benchmark-key-0123456789".getBytes(StandardCharsets.UTF_8),
                true,
                SplitProportions.defaults()));
        double sec = (System.nanoTime() - t0) / 1e9;
        return String.format(
                Locale.ROOT,
                "phantom write 256 px (render + 16-bit PNG + report): %d studies in %.2f s = %.1f studies/s%n"
                        + "import MIMIC layout 256 px 16-bit PNG -> 64 px: %d images in %.2f s = %.1f images/s (%s)",
                n,
                writeSec,
                n / writeSec,
                r.imported(),
                sec,
                r.imported() / sec,
                r.summaryLine());
    }
}
