package dev.causalcxr.core.labels;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.causalcxr.core.dataset.DatasetEntry;
import dev.causalcxr.core.dataset.DatasetManifest;
import dev.causalcxr.core.dataset.PhantomGroundTruth;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The finding labels of a data set's studies from one {@link LabelSource}, keyed by the dataset
 * manifest's study ids: per study its present findings, with severity, laterality and zone where the
 * source knows them. "No Finding" is left out (a study without a present finding has an empty list)
 * and uncertain or absent findings are not labels. A study the source has no answer for (a report
 * that could not be parsed, a row without label columns) is unlabelled: it is not in the map.
 *
 * <p>Stored as JSON ({@code {"format": 1, "source": "reports", "studies": {"s1": [...]}}}, mentions in
 * the findings-JSONL shape); the file lives in the object store like the manifest, never in logs.
 *
 * @param source  where the labels come from
 * @param studies study id → present findings, one per finding, in {@link Finding} order
 */
public record StudyLabels(LabelSource source, Map<String, List<FindingMention>> studies) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FORMAT = 1;

    public StudyLabels {
        if (source == null) {
            throw new IllegalArgumentException("a label set needs its source");
        }
        Map<String, List<FindingMention>> copy = new TreeMap<>();
        studies.forEach((id, mentions) -> copy.put(id, present(mentions)));
        studies = Collections.unmodifiableMap(copy);
    }

    /**
     * The labels of a list of mentions: present findings other than "No Finding", the first mention
     * of each finding, in {@link Finding} order.
     */
    public static List<FindingMention> present(Collection<FindingMention> mentions) {
        Map<Finding, FindingMention> byFinding = new EnumMap<>(Finding.class);
        for (FindingMention m : mentions) {
            if (m.status() == Status.PRESENT && m.finding() != Finding.NO_FINDING) {
                byFinding.putIfAbsent(m.finding(), m);
            }
        }
        return List.copyOf(byFinding.values());
    }

    /**
     * The report parser's labels.
     *
     * @param parsed study id → the extractor's report-level findings, or null where the row was not parsed
     */
    public static StudyLabels fromReports(Map<String, List<FindingMention>> parsed) {
        Map<String, List<FindingMention>> out = new TreeMap<>();
        parsed.forEach((id, mentions) -> {
            if (mentions != null) {
                out.put(id, mentions);
            }
        });
        return new StudyLabels(LabelSource.REPORTS, out);
    }

    /** The label columns of the manifest; entries without any label column are unlabelled. */
    public static StudyLabels fromManifest(DatasetManifest manifest) {
        Map<String, List<FindingMention>> out = new TreeMap<>();
        for (DatasetEntry e : manifest.entries()) {
            if (e.labels().isEmpty()) {
                continue;
            }
            List<FindingMention> mentions = new ArrayList<>();
            e.findingLabels().forEach((f, status) -> mentions.add(new FindingMention(f, status, null, null, null)));
            // several images of one study carry the same study-level labels; the first entry wins
            out.putIfAbsent(e.studyId(), mentions);
        }
        return new StudyLabels(LabelSource.DATASET, out);
    }

    /** The phantom's rendered findings: what is in each image, with its severity and location. */
    public static StudyLabels fromTruth(PhantomGroundTruth truth) {
        Map<String, List<FindingMention>> out = new TreeMap<>();
        truth.studies().forEach(t -> out.put(t.studyId(), t.findingMentions()));
        return new StudyLabels(LabelSource.TRUTH, out);
    }

    /** The study's labels; an unlabelled study has none. */
    public List<FindingMention> findings(String studyId) {
        return studies.getOrDefault(studyId, List.of());
    }

    public boolean labelled(String studyId) {
        return studies.containsKey(studyId);
    }

    /** How many of the given studies have each finding present. */
    public Map<Finding, Integer> presentCounts(Collection<String> studyIds) {
        Map<Finding, Integer> counts = new EnumMap<>(Finding.class);
        for (String id : studyIds) {
            findings(id).forEach(m -> counts.merge(m.finding(), 1, Integer::sum));
        }
        return counts;
    }

    /** Findings present in fewer than {@code maxFrequency} of the given studies (but in at least one). */
    public List<Finding> rareFindings(Collection<String> studyIds, double maxFrequency) {
        if (studyIds.isEmpty()) {
            return List.of();
        }
        return presentCounts(studyIds).entrySet().stream()
                .filter(e -> e.getValue() > 0 && e.getValue() / (double) studyIds.size() < maxFrequency)
                .map(Map.Entry::getKey)
                .toList();
    }

    public void write(Path file) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("source", source.label());
        ObjectNode byStudy = root.putObject("studies");
        studies.forEach((id, mentions) -> {
            ArrayNode list = byStudy.putArray(id);
            mentions.forEach(m -> list.add(JSON.valueToTree(m.toJsonMap())));
        });
        JSON.writeValue(file.toFile(), root);
    }

    public static StudyLabels read(Path file) throws IOException {
        JsonNode root = JSON.readTree(Files.readString(file));
        if (root.path("format").asInt() != FORMAT) {
            throw new IOException(file.getFileName() + " is not a study-labels file of format " + FORMAT);
        }
        LabelSource source = LabelSource.fromLabel(root.path("source").asText(null))
                .orElseThrow(() -> new IOException(file.getFileName() + ": unknown label source"));
        Map<String, List<FindingMention>> studies = new TreeMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = root.path("studies").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            List<FindingMention> mentions = new ArrayList<>();
            for (JsonNode m : e.getValue()) {
                mentions.add(FindingMention.fromJsonMap(JSON.convertValue(m, Map.class)));
            }
            studies.put(e.getKey(), mentions);
        }
        return new StudyLabels(source, studies);
    }
}
