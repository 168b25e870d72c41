package dev.causalcxr.core.dataset;

import dev.causalcxr.core.files.FileTrees;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.Status;
import dev.causalcxr.core.imaging.GrayImage;
import dev.causalcxr.core.imaging.ImageCodec;
import dev.causalcxr.core.imaging.ImageDecodeException;
import dev.causalcxr.core.imaging.Resampler;
import dev.causalcxr.core.phantom.PhantomRenderer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Imports real (or phantom) radiographs with reports into a versioned data set folder.
 *
 * <p>Every input row is checked (image readable and complete, report present, non-empty and valid
 * UTF-8, image not a duplicate, columns known); bad rows are reported as {@link RowProblem}s: a keyed
 * reference and a fixed category for whatever leaves the site, the file and full reason for the
 * site-local log; never report text or raw patient ids. Patient and study ids become keyed pseudonyms
 * here, and no raw source identifier leaves the import: the way back is {@link SourceIds}, encrypted
 * under the key. Images are converted to 16-bit grayscale and
 * fitted into {@code size × size}. Output goes to a staging folder that is renamed into place at
 * the end, so a failed or strict import leaves nothing behind.
 */
public final class DatasetImporter {

    private static final Logger LOG = LoggerFactory.getLogger(DatasetImporter.class);
    private static final Pattern MIMIC_PATIENT = Pattern.compile("p\\d+");
    private static final Pattern MIMIC_STUDY = Pattern.compile("s\\d+");
    private static final Pattern CHEXPERT_PATIENT = Pattern.compile("patient\\d+");
    private static final Pattern CHEXPERT_STUDY = Pattern.compile("study\\d+");
    private static final List<String> MANIFEST_COLUMNS = List.of("path", "patient_id", "study_id", "report");
    private static final List<String> CHEXPERT_META =
            List.of("path", "sex", "age", "frontal/lateral", "ap/pa", "report");

    private final ImportOptions options;
    private final Pseudonymizer pseudonymizer;
    private final SourceIds.Builder sourceIds;
    private final List<RowProblem> problems = new ArrayList<>();
    private int skippedRows;
    private BiConsumer<Integer, Integer> progress = (done, total) -> {};

    private DatasetImporter(ImportOptions options) {
        this.options = options;
        this.pseudonymizer = new Pseudonymizer(options.pseudonymKey());
        this.sourceIds = new SourceIds.Builder(pseudonymizer);
    }

    /**
     * Runs an import. Returns the result when it completes (lenient mode may have skipped rows);
     * throws when strict mode met a bad row or the input as a whole is unusable, having written nothing.
     */
    public static ImportResult run(ImportOptions options) throws IOException, DatasetImportException {
        return run(options, (done, total) -> {});
    }

    /** As {@link #run(ImportOptions)}, reporting (rows done, rows total) after each row: the stage heartbeat. */
    public static ImportResult run(ImportOptions options, BiConsumer<Integer, Integer> progress)
            throws IOException, DatasetImportException {
        DatasetImporter importer = new DatasetImporter(options);
        importer.progress = progress;
        return importer.execute();
    }

    /** One input image with everything the source says about it, before it is read. */
    private record SourceRow(
            String file,
            long row,
            Path image,
            String rawPatientId,
            String studyId,
            Report report,
            Map<String, String> labels,
            String problem) {}

    /** Where a row's report comes from: a file, CSV field bytes, or nowhere (optional or missing). */
    private record Report(Path file, byte[] bytes, boolean required) {
        static Report none(boolean required) {
            return new Report(null, null, required);
        }
    }

    private ImportResult execute() throws IOException, DatasetImportException {
        Path out = options.outputDir().toAbsolutePath().normalize();
        if (Files.exists(out) && !isEmptyDir(out)) {
            throw new DatasetImportException("output folder exists and is not empty", List.of());
        }
        List<SourceRow> rows = switch (options.format()) {
            case MIMIC -> mimicRows();
            case CHEXPERT -> chexpertRows();
            case MANIFEST -> manifestRows();
            case NIH -> nihRows();
        };
        Path staging = out.resolveSibling(out.getFileName() + ".staging");
        FileTrees.delete(staging);
        Files.createDirectories(staging.resolve("images"));
        Files.createDirectories(staging.resolve("reports"));
        try {
            List<DatasetEntry> entries = new ArrayList<>();
            Map<String, String> seen = new HashMap<>();
            int done = 0;
            for (SourceRow row : rows) {
                Optional<DatasetEntry> e = importRow(row, staging, seen);
                e.ifPresent(entries::add);
                progress.accept(++done, rows.size());
            }
            int skipped = skippedRows;
            if (options.strict() && !problems.isEmpty()) {
                LOG.warn("strict import failed: {} problem(s); nothing imported", problems.size());
                throw new DatasetImportException(
                        "strict import: " + problems.size() + " problem(s) (" + RowProblem.summary(problems)
                                + "), imported 0, skipped " + skipped,
                        problems);
            }
            DatasetManifest manifest = new DatasetManifest(options.name(), options.size(), entries);
            manifest.write(staging.resolve("manifest.json"));
            sourceIds.build().write(staging.resolve(SourceIds.FILE_NAME));
            if (Files.exists(out)) {
                Files.delete(out);
            }
            Files.createDirectories(out.getParent());
            Files.move(staging, out, StandardCopyOption.ATOMIC_MOVE);
            ImportResult result = new ImportResult(manifest, out, problems, entries.size(), skipped);
            LOG.info("dataset {} version {}: {}", options.name(), manifest.version(), result.summaryLine());
            return result;
        } finally {
            FileTrees.delete(staging);
        }
    }

    private Optional<DatasetEntry> importRow(SourceRow row, Path staging, Map<String, String> seen) {
        if (row.problem() != null) {
            return skip(row, row.problem());
        }
        byte[] imageBytes;
        try {
            imageBytes = Files.readAllBytes(row.image());
        } catch (NoSuchFileException e) {
            return skip(row, "image file not found");
        } catch (IOException e) {
            return skip(row, "image file cannot be read");
        }
        String digest = sha256(imageBytes);
        String first = seen.get(digest);
        if (first != null) {
            return skip(row, "duplicate image (same content as " + first + ")");
        }
        String reportText = null;
        Report rep = row.report();
        byte[] reportBytes = rep.bytes();
        if (rep.file() != null) {
            try {
                reportBytes = Files.readAllBytes(rep.file());
            } catch (NoSuchFileException e) {
                return skip(row, "report file missing");
            } catch (IOException e) {
                return skip(row, "report file cannot be read");
            }
        }
        if (reportBytes == null) {
            if (rep.required()) {
                return skip(row, "report missing");
            }
        } else {
            try {
                reportText = StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(reportBytes))
                        .toString();
            } catch (CharacterCodingException e) {
                return skip(row, "report is not valid UTF-8");
            }
            if (reportText.isBlank()) {
                return skip(row, "report is empty");
            }
        }
        GrayImage image;
        try {
            image = Resampler.fitSquare(ImageCodec.decode(imageBytes), options.size());
        } catch (ImageDecodeException e) {
            return skip(row, "unreadable image: " + e.getMessage());
        }
        String imagePath = "images/" + digest + ".png";
        String reportDigest = null;
        String reportPath = null;
        try {
            Files.write(staging.resolve(imagePath), ImageCodec.encodePng16(image));
            if (reportText != null) {
                byte[] utf8 = reportText.getBytes(StandardCharsets.UTF_8);
                reportDigest = sha256(utf8);
                reportPath = "reports/" + reportDigest + ".txt";
                Path rp = staging.resolve(reportPath);
                if (!Files.exists(rp)) {
                    Files.write(rp, utf8);
                }
            }
        } catch (IOException e) {
            return skip(row, "cannot write converted files");
        }
        seen.put(digest, row.file());
        String patient = pseudonymizer.patient(row.rawPatientId());
        String study = pseudonymizer.study(row.studyId());
        sourceIds.add(patient, row.rawPatientId());
        sourceIds.add(study, row.studyId());
        return Optional.of(new DatasetEntry(
                study,
                patient,
                digest,
                image.pixelDigest(),
                imagePath,
                reportDigest,
                reportPath,
                options.split().assign(patient),
                row.labels(),
                image.width(),
                image.height()));
    }

    private Optional<DatasetEntry> skip(SourceRow row, String reason) {
        RowProblem p = RowProblem.of(ref(row.file(), row.row()), row.file(), row.row(), reason);
        problems.add(p);
        skippedRows++;
        LOG.warn("skipped {}", p);
        return Optional.empty();
    }

    private String ref(String file, long row) {
        return pseudonymizer.reference(file + "#" + row);
    }

    private void headerProblem(String file, String reason) {
        RowProblem p = RowProblem.of(ref(file, 1), file, 1, reason);
        problems.add(p);
        LOG.warn("{}", p);
    }

    // ---------------------------------------------------------------- MIMIC

    private List<SourceRow> mimicRows() throws IOException, DatasetImportException {
        Path root = options.source();
        Path files = Files.isDirectory(root.resolve("files")) ? root.resolve("files") : root;
        if (!Files.isDirectory(files)) {
            throw new DatasetImportException("MIMIC source is not a folder", List.of());
        }
        Path base =
                files.getParent() != null && files.getFileName().toString().equals("files") ? files.getParent() : files;
        Map<String, Map<String, String>> phantomLabels = phantomLabels(base.resolve(PhantomGroundTruth.FILE_NAME));
        List<SourceRow> rows = new ArrayList<>();
        for (Path group : sortedDirs(files)) {
            for (Path patientDir : sortedDirs(group)) {
                String patient = patientDir.getFileName().toString();
                if (!MIMIC_PATIENT.matcher(patient).matches()) {
                    continue;
                }
                for (Path studyDir : sortedDirs(patientDir)) {
                    String study = studyDir.getFileName().toString();
                    if (!MIMIC_STUDY.matcher(study).matches()) {
                        continue;
                    }
                    Path reportFile = patientDir.resolve(study + ".txt");
                    try (Stream<Path> s = Files.list(studyDir)) {
                        for (Path img : s.filter(Files::isRegularFile).sorted().toList()) {
                            if (!isImageName(img)) {
                                continue;
                            }
                            String label =
                                    redact(base.relativize(img).toString().replace('\\', '/'), patient);
                            rows.add(new SourceRow(
                                    label,
                                    0,
                                    img,
                                    patient,
                                    study,
                                    new Report(reportFile, null, true),
                                    phantomLabels.getOrDefault(study, Map.of()),
                                    null));
                        }
                    }
                }
            }
        }
        return rows;
    }

    /**
     * A phantom data set knows every study's true findings: each renderable finding is labelled
     * present or absent. Real MIMIC folders have no such file and get no labels.
     */
    private static Map<String, Map<String, String>> phantomLabels(Path sidecar) throws IOException {
        if (!Files.isRegularFile(sidecar)) {
            return Map.of();
        }
        Map<String, Map<String, String>> out = new HashMap<>();
        for (PhantomGroundTruth.StudyTruth t : PhantomGroundTruth.read(sidecar).studies()) {
            Map<String, String> labels = new LinkedHashMap<>();
            for (Finding f : PhantomRenderer.RENDERABLE) {
                labels.put(f.label(), Status.ABSENT.label());
            }
            t.findingMentions().forEach(m -> labels.put(m.finding().label(), Status.PRESENT.label()));
            out.put(t.studyId(), labels);
        }
        return out;
    }

    private static boolean isImageName(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png");
    }

    private static List<Path> sortedDirs(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, Files::isDirectory)) {
            ds.forEach(out::add);
        }
        out.sort(Comparator.comparing(p -> p.getFileName().toString()));
        return out;
    }

    // ---------------------------------------------------------------- CSV formats

    private record Table(String file, List<String> header, List<CsvReader.Record> records) {}

    private Table readTable() throws IOException, DatasetImportException {
        Path csv = options.source();
        if (!Files.isRegularFile(csv)) {
            throw new DatasetImportException("CSV file not found", List.of());
        }
        List<CsvReader.Record> recs = CsvReader.parse(Files.readAllBytes(csv));
        String file = csv.getFileName().toString();
        if (recs.isEmpty()) {
            throw new DatasetImportException("the CSV is empty", List.of());
        }
        List<String> header = new ArrayList<>();
        for (byte[] f : recs.get(0).fields()) {
            String h = decodeStrict(f);
            if (h == null || recs.get(0).error() != null) {
                throw new DatasetImportException("the CSV has an unreadable header", List.of());
            }
            header.add(h.trim());
        }
        return new Table(file, header, recs.subList(1, recs.size()));
    }

    private List<SourceRow> manifestRows() throws IOException, DatasetImportException {
        Table t = readTable();
        Map<String, Integer> col = columns(t.header());
        for (String required : MANIFEST_COLUMNS) {
            if (!col.containsKey(required)) {
                throw new DatasetImportException(
                        "the CSV: missing required column '" + required + "'",
                        List.of(RowProblem.of(
                                ref(t.file(), 1), t.file(), 1, "missing required column '" + required + "'")));
            }
        }
        for (String h : t.header()) {
            if (!MANIFEST_COLUMNS.contains(h.toLowerCase(Locale.ROOT))) {
                headerProblem(t.file(), "unknown column '" + h + "'");
            }
        }
        Path dir = options.source().toAbsolutePath().getParent();
        List<SourceRow> rows = new ArrayList<>();
        for (CsvReader.Record r : t.records()) {
            Fields f = new Fields(r, t.header().size());
            String patient = f.text(col.get("patient_id"));
            String path = f.text(col.get("path"));
            String study = f.text(col.get("study_id"));
            String label = t.file();
            if (path != null && patient != null && !patient.isBlank()) {
                label = t.file() + " (" + redact(path, patient.trim()) + ")";
            }
            String problem = f.problem();
            if (problem == null && (patient == null || patient.isBlank())) {
                problem = "patient_id missing";
            }
            if (problem == null && (path == null || path.isBlank())) {
                problem = "path missing";
            }
            if (problem == null && (study == null || study.isBlank())) {
                problem = "study_id missing";
            }
            byte[] report = f.raw(col.get("report"));
            rows.add(new SourceRow(
                    label,
                    r.number(),
                    problem == null ? dir.resolve(path.trim()) : null,
                    patient == null ? "" : patient.trim(),
                    study == null ? "" : study.trim(),
                    new Report(null, report, true),
                    Map.of(),
                    problem));
        }
        return rows;
    }

    private List<SourceRow> chexpertRows() throws IOException, DatasetImportException {
        Table t = readTable();
        Map<String, Integer> col = columns(t.header());
        if (!col.containsKey("path")) {
            throw new DatasetImportException(
                    "the CSV: missing required column 'Path'",
                    List.of(RowProblem.of(ref(t.file(), 1), t.file(), 1, "missing required column 'Path'")));
        }
        Map<Integer, Finding> labelCols = new LinkedHashMap<>();
        for (int i = 0; i < t.header().size(); i++) {
            String h = t.header().get(i);
            Optional<Finding> f = Finding.fromLabel(h);
            if (f.isPresent()) {
                labelCols.put(i, f.get());
            } else if (!CHEXPERT_META.contains(h.toLowerCase(Locale.ROOT))) {
                headerProblem(t.file(), "unknown column '" + h + "'");
            }
        }
        Path dir = options.source().toAbsolutePath().getParent();
        Integer reportCol = col.get("report");
        List<SourceRow> rows = new ArrayList<>();
        for (CsvReader.Record r : t.records()) {
            Fields f = new Fields(r, t.header().size());
            String path = f.text(col.get("path"));
            String problem = f.problem();
            String patient = null;
            String study = null;
            if (problem == null && (path == null || path.isBlank())) {
                problem = "path missing";
            }
            if (problem == null) {
                for (String seg : path.trim().split("[/\\\\]")) {
                    if (CHEXPERT_PATIENT.matcher(seg).matches()) {
                        patient = seg;
                    } else if (CHEXPERT_STUDY.matcher(seg).matches()) {
                        study = seg;
                    }
                }
                if (patient == null || study == null) {
                    problem = "cannot derive patient and study from the path";
                }
            }
            String label = t.file()
                    + (path == null ? "" : " (" + (patient == null ? "<path>" : redact(path.trim(), patient)) + ")");
            Map<String, String> labels = new LinkedHashMap<>();
            if (problem == null) {
                for (Map.Entry<Integer, Finding> e : labelCols.entrySet()) {
                    String v = f.text(e.getKey());
                    Status s = chexpertStatus(v);
                    if (v != null && !v.isBlank() && s == null) {
                        problem = "invalid label value in column '" + t.header().get(e.getKey()) + "'";
                        break;
                    }
                    if (s != null) {
                        labels.put(e.getValue().label(), s.label());
                    }
                }
            }
            Report report = reportCol == null ? Report.none(false) : new Report(null, f.raw(reportCol), true);
            Path image = problem == null ? resolveChexpertPath(dir, path.trim()) : null;
            rows.add(new SourceRow(
                    label,
                    r.number(),
                    image,
                    patient == null ? "" : patient,
                    patient == null ? "" : patient + "/" + study,
                    report,
                    labels,
                    problem));
        }
        return rows;
    }

    // ---------------------------------------------------------------- NIH ChestX-ray14

    private static final List<String> NIH_REQUIRED =
            List.of("image index", "finding labels", "patient id", "follow-up #");
    /**
     * NIH's fourteen labels (and No Finding) in this vocabulary; Emphysema, Fibrosis and Hernia have no
     * counterpart and are dropped. Infiltration is a lung opacity (as CheXpert's labeler reads "infiltrate"),
     * pleural thickening a pleural finding other than effusion.
     */
    static final Map<String, Optional<Finding>> NIH_LABELS = nihLabels();

    private static Map<String, Optional<Finding>> nihLabels() {
        Map<String, Optional<Finding>> m = new LinkedHashMap<>();
        m.put("no finding", Optional.of(Finding.NO_FINDING));
        m.put("atelectasis", Optional.of(Finding.ATELECTASIS));
        m.put("cardiomegaly", Optional.of(Finding.CARDIOMEGALY));
        m.put("effusion", Optional.of(Finding.PLEURAL_EFFUSION));
        m.put("infiltration", Optional.of(Finding.LUNG_OPACITY));
        m.put("mass", Optional.of(Finding.MASS));
        m.put("nodule", Optional.of(Finding.NODULE));
        m.put("pneumonia", Optional.of(Finding.PNEUMONIA));
        m.put("pneumothorax", Optional.of(Finding.PNEUMOTHORAX));
        m.put("consolidation", Optional.of(Finding.CONSOLIDATION));
        m.put("edema", Optional.of(Finding.EDEMA));
        m.put("pleural_thickening", Optional.of(Finding.PLEURAL_OTHER));
        m.put("emphysema", Optional.empty());
        m.put("fibrosis", Optional.empty());
        m.put("hernia", Optional.empty());
        return java.util.Collections.unmodifiableMap(m);
    }

    private List<SourceRow> nihRows() throws IOException, DatasetImportException {
        Table t = readTable();
        Map<String, Integer> col = columns(t.header());
        for (String required : NIH_REQUIRED) {
            if (!col.containsKey(required)) {
                String reason = "missing required column '"
                        + t.header().stream()
                                .filter(h -> h.equalsIgnoreCase(required))
                                .findFirst()
                                .orElse(nihColumnName(required))
                        + "'";
                throw new DatasetImportException(
                        "the CSV: " + reason, List.of(RowProblem.of(ref(t.file(), 1), t.file(), 1, reason)));
            }
        }
        // NIH ships its images in images_001/images/ … images_012/images/: find them by name under the CSV's folder
        Path dir = options.source().toAbsolutePath().getParent();
        Map<String, Path> images = new HashMap<>();
        // links are followed: sites often link the image folders in from elsewhere
        try (Stream<Path> files = Files.walk(dir, java.nio.file.FileVisitOption.FOLLOW_LINKS)) {
            files.filter(Files::isRegularFile)
                    .filter(DatasetImporter::isImageName)
                    .sorted()
                    .forEach(p -> images.putIfAbsent(p.getFileName().toString(), p));
        }
        // every finding NIH labels: one it does not list for an image is absent there
        Set<Finding> labelled = new java.util.TreeSet<>();
        NIH_LABELS.values().forEach(f -> f.ifPresent(labelled::add));
        List<SourceRow> rows = new ArrayList<>();
        for (CsvReader.Record r : t.records()) {
            Fields f = new Fields(r, t.header().size());
            String index = f.text(col.get("image index"));
            String labelText = f.text(col.get("finding labels"));
            String patientText = f.text(col.get("patient id"));
            String followUp = f.text(col.get("follow-up #"));
            String problem = f.problem();
            if (problem == null && (index == null || index.isBlank())) {
                problem = "Image Index missing";
            }
            if (problem == null && (patientText == null || !patientText.trim().matches("\\d+"))) {
                problem = "Patient ID missing or not a number";
            }
            if (problem == null && (followUp == null || !followUp.trim().matches("\\d+"))) {
                problem = "Follow-up # missing or not a number";
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (problem == null) {
                Set<Finding> present = new java.util.TreeSet<>();
                for (String raw : (labelText == null ? "" : labelText).split("\\|")) {
                    String name = raw.trim().toLowerCase(Locale.ROOT);
                    if (name.isEmpty()) {
                        continue;
                    }
                    Optional<Finding> mapped = NIH_LABELS.get(name);
                    if (mapped == null) {
                        problem = "unknown finding label '" + raw.trim() + "'";
                        break;
                    }
                    mapped.ifPresent(present::add);
                }
                if (problem == null && present.isEmpty() && (labelText == null || labelText.isBlank())) {
                    problem = "Finding Labels missing";
                }
                if (problem == null && present.contains(Finding.NO_FINDING) && present.size() > 1) {
                    problem = "No Finding listed beside findings";
                }
                for (Finding l : labelled) {
                    labels.put(l.label(), (present.contains(l) ? Status.PRESENT : Status.ABSENT).label());
                }
            }
            // the raw id as a path-like segment that cannot occur inside the follow-up part
            String patient = patientText == null ? "" : "nihpatient" + Long.parseLong("0" + patientText.trim());
            String study = problem == null ? patient + "/followup" + Long.parseLong(followUp.trim()) : "";
            Path image = problem == null ? images.get(index.trim()) : null;
            if (problem == null && image == null) {
                problem = "image file not found";
            }
            rows.add(new SourceRow(
                    t.file() + " (row " + r.number() + ")",
                    r.number(),
                    image,
                    patient,
                    study,
                    Report.none(false),
                    labels,
                    problem));
        }
        return rows;
    }

    private static String nihColumnName(String lower) {
        return switch (lower) {
            case "image index" -> "Image Index";
            case "finding labels" -> "Finding Labels";
            case "patient id" -> "Patient ID";
            default -> "Follow-up #";
        };
    }

    /** CheXpert paths usually start with the data set folder name: try next to the CSV, then one level up. */
    private static Path resolveChexpertPath(Path dir, String path) {
        Path direct = dir.resolve(path);
        if (Files.exists(direct) || dir.getParent() == null) {
            return direct;
        }
        Path up = dir.getParent().resolve(path);
        return Files.exists(up) ? up : direct;
    }

    private static Status chexpertStatus(String v) {
        if (v == null || v.isBlank()) {
            return null;
        }
        return switch (v.trim()) {
            case "1", "1.0" -> Status.PRESENT;
            case "0", "0.0" -> Status.ABSENT;
            case "-1", "-1.0" -> Status.UNCERTAIN;
            default -> null;
        };
    }

    private static Map<String, Integer> columns(List<String> header) {
        Map<String, Integer> m = new HashMap<>();
        for (int i = 0; i < header.size(); i++) {
            m.putIfAbsent(header.get(i).toLowerCase(Locale.ROOT), i);
        }
        return m;
    }

    /** A CSV record's fields, with the first structural or encoding problem found. */
    private static final class Fields {
        private final CsvReader.Record record;
        private String problem;

        Fields(CsvReader.Record record, int expected) {
            this.record = record;
            if (record.error() != null) {
                problem = "malformed CSV: " + record.error();
            } else if (record.fields().size() != expected) {
                problem = "row has " + record.fields().size() + " fields, header has " + expected
                        + (record.fields().size() > expected ? " (values in unknown columns)" : "");
            }
        }

        byte[] raw(Integer i) {
            if (i == null || i >= record.fields().size()) {
                return null;
            }
            return record.fields().get(i);
        }

        String text(Integer i) {
            byte[] b = raw(i);
            if (b == null) {
                return null;
            }
            String s = decodeStrict(b);
            if (s == null && problem == null) {
                problem = "field is not valid UTF-8";
            }
            return s;
        }

        String problem() {
            return problem;
        }
    }

    // ---------------------------------------------------------------- helpers

    private static String decodeStrict(byte[] b) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** Replaces the raw patient id in a path-like label, so problems never carry it. */
    static String redact(String text, String rawPatientId) {
        if (rawPatientId == null || rawPatientId.isBlank()) {
            return text;
        }
        return text.replace(rawPatientId, "<patient>");
    }

    static String sha256(byte[] data) {
        try {
            return java.util.HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean isEmptyDir(Path p) throws IOException {
        if (!Files.isDirectory(p)) {
            return false;
        }
        try (Stream<Path> s = Files.list(p)) {
            return s.findAny().isEmpty();
        }
    }
}
