package dev.causalcxr.core.reports.eval.iu;

import dev.causalcxr.core.dataset.CsvReader;
import dev.causalcxr.core.findings.Finding;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The Indiana University / OpenI chest X-ray reports as a parser benchmark, read from the folder
 * the collection is kept in (never copied into this project: CC BY-NC-ND):
 * <ul>
 *   <li>{@code indiana_reports.csv}: {@code uid, MeSH, ..., findings, impression};</li>
 *   <li>{@code openi_gld_std14.csv}: NLM's 14-label gold standard of the same reports (the set
 *       NegBio was published on), 1 = present; nine of its labels are in our vocabulary
 *       ({@link #NLM_LABELS});</li>
 *   <li>{@code openi-testset.txt}: NLM's test list (one {@code CXR<uid>} per line).</li>
 * </ul>
 * Only reports with FINDINGS or IMPRESSION text that the coders indexed are kept: a report coded
 * {@code No Indexing} has no labels at all, neither in the MeSH column nor in NLM's gold.
 */
public final class IuXrayCollection {

    public static final String REPORTS_FILE = "indiana_reports.csv";
    public static final String NLM_GOLD_FILE = "openi_gld_std14.csv";
    public static final String TEST_LIST_FILE = "openi-testset.txt";

    /** NLM gold column to our finding, for the nine labels both vocabularies share. */
    public static final Map<String, Finding> NLM_LABELS = nlmLabels();

    private final List<IuReport> reports;
    private final Map<String, Set<Finding>> nlmPositives;
    private final Set<String> testList;
    private final int rowsRead;

    private IuXrayCollection(
            List<IuReport> reports, Map<String, Set<Finding>> nlmPositives, Set<String> testList, int rowsRead) {
        this.reports = reports;
        this.nlmPositives = nlmPositives;
        this.testList = testList;
        this.rowsRead = rowsRead;
    }

    private static Map<String, Finding> nlmLabels() {
        Map<String, Finding> m = new LinkedHashMap<>();
        m.put("Atelectasis", Finding.ATELECTASIS);
        m.put("Cardiomegaly", Finding.CARDIOMEGALY);
        m.put("Effusion", Finding.PLEURAL_EFFUSION);
        m.put("Mass", Finding.MASS);
        m.put("Nodule", Finding.NODULE);
        m.put("Pneumonia", Finding.PNEUMONIA);
        m.put("Pneumothorax", Finding.PNEUMOTHORAX);
        m.put("Consolidation", Finding.CONSOLIDATION);
        m.put("Edema", Finding.EDEMA);
        return Collections.unmodifiableMap(m);
    }

    /** The nine findings of {@link #NLM_LABELS}. */
    public static Set<Finding> nlmFindings() {
        return EnumSet.copyOf(NLM_LABELS.values());
    }

    /** Whether {@code dir} holds the three files (a fresh clone has no data folder). */
    public static boolean isPresent(Path dir) {
        return dir != null
                && Files.isRegularFile(dir.resolve(REPORTS_FILE))
                && Files.isRegularFile(dir.resolve(NLM_GOLD_FILE))
                && Files.isRegularFile(dir.resolve(TEST_LIST_FILE));
    }

    /**
     * Reads the collection.
     *
     * @throws IllegalArgumentException when a file is missing or malformed (the message names the file
     *                                  and row, never report text)
     */
    public static IuXrayCollection load(Path dir) {
        for (String name : List.of(REPORTS_FILE, NLM_GOLD_FILE, TEST_LIST_FILE)) {
            if (!Files.isRegularFile(dir.resolve(name))) {
                throw new IllegalArgumentException(dir + " has no " + name
                        + " (expected the IU / OpenI files: " + REPORTS_FILE + ", " + NLM_GOLD_FILE + ", "
                        + TEST_LIST_FILE + ")");
            }
        }
        List<Map<String, String>> rows =
                readCsv(dir.resolve(REPORTS_FILE), List.of("uid", "MeSH", "findings", "impression"));
        List<IuReport> reports = new ArrayList<>();
        for (Map<String, String> row : rows) {
            IuReport r = new IuReport(
                    parseUid(row.get("uid"), REPORTS_FILE),
                    IuReport.sectionsText(row.get("findings"), row.get("impression")),
                    row.get("MeSH").strip());
            if (!r.text().isEmpty() && !IuMeshMapping.notIndexed(r.mesh())) {
                reports.add(r);
            }
        }
        List<String> goldColumns = new ArrayList<>(NLM_LABELS.keySet());
        goldColumns.add(0, "filename");
        Map<String, Set<Finding>> gold = new LinkedHashMap<>();
        for (Map<String, String> row : readCsv(dir.resolve(NLM_GOLD_FILE), goldColumns)) {
            Set<Finding> positives = EnumSet.noneOf(Finding.class);
            NLM_LABELS.forEach((column, finding) -> {
                if ("1".equals(row.get(column).strip())) {
                    positives.add(finding);
                }
            });
            gold.put(row.get("filename").strip(), Collections.unmodifiableSet(positives));
        }
        Set<String> testList = new LinkedHashSet<>();
        try {
            for (String line : Files.readAllLines(dir.resolve(TEST_LIST_FILE), StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    testList.add(line.strip());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir.resolve(TEST_LIST_FILE), e);
        }
        return new IuXrayCollection(
                List.copyOf(reports),
                Collections.unmodifiableMap(gold),
                Collections.unmodifiableSet(testList),
                rows.size());
    }

    /** Indexed reports with FINDINGS or IMPRESSION text, in file order. */
    public List<IuReport> reports() {
        return reports;
    }

    /** Rows of {@code indiana_reports.csv}, before the filter of {@link #reports()}. */
    public int rowsRead() {
        return rowsRead;
    }

    /** NLM's positives among the nine shared labels, per study id; null for a study NLM did not label. */
    public Set<Finding> nlmPositives(String studyId) {
        return nlmPositives.get(studyId);
    }

    /** NLM's test list (study ids). */
    public Set<String> testList() {
        return testList;
    }

    private static int parseUid(String s, String file) {
        try {
            return Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ": uid is not a number");
        }
    }

    /** Rows as column-name maps; the named columns must exist, others are ignored. */
    private static List<Map<String, String>> readCsv(Path file, List<String> required) {
        List<CsvReader.Record> records;
        try {
            records = CsvReader.parse(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        String name = file.getFileName().toString();
        if (records.isEmpty()) {
            throw new IllegalArgumentException(name + " is empty");
        }
        List<String> header = new ArrayList<>();
        for (byte[] f : records.get(0).fields()) {
            header.add(decode(f, name, 1).strip());
        }
        int[] index = new int[required.size()];
        for (int k = 0; k < required.size(); k++) {
            index[k] = header.indexOf(required.get(k));
            if (index[k] < 0) {
                throw new IllegalArgumentException(name + " has no column '" + required.get(k) + "'");
            }
        }
        List<Map<String, String>> out = new ArrayList<>(records.size());
        for (CsvReader.Record r : records.subList(1, records.size())) {
            if (r.error() != null) {
                throw new IllegalArgumentException(
                        String.format(Locale.ROOT, "%s line %d: %s", name, r.line(), r.error()));
            }
            Map<String, String> row = new LinkedHashMap<>();
            for (int k = 0; k < required.size(); k++) {
                if (index[k] >= r.fields().size()) {
                    throw new IllegalArgumentException(String.format(
                            Locale.ROOT,
                            "%s line %d: %d field(s), no '%s'",
                            name,
                            r.line(),
                            r.fields().size(),
                            required.get(k)));
                }
                row.put(required.get(k), decode(r.fields().get(index[k]), name, r.line()));
            }
            out.add(row);
        }
        return out;
    }

    private static String decode(byte[] bytes, String file, long line) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(file + " line " + line + ": not valid UTF-8");
        }
    }
}
