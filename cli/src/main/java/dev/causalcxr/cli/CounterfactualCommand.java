package dev.causalcxr.cli;

import dev.causalcxr.cli.serve.CounterfactualFiles;
import dev.causalcxr.cli.serve.RegisteredGenerators;
import dev.causalcxr.core.counterfactual.CounterfactualGenerator;
import dev.causalcxr.core.dataset.DatasetBundle;
import dev.causalcxr.core.dataset.DatasetEntry;
import dev.causalcxr.core.diffusion.Condition;
import dev.causalcxr.core.diffusion.SamplerConfig;
import dev.causalcxr.core.imaging.GrayImage;
import dev.causalcxr.core.imaging.ImageCodec;
import dev.causalcxr.core.imaging.ImageDecodeException;
import dev.causalcxr.core.imaging.Resampler;
import dev.causalcxr.infra.datasets.DatasetCatalog;
import dev.causalcxr.infra.registry.ModelNotFoundException;
import dev.causalcxr.infra.registry.ModelRegistry;
import dev.causalcxr.infra.registry.ModelVersion;
import dev.causalcxr.infra.stack.PlatformStack;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "counterfactual",
        mixinStandardHelpOptions = true,
        description = {
            "Counterfactuals of one image from a registered model, for a requested finding.",
            "Each keeps the image's identity code, with pathology codes sampled for the requested finding.",
            "The source is an image file (any size: it is",
            "fitted into the model's square as on import) or a study of an imported dataset version. Writes",
            "the PNGs, a contact sheet (source first) and counterfactuals.json (model version, source,",
            "condition, seeds) into --out."
        })
final class CounterfactualCommand implements Callable<Integer> {
    @Mixin
    DataDirOption dataDir;

    @Option(
            names = "--model",
            required = true,
            paramLabel = "NAME[@VERSION|@ALIAS]",
            description = "A registered model (`./causalcxr models list`); NAME alone is its latest version.")
    String model;

    @Option(
            names = "--image",
            paramLabel = "IMG",
            description = "The source image (PNG or JPEG, grayscale or RGB, any size); or --dataset with --study.")
    Path image;

    @Option(
            names = "--dataset",
            paramLabel = "NAME[@VERSION]",
            description = "An imported dataset version (`./causalcxr dataset list`); NAME alone is its newest version.")
    String dataset;

    @Option(
            names = "--study",
            paramLabel = "ID",
            description =
                    "The study of --dataset to use as the source: its pseudonym (S…), as `dataset show --studies N` lists them.")
    String study;

    @Option(
            names = "--finding",
            required = true,
            paramLabel = "TEXT",
            description = {
                "What to change, as report text or a finding name: \"moderate right pleural effusion\",",
                "\"no effusion\", \"Pneumothorax\"."
            })
    String finding;

    @Option(names = "--n", defaultValue = "8", description = "Counterfactuals to sample (default ${DEFAULT-VALUE}).")
    int n;

    @Option(
            names = "--seed",
            defaultValue = "0",
            description = "Sampling seed: same seed, same images (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--guidance",
            paramLabel = "G",
            description = {
                "Classifier-free guidance scale (default: the model's, the guidance its run generated",
                "counterfactuals with, as `models show` lists it under sampler.guidance; 2.0 for a model",
                "registered before models recorded it)."
            })
    Float guidance;

    @Option(
            names = "--steps",
            paramLabel = "N",
            description = "DDIM steps (default: the model's sampler.ddim_steps, else 50).")
    Integer steps;

    @Option(
            names = "--eta",
            paramLabel = "ETA",
            description = "DDIM η, 0 deterministic given the noise (default: the model's sampler.eta, else 0).")
    Float eta;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder (created).")
    Path out;

    @Override
    public Integer call() throws IOException {
        if (n < 1 || n > 256) {
            throw new UsageException("--n must be between 1 and 256, got " + n);
        }
        // the given settings are checked before anything starts; the model fills in the rest
        sampler(SamplerConfig.defaults());
        if ((image == null) == (dataset == null) || (dataset == null) != (study == null)) {
            throw new UsageException("give the source as --image IMG, or as --dataset NAME[@VERSION] with --study ID");
        }
        GrayImage original = image != null ? readImage(image) : null;
        ConsoleOutput console = ConsoleOutput.system();
        try (PlatformStack stack = PlatformStack.start(dataDir.config().withMlflowEnabled(false), false)) {
            String sourceName = image != null ? image.getFileName().toString() : "study " + study;
            if (original == null) {
                original = studyImage(stack);
            }
            ModelRegistry registry = stack.registry();
            ModelVersion version;
            try {
                version = registry.resolve(model);
            } catch (ModelNotFoundException e) {
                throw new UsageException(e.getMessage());
            }
            SamplerConfig sampler;
            CounterfactualGenerator opened;
            try {
                sampler = sampler(RegisteredGenerators.defaultSampler(version));
                opened = RegisteredGenerators.open(
                        registry, version, stack.config().dataDir());
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
            try (CounterfactualGenerator generator = opened) {
                int size = generator.imageSize();
                // the same preparation as import: the whole image fitted into the model's square
                GrayImage source = original.width() == size && original.height() == size
                        ? original
                        : Resampler.fitSquare(original, size);
                Condition condition = generator.parse(finding);
                CounterfactualGenerator.Generation g = generator.generateDetailed(source, condition, n, seed, sampler);
                write(version, condition, g, source, original, sampler);
                console.printf(
                        "%d counterfactuals of %s%s for \"%s\" (%s) from %s%s, guidance %s%s → %s",
                        g.images().size(),
                        sourceName,
                        source == original
                                ? ""
                                : String.format(
                                        Locale.ROOT,
                                        " (%d×%d px, fitted into %d×%d)",
                                        original.width(),
                                        original.height(),
                                        size,
                                        size),
                        finding,
                        condition.describe(),
                        version.reference(),
                        g.usedPrior() ? ", tail prior of " + g.prior().label() : "",
                        sampler.guidance(),
                        guidance != null
                                ? ""
                                : RegisteredGenerators.recordsSampler(version)
                                        ? " (the model's)"
                                        : " (the default; the model records none)",
                        out);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }
        return ExitCodes.OK;
    }

    /** The sampler: the settings given on the command line, the model's (or the defaults) for the rest. */
    private SamplerConfig sampler(SamplerConfig model) {
        try {
            return model.overriddenBy(steps, eta, guidance);
        } catch (IllegalArgumentException e) {
            throw new UsageException("sampler settings: " + e.getMessage());
        }
    }

    /** The --study image of the --dataset version, read from its bundle in the object store. */
    private GrayImage studyImage(PlatformStack stack) throws IOException {
        DatasetCatalog.VersionRow version;
        try {
            version = new DatasetCatalog(stack.db())
                    .resolve(dataset)
                    .orElseThrow(() -> new UsageException("no dataset " + dataset + " (see `causalcxr dataset list`)"));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        Path bundle = Files.createTempFile(stack.config().dataDir(), "bundle-", ".zip");
        try {
            stack.objectStore().getToFile(version.bundleDigest(), bundle);
            DatasetEntry entry = DatasetBundle.readManifest(bundle).entries().stream()
                    .filter(e -> e.studyId().equals(study))
                    .findFirst()
                    .orElseThrow(() -> new UsageException("no study " + study + " in " + version.dataset() + "@"
                            + version.version().substring(0, 12)));
            byte[] png = DatasetBundle.readFile(bundle, entry.imagePath())
                    .orElseThrow(() -> new IOException("dataset bundle " + version.bundleDigest() + " lists "
                            + entry.imagePath() + " but lacks it"));
            return ImageCodec.decode(png);
        } finally {
            Files.deleteIfExists(bundle);
        }
    }

    private static GrayImage readImage(Path file) {
        if (Files.isDirectory(file)) {
            throw new UsageException(file + " is a folder; --image takes one PNG or JPEG file");
        }
        try {
            return ImageCodec.read(file);
        } catch (NoSuchFileException e) {
            throw new UsageException("no such image: " + file);
        } catch (ImageDecodeException e) {
            throw new UsageException(file + " is not a readable PNG or JPEG image: " + e.getMessage());
        } catch (IOException e) {
            throw new UsageException(FileErrors.cannot("cannot read", file, e));
        }
    }

    private void write(
            ModelVersion version,
            Condition condition,
            CounterfactualGenerator.Generation g,
            GrayImage source,
            GrayImage original,
            SamplerConfig sampler)
            throws IOException {
        Map<String, Object> from = new LinkedHashMap<>();
        if (image != null) {
            from.put("image", image.toAbsolutePath().toString());
        } else {
            from.put("dataset", dataset);
            from.put("study", study);
        }
        from.put("width", original.width());
        from.put("height", original.height());
        from.put("fitted_into", source == original ? null : source.width());
        Map<String, byte[]> files = CounterfactualFiles.render(
                version,
                new CounterfactualFiles.Asked(finding, seed, n, sampler.guidance(), sampler.steps(), sampler.eta()),
                condition,
                g,
                source,
                from);
        Files.createDirectories(out);
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Files.write(out.resolve(f.getKey()), f.getValue());
        }
    }
}
