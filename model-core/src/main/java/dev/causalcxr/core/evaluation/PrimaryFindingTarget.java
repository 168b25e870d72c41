package dev.causalcxr.core.evaluation;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Status;
import dev.causalcxr.core.labels.StudyLabels;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The classification target of the downstream classifier and of per-class fidelity: a multi-label
 * finding set becomes one class, the <em>primary finding</em>.
 *
 * <ul>
 *   <li>Classes are {@link Finding#NO_FINDING} (index 0) followed by the findings that are present at
 *       least {@code minimumTrainCount} times in the training split, in vocabulary order.</li>
 *   <li>A study's class is its present finding with the highest priority; priority is fixed once, from
 *       the training split: the rarest finding first (ties by vocabulary order). So a study with a
 *       pleural effusion and a pneumothorax is a pneumothorax study: the tail is never hidden behind
 *       the head.</li>
 *   <li>Only {@link Status#PRESENT} counts; uncertain and absent do not. Findings outside the class
 *       list (too rare in training, or "No Finding" itself) are ignored; a study with no remaining
 *       present finding is "No Finding".</li>
 *   <li>A counterfactual's condition (its set of present findings) maps the same way, so real and
 *       augmented samples share one target.</li>
 * </ul>
 *
 * @param classes  class index → finding; index 0 is always {@link Finding#NO_FINDING}
 * @param priority the findings of {@code classes} except "No Finding", highest priority (rarest) first
 */
public record PrimaryFindingTarget(List<Finding> classes, List<Finding> priority) {

    public PrimaryFindingTarget {
        classes = List.copyOf(classes);
        priority = List.copyOf(priority);
        if (classes.isEmpty() || classes.get(0) != Finding.NO_FINDING) {
            throw new IllegalArgumentException("class 0 must be No Finding: " + classes);
        }
        if (EnumSet.copyOf(classes).size() != classes.size()) {
            throw new IllegalArgumentException("duplicate classes: " + classes);
        }
        if (priority.size() != classes.size() - 1
                || !classes.subList(1, classes.size()).containsAll(priority)) {
            throw new IllegalArgumentException("priority must order exactly the finding classes: " + priority);
        }
    }

    /**
     * Derives the classes and their priority from the labels of the training studies.
     *
     * @param trainingStudyIds  one id per training image (a study with two images counts twice)
     * @param minimumTrainCount fewest present training studies a finding needs to become a class (≥ 1)
     */
    public static PrimaryFindingTarget fromTraining(
            StudyLabels labels, Collection<String> trainingStudyIds, int minimumTrainCount) {
        if (minimumTrainCount < 1) {
            throw new IllegalArgumentException("minimumTrainCount must be at least 1");
        }
        return fromCounts(labels.presentCounts(trainingStudyIds), minimumTrainCount);
    }

    /** As {@link #fromTraining}, from per-finding present counts. */
    public static PrimaryFindingTarget fromCounts(Map<Finding, Integer> presentCounts, int minimumTrainCount) {
        List<Finding> findings = new ArrayList<>();
        for (Finding f : Finding.values()) {
            if (f != Finding.NO_FINDING && presentCounts.getOrDefault(f, 0) >= minimumTrainCount) {
                findings.add(f);
            }
        }
        List<Finding> classes = new ArrayList<>();
        classes.add(Finding.NO_FINDING);
        classes.addAll(findings);
        List<Finding> priority = new ArrayList<>(findings);
        // rarest first; the sort is stable, so equal counts keep vocabulary order
        priority.sort(Comparator.comparingInt(f -> presentCounts.getOrDefault(f, 0)));
        return new PrimaryFindingTarget(classes, priority);
    }

    /** Rebuilds a target from stored labels (class order and priority order). */
    public static PrimaryFindingTarget fromLabels(List<String> classLabels, List<String> priorityLabels) {
        return new PrimaryFindingTarget(
                classLabels.stream().map(PrimaryFindingTarget::parse).toList(),
                priorityLabels.stream().map(PrimaryFindingTarget::parse).toList());
    }

    private static Finding parse(String label) {
        return Finding.fromLabel(label).orElseThrow(() -> new IllegalArgumentException("unknown finding: " + label));
    }

    public int classCount() {
        return classes.size();
    }

    /** The class of a study from its labels. */
    public int classOf(StudyLabels labels, String studyId) {
        return classOfPresent(
                labels.findings(studyId).stream().map(FindingMention::finding).toList());
    }

    /** The class of a finding → status map. */
    public int classOf(Map<Finding, Status> labels) {
        Set<Finding> present = EnumSet.noneOf(Finding.class);
        labels.forEach((finding, status) -> {
            if (status == Status.PRESENT) {
                present.add(finding);
            }
        });
        return classOfPresent(present);
    }

    /** The class of a set of present findings, e.g. a counterfactual's condition. */
    public int classOfPresent(Collection<Finding> presentFindings) {
        for (Finding f : priority) {
            if (presentFindings.contains(f)) {
                return classes.indexOf(f);
            }
        }
        return 0;
    }

    /** The class index of a finding; fails for a finding that is not a class. */
    public int indexOf(Finding finding) {
        int index = classes.indexOf(finding);
        if (index < 0) {
            throw new IllegalArgumentException(finding + " is not one of the classes " + classLabels());
        }
        return index;
    }

    public List<String> classLabels() {
        return classes.stream().map(Finding::label).toList();
    }

    public List<String> priorityLabels() {
        return priority.stream().map(Finding::label).toList();
    }

    /** Metric-name keys of the classes, e.g. {@code pleural_effusion}. */
    public List<String> classKeys() {
        return classes.stream().map(Finding::key).toList();
    }

    /** Class indices of the given findings that are classes (others are skipped). */
    public Set<Integer> indicesOf(Collection<Finding> findings) {
        Set<Integer> out = new java.util.TreeSet<>();
        for (Finding f : findings) {
            int index = classes.indexOf(f);
            if (index >= 0) {
                out.add(index);
            }
        }
        return out;
    }
}
