package dev.causalcxr.core.reports;

import dev.causalcxr.core.reports.llm.LlmExtractorConfig;
import dev.causalcxr.core.reports.llm.LlmReportExtractor;
import dev.causalcxr.core.reports.rules.LabelConvention;
import dev.causalcxr.core.reports.rules.RuleBasedReportExtractor;
import java.util.Locale;
import java.util.Map;

/**
 * Picks an extractor by the name the CLI and the spec use: {@code rules} (default), {@code rules-mesh}
 * (the rule-based extractor reading phrases as MeSH indexing does, see
 * {@link dev.causalcxr.core.reports.rules.LabelConvention#MESH}) or {@code llm}.
 */
public final class ReportExtractors {

    public static final String RULES = "rules";
    public static final String RULES_MESH = "rules-mesh";
    public static final String LLM = "llm";

    private ReportExtractors() {}

    /** {@code llm} is configured from the {@code CAUSALCXR_LLM_*} environment variables. Close the result. */
    public static ReportExtractor byName(String name) {
        return byName(name, System.getenv());
    }

    public static ReportExtractor byName(String name, Map<String, String> env) {
        String n = name == null || name.isBlank() ? RULES : name.trim().toLowerCase(Locale.ROOT);
        return switch (n) {
            case RULES -> new RuleBasedReportExtractor();
            case RULES_MESH -> new RuleBasedReportExtractor(LabelConvention.MESH);
            case LLM -> new LlmReportExtractor(LlmExtractorConfig.fromEnvironment(env));
            default ->
                throw new ReportTextException("unknown report extractor '" + name + "' (use rules, rules-mesh or llm)");
        };
    }
}
