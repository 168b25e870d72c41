package dev.causalcxr.cli;

import dev.causalcxr.core.dataset.DatasetBundle;
import dev.causalcxr.core.dataset.DatasetImportException;
import dev.causalcxr.core.dataset.DatasetManifest;
import dev.causalcxr.core.dataset.ImportFormat;
import dev.causalcxr.core.dataset.ImportOptions;
import dev.causalcxr.core.dataset.ImportResult;
import dev.causalcxr.core.dataset.IngestStage;
import dev.causalcxr.core.dataset.Pseudonymizer;
import dev.causalcxr.core.dataset.RowProblem;
import dev.causalcxr.core.dataset.SourceIds;
import dev.causalcxr.core.dataset.SplitProportions;
import dev.causalcxr.core.files.FileTrees;
import dev.causalcxr.core.files.SiteLog;
import dev.causalcxr.core.spec.SpecDefaults;
import dev.causalcxr.infra.datasets.DatasetCatalog;
import dev.causalcxr.infra.datasets.PseudonymKeys;
import dev.causalcxr.infra.objectstore.ObjectRef;
import dev.causalcxr.infra.stack.PlatformStack;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "dataset",
        mixinStandardHelpOptions = true,
        description = "Import and inspect versioned datasets.",
        subcommands = {
            DatasetCommand.Import.class,
            DatasetCommand.ListVersions.class,
            DatasetCommand.Show.class,
            DatasetCommand.ResolveId.class
        })
final class DatasetCommand {
    // not Runnable: only its subcommands run, and without one picocli reports a usage error (exit 2) with this
    // command's usage

    /** Fraction below which a finding counts as a tail class in {@code show}. */
    static final double TAIL_FREQUENCY = SpecDefaults.TAIL_FREQUENCY;

    private static PlatformStack storageOnly(DataDirOption dataDir) {
        return PlatformStack.start(dataDir.config().withMlflowEnabled(false), false);
    }

    @Command(
            name = "import",
            mixinStandardHelpOptions = true,
            description = {
                "Import images and reports as a new dataset version (same files: same version).",
                "Bad rows are listed by reference and category, then skipped (each reference's file and reason:",
                "the site log, logs/site-detail.log in the data folder); --strict fails and imports nothing.",
                "Patient and study ids become keyed pseudonyms (CAUSALCXR_PSEUDONYM_KEY or the key file)."
            })
    static final class Import implements Callable<Integer> {
        @Mixin
        DataDirOption dataDir;

        @Option(
                names = "--format",
                required = true,
                description =
                        "mimic, chexpert, manifest or nih (ChestX-ray14: its Data_Entry CSV, images under its folder).")
        String format;

        @Parameters(
                index = "0",
                paramLabel = "PATH",
                description = "MIMIC: the folder holding files/; CSV formats: the CSV.")
        Path path;

        @Option(names = "--name", required = true, description = "Dataset name.")
        String name;

        @Option(names = "--strict", description = "Fail (exit 1) and import nothing if any row is bad.")
        boolean strict;

        @Option(
                names = "--size",
                defaultValue = "64",
                description = "Image edge after conversion (default ${DEFAULT-VALUE}).")
        int size;

        @Option(
                names = "--then-retrain",
                paramLabel = "NAME@ALIAS",
                description = "After the import, retrain this champion on the imported version (as `retrain`"
                        + " does), unless that version is not newer than its training data or was retrained against"
                        + " this champion version already: the same version never retrains twice.")
        String thenRetrain;

        @Option(
                names = "--retrain-spec",
                paramLabel = "FILE",
                description = "With --then-retrain: a YAML file with a retrain: block (the defaults without it).")
        Path retrainSpec;

        @Override
        public Integer call() throws Exception {
            ImportFormat fmt;
            try {
                fmt = ImportFormat.fromString(format);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--format must be mimic, chexpert, manifest or nih");
            }
            if (!Files.exists(path)) {
                throw new UsageException(path + " does not exist");
            }
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
                throw new UsageException("--name must be 1-64 letters, digits, '.', '_' or '-'");
            }
            String retrainSpecText = checkThenRetrain();
            ConsoleOutput console = ConsoleOutput.system();
            int imported = importInto(fmt, console);
            if (imported != ExitCodes.OK || thenRetrain == null) {
                return imported;
            }
            // the stack above is closed: the retrain starts its own (or joins the running one), as `retrain` does
            return RetrainCommand.run(
                    dataDir.config(),
                    thenRetrain,
                    name + "@" + importedVersion,
                    retrainSpecText,
                    true,
                    null,
                    console,
                    "dataset import by " + dev.causalcxr.infra.registry.ModelRegistry.currentUser());
        }

        /** The version this import recorded (or found). */
        private String importedVersion;

        /** Checks --then-retrain and --retrain-spec before anything is imported; the spec's text. */
        private String checkThenRetrain() {
            if (thenRetrain == null) {
                if (retrainSpec != null) {
                    throw new UsageException("--retrain-spec goes with --then-retrain");
                }
                return null;
            }
            if (!thenRetrain.contains("@")) {
                throw new UsageException("--then-retrain needs NAME@ALIAS: which version is the champion");
            }
            String text = null;
            if (retrainSpec != null) {
                try {
                    text = Files.readString(retrainSpec, java.nio.charset.StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UsageException(FileErrors.cannot("cannot read the retrain spec", retrainSpec, e));
                }
                dev.causalcxr.core.spec.RetrainConfig.parseYaml(text); // every problem at once, exit 2
            }
            try (PlatformStack stack = storageOnly(dataDir)) {
                WorkerHost.retrainActivities(stack).lineage(thenRetrain); // an unknown model: exit 2, nothing imported
            }
            return text;
        }

        private int importInto(ImportFormat fmt, ConsoleOutput console) throws IOException {
            try (PlatformStack stack = storageOnly(dataDir)) {
                Path work = Files.createTempDirectory(dataDir.resolve(), ".import-");
                try {
                    IngestStage.Packed packed;
                    try {
                        packed = IngestStage.importAndPack(
                                new ImportOptions(
                                        fmt,
                                        path,
                                        work.resolve("dataset"),
                                        name,
                                        size,
                                        PseudonymKeys.resolve(DataDirOption.environment()),
                                        strict,
                                        SplitProportions.defaults()),
                                work.resolve("dataset.zip"),
                                (done, total) -> console.progress(
                                        String.format(
                                                Locale.ROOT,
                                                "import %s %d/%d",
                                                ConsoleOutput.bar((double) done / Math.max(1, total), 30),
                                                done,
                                                total),
                                        done.intValue() == total.intValue()));
                    } catch (DatasetImportException e) {
                        printProblems(console, e.problems());
                        console.println(e.getMessage());
                        console.println(
                                strict && !e.problems().isEmpty()
                                        ? "strict import failed: "
                                                + e.problems().size() + " bad rows; nothing was imported"
                                        : "nothing to import");
                        return ExitCodes.FAILURE;
                    }
                    ImportResult r = packed.imported();
                    printProblems(console, r.problems());
                    console.println(r.summaryLine());
                    Path bundle = packed.bundle();
                    ObjectRef ref = stack.objectStore().putFile(bundle);
                    DatasetCatalog.Recorded rec = new DatasetCatalog(stack.db())
                            .record(r.manifest(), ref.digest(), fmt.name().toLowerCase(Locale.ROOT));
                    console.printf(
                            "%s@%s: %s%s",
                            name,
                            rec.version().version().substring(0, 12),
                            rec.created() ? "new version" : "unchanged (this version exists already)",
                            rec.created() && rec.version().parent() != null
                                    ? ", parent " + rec.version().parent().substring(0, 12)
                                    : "");
                    importedVersion = rec.version().version();
                    return ExitCodes.OK;
                } finally {
                    FileTrees.delete(work);
                }
            }
        }

        /** References and categories on the console; the files they stand for only in the site log. */
        private void printProblems(ConsoleOutput console, List<RowProblem> problems) {
            if (problems.isEmpty()) {
                return;
            }
            SiteLog log = SiteLog.inDataDir(dataDir.resolve());
            log.append(
                    "dataset import " + name + ": " + problems.size() + " problem(s)",
                    problems.stream().map(RowProblem::siteLine).toList());
            problems.forEach(p -> console.println(p.toString()));
            console.println(problems.size() + " problem(s): " + RowProblem.summary(problems)
                    + "; each reference's file and" + " reason: " + log.file());
        }
    }

    @Command(
            name = "resolve-id",
            mixinStandardHelpOptions = true,
            description = {
                "The source's own id behind a pseudonym (a study S…, a patient P…) of NAME[@VERSION].",
                "Only where the key that made it is present: the site's (CAUSALCXR_PSEUDONYM_KEY or",
                "~/.config/causalcxr/pseudonym.key; never created here) or, for phantom data, --phantom-seed."
            })
    static final class ResolveId implements Callable<Integer> {
        @Mixin
        DataDirOption dataDir;

        @Parameters(index = "0", paramLabel = "NAME[@VERSION]")
        String ref;

        @Parameters(index = "1", paramLabel = "PSEUDONYM")
        String pseudonym;

        @Option(
                names = "--phantom-seed",
                paramLabel = "SEED",
                description = "A phantom data set's key is derived from its generator seed: give that seed.")
        Long phantomSeed;

        @Override
        public Integer call() throws IOException {
            String p = pseudonym.trim();
            if (!Pseudonymizer.STUDY_PSEUDONYM.matcher(p).matches()
                    && !Pseudonymizer.PATIENT_PSEUDONYM.matcher(p).matches()) {
                throw new UsageException(
                        "PSEUDONYM must be a study (S + 32 hex digits) or patient (P + 32 hex digits)" + " pseudonym");
            }
            ConsoleOutput console = ConsoleOutput.system();
            try (PlatformStack stack = storageOnly(dataDir)) {
                DatasetCatalog.VersionRow v;
                try {
                    v = new DatasetCatalog(stack.db())
                            .resolve(ref)
                            .orElseThrow(
                                    () -> new UsageException("no dataset " + ref + " (see `causalcxr dataset list`)"));
                } catch (IllegalArgumentException e) {
                    throw new UsageException(e.getMessage());
                }
                String name = v.dataset() + "@" + v.version().substring(0, 12);
                Path tmp = Files.createTempFile(dataDir.resolve(), "bundle-", ".zip");
                SourceIds ids;
                try {
                    stack.objectStore().getToFile(v.bundleDigest(), tmp);
                    var file = DatasetBundle.readFile(tmp, SourceIds.FILE_NAME);
                    if (file.isEmpty()) {
                        console.println(
                                name + " was imported before study ids were pseudonymized: its manifest holds the"
                                        + " source's own study ids and there is nothing to resolve. Import the source again to"
                                        + " pseudonymize them (a new version).");
                        return ExitCodes.FAILURE;
                    }
                    ids = SourceIds.fromJson(file.get());
                } finally {
                    Files.deleteIfExists(tmp);
                }
                byte[] key;
                if (phantomSeed != null) {
                    key = PseudonymKeys.forPhantom(phantomSeed);
                } else {
                    var present = PseudonymKeys.find(DataDirOption.environment());
                    if (present.isEmpty()) {
                        console.println(
                                "the site's pseudonymization key is not present here (neither CAUSALCXR_PSEUDONYM_KEY"
                                        + " nor " + PseudonymKeys.keyFile(DataDirOption.environment())
                                        + "): pseudonyms of " + name
                                        + " cannot be resolved on this machine" + phantomHint(v));
                        return ExitCodes.FAILURE;
                    }
                    key = present.get();
                }
                try {
                    var raw = ids.resolve(new Pseudonymizer(key), p);
                    if (raw.isEmpty()) {
                        console.println("no pseudonym " + p + " in " + name);
                        return ExitCodes.FAILURE;
                    }
                    console.println(raw.get());
                    return ExitCodes.OK;
                } catch (SourceIds.WrongKeyException e) {
                    console.println(e.getMessage() + " (" + name + ")" + phantomHint(v));
                    return ExitCodes.FAILURE;
                }
            }
        }

        private String phantomHint(DatasetCatalog.VersionRow v) {
            return "phantom".equals(v.sourceKind()) && phantomSeed == null
                    ? "; phantom data is pseudonymized with a key derived from its seed: give --phantom-seed"
                    : "";
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Datasets with their newest version.")
    static final class ListVersions implements Callable<Integer> {
        @Mixin
        DataDirOption dataDir;

        @Override
        public Integer call() {
            ConsoleOutput console = ConsoleOutput.system();
            try (PlatformStack stack = storageOnly(dataDir)) {
                var rows = new DatasetCatalog(stack.db()).latest();
                if (rows.isEmpty()) {
                    console.println("no datasets yet");
                }
                console.printf("%-28s %-14s %8s %-10s %s", "dataset", "version", "studies", "source", "created");
                for (var v : rows) {
                    console.printf(
                            "%-28s %-14s %8d %-10s %s",
                            v.dataset(), v.version().substring(0, 12), v.studies(), v.sourceKind(), v.createdAt());
                }
                return ExitCodes.OK;
            }
        }
    }

    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            description = "Counts per split, class histogram and tail classes of NAME[@VERSION].")
    static final class Show implements Callable<Integer> {
        @Mixin
        DataDirOption dataDir;

        @Parameters(index = "0", paramLabel = "NAME[@VERSION]")
        String ref;

        @Option(
                names = "--studies",
                paramLabel = "N",
                defaultValue = "0",
                description = "Also list the first N study ids (pseudonyms) with patient and split.")
        int studies;

        @Override
        public Integer call() throws IOException {
            if (studies < 0) {
                throw new UsageException("--studies must be 0 or more");
            }
            ConsoleOutput console = ConsoleOutput.system();
            try (PlatformStack stack = storageOnly(dataDir)) {
                DatasetCatalog catalog = new DatasetCatalog(stack.db());
                var v = catalog.resolve(ref)
                        .orElseThrow(() -> new UsageException("no dataset " + ref + " (see `causalcxr dataset list`)"));
                DatasetManifest m = manifestOf(stack, v.bundleDigest());
                console.printf(
                        "%s@%s  (%d studies, source %s, parent %s)",
                        v.dataset(),
                        v.version(),
                        v.studies(),
                        v.sourceKind(),
                        v.parent() == null ? "-" : v.parent().substring(0, 12));
                if (!m.studyIdsPseudonymized()) {
                    console.println("note: imported before study ids were pseudonymized; its study ids are the source's"
                            + " own. Import the source again for a version with pseudonyms.");
                }
                console.println("split counts:");
                m.countsBySplit().forEach((s, n) -> console.printf("  %-6s %6d", s.label(), n));
                console.println("findings (present frequency):");
                Map<String, Double> freq = m.presentFrequencies();
                var tail = m.tailClasses(TAIL_FREQUENCY);
                freq.entrySet().stream()
                        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                        .forEach(e -> console.printf(
                                "  %-28s %6.3f %s", e.getKey(), e.getValue(), tail.contains(e.getKey()) ? "tail" : ""));
                console.printf(
                        "tail classes (< %.0f%% of studies): %s",
                        TAIL_FREQUENCY * 100, tail.isEmpty() ? "none" : String.join(", ", tail));
                if (studies > 0) {
                    console.println("studies (study, patient, split):");
                    m.entries().stream()
                            .limit(studies)
                            .forEach(e -> console.printf(
                                    "  %s %s %s",
                                    e.studyId(), e.patientId(), e.split().label()));
                }
                return ExitCodes.OK;
            }
        }

        private static DatasetManifest manifestOf(PlatformStack stack, String bundleDigest) throws IOException {
            Path tmp = Files.createTempFile("bundle", ".zip");
            try {
                stack.objectStore().getToFile(bundleDigest, tmp);
                return DatasetBundle.readManifest(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }
}
