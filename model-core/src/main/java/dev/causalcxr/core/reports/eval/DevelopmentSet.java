package dev.causalcxr.core.reports.eval;

import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.reports.batch.FindingsJsonl;
import dev.causalcxr.core.reports.batch.ReportBatchConfig;
import dev.causalcxr.core.reports.batch.ReportCsvReader;
import dev.causalcxr.core.reports.batch.ReportRow;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The hand-written development set of the report parser, shipped as resources: 212 chest X-ray
 * reports in varied styles ({@code devset-reports.csv}) with gold report-level labels
 * ({@code devset-gold.jsonl}). See {@code devset/README.md} next to them for the labelling rules.
 */
public final class DevelopmentSet {

    public static final String REPORTS_RESOURCE = "/dev/causalcxr/core/reports/devset/devset-reports.csv";
    public static final String GOLD_RESOURCE = "/dev/causalcxr/core/reports/devset/devset-gold.jsonl";

    private DevelopmentSet() {}

    public static InputStream openReportsCsv() {
        return open(REPORTS_RESOURCE);
    }

    public static InputStream openGoldJsonl() {
        return open(GOLD_RESOURCE);
    }

    /** The reports in file order. */
    public static List<ReportRow> reports() {
        List<ReportRow> rows = new ArrayList<>();
        try (ReportCsvReader r = new ReportCsvReader(openReportsCsv(), ReportBatchConfig.DEFAULT_MAX_REPORT_CHARS)) {
            r.forEachRemaining(rows::add);
        }
        return rows;
    }

    /** Gold findings per study id, in file order. */
    public static Map<String, List<FindingMention>> gold() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(openGoldJsonl(), StandardCharsets.UTF_8))) {
            Map<String, List<FindingMention>> out = new LinkedHashMap<>();
            FindingsJsonl.read(r, "devset-gold.jsonl").forEach((id, e) -> out.put(id, e.findings()));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the development set gold labels", e);
        }
    }

    private static InputStream open(String resource) {
        InputStream in = DevelopmentSet.class.getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException("development set resource missing: " + resource);
        }
        return in;
    }
}
