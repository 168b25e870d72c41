package dev.causalcxr.core.dataset;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.Status;
import dev.causalcxr.core.imaging.GrayImage;
import dev.causalcxr.core.imaging.ImageCodec;
import dev.causalcxr.core.imaging.TestImages;
import dev.causalcxr.core.phantom.PhantomRenderer;
import dev.causalcxr.core.phantom.PhantomSpec;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetImporterTest {

    private static final byte[] KEY = "0123456789abcdef-test-key".getBytes(StandardCharsets.UTF_8);
    private static final String SECRET_PATIENT = "MRN-SECRET-777";
    private static final String SECRET_TEXT = "SECRETREPORTTEXT";

    private static ImportOptions options(ImportFormat f, Path source, Path out, boolean strict) {
        return new ImportOptions(f, source, out, "test", 64, KEY, strict, SplitProportions.defaults());
    }

    @Test
    void phantomDataSetImportsThroughTheMimicImporterWithStableVersion(@TempDir Path dir) throws Exception {
        PhantomSpec spec = PhantomSpec.defaults().withStudies(30).withSize(64).withSeed(5);
        PhantomDatasetWriter.Summary written = PhantomDatasetWriter.write(spec, dir.resolve("phantom"));
        assertEquals(30, written.studies());
        int[] progress = new int[2];
        ImportResult r = DatasetImporter.run(
                options(ImportFormat.MIMIC, dir.resolve("phantom"), dir.resolve("ds1"), true), (done, total) -> {
                    progress[0] = done;
                    progress[1] = total;
                });
        assertEquals(30, progress[0]);
        assertEquals(30, progress[1]);
        assertEquals(30, r.imported());
        assertEquals(0, r.skipped());
        assertEquals("imported 30, skipped 0", r.summaryLine());
        assertTrue(Files.exists(dir.resolve("ds1/manifest.json")));
        DatasetEntry e = r.manifest().entries().get(0);
        assertTrue(Files.exists(dir.resolve("ds1").resolve(e.imagePath())));
        assertTrue(Files.exists(dir.resolve("ds1").resolve(e.reportPath())));
        assertEquals(
                e.pixelDigest(),
                ImageCodec.read(dir.resolve("ds1").resolve(e.imagePath())).pixelDigest());
        assertFalse(e.patientId().contains("p1000"), "patient id must be pseudonymized");

        // the ground truth sidecar links back to the studies and re-renders them exactly
        PhantomGroundTruth gt = PhantomGroundTruth.read(dir.resolve("phantom").resolve(PhantomGroundTruth.FILE_NAME));
        PhantomGroundTruth.StudyTruth t = gt.studies().get(3);
        GrayImage original = ImageCodec.read(dir.resolve("phantom").resolve(t.image()));
        assertEquals(
                original, PhantomRenderer.renderImage(t.identity(), t.acquisition(), t.findingMentions(), gt.size()));
        String study3 = new Pseudonymizer(KEY).study(t.studyId());
        assertTrue(r.manifest().entries().stream().anyMatch(x -> x.studyId().equals(study3)));
        // phantom studies carry their true labels; with 30 studies the rarest classes are tail classes
        DatasetEntry e3 = r.manifest().entries().stream()
                .filter(x -> x.studyId().equals(study3))
                .findFirst()
                .orElseThrow();
        t.findingMentions()
                .forEach(m -> assertEquals(Status.PRESENT, e3.findingLabels().get(m.finding())));
        assertEquals(10, e3.labels().size());
        assertTrue(r.manifest().presentFrequencies().get("Pleural Effusion") > 0.2);
        assertFalse(r.manifest().tailClasses(0.1).contains("Pleural Effusion"));

        // same files → same version; the manifest round-trips through JSON
        ImportResult again =
                DatasetImporter.run(options(ImportFormat.MIMIC, dir.resolve("phantom"), dir.resolve("ds2"), true));
        assertEquals(r.manifest().version(), again.manifest().version());
        assertEquals(
                r.manifest().version(),
                DatasetManifest.read(dir.resolve("ds1/manifest.json")).version());

        // one more study → a new version
        PhantomDatasetWriter.write(spec.withStudies(31), dir.resolve("phantom31"));
        ImportResult more =
                DatasetImporter.run(options(ImportFormat.MIMIC, dir.resolve("phantom31"), dir.resolve("ds3"), true));
        assertEquals(31, more.imported());
        assertNotEquals(r.manifest().version(), more.manifest().version());
    }

    @Test
    void splitsArePatientDisjointWithRoughlyFixedProportions() {
        Pseudonymizer p = new Pseudonymizer(KEY);
        SplitProportions sp = SplitProportions.defaults();
        Map<Split, Integer> counts = new HashMap<>();
        for (int i = 0; i < 3000; i++) {
            String id = p.patient("patient" + i);
            Split s = sp.assign(id);
            assertEquals(s, sp.assign(id));
            counts.merge(s, 1, Integer::sum);
        }
        assertEquals(0.70, counts.get(Split.TRAIN) / 3000.0, 0.03);
        assertEquals(0.15, counts.get(Split.VAL) / 3000.0, 0.03);
        assertEquals(0.15, counts.get(Split.TEST) / 3000.0, 0.03);
        assertNotEquals(p.patient("a"), new Pseudonymizer("another-key-of-16-bytes".getBytes(UTF_8)).patient("a"));
    }

    /** A manifest CSV with one good row of each image kind and one bad row of every kind. */
    private static Path badRowsManifest(Path dir, boolean unknownColumn) throws Exception {
        Files.write(dir.resolve("good16.png"), ImageCodec.encodePng16(TestImages.gradient(80, 60, 1)));
        Files.write(dir.resolve("good8.jpg"), TestImages.jpeg(70, 70, 2));
        Files.write(dir.resolve("goodrgb.png"), TestImages.encode(TestImages.rgb(50, 50, 3), "png"));
        Files.write(dir.resolve("dup.png"), Files.readAllBytes(dir.resolve("good16.png")));
        Files.write(
                dir.resolve("trunc.png"),
                TestImages.truncate(ImageCodec.encodePng16(TestImages.gradient(80, 80, 4)), 0.6));
        Files.write(dir.resolve("trunc.jpg"), TestImages.truncate(TestImages.jpeg(128, 128, 5), 0.6));
        Files.writeString(dir.resolve("garbage.png"), "not an image at all");
        Files.write(dir.resolve("a.png"), ImageCodec.encodePng16(TestImages.gradient(40, 40, 6)));
        Files.write(dir.resolve("b.png"), ImageCodec.encodePng16(TestImages.gradient(40, 40, 7)));
        Files.write(dir.resolve("c.png"), ImageCodec.encodePng16(TestImages.gradient(40, 40, 8)));

        ByteArrayOutputStream csv = new ByteArrayOutputStream();
        csv.writeBytes(
                ("path,patient_id,study_id,report" + (unknownColumn ? ",comment" : "") + "\r\n").getBytes(UTF_8));
        String extra = unknownColumn ? ",x" : "";
        String secret = "\"FINDINGS: " + SECRET_TEXT + ", with \"\"quotes\"\"\nand a second line.\"";
        row(csv, "good16.png," + SECRET_PATIENT + ",s1," + secret + extra);
        row(csv, "good8.jpg,pat2,s2,Normal chest." + extra);
        row(csv, "goodrgb.png,pat3,s3,Small effusion." + extra);
        row(csv, "dup.png," + SECRET_PATIENT + ",s4," + SECRET_TEXT + extra);
        row(csv, "trunc.png,pat5,s5," + SECRET_TEXT + extra);
        row(csv, "trunc.jpg,pat6,s6," + SECRET_TEXT + extra);
        row(csv, "garbage.png,pat7,s7," + SECRET_TEXT + extra);
        row(csv, "missing.png,pat8,s8," + SECRET_TEXT + extra);
        row(csv, "a.png,pat9,s9,\"   \"" + extra);
        csv.writeBytes(("b.png,pat10,s10,bad \u00e9 " + SECRET_TEXT).getBytes(StandardCharsets.ISO_8859_1));
        csv.writeBytes((extra + "\n").getBytes(UTF_8));
        row(csv, "c.png,pat11,s11" + extra);
        Path file = dir.resolve("list.csv");
        Files.write(file, csv.toByteArray());
        return file;
    }

    private static void row(ByteArrayOutputStream out, String line) {
        out.writeBytes((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everyBadRowKindIsReportedWithFileAndReasonAndSkipped(@TempDir Path dir) throws Exception {
        Path csv = badRowsManifest(dir, true);
        ImportResult r = DatasetImporter.run(options(ImportFormat.MANIFEST, csv, dir.resolve("out"), false));
        assertEquals(3, r.imported());
        assertEquals(8, r.skipped());
        assertEquals("imported 3, skipped 8", r.summaryLine());
        Map<Long, String> reasons =
                r.problems().stream().collect(Collectors.toMap(RowProblem::row, RowProblem::reason));
        assertTrue(reasons.get(1L).contains("unknown column 'comment'"), reasons.toString());
        assertTrue(reasons.get(5L).startsWith("duplicate image"), reasons.toString());
        assertTrue(
                reasons.get(6L).startsWith("unreadable image")
                        && reasons.get(6L).contains("PNG"),
                reasons.toString());
        assertTrue(
                reasons.get(7L).startsWith("unreadable image")
                        && reasons.get(7L).contains("JPEG"),
                reasons.toString());
        assertTrue(reasons.get(8L).startsWith("unreadable image"), reasons.toString());
        assertEquals("image file not found", reasons.get(9L));
        assertEquals("report is empty", reasons.get(10L));
        assertEquals("report is not valid UTF-8", reasons.get(11L));
        assertTrue(reasons.get(12L).startsWith("row has 4 fields, header has 5"), reasons.toString());
        for (RowProblem p : r.problems()) {
            assertTrue(p.file().startsWith("list.csv"), p.toString());
            assertFalse(p.toString().contains(SECRET_TEXT), "report text leaked: " + p);
            assertFalse(p.toString().contains(SECRET_PATIENT), "raw patient id leaked: " + p);
            assertFalse(p.siteLine().contains(SECRET_TEXT), "report text leaked: " + p.siteLine());
            // what may leave the site names neither the CSV nor an image file
            assertFalse(
                    p.toString().contains(".csv")
                            || p.toString().contains(".png")
                            || p.toString().contains(".jpg"),
                    p.toString());
            assertTrue(p.toString().startsWith(p.ref()) && p.siteLine().contains(p.file()), p.siteLine());
        }
        Pseudonymizer pseudonyms = new Pseudonymizer(KEY);
        Set<String> studies = new HashSet<>();
        r.manifest().entries().forEach(e -> studies.add(e.studyId()));
        assertEquals(Set.of(pseudonyms.study("s1"), pseudonyms.study("s2"), pseudonyms.study("s3")), studies);
        // the multi-line quoted report arrives intact
        DatasetEntry s1 = r.manifest().entries().stream()
                .filter(e -> e.studyId().equals(pseudonyms.study("s1")))
                .findFirst()
                .orElseThrow();
        String text = Files.readString(dir.resolve("out").resolve(s1.reportPath()));
        assertEquals("FINDINGS: " + SECRET_TEXT + ", with \"quotes\"\nand a second line.", text);
        assertFalse(r.manifest().toJson().contains(SECRET_TEXT));
        assertFalse(r.manifest().toJson().contains(SECRET_PATIENT));
    }

    @Test
    void strictModeImportsNothingWhenAnyRowIsBad(@TempDir Path dir) throws Exception {
        Path csv = badRowsManifest(dir, false);
        Path out = dir.resolve("strict");
        DatasetImportException e = assertThrows(
                DatasetImportException.class,
                () -> DatasetImporter.run(options(ImportFormat.MANIFEST, csv, out, true)));
        assertEquals(8, e.problems().size());
        assertFalse(Files.exists(out), "strict failure must leave no output");
        assertFalse(Files.exists(dir.resolve("strict.staging")), "no staging leftovers");
        assertFalse(e.getMessage().contains(SECRET_TEXT));
    }

    @Test
    void strictModeFailsOnAnUnknownColumnAlone(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("a.png"), ImageCodec.encodePng16(TestImages.gradient(40, 40, 1)));
        Files.writeString(dir.resolve("m.csv"), "path,patient_id,study_id,report,extra\na.png,p,s,Text.,1\n");
        assertThrows(
                DatasetImportException.class,
                () -> DatasetImporter.run(
                        options(ImportFormat.MANIFEST, dir.resolve("m.csv"), dir.resolve("o"), true)));
        ImportResult lenient =
                DatasetImporter.run(options(ImportFormat.MANIFEST, dir.resolve("m.csv"), dir.resolve("o2"), false));
        assertEquals(1, lenient.imported());
        assertEquals(0, lenient.skipped());
        assertEquals(1, lenient.problems().size());
    }

    @Test
    void mimicFolderProblemsNameTheFileWithoutThePatientId(@TempDir Path dir) throws Exception {
        PhantomDatasetWriter.Summary s =
                PhantomDatasetWriter.write(PhantomSpec.defaults().withStudies(6).withSize(64), dir.resolve("m"));
        List<PhantomGroundTruth.StudyTruth> st = s.groundTruth().studies();
        Path root = dir.resolve("m");
        Path image0 = root.resolve(st.get(0).image());
        Path report1 = image0.getParent().getParent().resolve(st.get(1).studyId() + ".txt");
        Files.delete(root.resolve(st.get(1).image())
                .getParent()
                .getParent()
                .resolve(st.get(1).studyId() + ".txt"));
        Path report2 = root.resolve(st.get(2).image())
                .getParent()
                .getParent()
                .resolve(st.get(2).studyId() + ".txt");
        Files.write(report2, new byte[] {'o', 'k', (byte) 0xFF, (byte) 0xFE});
        Files.write(
                root.resolve(st.get(3).image()),
                TestImages.truncate(Files.readAllBytes(root.resolve(st.get(3).image())), 0.5));
        Files.writeString(
                root.resolve(st.get(4).image())
                        .getParent()
                        .getParent()
                        .resolve(st.get(4).studyId() + ".txt"),
                "\n \n");

        ImportResult r = DatasetImporter.run(options(ImportFormat.MIMIC, root, dir.resolve("o"), false));
        assertEquals(2, r.imported());
        assertEquals(4, r.skipped());
        Map<String, String> byStudy = new HashMap<>();
        for (RowProblem p : r.problems()) {
            assertFalse(p.file().contains(st.get(0).patientId()), p.toString());
            assertTrue(p.file().startsWith("files/p10/<patient>/"), p.toString());
            byStudy.put(p.file().split("/")[3], p.reason());
        }
        assertEquals("report file missing", byStudy.get(st.get(1).studyId()));
        assertEquals("report is not valid UTF-8", byStudy.get(st.get(2).studyId()));
        assertTrue(byStudy.get(st.get(3).studyId()).startsWith("unreadable image"));
        assertEquals("report is empty", byStudy.get(st.get(4).studyId()));
        assertTrue(report1.toString().endsWith(".txt"));
    }

    @Test
    void chexpertCsvImportsLabelsAndDerivesPatientsFromPaths(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("CheXpert-v1.0-small");
        Files.createDirectories(data.resolve("train/patient00001/study1"));
        Files.createDirectories(data.resolve("train/patient00002/study1"));
        Files.write(data.resolve("train/patient00001/study1/view1_frontal.jpg"), TestImages.jpeg(64, 80, 1));
        Files.write(data.resolve("train/patient00002/study1/view1_frontal.jpg"), TestImages.jpeg(64, 80, 2));
        Files.writeString(
                data.resolve("train.csv"),
                "Path,Sex,Age,Frontal/Lateral,AP/PA,No Finding,Cardiomegaly,Pleural Effusion,Fracture\n"
                        + "CheXpert-v1.0-small/train/patient00001/study1/view1_frontal.jpg,Male,60,Frontal,PA,,1.0,-1.0,0.0\n"
                        + "CheXpert-v1.0-small/train/patient00002/study1/view1_frontal.jpg,Female,50,Frontal,AP,1.0,,,\n"
                        + "CheXpert-v1.0-small/train/patient00003/study1/view1_frontal.jpg,Female,50,Frontal,AP,1.0,,,\n"
                        + "CheXpert-v1.0-small/train/patient00002/study2/view1_frontal.jpg,Female,50,Frontal,AP,2.0,,,\n");
        ImportResult r =
                DatasetImporter.run(options(ImportFormat.CHEXPERT, data.resolve("train.csv"), dir.resolve("o"), false));
        assertEquals(2, r.imported());
        assertEquals(2, r.skipped());
        DatasetEntry e1 = r.manifest().entries().stream()
                .filter(e -> e.labels().containsKey("Cardiomegaly"))
                .findFirst()
                .orElseThrow();
        assertEquals(Status.PRESENT, e1.findingLabels().get(Finding.CARDIOMEGALY));
        assertEquals(Status.UNCERTAIN, e1.findingLabels().get(Finding.PLEURAL_EFFUSION));
        assertEquals(Status.ABSENT, e1.findingLabels().get(Finding.FRACTURE));
        assertEquals(new Pseudonymizer(KEY).study("patient00001/study1"), e1.studyId());
        assertEquals(null, e1.reportDigest());
        assertEquals("image file not found", r.problems().get(0).reason());
        assertTrue(r.problems().get(0).file().contains("<patient>"));
        assertTrue(r.problems().get(1).reason().startsWith("invalid label value"));
    }

    @Test
    void nihDataEntryCsvImportsPipeSeparatedLabelsFindsImagesByNameAndNamesStudiesByFollowUp(@TempDir Path dir)
            throws Exception {
        // ChestX-ray14's layout: images_00N/images/*.png beside Data_Entry_2017.csv
        Path data = dir.resolve("nih");
        Files.createDirectories(data.resolve("images_001/images"));
        Files.createDirectories(data.resolve("images_002/images"));
        Files.write(
                data.resolve("images_001/images/00000013_000.png"),
                TestImages.encode(TestImages.gray8(70, 70, 1), "png"));
        Files.write(
                data.resolve("images_001/images/00000013_001.png"),
                TestImages.encode(TestImages.gray8(70, 70, 2), "png"));
        Files.write(
                data.resolve("images_002/images/00000021_000.png"),
                TestImages.encode(TestImages.gray8(70, 70, 3), "png"));
        Files.write(
                data.resolve("images_002/images/00000022_000.png"),
                TestImages.encode(TestImages.gray8(70, 70, 4), "png"));
        Files.writeString(
                data.resolve("Data_Entry_2017.csv"),
                "Image Index,Finding Labels,Follow-up #,Patient ID,Patient Age,Patient Gender,View Position,"
                        + "OriginalImage[Width,Height],OriginalImagePixelSpacing[x,y],\n"
                        + "00000013_000.png,Effusion|Nodule,0,13,60,M,PA,2500,2048,0.14,0.14,\n"
                        + "00000013_001.png,No Finding,1,13,60,M,PA,2500,2048,0.14,0.14,\n"
                        + "00000021_000.png,Hernia|Pleural_Thickening|Infiltration,0,21,70,F,AP,2500,2048,0.14,0.14,\n"
                        + "00000022_000.png,Effusion|Dragon,0,22,70,F,AP,2500,2048,0.14,0.14,\n"
                        + "00000099_000.png,Mass,0,99,70,F,AP,2500,2048,0.14,0.14,\n");
        ImportResult r = DatasetImporter.run(
                options(ImportFormat.NIH, data.resolve("Data_Entry_2017.csv"), dir.resolve("o"), false));
        assertEquals(3, r.imported());
        assertEquals(2, r.skipped());
        assertEquals("unknown finding label 'Dragon'", r.problems().get(0).reason());
        assertEquals("image file not found", r.problems().get(1).reason());
        Map<String, DatasetEntry> byFollowUp = new HashMap<>();
        for (DatasetEntry e : r.manifest().entries()) {
            assertFalse(
                    e.studyId().contains("nihpatient") || e.patientId().contains("nihpatient"),
                    "pseudonymized: " + e.studyId());
            assertEquals(null, e.reportDigest(), "labels only");
            byFollowUp.put(
                    e.findingLabels().get(Finding.NO_FINDING) == Status.PRESENT
                            ? "13/1"
                            : e.findingLabels().get(Finding.NODULE) == Status.PRESENT ? "13/0" : "21/0",
                    e);
        }
        DatasetEntry first = byFollowUp.get("13/0");
        DatasetEntry second = byFollowUp.get("13/1");
        DatasetEntry third = byFollowUp.get("21/0");
        assertEquals(Status.PRESENT, first.findingLabels().get(Finding.PLEURAL_EFFUSION));
        assertEquals(Status.PRESENT, first.findingLabels().get(Finding.NODULE));
        assertEquals(
                Status.ABSENT,
                first.findingLabels().get(Finding.MASS),
                "a finding NIH labels but does not list is absent");
        assertEquals(null, first.findingLabels().get(Finding.FRACTURE), "NIH does not label fractures");
        assertEquals(first.patientId(), second.patientId(), "follow-ups of one patient");
        assertEquals(new Pseudonymizer(KEY).study("nihpatient13/followup0"), first.studyId());
        assertEquals(new Pseudonymizer(KEY).study("nihpatient13/followup1"), second.studyId());
        assertNotEquals(first.patientId(), third.patientId());
        assertEquals(Status.PRESENT, third.findingLabels().get(Finding.PLEURAL_OTHER));
        assertEquals(Status.PRESENT, third.findingLabels().get(Finding.LUNG_OPACITY));
        assertEquals(Status.ABSENT, third.findingLabels().get(Finding.NO_FINDING));
        assertEquals(
                64, ImageCodec.read(dir.resolve("o").resolve(third.imagePath())).width());
    }

    @Test
    void noRawStudyOrPatientIdLeavesTheImportAndTheKeyResolvesThemBack(@TempDir Path dir) throws Exception {
        PhantomDatasetWriter.Summary written = PhantomDatasetWriter.write(
                PhantomSpec.defaults().withStudies(8).withSize(64).withSeed(11), dir.resolve("m"));
        List<PhantomGroundTruth.StudyTruth> truth = written.groundTruth().studies();
        // one bad row, so that the problem list is checked too
        Files.write(dir.resolve("m").resolve(truth.get(0).image()), "broken".getBytes(StandardCharsets.UTF_8));
        ImportResult r = DatasetImporter.run(options(ImportFormat.MIMIC, dir.resolve("m"), dir.resolve("o"), false));
        assertEquals(7, r.imported());
        assertTrue(r.manifest().studyIdsPseudonymized());

        String manifest = Files.readString(dir.resolve("o/manifest.json"));
        String sourceIds = Files.readString(dir.resolve("o").resolve(SourceIds.FILE_NAME));
        String problems = r.problems().stream().map(RowProblem::toString).collect(Collectors.joining("\n"));
        String imageName = Path.of(truth.get(0).image()).getFileName().toString();
        for (PhantomGroundTruth.StudyTruth t : truth) {
            for (String raw : List.of(t.studyId(), t.patientId())) {
                assertFalse(manifest.contains(raw), "raw id in the manifest: " + raw);
                assertFalse(sourceIds.contains(raw), "raw id readable in " + SourceIds.FILE_NAME + ": " + raw);
                assertFalse(problems.contains(raw), "raw id in a problem: " + problems);
            }
        }
        assertFalse(problems.contains(imageName.substring(0, imageName.indexOf('.'))), problems);
        assertTrue(r.problems().get(0).siteLine().contains(truth.get(0).studyId()), "the site log keeps the detail");

        // with the key, every pseudonym resolves back; with another key, none does
        SourceIds ids = SourceIds.fromJson(Files.readAllBytes(dir.resolve("o").resolve(SourceIds.FILE_NAME)));
        Pseudonymizer key = new Pseudonymizer(KEY);
        for (DatasetEntry e : r.manifest().entries()) {
            String rawStudy = ids.resolve(key, e.studyId()).orElseThrow();
            assertEquals(e.studyId(), key.study(rawStudy));
            assertEquals(
                    e.patientId(), key.patient(ids.resolve(key, e.patientId()).orElseThrow()));
        }
        assertEquals(java.util.Optional.empty(), ids.resolve(key, key.study("s-not-there")));
        assertThrows(
                SourceIds.WrongKeyException.class,
                () -> ids.resolve(
                        new Pseudonymizer("another-key-of-16-bytes".getBytes(StandardCharsets.UTF_8)),
                        r.manifest().entries().get(0).studyId()));

        // the same files with the same key are the same bundle bytes (deterministic encryption)
        DatasetImporter.run(options(ImportFormat.MIMIC, dir.resolve("m"), dir.resolve("o2"), false));
        assertEquals(sourceIds, Files.readString(dir.resolve("o2").resolve(SourceIds.FILE_NAME)));

        // the phantom truth, pseudonymized, names the data set's studies
        Map<String, String> images = new HashMap<>();
        r.manifest().entries().forEach(e -> images.put(e.studyId(), e.imagePath()));
        PhantomGroundTruth pseudonymous = written.groundTruth().pseudonymized(key, images);
        assertEquals(
                images.keySet(),
                pseudonymous.studies().stream()
                        .map(PhantomGroundTruth.StudyTruth::studyId)
                        .filter(images::containsKey)
                        .collect(Collectors.toSet()));
        assertEquals(null, pseudonymous.studies().get(0).image(), "the skipped study has no image in the data set");
    }

    @Test
    void nihCsvWithoutItsLabelColumnIsRefusedBeforeAnythingIsImported(@TempDir Path dir) throws Exception {
        Files.writeString(
                dir.resolve("Data_Entry_2017.csv"), "Image Index,Follow-up #,Patient ID\n00000001_000.png,0,1\n");
        DatasetImportException e = assertThrows(
                DatasetImportException.class,
                () -> DatasetImporter.run(
                        options(ImportFormat.NIH, dir.resolve("Data_Entry_2017.csv"), dir.resolve("o"), false)));
        assertTrue(e.getMessage().contains("missing required column 'Finding Labels'"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("o")));
    }
}
