package dev.causalcxr.cli;

import dev.causalcxr.activities.TaskQueues;
import dev.causalcxr.core.reports.ExtractorVersions;
import dev.causalcxr.core.spec.CodeVersion;
import dev.causalcxr.core.spec.ExperimentSpec;
import dev.causalcxr.core.spec.ParseReportsConfig;
import dev.causalcxr.core.spec.StageName;
import dev.causalcxr.workflows.experiment.ExperimentPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Turns a validated spec into the workflow's plan: the client's job, outside the workflow (which sees only the plan). */
public final class ExperimentPlans {
    private ExperimentPlans() {}

    /** The tracking experiment a spec's runs are grouped under. */
    public static String experimentName(ExperimentSpec spec) {
        return "causalcxr/" + spec.name();
    }

    /**
     * @param force   stages to run even when cached ({@code --force STAGE})
     * @param noCache run every stage ({@code --no-cache})
     */
    public static ExperimentPlan fromSpec(ExperimentSpec spec, String runId, Set<StageName> force, boolean noCache) {
        List<ExperimentPlan.StagePlan> stages = new ArrayList<>();
        for (StageName s : spec.stageOrder()) {
            stages.add(new ExperimentPlan.StagePlan(
                    s,
                    TaskQueues.forStage(s),
                    configJson(spec, s),
                    spec.stageSeed(s),
                    inputsOf(s, spec),
                    noCache || force.contains(s)));
        }
        return new ExperimentPlan(
                runId,
                experimentName(spec),
                spec.name(),
                spec.digest(),
                spec.canonicalJson(),
                CodeVersion.current(),
                spec.seed(),
                spec.profile().label(),
                stages);
    }

    /**
     * A stage's config as its activity (and its cache key) sees it: the spec's block, and for
     * {@code parse-reports} the version of its extractor, so that a changed extractor parses again and
     * every stage trained on its labels runs again.
     */
    static String configJson(ExperimentSpec spec, StageName stage) {
        if (stage == StageName.PARSE_REPORTS) {
            ParseReportsConfig cfg = (ParseReportsConfig) spec.stageConfig(stage);
            return ExperimentSpec.canonicalJson(
                    cfg.withExtractorVersion(ExtractorVersions.of(cfg.extractor(), System.getenv())));
        }
        return spec.stageConfigJson(stage);
    }

    /**
     * Which earlier stages' outputs a stage reads: those of {@link StageName#reads} that the spec runs (the
     * one dependency graph, in model-core; the spec has checked that every stage it {@link StageName#needs}
     * runs).
     */
    static List<StageName> inputsOf(StageName stage, ExperimentSpec spec) {
        List<StageName> order = spec.stageOrder();
        return stage.reads().stream().filter(order::contains).toList();
    }
}
