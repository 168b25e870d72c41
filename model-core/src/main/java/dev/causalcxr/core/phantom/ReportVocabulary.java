package dev.causalcxr.core.phantom;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.Severity;
import dev.causalcxr.core.findings.Zone;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The words phantom reports use: synonyms per finding, severity words per finding, zone words and
 * hedges. Public so the report parser's tests can check coverage against exactly what the phantom
 * writes.
 */
public final class ReportVocabulary {

    private ReportVocabulary() {}

    /** Noun phrases that name a finding (first is the most common). */
    public static final Map<Finding, List<String>> SYNONYMS = Collections.unmodifiableMap(new EnumMap<>(Map.ofEntries(
            Map.entry(
                    Finding.PLEURAL_EFFUSION,
                    List.of("pleural effusion", "effusion", "pleural fluid collection", "layering pleural fluid")),
            Map.entry(
                    Finding.CARDIOMEGALY,
                    List.of("cardiomegaly", "cardiac enlargement", "enlargement of the cardiac silhouette")),
            Map.entry(Finding.PNEUMOTHORAX, List.of("pneumothorax", "PTX")),
            Map.entry(
                    Finding.CONSOLIDATION, List.of("consolidation", "airspace consolidation", "consolidative opacity")),
            Map.entry(
                    Finding.ATELECTASIS,
                    List.of("atelectasis", "plate-like atelectasis", "subsegmental atelectasis", "volume loss")),
            Map.entry(Finding.EDEMA, List.of("pulmonary edema", "interstitial edema", "edema")),
            Map.entry(Finding.NODULE, List.of("nodule", "pulmonary nodule", "nodular opacity")),
            Map.entry(Finding.MASS, List.of("mass", "masslike opacity", "pulmonary mass")),
            Map.entry(Finding.FRACTURE, List.of("rib fracture", "fracture")),
            Map.entry(Finding.SUPPORT_DEVICES, List.of("support devices", "lines and tubes")),
            Map.entry(Finding.PNEUMONIA, List.of("pneumonia")))));

    /** Severity words per finding and severity; a report that names none leaves severity unspecified. */
    public static final Map<Finding, Map<Severity, List<String>>> SEVERITY_WORDS =
            Collections.unmodifiableMap(new EnumMap<>(Map.of(
                    Finding.PLEURAL_EFFUSION,
                            sev(List.of("small", "mild"), List.of("moderate", "moderate-sized"), List.of("large")),
                    Finding.PNEUMOTHORAX, sev(List.of("small", "tiny"), List.of("moderate"), List.of("large")),
                    Finding.CARDIOMEGALY, sev(List.of("mild"), List.of("moderate"), List.of("severe", "marked")),
                    Finding.CONSOLIDATION,
                            sev(List.of("mild", "minimal"), List.of("moderate"), List.of("extensive", "severe")),
                    Finding.ATELECTASIS,
                            sev(List.of("minimal", "mild"), List.of("moderate"), List.of("extensive", "severe")),
                    Finding.EDEMA, sev(List.of("mild"), List.of("moderate"), List.of("severe")),
                    Finding.NODULE, sev(List.of("small", "tiny"), List.of("moderate-sized"), List.of("large")),
                    Finding.MASS, sev(List.of("small"), List.of("moderate-sized"), List.of("large")),
                    Finding.FRACTURE,
                            sev(List.of("nondisplaced"), List.of("minimally displaced"), List.of("displaced")))));

    /** Adjectival zone words ("right lower lobe consolidation"). */
    public static final Map<Zone, List<String>> ZONE_ADJECTIVES = Collections.unmodifiableMap(new EnumMap<>(Map.of(
            Zone.UPPER, List.of("upper lobe", "upper zone", "apical"),
            Zone.MIDDLE, List.of("mid lung", "middle zone"),
            Zone.LOWER, List.of("lower lobe", "lower zone", "basilar"))));

    /** Zone nouns ("in the right lung base"). */
    public static final Map<Zone, List<String>> ZONE_NOUNS = Collections.unmodifiableMap(new EnumMap<>(Map.of(
            Zone.UPPER, List.of("upper lobe", "upper zone", "lung apex"),
            Zone.MIDDLE, List.of("mid lung", "middle zone"),
            Zone.LOWER, List.of("lung base", "lower lobe", "lower zone"))));

    /** Zone words for ribs ("left lower rib fracture"). */
    public static final Map<Zone, String> RIB_ZONES = Collections.unmodifiableMap(
            new EnumMap<>(Map.of(Zone.UPPER, "upper", Zone.MIDDLE, "mid", Zone.LOWER, "lower")));

    /** Uncertainty hedges; {@code %s} is the finding phrase. */
    public static final List<String> HEDGES = List.of(
            "Possible %s.",
            "%S cannot be excluded.",
            "Findings may represent %s.",
            "Questionable %s.",
            "Cannot rule out %s.",
            "Suspicious for %s.");

    /** Sentences about a device; they name no side, so the mention's laterality stays unspecified. */
    public static final List<String> DEVICE_SENTENCES = List.of(
            "An endotracheal tube terminates above the carina.",
            "A central venous catheter terminates in the superior vena cava.",
            "Support devices are in standard position.",
            "Lines and tubes are unchanged in position.",
            "An enteric tube courses below the diaphragm.");

    private static Map<Severity, List<String>> sev(List<String> mild, List<String> moderate, List<String> severe) {
        return Collections.unmodifiableMap(
                new EnumMap<>(Map.of(Severity.MILD, mild, Severity.MODERATE, moderate, Severity.SEVERE, severe)));
    }
}
