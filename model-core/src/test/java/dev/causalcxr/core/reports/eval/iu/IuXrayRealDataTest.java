package dev.causalcxr.core.reports.eval.iu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.causalcxr.core.reports.eval.ParserEvaluation;
import dev.causalcxr.core.reports.rules.LabelConvention;
import dev.causalcxr.core.reports.rules.RuleBasedReportExtractor;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The IU / OpenI acceptance numbers on the real reports, where a checkout has them (the data is never
 * copied into this repository): {@code ../shared/data/iu-xray} next to the checkout, or the folder named
 * by {@code -Dcausalcxr.iu-xray=DIR} or {@code CAUSALCXR_IU_XRAY}. Skipped, with a message, elsewhere.
 */
class IuXrayRealDataTest {

    private static IuXrayCollection collection;

    @BeforeAll
    static void load() {
        Path dir = Stream.of(
                        System.getProperty("causalcxr.iu-xray"),
                        System.getenv("CAUSALCXR_IU_XRAY"),
                        "../../shared/data/iu-xray",
                        "../shared/data/iu-xray")
                .filter(s -> s != null && !s.isBlank())
                .map(Path::of)
                .filter(IuXrayCollection::isPresent)
                .findFirst()
                .orElse(null);
        assumeTrue(
                dir != null,
                "IU / OpenI data not found (../shared/data/iu-xray, -Dcausalcxr.iu-xray or "
                        + "CAUSALCXR_IU_XRAY): real-report checks skipped");
        collection = IuXrayCollection.load(dir);
    }

    private static IuXrayEvaluation evaluate(LabelConvention convention, IuXrayEvaluation.Half half) {
        return IuXrayEvaluation.evaluate(
                collection, new RuleBasedReportExtractor(convention), new IuXrayEvaluation.Selection(half, false));
    }

    @Test
    void loaderAndMeshMappingGiveTheScriptsSets() {
        assertEquals(3851, collection.rowsRead());
        assertEquals(3734, collection.reports().size(), "indexed reports with findings or impression");
        assertEquals(
                1977,
                collection.reports().stream()
                        .filter(r -> IuMeshMapping.labels(r).strict())
                        .count(),
                "iu_to_findings.py's strict file");
    }

    @Test
    void meshReadingMeetsEveryTargetOnAllReports() {
        IuXrayEvaluation all = evaluate(LabelConvention.MESH, IuXrayEvaluation.Half.ALL);
        assertTrue(all.nlm().microF1() >= 0.95, "NLM micro F1 " + all.nlm().microF1());
        assertTrue(all.nlm().macroF1() >= 0.90, "NLM macro F1 " + all.nlm().macroF1());
        assertTrue(
                all.meshStrict().microF1() >= 0.95,
                "MeSH strict micro F1 " + all.meshStrict().microF1());
        assertTrue(
                all.meshStrict().macroF1() >= 0.90,
                "MeSH strict macro F1 " + all.meshStrict().macroF1());
        for (ParserEvaluation.FindingScore label : all.nlm().perFinding()) {
            if (label.support() >= 10) {
                assertTrue(
                        label.precision() >= 0.93,
                        "NLM precision of " + label.finding().label() + " " + label.precision());
            }
        }
    }

    @Test
    void defaultReadingKeepsItsGainOverTheStartingPoint() {
        // the starting point (issue 15): NLM micro F1 0.765, macro 0.655 with the default extractor
        IuXrayEvaluation all = evaluate(LabelConvention.CHEXPERT, IuXrayEvaluation.Half.ALL);
        assertTrue(all.nlm().microF1() >= 0.85, "NLM micro F1 " + all.nlm().microF1());
        assertTrue(all.nlm().macroF1() >= 0.80, "NLM macro F1 " + all.nlm().macroF1());
    }
}
