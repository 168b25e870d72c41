package dev.causalcxr.core.reports.eval.iu;

import static dev.causalcxr.core.findings.Finding.ATELECTASIS;
import static dev.causalcxr.core.findings.Finding.CARDIOMEGALY;
import static dev.causalcxr.core.findings.Finding.CONSOLIDATION;
import static dev.causalcxr.core.findings.Finding.EDEMA;
import static dev.causalcxr.core.findings.Finding.ENLARGED_CARDIOMEDIASTINUM;
import static dev.causalcxr.core.findings.Finding.FRACTURE;
import static dev.causalcxr.core.findings.Finding.LUNG_LESION;
import static dev.causalcxr.core.findings.Finding.LUNG_OPACITY;
import static dev.causalcxr.core.findings.Finding.MASS;
import static dev.causalcxr.core.findings.Finding.NODULE;
import static dev.causalcxr.core.findings.Finding.NO_FINDING;
import static dev.causalcxr.core.findings.Finding.PLEURAL_EFFUSION;
import static dev.causalcxr.core.findings.Finding.PLEURAL_OTHER;
import static dev.causalcxr.core.findings.Finding.PNEUMONIA;
import static dev.causalcxr.core.findings.Finding.PNEUMOTHORAX;
import static dev.causalcxr.core.findings.Finding.SUPPORT_DEVICES;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Laterality;
import dev.causalcxr.core.findings.Severity;
import dev.causalcxr.core.findings.Zone;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The coders' MeSH terms of an IU report as gold findings of our vocabulary: a Java port of
 * {@code iu_to_findings.py} (kept next to the collection), same rules, same output, so that the
 * evaluation needs no Python and no derived files. MeSH codes positives only.
 * <ul>
 *   <li>each term maps to positive findings, to ambiguous ones (where the mapping is a matter of
 *       convention: a calcified granuloma as Nodule, pulmonary congestion as Edema, a stent as a support
 *       device), or to nothing (outside the vocabulary);</li>
 *   <li>No Finding is positive for {@code normal}, or when every term is a reliable device; it is
 *       ambiguous when nothing in the vocabulary is positive but the report is not coded normal;</li>
 *   <li>a positive whose text mentions are all hedged, all negated, or absent (a word replaced by the
 *       de-identification) is demoted to ambiguous: the text check of the script;</li>
 *   <li>severity, laterality and zone come from the qualifiers where all of a finding's terms agree.</li>
 * </ul>
 * A report is <em>strict</em> when it has positives and nothing ambiguous.
 */
public final class IuMeshMapping {

    private IuMeshMapping() {}

    /**
     * The gold of one report.
     *
     * @param positives findings coded present, with the qualifiers' attributes
     * @param ambiguous findings whose status the coding does not settle (score neither way)
     */
    public record Labels(List<FindingMention> positives, Set<Finding> ambiguous) {

        /** Positives and nothing ambiguous: the MeSH strict set. */
        public boolean strict() {
            return ambiguous.isEmpty() && !positives.isEmpty();
        }

        public Set<Finding> positiveFindings() {
            Set<Finding> s = EnumSet.noneOf(Finding.class);
            positives.forEach(m -> s.add(m.finding()));
            return s;
        }
    }

    private static final Set<String> DEVICE_RELIABLE =
            Set.of("Catheters, Indwelling", "Tube, Inserted", "Implanted Medical Device");
    // stents, clips, sutures, implants: a support device by some conventions, not by others;
    // "Medical Device" is mostly external ECG leads
    private static final Set<String> DEVICE_AMBIGUOUS = Set.of(
            "Medical Device",
            "Stents",
            "Surgical Instruments",
            "Sutures",
            "Spinal Fusion",
            "Breast Implants",
            "Foreign Bodies");
    private static final Set<String> ORTHO =
            Set.of("humerus", "shoulder", "cervical vertebrae", "thoracic vertebrae", "lumbar vertebrae", "spine");
    private static final Set<String> LUNGISH = Set.of("lung", "retrocardiac", "pulmonary alveoli");
    private static final Set<String> GENERIC_QUALIFIERS = Set.of(
            "right",
            "left",
            "bilateral",
            "posterior",
            "anterior",
            "multiple",
            "scattered",
            "mild",
            "moderate",
            "severe",
            "streaky",
            "patchy",
            "diffuse",
            "focal",
            "small",
            "large",
            "chronic",
            "abnormal",
            "interstitial",
            "reticular",
            "prominent",
            "irregular");
    private static final Set<Finding> ZONED =
            EnumSet.of(ATELECTASIS, CONSOLIDATION, PNEUMONIA, LUNG_OPACITY, NODULE, MASS, PNEUMOTHORAX, EDEMA);
    private static final Set<Finding> NO_ATTRIBUTES =
            EnumSet.of(NO_FINDING, SUPPORT_DEVICES, ENLARGED_CARDIOMEDIASTINUM);

    /** Keywords of the text check: a positive must be named in the text for the check to pass. */
    private static final Map<Finding, Pattern> KEYWORDS = keywords();

    private static final Pattern HEDGE = Pattern.compile(
            "\\b(may|might|could|possible|possibly|probable|probably|"
                    + "likely|suspicious|suspect\\w*|concern\\w*|exclude\\w*|questionable|question|equivocal|borderline|"
                    + "suggest\\w*|versus|vs|differential|consider\\w*|presum\\w*|represent\\w*|indeterminate|or)\\b|\\?",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern NEGATION = Pattern.compile(
            "\\b(no|not|without|negative|free of|clear of|resolved|"
                    + "resolution|removed|absence|interval clearing)\\b",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern SENTENCE_SPLIT = Pattern.compile("(?<=[.;])\\s+|\\n+");
    private static final Pattern CLAUSE_SPLIT = Pattern.compile(
            "\\s+(?=(?:with|without|but|although|however|while)\\b)|,\\s+(?=and\\b)", Pattern.CASE_INSENSITIVE);

    private static Map<Finding, Pattern> keywords() {
        Map<Finding, String> k = new EnumMap<>(Finding.class);
        k.put(CARDIOMEGALY, "cardiomegaly|heart|cardiac");
        k.put(PLEURAL_EFFUSION, "effusion|pleural fluid");
        k.put(PNEUMOTHORAX, "pneumothora|pleural air");
        k.put(ATELECTASIS, "atelecta|collapse");
        k.put(EDEMA, "edema");
        k.put(CONSOLIDATION, "consolidat");
        k.put(PNEUMONIA, "pneumonia|infect");
        k.put(NODULE, "nodul");
        k.put(MASS, "\\bmass");
        k.put(FRACTURE, "fractur");
        k.put(PLEURAL_OTHER, "thicken|capping|pleural scar|pleural plaque|fibrothorax");
        k.put(
                SUPPORT_DEVICES,
                "catheter|tube|tubing|\\bline|picc|\\bport|\\bpace|generator|\\blead|valve|device|"
                        + "defib|\\ba?icd\\b|prosthe|stent|drain|wire|hardware|electrode|cannula|stimulator|pump|\\btip\\b");
        Map<Finding, Pattern> out = new EnumMap<>(Finding.class);
        k.forEach((f, re) -> out.put(f, Pattern.compile(re, Pattern.CASE_INSENSITIVE)));
        return Collections.unmodifiableMap(out);
    }

    /** A MeSH column the coders marked {@code No Indexing}: the report has no labels. */
    static boolean notIndexed(String mesh) {
        for (Term t : parse(mesh)) {
            if (t.main().equals("No Indexing")) {
                return true;
            }
        }
        return false;
    }

    /** One coded term: the main heading and its lower-case qualifiers. */
    private record Term(String main, List<String> qualifiers) {}

    private static List<Term> parse(String mesh) {
        List<Term> out = new ArrayList<>();
        for (String t : mesh.split(";", -1)) {
            String[] parts = t.split("/", -1);
            String main = parts[0].strip();
            if (main.isEmpty()) {
                continue;
            }
            List<String> q = new ArrayList<>(parts.length - 1);
            for (int i = 1; i < parts.length; i++) {
                q.add(parts[i].strip().toLowerCase(Locale.ROOT));
            }
            out.add(new Term(main, q));
        }
        return out;
    }

    /** The gold findings of a report's MeSH terms, checked against its text. */
    public static Labels labels(IuReport report) {
        List<Term> terms = parse(report.mesh());
        Map<Finding, List<List<String>>> positive = new EnumMap<>(Finding.class);
        Set<Finding> ambiguous = EnumSet.noneOf(Finding.class);
        boolean onlyDevices = !terms.isEmpty();
        for (Term t : terms) {
            Set<Finding> pos = EnumSet.noneOf(Finding.class);
            classify(t.main(), t.qualifiers(), pos, ambiguous);
            for (Finding f : pos) {
                positive.computeIfAbsent(f, k -> new ArrayList<>()).add(t.qualifiers());
            }
            onlyDevices &= pos.equals(EnumSet.of(SUPPORT_DEVICES));
        }
        if (onlyDevices) {
            positive.computeIfAbsent(NO_FINDING, k -> new ArrayList<>()).add(List.of());
        }
        boolean pathology = positive.keySet().stream().anyMatch(f -> f != NO_FINDING && f != SUPPORT_DEVICES);
        if (!positive.containsKey(NO_FINDING) && !pathology) {
            ambiguous.add(NO_FINDING); // abnormal, but nothing of our vocabulary: No Finding is unclear
        }
        for (Finding f : new ArrayList<>(positive.keySet())) {
            if (!statedPlainly(f, report.text())) {
                ambiguous.add(f);
                positive.remove(f);
            }
        }
        ambiguous.removeAll(positive.keySet()); // a reliable term wins over an ambiguous sibling
        List<FindingMention> mentions = new ArrayList<>();
        positive.forEach((f, qualifierLists) -> mentions.add(attributes(f, qualifierLists)));
        return new Labels(List.copyOf(mentions), Collections.unmodifiableSet(ambiguous));
    }

    private static void classify(String main, List<String> quals, Set<Finding> pos, Set<Finding> amb) {
        Set<String> q = new HashSet<>(quals);
        boolean borderline = q.contains("borderline");
        switch (main) {
            case "normal" -> pos.add(NO_FINDING);
            case "Cardiomegaly" -> (borderline ? amb : pos).add(CARDIOMEGALY);
            case "Cardiac Shadow" -> (q.contains("enlarged") && !borderline ? pos : amb).add(CARDIOMEGALY);
            case "Heart", "Heart Atria", "Heart Ventricles" -> {
                if (q.contains("enlarged") || q.contains("prominent")) {
                    amb.add(CARDIOMEGALY);
                }
            }
            case "Heart Failure" -> {
                amb.add(EDEMA);
                amb.add(CARDIOMEGALY);
            }
            case "Pleural Effusion" -> (borderline ? amb : pos).add(PLEURAL_EFFUSION);
            case "Pneumothorax" -> pos.add(PNEUMOTHORAX);
            case "Hydropneumothorax", "Hemopneumothorax" -> {
                pos.add(PNEUMOTHORAX);
                amb.add(PLEURAL_EFFUSION);
            }
            case "Hemothorax" -> {
                amb.add(PLEURAL_EFFUSION);
                amb.add(PLEURAL_OTHER);
            }
            case "Pulmonary Atelectasis" -> (borderline ? amb : pos).add(ATELECTASIS);
            case "Volume Loss" -> amb.add(ATELECTASIS);
            case "Pulmonary Edema" -> pos.add(EDEMA);
            case "Pulmonary Congestion" -> amb.add(EDEMA);
            case "Consolidation" -> pos.add(CONSOLIDATION);
            case "Pneumonia" -> pos.add(PNEUMONIA);
            case "Tuberculosis" -> amb.add(PNEUMONIA);
            case "Nodule" -> (q.contains("lung") ? pos : amb).add(NODULE);
            case "Mass" -> (q.contains("lung") ? pos : amb).add(MASS);
            case "Calcified Granuloma", "Granuloma", "Nipple Shadow" -> amb.add(NODULE);
            case "Calcinosis" -> {
                if (q.contains("lung") && !q.contains("lymph nodes") && !q.contains("hilum")) {
                    amb.add(NODULE);
                }
            }
            case "Density" -> {
                amb.add(NODULE);
                amb.add(MASS);
            }
            case "Cavitation" -> amb.add(LUNG_LESION);
            case "Opacity" -> {
                if (q.isEmpty() || LUNGISH.contains(quals.get(0)) || GENERIC_QUALIFIERS.containsAll(q)) {
                    pos.add(LUNG_OPACITY);
                }
                if (q.contains("round")) {
                    amb.add(NODULE);
                }
                if (q.contains("pleura") || q.contains("costophrenic angle")) {
                    amb.add(PLEURAL_OTHER);
                }
            }
            case "Airspace Disease", "Infiltrate" -> pos.add(LUNG_OPACITY);
            case "Pulmonary Fibrosis", "Fibrosis", "Cystic Fibrosis" -> amb.add(PLEURAL_OTHER);
            case "Thickening" -> {
                if (q.contains("pleura")) {
                    pos.add(PLEURAL_OTHER);
                }
            }
            case "Cicatrix" -> {
                if (q.contains("pleura") || q.contains("costophrenic angle")) {
                    amb.add(PLEURAL_OTHER);
                }
            }
            case "Costophrenic Angle", "Sulcus", "Pleura" -> {
                amb.add(PLEURAL_EFFUSION);
                amb.add(PLEURAL_OTHER);
            }
            case "Fractures, Bone" -> pos.add(FRACTURE);
            case "Deformity" -> amb.add(FRACTURE); // rib and vertebral deformities are often old fractures
            case "Mediastinum" -> {
                if (q.contains("lymph nodes")) {
                    amb.add(ENLARGED_CARDIOMEDIASTINUM);
                } else if (q.contains("prominent") || q.contains("enlarged") || q.contains("widened")) {
                    pos.add(ENLARGED_CARDIOMEDIASTINUM);
                }
            }
            default -> {
                if (DEVICE_RELIABLE.contains(main)) {
                    boolean orthopaedic = main.equals("Implanted Medical Device")
                            && q.stream().anyMatch(ORTHO::contains);
                    (orthopaedic ? amb : pos).add(SUPPORT_DEVICES);
                } else if (DEVICE_AMBIGUOUS.contains(main)) {
                    amb.add(SUPPORT_DEVICES);
                }
                // everything else (spine, aorta, emphysema, hernia, ...) is outside the vocabulary
            }
        }
    }

    private static Severity severityOf(String qualifier) {
        return switch (qualifier) {
            case "mild", "small" -> Severity.MILD;
            case "moderate" -> Severity.MODERATE;
            case "severe", "large" -> Severity.SEVERE;
            default -> null;
        };
    }

    private static Set<Zone> zonesOf(Set<String> q) {
        Set<Zone> z = EnumSet.noneOf(Zone.class);
        if (q.contains("upper lobe") || q.contains("apex")) {
            z.add(Zone.UPPER);
        }
        if (q.contains("middle lobe")) {
            z.add(Zone.MIDDLE);
        }
        if (q.contains("lower lobe") || q.contains("base")) {
            z.add(Zone.LOWER);
        }
        return z;
    }

    /**
     * Attributes where all of a finding's terms agree: each term gives one value (unspecified when it
     * names none, a conflict when it names two); several different values make it unspecified, except
     * left and right, which make bilateral.
     */
    private static FindingMention attributes(Finding f, List<List<String>> qualifierLists) {
        if (NO_ATTRIBUTES.contains(f)) {
            return FindingMention.present(f, null, null, null);
        }
        Set<Object> severities = new HashSet<>();
        Set<Laterality> lateralities = EnumSet.noneOf(Laterality.class);
        Set<Object> zones = new HashSet<>();
        Object conflict = new Object();
        for (List<String> quals : qualifierLists) {
            Set<String> q = new HashSet<>(quals);
            Set<Severity> s = EnumSet.noneOf(Severity.class);
            for (String x : q) {
                Severity sev = severityOf(x);
                if (sev != null) {
                    s.add(sev);
                }
            }
            severities.add(s.size() == 1 ? s.iterator().next() : s.isEmpty() ? Severity.UNSPECIFIED : conflict);
            if (q.contains("bilateral") || (q.contains("left") && q.contains("right"))) {
                lateralities.add(Laterality.BILATERAL);
            } else if (q.contains("left") || q.contains("lingula")) {
                lateralities.add(Laterality.LEFT);
            } else if (q.contains("right")) {
                lateralities.add(Laterality.RIGHT);
            } else {
                lateralities.add(Laterality.UNSPECIFIED);
            }
            Set<Zone> z = zonesOf(q);
            zones.add(z.size() == 1 ? z.iterator().next() : z.isEmpty() ? Zone.UNSPECIFIED : conflict);
        }
        Severity severity = severities.size() == 1 && severities.iterator().next() instanceof Severity s ? s : null;
        Laterality laterality;
        if (lateralities.equals(EnumSet.of(Laterality.LEFT, Laterality.RIGHT))) {
            laterality = Laterality.BILATERAL;
        } else {
            laterality = lateralities.size() == 1 ? lateralities.iterator().next() : null;
        }
        Zone zone = zones.size() == 1 && zones.iterator().next() instanceof Zone z ? z : null;
        if (!ZONED.contains(f)) {
            zone = null;
        }
        if (f == CARDIOMEGALY) {
            laterality = null;
        }
        return FindingMention.present(f, severity, laterality, zone);
    }

    /**
     * The script's text check: true when some sentence or clause names the finding with neither a
     * hedge nor a negation word in it (or when the finding has no keyword to look for).
     */
    static boolean statedPlainly(Finding f, String text) {
        Pattern keyword = KEYWORDS.get(f);
        if (keyword == null) {
            return true;
        }
        for (String sentence : SENTENCE_SPLIT.split(text)) {
            for (String clause : CLAUSE_SPLIT.split(sentence)) {
                if (!clause.isBlank()
                        && keyword.matcher(clause).find()
                        && !HEDGE.matcher(clause).find()
                        && !NEGATION.matcher(clause).find()) {
                    return true;
                }
            }
        }
        return false;
    }
}
