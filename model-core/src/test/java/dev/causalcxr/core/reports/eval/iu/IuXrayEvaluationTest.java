package dev.causalcxr.core.reports.eval.iu;

import static dev.causalcxr.core.reports.eval.iu.IuXrayCollectionTest.GOLD_HEADER;
import static dev.causalcxr.core.reports.eval.iu.IuXrayCollectionTest.REPORTS_HEADER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Laterality;
import dev.causalcxr.core.findings.Severity;
import dev.causalcxr.core.findings.Status;
import dev.causalcxr.core.findings.Zone;
import dev.causalcxr.core.reports.ReportExtractor;
import dev.causalcxr.core.reports.eval.ParserEvaluation;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scoring on a tiny invented collection with a scripted extractor: halves, test list, golds, status mapping. */
class IuXrayEvaluationTest {

    /** Answers by report text, so each case is spelled out next to the data. */
    private static final class ScriptedExtractor implements ReportExtractor {
        private final Map<String, List<FindingMention>> answers;

        ScriptedExtractor(Map<String, List<FindingMention>> answers) {
            this.answers = answers;
        }

        @Override
        public List<FindingMention> extract(String reportText) {
            return answers.getOrDefault(reportText, List.of());
        }

        @Override
        public String name() {
            return "scripted";
        }
    }

    private static FindingMention m(Finding f, Status s, Severity sev, Laterality lat, Zone z) {
        return new FindingMention(f, s, sev, lat, z);
    }

    private static IuXrayCollection collection(Path dir) throws IOException {
        IuXrayCollectionTest.writeCollection(
                dir,
                REPORTS_HEADER
                        + "1,Pleural Effusion/left/small,x,a.png,,,Small left effusion.,\n"
                        + "2,Pulmonary Atelectasis/base/right,x,b.png,,,Right basilar atelectasis.,\n"
                        + "3,normal,normal,c.png,,,No acute disease.,\n"
                        + "4,Pulmonary Congestion;Cardiomegaly,x,d.png,,,Cardiomegaly with vascular congestion.,\n",
                GOLD_HEADER
                        + "CXR1,0,0,1,0,0,0,0,0,0,0,0,0,0,0,0\n"
                        + "CXR2,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0\n"
                        + "CXR3,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1\n"
                        + "CXR4,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0\n",
                "CXR2\nCXR3\n");
        return IuXrayCollection.load(dir);
    }

    private static ReportExtractor extractor() {
        return new ScriptedExtractor(Map.of(
                "FINDINGS: Small left effusion.",
                List.of(m(Finding.PLEURAL_EFFUSION, Status.PRESENT, Severity.MILD, Laterality.RIGHT, null)),
                "FINDINGS: Right basilar atelectasis.",
                List.of(m(Finding.ATELECTASIS, Status.UNCERTAIN, null, Laterality.RIGHT, Zone.LOWER)),
                "FINDINGS: No acute disease.",
                List.of(m(Finding.PNEUMOTHORAX, Status.ABSENT, null, null, null)),
                "FINDINGS: Cardiomegaly with vascular congestion.",
                List.of(
                        m(Finding.CARDIOMEGALY, Status.PRESENT, null, null, null),
                        m(Finding.EDEMA, Status.PRESENT, null, null, null))));
    }

    private static ParserEvaluation.FindingScore score(ParserEvaluation e, Finding f) {
        return e.perFinding().stream().filter(s -> s.finding() == f).findFirst().orElseThrow();
    }

    @Test
    void scoresNlmGoldMeshStrictAndCodedAttributesOnTheChosenHalf(@TempDir Path dir) throws IOException {
        IuXrayCollection c = collection(dir);
        IuXrayEvaluation all = IuXrayEvaluation.evaluate(
                c, extractor(), new IuXrayEvaluation.Selection(IuXrayEvaluation.Half.ALL, false));

        assertEquals(4, all.reports());
        assertEquals(9, all.nlm().perFinding().size(), "NLM: the nine shared labels only");
        assertEquals(1, score(all.nlm(), Finding.PLEURAL_EFFUSION).truePositives());
        assertEquals(1, score(all.nlm(), Finding.ATELECTASIS).falseNegatives(), "uncertain is not a positive");
        assertEquals(1, score(all.nlm(), Finding.EDEMA).falsePositives(), "NLM has no edema for congestion");
        assertEquals(1, score(all.nlm(), Finding.CARDIOMEGALY).truePositives());

        // MeSH strict: report 4 is ambiguous (congestion), the other three are strict
        assertEquals(3, all.strictReports());
        assertEquals(3, all.meshStrict().studies());
        // MeSH coded: report 4's edema is skipped, its cardiomegaly counts
        assertEquals(0, score(all.meshCoded(), Finding.EDEMA).falsePositives());
        assertEquals(1, score(all.meshCoded(), Finding.CARDIOMEGALY).truePositives());
        // attributes on correctly found positives: the effusion's severity right, its side wrong
        assertEquals(new ParserEvaluation.Accuracy(1, 1), all.meshCoded().severity());
        assertEquals(new ParserEvaluation.Accuracy(0, 1), all.meshCoded().laterality());

        String table = all.renderTable();
        assertTrue(table.contains("NLM gold standard") && table.contains("MeSH strict set"), table);
        assertFalse(table.contains("Small left effusion"), "no report text in the output");
        assertEquals("all", all.toJsonMap().get("half"));
    }

    @Test
    void halvesAndTestListSelectReportsByUid(@TempDir Path dir) throws IOException {
        IuXrayCollection c = collection(dir);
        IuXrayEvaluation odd = IuXrayEvaluation.evaluate(
                c, extractor(), new IuXrayEvaluation.Selection(IuXrayEvaluation.Half.ODD, false));
        IuXrayEvaluation even = IuXrayEvaluation.evaluate(
                c, extractor(), new IuXrayEvaluation.Selection(IuXrayEvaluation.Half.EVEN, false));
        IuXrayEvaluation evenTest = IuXrayEvaluation.evaluate(
                c, extractor(), new IuXrayEvaluation.Selection(IuXrayEvaluation.Half.EVEN, true));
        assertEquals(2, odd.reports());
        assertEquals(2, even.reports());
        assertEquals(1, evenTest.reports(), "uid 2 is even and on the test list");
        assertEquals(1.0, odd.nlm().microPrecision(), 1e-9, "odd: effusion found, nothing else claimed");
        assertTrue(IuXrayEvaluation.countsAsPositive(Status.PRESENT));
        assertFalse(IuXrayEvaluation.countsAsPositive(Status.UNCERTAIN));
        assertFalse(IuXrayEvaluation.countsAsPositive(Status.ABSENT));
    }
}
