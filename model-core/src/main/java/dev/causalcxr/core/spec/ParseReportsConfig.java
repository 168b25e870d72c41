package dev.causalcxr.core.spec;

/**
 * The {@code stages.parse-reports} block.
 *
 * @param extractor {@code rules} (offline, default) or {@code llm} (an OpenAI-compatible endpoint)
 */
public record ParseReportsConfig(String extractor) {

    static ParseReportsConfig read(ConfigNode n) {
        String extractor = n.string("extractor", "rules", "rules", "llm");
        n.rejectUnknownKeys();
        return new ParseReportsConfig(extractor);
    }
}
