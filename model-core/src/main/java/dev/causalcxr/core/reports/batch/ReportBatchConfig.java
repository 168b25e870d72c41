package dev.causalcxr.core.reports.batch;

/**
 * Settings of batch report parsing.
 *
 * @param maxReportChars longest report accepted; longer rows become row errors (default 100,000)
 * @param chunkSize      rows handed to the extractor at once (lets the LLM extractor work
 *                       concurrently while memory stays bounded)
 */
public record ReportBatchConfig(int maxReportChars, int chunkSize) {

    public static final int DEFAULT_MAX_REPORT_CHARS = 100_000;

    public ReportBatchConfig {
        if (maxReportChars < 1) {
            throw new IllegalArgumentException("maxReportChars must be positive");
        }
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunkSize must be positive");
        }
    }

    public static ReportBatchConfig defaults() {
        return new ReportBatchConfig(DEFAULT_MAX_REPORT_CHARS, 256);
    }
}
