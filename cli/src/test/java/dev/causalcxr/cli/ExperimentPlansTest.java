package dev.causalcxr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.core.reports.ExtractorVersions;
import dev.causalcxr.core.spec.ExperimentSpec;
import dev.causalcxr.core.spec.ParseReportsConfig;
import dev.causalcxr.core.spec.StageName;
import dev.causalcxr.workflows.experiment.ExperimentPlan;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ExperimentPlansTest {

    @Test
    void everyStageThatNeedsLabelsReadsParseReportsSoItsDigestIsInTheirCacheKeys() {
        ExperimentPlan plan = ExperimentPlans.fromSpec(ExperimentSpec.parseYaml("name: x\n"), "r", Set.of(), false);
        Map<String, List<String>> inputs = plan.stages().stream()
                .collect(Collectors.toMap(
                        p -> p.stage().label(),
                        p -> p.inputStages().stream().map(StageName::label).toList()));
        assertEquals(List.of("ingest"), inputs.get("parse-reports"));
        assertEquals(List.of("ingest", "parse-reports"), inputs.get("train-disentangler"));
        assertEquals(
                List.of("ingest", "parse-reports", "train-disentangler", "train-diffusion", "optimize-tail-noise"),
                inputs.get("generate-counterfactuals"));
        assertEquals(List.of("ingest", "parse-reports", "generate-counterfactuals"), inputs.get("evaluate"));
        // the diffusion conditions and the tail classes come from the codes, which carry the labels
        assertEquals(List.of("train-disentangler"), inputs.get("train-diffusion"));
    }

    @Test
    void aPlanIsWrittenWithStageLabelsSoRecordedHistoriesReadBack() throws Exception {
        ExperimentPlan plan = ExperimentPlans.fromSpec(
                ExperimentSpec.parseYaml("name: x\nrun: [parse-reports]\n"),
                "r",
                Set.of(StageName.PARSE_REPORTS),
                false);
        ObjectMapper json = new ObjectMapper();
        String text = json.writeValueAsString(plan.stages().get(1));
        assertTrue(text.contains("\"stage\":\"parse-reports\"") && text.contains("\"inputStages\":[\"ingest\"]"), text);
        assertEquals(plan.stages().get(1), json.readValue(text, ExperimentPlan.StagePlan.class));
        assertTrue(plan.stages().get(1).force() && !plan.stages().get(0).force(), "--force names the stage it forces");
    }

    @Test
    void theParseReportsStageIsPlannedWithItsExtractorVersionAndTheLabelSource() throws Exception {
        ExperimentSpec spec = ExperimentSpec.parseYaml("name: x\nstages: {parse-reports: {labels: truth}}\n");
        ExperimentPlan.StagePlan parse =
                ExperimentPlans.fromSpec(spec, "r", Set.of(), false).stages().get(1);
        ParseReportsConfig cfg = new ObjectMapper().readValue(parse.configJson(), ParseReportsConfig.class);
        assertEquals(new ParseReportsConfig("rules", "truth", ExtractorVersions.rules(), 0.05), cfg);
        assertTrue(!spec.canonicalJson().contains("extractorVersion"), "the version is the plan's, not the spec's");
    }
}
