package dev.causalcxr.core.findings;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One finding of a study as a report states it: the unit of the report parser's output, of the
 * phantom's ground truth, and of a counterfactual condition.
 */
public record FindingMention(Finding finding, Status status, Severity severity, Laterality laterality, Zone zone) {

    public FindingMention {
        Objects.requireNonNull(finding, "finding");
        Objects.requireNonNull(status, "status");
        severity = severity == null ? Severity.UNSPECIFIED : severity;
        laterality = laterality == null ? Laterality.UNSPECIFIED : laterality;
        zone = zone == null ? Zone.UNSPECIFIED : zone;
    }

    public static FindingMention present(Finding f, Severity s, Laterality l, Zone z) {
        return new FindingMention(f, Status.PRESENT, s, l, z);
    }

    /** The JSON shape of the output format: {@code {"finding": "...", "status": "...", ...}}. */
    public Map<String, String> toJsonMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("finding", finding.label());
        m.put("status", status.label());
        m.put("severity", severity.label());
        m.put("laterality", laterality.label());
        m.put("zone", zone.label());
        return m;
    }

    public static FindingMention fromJsonMap(Map<String, ?> m) {
        Finding f = Finding.fromLabel(String.valueOf(m.get("finding")))
                .orElseThrow(() -> new IllegalArgumentException("unknown finding: " + m.get("finding")));
        return new FindingMention(
                f,
                Status.fromLabel(String.valueOf(m.get("status"))),
                m.get("severity") == null ? null : Severity.fromLabel(String.valueOf(m.get("severity"))),
                m.get("laterality") == null ? null : Laterality.fromLabel(String.valueOf(m.get("laterality"))),
                m.get("zone") == null ? null : Zone.fromLabel(String.valueOf(m.get("zone"))));
    }
}
