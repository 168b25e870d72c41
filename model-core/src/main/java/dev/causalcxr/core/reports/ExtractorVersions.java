package dev.causalcxr.core.reports;

import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.phantom.PhantomGenerator;
import dev.causalcxr.core.phantom.PhantomSpec;
import dev.causalcxr.core.phantom.PhantomStudy;
import dev.causalcxr.core.reports.batch.ReportRow;
import dev.causalcxr.core.reports.eval.DevelopmentSet;
import dev.causalcxr.core.reports.llm.LlmExtractorConfig;
import dev.causalcxr.core.reports.rules.RuleBasedReportExtractor;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The version of a report extractor, as the cache keys of {@code parse-reports} (and through its
 * output, of every stage trained on its labels) see it.
 *
 * <p>The rule-based extractor's version is a fingerprint of what it answers: the SHA-256 of its
 * findings on the development set and on {@value #PHANTOM_PROBE_REPORTS} phantom reports of a fixed seed
 * (the phrasings the pipeline's default data uses). An edit of the rules that changes any of those
 * answers is a new version without anyone bumping a number; an edit that changes none of them keeps
 * the version (and the cached labels). The LLM extractor's version is its model name and the version
 * of the rule-based extractor it falls back to.
 */
public final class ExtractorVersions {

    static final int PHANTOM_PROBE_REPORTS = 400;
    private static final long PHANTOM_PROBE_SEED = 20_261_203L;
    private static volatile String rules;

    private ExtractorVersions() {}

    /** The version of the named extractor ({@code rules} or {@code llm}), the LLM one configured from {@code env}. */
    public static String of(String extractor, Map<String, String> env) {
        String name = extractor == null || extractor.isBlank()
                ? ReportExtractors.RULES
                : extractor.trim().toLowerCase(Locale.ROOT);
        return switch (name) {
            case ReportExtractors.RULES -> rules();
            case ReportExtractors.LLM -> {
                String model = env.get(LlmExtractorConfig.ENV_MODEL);
                yield "llm:"
                        + (model == null || model.isBlank()
                                ? "(" + LlmExtractorConfig.ENV_MODEL + " unset)"
                                : model.trim())
                        + "+" + rules();
            }
            default -> throw new ReportTextException("unknown report extractor '" + extractor + "' (use rules or llm)");
        };
    }

    /** {@code rules:<12 hex digits>}, computed once per process (a few hundred reports, milliseconds). */
    public static String rules() {
        String v = rules;
        if (v == null) {
            v = "rules:" + fingerprint(new RuleBasedReportExtractor());
            rules = v;
        }
        return v;
    }

    static String fingerprint(ReportExtractor extractor) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (ReportRow row : DevelopmentSet.reports()) {
            digest(md, extractor.extract(row.report()));
        }
        PhantomSpec probe =
                PhantomSpec.defaults().withStudies(PHANTOM_PROBE_REPORTS).withSeed(PHANTOM_PROBE_SEED);
        for (PhantomStudy s : new PhantomGenerator(probe).studies()) {
            digest(md, extractor.extract(s.report().text()));
        }
        return HexFormat.of().formatHex(md.digest()).substring(0, 12);
    }

    private static void digest(MessageDigest md, List<FindingMention> findings) {
        for (FindingMention m : findings) {
            md.update(m.toJsonMap().toString().getBytes(StandardCharsets.UTF_8));
        }
        md.update((byte) '\n');
    }
}
