package dev.causalcxr.cli;

import dev.causalcxr.core.dataset.PhantomDatasetWriter;
import dev.causalcxr.core.dataset.PhantomGroundTruth;
import dev.causalcxr.core.phantom.PhantomContactSheet;
import dev.causalcxr.core.phantom.PhantomGenerator;
import dev.causalcxr.core.phantom.PhantomSpec;
import dev.causalcxr.core.phantom.SiteProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "phantom",
        mixinStandardHelpOptions = true,
        description = {
            "Write a synthetic phantom data set in the MIMIC-CXR-JPG-like layout.",
            "The layout: files/pXX/pNNNNNNNN/sNNNNNNNN/*.png + sNNNNNNNN.txt reports; with its ground truth",
            "(phantom-ground-truth.json, unless --without-truth) and a contact sheet of studies beside their exact",
            "counterfactuals."
        })
final class PhantomCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder (new or empty).")
    Path out;

    @Option(names = "--studies", defaultValue = "2000", description = "Number of studies (default ${DEFAULT-VALUE}).")
    int studies;

    @Option(
            names = "--seed",
            defaultValue = "42",
            description = "Seed (default ${DEFAULT-VALUE}); same seed, same bytes.")
    long seed;

    @Option(
            names = "--size",
            defaultValue = "256",
            description = "Image edge in pixels, 64..512 (default ${DEFAULT-VALUE}).")
    int size;

    @Option(
            names = "--site",
            defaultValue = "a",
            paramLabel = "SITE",
            description = {
                "Which hospital: a (default, the " + "original phantom) or b (portable ICU",
                "radiographs: lower exposure, more noise, detector blur, tighter framing, more devices and effusions, another",
                "report template; its own patients, ids p2…/s6…)."
            })
    String site;

    @Option(
            names = "--without-truth",
            description = {
                "Leave out phantom-ground-truth.json: images and reports only,",
                "the shape of a hospital export (an import then has no label columns and no exact counterfactuals)."
            })
    boolean withoutTruth;

    @Override
    public Integer call() throws Exception {
        PhantomSpec spec =
                PhantomSpec.defaults().withStudies(studies).withSeed(seed).withSize(size);
        SiteProfile siteProfile = SiteProfile.named(site)
                .orElseThrow(() -> new UsageException("--site must be one of "
                        + String.join(
                                ", ",
                                SiteProfile.BUILT_IN.stream()
                                        .map(SiteProfile::name)
                                        .toList()) + " (got '" + site
                        + "')"));
        List<String> problems = spec.problems();
        if (!problems.isEmpty()) {
            throw new UsageException(String.join("; ", problems));
        }
        if (Files.exists(out)) {
            try (var s = Files.list(out)) {
                if (s.findAny().isPresent()) {
                    throw new UsageException("--out " + out + " is not empty");
                }
            }
        }
        ConsoleOutput console = ConsoleOutput.system();
        PhantomGenerator generator = new PhantomGenerator(spec, siteProfile);
        PhantomDatasetWriter.Summary summary = PhantomDatasetWriter.write(
                generator,
                out,
                (done, total) -> console.progress(
                        String.format("phantom %s %d/%d", ConsoleOutput.bar((double) done / total, 30), done, total),
                        done.intValue() == total.intValue()));
        PhantomContactSheet.write(generator, 12, Math.max(128, Math.min(size, 256)), out.resolve("contact-sheet.png"));
        if (withoutTruth) {
            // the writer always records the truth it rendered from; a site export has none
            Files.delete(out.resolve(PhantomGroundTruth.FILE_NAME));
        }
        console.printf(
                "wrote %d studies of %d patients of site %s to %s (contact sheet: %s%s)",
                summary.studies(),
                summary.patients(),
                siteProfile.name(),
                out,
                out.resolve("contact-sheet.png"),
                withoutTruth ? "; no ground truth" : "");
        return ExitCodes.OK;
    }
}
