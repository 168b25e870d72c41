package dev.causalcxr.core.phantom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Status;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PhantomCohortTest {

    private static final PhantomGenerator COHORT =
            new PhantomGenerator(PhantomSpec.defaults().withStudies(4000));

    @Test
    void classHistogramHasALongTail() {
        Map<Finding, Integer> h = COHORT.classHistogram();
        int head = Collections.max(h.values());
        int rarest = Collections.min(h.values());
        assertEquals(PhantomSpec.defaultFrequencies().keySet(), h.keySet(), "every class occurs");
        assertEquals(h.get(Finding.PLEURAL_EFFUSION), head);
        assertTrue(head > 0.45 * 4000 && head < 0.55 * 4000, "head around half the studies: " + head);
        assertTrue(head >= 20 * rarest, "head " + head + " should be >= 20x the rarest " + rarest);
        assertTrue(rarest >= 0.005 * 4000 && rarest <= 0.02 * 4000, "tail around 1%: " + rarest);
    }

    @Test
    void patientsHaveSeveralStudiesWithChangingPathology() {
        Map<Integer, List<PhantomStudy>> byPatient =
                COHORT.studies().stream().collect(Collectors.groupingBy(PhantomStudy::patientIndex));
        int changed = 0;
        int pairs = 0;
        for (List<PhantomStudy> visits : byPatient.values()) {
            assertTrue(visits.size() >= 1 && visits.size() <= 4);
            Set<Long> seeds = visits.stream().map(PhantomStudy::identitySeed).collect(Collectors.toSet());
            assertEquals(1, seeds.size(), "one identity per patient");
            for (int i = 1; i < visits.size(); i++) {
                pairs++;
                if (!visits.get(i).findings().equals(visits.get(i - 1).findings())) {
                    changed++;
                }
                assertNotEquals(
                        visits.get(i).acquisitionSeed(), visits.get(i - 1).acquisitionSeed());
            }
        }
        assertTrue(byPatient.size() < 4000 / 2 + 1, "at least two studies per patient on average");
        assertTrue(changed > 0.95 * pairs, "follow-ups should differ: " + changed + "/" + pairs);
    }

    @Test
    void reportsStateTheRenderedFindingsAndNothingFalse() {
        int uncertain = 0;
        int negated = 0;
        for (PhantomStudy s : COHORT.studies().subList(0, 800)) {
            String text = s.report().text();
            assertTrue(text.contains("FINDINGS:") && text.contains("IMPRESSION:"), "sections");
            Map<Finding, FindingMention> gt = new HashMap<>();
            for (FindingMention m : s.report().mentions()) {
                assertFalse(gt.containsKey(m.finding()), "one mention per finding");
                gt.put(m.finding(), m);
            }
            for (FindingMention f : s.findings()) {
                FindingMention m = gt.get(f.finding());
                assertTrue(m != null && m.status() != Status.ABSENT, "rendered " + f + " must be reported");
                if (m.status() == Status.UNCERTAIN) {
                    uncertain++;
                }
                assertTrue(m.severity() == f.severity()
                        || m.severity() == dev.causalcxr.core.findings.Severity.UNSPECIFIED);
                assertTrue(m.laterality() == f.laterality()
                        || m.laterality() == dev.causalcxr.core.findings.Laterality.UNSPECIFIED);
                assertTrue(m.zone() == f.zone() || m.zone() == dev.causalcxr.core.findings.Zone.UNSPECIFIED);
            }
            for (FindingMention m : s.report().mentions()) {
                if (m.status() == Status.ABSENT) {
                    negated++;
                    assertFalse(s.has(m.finding()), "negated " + m.finding() + " but it is rendered");
                }
                if (m.finding() == Finding.NO_FINDING) {
                    assertTrue(s.findings().stream().allMatch(f -> f.finding() == Finding.SUPPORT_DEVICES));
                } else if (m.status() != Status.ABSENT) {
                    assertTrue(s.has(m.finding()), "reported " + m + " but not rendered");
                }
            }
        }
        assertTrue(uncertain > 20, "hedged findings expected: " + uncertain);
        assertTrue(negated > 400, "negations expected: " + negated);
    }

    @Test
    void reportsUseVariedPhrasing() {
        Set<String> effusionWords = COHORT.studies().stream()
                .limit(400)
                .filter(s -> s.has(Finding.PLEURAL_EFFUSION))
                .map(s -> s.report().text())
                .flatMap(t -> ReportVocabulary.SYNONYMS.get(Finding.PLEURAL_EFFUSION).stream()
                        .filter(t::contains))
                .collect(Collectors.toSet());
        assertTrue(effusionWords.size() >= 3, "synonyms used: " + effusionWords);
        long comparisons = COHORT.studies().stream()
                .limit(400)
                .filter(s -> s.visit() > 0)
                .filter(s -> s.report().text().contains("prior"))
                .count();
        assertTrue(comparisons > 100, "follow-up reports compare with the prior: " + comparisons);
    }

    @Test
    void specFileFormFillsDefaultsAndAcceptsFindingLabels() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper yaml = new com.fasterxml.jackson.databind.ObjectMapper(
                new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
        PhantomSpec spec = yaml.readValue("""
                studies: 100
                seed: 7
                classFrequencies:
                  Pleural Effusion: 0.5
                  fracture: 0.01
                  SUPPORT_DEVICES: 0.2
                """, PhantomSpec.class);
        assertEquals(100, spec.studies());
        assertEquals(7, spec.seed());
        assertEquals(PhantomSpec.defaults().size(), spec.size());
        assertEquals(0.01, spec.classFrequencies().get(Finding.FRACTURE));
        assertEquals(3, spec.classFrequencies().size());
        assertTrue(spec.problems().isEmpty(), spec.problems().toString());
        assertEquals(spec, yaml.readValue(yaml.writeValueAsString(spec), PhantomSpec.class));
    }

    @Test
    void specValidationReportsEveryProblemWithItsFieldPath() {
        Map<Finding, Double> freq = new HashMap<>(PhantomSpec.defaultFrequencies());
        freq.put(Finding.PNEUMONIA, 0.1);
        freq.put(Finding.MASS, 1.5);
        PhantomSpec bad = new PhantomSpec(0, 3, 2, 32, 1, freq, new PhantomSpec.SeverityMix(-1, 0, 0), 2);
        List<String> p = bad.problems();
        for (String field : List.of(
                "studies:",
                "maxStudiesPerPatient:",
                "size:",
                "classFrequencies.Pneumonia:",
                "classFrequencies.Mass:",
                "severityMix.mild:",
                "uncertaintyRate:")) {
            assertTrue(p.stream().anyMatch(x -> x.startsWith(field)), "missing problem for " + field + " in " + p);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PhantomGenerator(bad));
        assertTrue(e.getMessage().contains("studies:") && e.getMessage().contains("size:"));
        assertTrue(PhantomSpec.defaults().problems().isEmpty());
    }
}
