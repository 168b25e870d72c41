package dev.causalcxr.core.disentangle;

import dev.causalcxr.core.dataset.DatasetEntry;
import dev.causalcxr.core.dataset.DatasetManifest;
import dev.causalcxr.core.dataset.PhantomGroundTruth;
import dev.causalcxr.core.dataset.Split;
import dev.causalcxr.core.dataset.SplitProportions;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Status;
import dev.causalcxr.core.imaging.GrayImage;
import dev.causalcxr.core.imaging.ImageCodec;
import dev.causalcxr.core.imaging.Resampler;
import dev.causalcxr.core.labels.StudyLabels;
import dev.causalcxr.core.phantom.Acquisition;
import dev.causalcxr.core.phantom.FindingMask;
import dev.causalcxr.core.phantom.PatientIdentity;
import dev.causalcxr.core.phantom.PhantomGenerator;
import dev.causalcxr.core.phantom.PhantomRenderer;
import dev.causalcxr.core.phantom.PhantomStudy;
import dev.causalcxr.core.phantom.RenderedStudy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * The studies the disentangler trains and is evaluated on, in memory: pixels in [0, 1], a dense
 * patient number (never the patient id itself), the split, the present findings and, for phantom
 * data, the causes from which the exact counterfactual of any finding set can be rendered.
 */
public final class DisentanglerDataset {

    /**
     * @param studyId     study id
     * @param patient     dense patient number (0..patients−1), stable for one data set
     * @param split       patient-disjoint split
     * @param pixels      row-major, size × size, in [0, 1]
     * @param findings    the study's labels: present findings (with severity, laterality, zone where the
     *                    label source knows them); what training, conditions and requests use
     * @param truthFindings the phantom's rendered findings (what the image shows), or null for real data;
     *                    only the ground-truth metrics use them
     * @param identity    phantom identity, or null for real data
     * @param acquisition phantom acquisition, or null for real data
     */
    public record Study(
            String studyId,
            int patient,
            Split split,
            float[] pixels,
            List<FindingMention> findings,
            List<FindingMention> truthFindings,
            PatientIdentity identity,
            Acquisition acquisition) {

        public Study {
            findings = List.copyOf(findings);
            truthFindings = truthFindings == null ? null : List.copyOf(truthFindings);
            if ((identity == null) != (truthFindings == null) || (identity == null) != (acquisition == null)) {
                throw new IllegalArgumentException("ground truth needs identity, acquisition and rendered findings");
            }
        }

        /** A study whose labels are its ground truth (phantom data rendered in memory, tests). */
        public Study(
                String studyId,
                int patient,
                Split split,
                float[] pixels,
                List<FindingMention> findings,
                PatientIdentity identity,
                Acquisition acquisition) {
            this(studyId, patient, split, pixels, findings, identity == null ? null : findings, identity, acquisition);
        }

        public boolean hasGroundTruth() {
            return identity != null && acquisition != null;
        }
    }

    /** A rendered ground-truth counterfactual at the data set's size with the union of its finding masks. */
    public record Counterfactual(GrayImage image, boolean[] findingMask) {}

    private final int size;
    private final int truthSize;
    private final List<Study> studies;
    private final List<Finding> vocabulary;
    private final Map<Finding, Integer> trainFrequency;
    private final Map<String, Integer> tupleIds = new HashMap<>();

    /**
     * @param size      image edge length of every study
     * @param truthSize size at which phantom ground truth is rendered before resizing to {@code size}
     */
    public DisentanglerDataset(int size, int truthSize, List<Study> studies) {
        this(size, truthSize, studies, null);
    }

    /** {@code fixedVocabulary}: the finding head's outputs, in order; null: the findings the studies mention. */
    private DisentanglerDataset(int size, int truthSize, List<Study> studies, List<Finding> fixedVocabulary) {
        if (studies.isEmpty()) {
            throw new IllegalArgumentException("the data set has no studies");
        }
        for (Study s : studies) {
            if (s.pixels().length != size * size) {
                throw new IllegalArgumentException("study " + s.studyId() + " is not " + size + "x" + size);
            }
        }
        this.size = size;
        this.truthSize = truthSize;
        this.studies = List.copyOf(studies);
        TreeSet<Finding> seen = new TreeSet<>();
        Map<Finding, Integer> freq = new TreeMap<>();
        for (Study s : studies) {
            for (FindingMention m : s.findings()) {
                seen.add(m.finding());
                if (s.split() == Split.TRAIN) {
                    freq.merge(m.finding(), 1, Integer::sum);
                }
            }
        }
        this.vocabulary = fixedVocabulary == null ? List.copyOf(seen) : List.copyOf(fixedVocabulary);
        this.trainFrequency = freq;
        for (Study s : studies) {
            tupleIds.computeIfAbsent(tupleKey(s), k -> tupleIds.size());
        }
    }

    /**
     * The same studies seen through the finding vocabulary of a model being fine-tuned (its head's outputs, in its
     * order): mentions of findings outside it are dropped, since the head has no output for them; findings it has
     * that these studies lack stay in it, never present here.
     */
    public DisentanglerDataset withVocabulary(List<Finding> fixed) {
        List<Study> seen = new ArrayList<>(studies.size());
        for (Study s : studies) {
            seen.add(new Study(
                    s.studyId(),
                    s.patient(),
                    s.split(),
                    s.pixels(),
                    s.findings().stream()
                            .filter(m -> fixed.contains(m.finding()))
                            .toList(),
                    s.truthFindings(),
                    s.identity(),
                    s.acquisition()));
        }
        return new DisentanglerDataset(size, truthSize, seen, fixed);
    }

    /** Renders and holds a phantom cohort; patients are split by a hash of their (synthetic) id. */
    public static DisentanglerDataset fromPhantom(
            PhantomGenerator generator, SplitProportions proportions, BiConsumer<Integer, Integer> progress) {
        List<PhantomStudy> cohort = generator.studies();
        List<Study> out = new ArrayList<>(cohort.size());
        for (PhantomStudy s : cohort) {
            GrayImage image = PhantomRenderer.renderImage(
                    s.identity(),
                    s.acquisition(),
                    s.findings(),
                    generator.spec().size());
            Split split = proportions.assign(sha256Hex(s.patientId()));
            out.add(new Study(
                    s.studyId(),
                    s.patientIndex(),
                    split,
                    image.toFloat(),
                    present(s.findings()),
                    s.identity(),
                    s.acquisition()));
            progress.accept(out.size(), cohort.size());
        }
        return new DisentanglerDataset(generator.spec().size(), generator.spec().size(), out);
    }

    /**
     * Reads an imported data set folder ({@code manifest.json} + 16-bit PNGs) using the manifest's
     * patient-disjoint splits. Every study's findings are its {@code labels} (a study they do not label
     * has none); the phantom ground truth, where it names the study, adds the identity, acquisition and
     * rendered findings from which its exact counterfactuals are rendered for the metrics.
     *
     * @param labels      the finding labels, keyed by the manifest's study ids
     * @param groundTruth phantom ground truth, or null for real data
     */
    public static DisentanglerDataset fromImported(
            Path datasetDir, StudyLabels labels, PhantomGroundTruth groundTruth, BiConsumer<Integer, Integer> progress)
            throws IOException {
        DatasetManifest manifest = DatasetManifest.read(datasetDir.resolve("manifest.json"));
        Map<String, PhantomGroundTruth.StudyTruth> truthByStudy = new HashMap<>();
        if (groundTruth != null) {
            groundTruth.studies().forEach(t -> truthByStudy.put(t.studyId(), t));
        }
        // dense patient numbers in id order: stable and independent of file order
        TreeSet<String> patientIds = new TreeSet<>();
        manifest.entries().forEach(e -> patientIds.add(e.patientId()));
        Map<String, Integer> patientNumber = new HashMap<>();
        patientIds.forEach(p -> patientNumber.put(p, patientNumber.size()));
        int size = manifest.imageSize();
        List<Study> out = new ArrayList<>(manifest.entries().size());
        List<DatasetEntry> entries = new ArrayList<>(manifest.entries());
        entries.sort(Comparator.comparing(DatasetEntry::studyId).thenComparing(DatasetEntry::imageDigest));
        for (DatasetEntry e : entries) {
            GrayImage image = ImageCodec.read(datasetDir.resolve(e.imagePath()));
            if (image.width() != size || image.height() != size) {
                image = Resampler.fitSquare(image, size);
            }
            PhantomGroundTruth.StudyTruth truth = truthByStudy.get(e.studyId());
            out.add(new Study(
                    e.studyId(),
                    patientNumber.get(e.patientId()),
                    e.split(),
                    image.toFloat(),
                    labels.findings(e.studyId()),
                    truth == null ? null : present(truth.findingMentions()),
                    truth == null ? null : truth.identity(),
                    truth == null ? null : truth.acquisition()));
            progress.accept(out.size(), entries.size());
        }
        int truthSize = groundTruth == null ? size : groundTruth.size();
        return new DisentanglerDataset(size, truthSize, out);
    }

    private static List<FindingMention> present(List<FindingMention> mentions) {
        return mentions.stream().filter(m -> m.status() == Status.PRESENT).toList();
    }

    static String sha256Hex(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public int size() {
        return size;
    }

    public List<Study> studies() {
        return studies;
    }

    /** Findings that occur in the data, in vocabulary order: the outputs of the finding head. */
    public List<Finding> vocabulary() {
        return vocabulary;
    }

    /** Indices of the studies in one split, in data set order. */
    public int[] indices(Split split) {
        return java.util.stream.IntStream.range(0, studies.size())
                .filter(i -> studies.get(i).split() == split)
                .toArray();
    }

    /** Present/absent over {@link #vocabulary()}. */
    public float[] multiHot(Study s) {
        float[] v = new float[vocabulary.size()];
        for (FindingMention m : s.findings()) {
            v[vocabulary.indexOf(m.finding())] = 1f;
        }
        return v;
    }

    /** The finding tuple: present findings with severity, laterality and zone, in a fixed order. */
    public static String tupleKey(Study s) {
        return s.findings().stream()
                .sorted(Comparator.comparing(FindingMention::finding))
                .map(m -> m.finding().name() + ":" + m.severity() + ":" + m.laterality() + ":" + m.zone())
                .reduce((a, b) -> a + "|" + b)
                .orElse("");
    }

    /** A dense id of the study's finding tuple (pathology group). */
    public int tupleId(Study s) {
        return tupleIds.get(tupleKey(s));
    }

    /**
     * The primary finding class used by the leakage probes: the rarest (in training) present finding,
     * 1-based in {@link #vocabulary()}; 0 for a study without findings.
     */
    public int primaryClass(Study s) {
        Finding best = null;
        int bestCount = Integer.MAX_VALUE;
        for (FindingMention m : s.findings()) {
            int c = trainFrequency.getOrDefault(m.finding(), 0);
            if (best == null || c < bestCount || (c == bestCount && m.finding().compareTo(best) < 0)) {
                best = m.finding();
                bestCount = c;
            }
        }
        return best == null ? 0 : vocabulary.indexOf(best) + 1;
    }

    /**
     * The exact counterfactual of {@code anatomy} (its identity and acquisition) showing the findings
     * of {@code pathology}, at this data set's size, with the union of the finding masks.
     */
    public Counterfactual counterfactual(Study anatomy, List<FindingMention> findings) {
        return counterfactual(anatomy, findings, Map.of());
    }

    /**
     * The exact swap of {@code anatomy} and {@code pathology}: A's anatomy, acquisition and noise showing B's
     * rendered findings placed by B's own draw, so each lands where B shows it relative to the anatomy.
     */
    public Counterfactual exactSwap(Study anatomy, Study pathology) {
        if (!pathology.hasGroundTruth()) {
            throw new IllegalStateException("study " + pathology.studyId() + " has no phantom ground truth");
        }
        Map<Finding, Long> seeds = new EnumMap<>(Finding.class);
        for (FindingMention m : pathology.truthFindings()) {
            seeds.put(m.finding(), pathology.acquisition().seed());
        }
        return counterfactual(anatomy, pathology.truthFindings(), seeds);
    }

    /**
     * {@code anatomy} with its own findings plus {@code lender}'s rendering of {@code finding}, placed by the lender's
     * own draw: the truth for "this study, plus that study's finding" (a slot swap).
     */
    public Counterfactual lendFinding(Study anatomy, Study lender, Finding finding) {
        if (!lender.hasGroundTruth()) {
            throw new IllegalStateException("study " + lender.studyId() + " has no phantom ground truth");
        }
        List<FindingMention> lent = lender.truthFindings().stream()
                .filter(m -> m.finding() == finding)
                .toList();
        if (lent.isEmpty()
                || anatomy.hasGroundTruth() && anatomy.truthFindings().stream().anyMatch(m -> m.finding() == finding)) {
            throw new IllegalArgumentException(
                    "can lend only a finding the lender shows and the anatomy does not: " + finding);
        }
        List<FindingMention> findings = new ArrayList<>(anatomy.truthFindings());
        findings.addAll(lent);
        return counterfactual(
                anatomy, findings, Map.of(finding, lender.acquisition().seed()));
    }

    /**
     * As {@link #counterfactual(Study, List)}, with the findings named in {@code placementSeeds} placed from
     * those seeds instead of the study's own: one draw of how the phantom varies them (see {@link
     * PhantomRenderer#render(PatientIdentity, Acquisition, List, int, Map)}).
     */
    public Counterfactual counterfactual(
            Study anatomy, List<FindingMention> findings, Map<Finding, Long> placementSeeds) {
        if (!anatomy.hasGroundTruth()) {
            throw new IllegalStateException("study " + anatomy.studyId() + " has no phantom ground truth");
        }
        RenderedStudy r =
                PhantomRenderer.render(anatomy.identity(), anatomy.acquisition(), findings, truthSize, placementSeeds);
        GrayImage image = r.image();
        boolean[] mask = new boolean[truthSize * truthSize];
        for (FindingMask m : r.masks()) {
            java.util.BitSet bits = m.bits();
            for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(i + 1)) {
                mask[i] = true;
            }
        }
        if (truthSize != size) {
            image = Resampler.fitSquare(image, size);
            double[] scaled = Resampler.resize(toDouble(mask), truthSize, truthSize, size, size);
            mask = new boolean[size * size];
            for (int i = 0; i < mask.length; i++) {
                mask[i] = scaled[i] >= 0.5;
            }
        }
        return new Counterfactual(image, mask);
    }

    private static double[] toDouble(boolean[] mask) {
        double[] d = new double[mask.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = mask[i] ? 1 : 0;
        }
        return d;
    }

    /** Findings the phantom cannot draw (real-data labels) make a study unusable as a swap source. */
    public static boolean renderable(List<FindingMention> findings) {
        EnumSet<Finding> set = EnumSet.noneOf(Finding.class);
        findings.forEach(m -> set.add(m.finding()));
        return PhantomRenderer.RENDERABLE.containsAll(set);
    }
}
