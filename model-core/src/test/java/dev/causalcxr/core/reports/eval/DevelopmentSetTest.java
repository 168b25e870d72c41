package dev.causalcxr.core.reports.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.reports.batch.ReportBatchConfig;
import dev.causalcxr.core.reports.batch.ReportBatchParser;
import dev.causalcxr.core.reports.batch.ReportRow;
import dev.causalcxr.core.reports.rules.RuleBasedReportExtractor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The acceptance check of issue 4 on the hand-written development set. */
class DevelopmentSetTest {

    private static final Logger LOG = LoggerFactory.getLogger(DevelopmentSetTest.class);

    @Test
    void ruleBasedExtractorMeetsTheTargets() {
        List<ReportRow> reports = DevelopmentSet.reports();
        Map<String, List<FindingMention>> gold = DevelopmentSet.gold();
        assertTrue(reports.size() >= 150, "at least 150 reports");
        assertEquals(
                gold.keySet(), reports.stream().map(ReportRow::studyId).collect(java.util.stream.Collectors.toSet()));
        assertTrue(reports.stream().allMatch(ReportRow::ok));

        RuleBasedReportExtractor extractor = new RuleBasedReportExtractor();
        Map<String, List<FindingMention>> predicted = new LinkedHashMap<>();
        for (ReportRow r : reports) {
            predicted.put(r.studyId(), extractor.extract(r.report()));
        }
        ParserEvaluation e = ParserEvaluation.evaluate(gold, predicted);
        LOG.info("development set:\n{}", e.renderTable());

        assertTrue(e.microF1() >= 0.95, "present F1 " + e.microF1());
        assertTrue(e.absent().value() >= 0.95, "absent accuracy " + e.absent());
        assertTrue(e.uncertain().value() >= 0.95, "uncertain accuracy " + e.uncertain());
        assertTrue(e.severity().value() >= 0.90, "severity accuracy " + e.severity());
        assertTrue(e.laterality().value() >= 0.90, "laterality accuracy " + e.laterality());
    }

    @Test
    void batchPathGivesTheSameScoresThroughFiles(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("devset.csv");
        Files.copy(DevelopmentSet.openReportsCsv(), csv);
        Path gold = dir.resolve("gold.jsonl");
        Files.copy(DevelopmentSet.openGoldJsonl(), gold);
        Path pred = dir.resolve("pred.jsonl");
        new ReportBatchParser(new RuleBasedReportExtractor(), ReportBatchConfig.defaults()).parse(csv, pred);
        ParserEvaluation e = ParserEvaluation.evaluate(gold, pred);
        assertEquals(0, e.missingPredictions());
        assertTrue(e.microF1() >= 0.95);
    }
}
