package dev.causalcxr.core.reports.eval.iu;

/**
 * One report of the Indiana University / OpenI chest X-ray collection.
 *
 * @param uid   the collection's report number (OpenI report {@code CXR<uid>})
 * @param text  the FINDINGS and IMPRESSION sections as one text ({@code "FINDINGS: ... IMPRESSION: ..."},
 *              the non-empty ones only); empty when the report has neither
 * @param mesh  the coders' major MeSH terms with qualifiers, {@code ;}-separated, as exported
 */
public record IuReport(int uid, String text, String mesh) {

    /** The OpenI report id, {@code CXR<uid>}: the key of NLM's gold standard and of the test list. */
    public String studyId() {
        return "CXR" + uid;
    }

    /** The tuning half: reports with an odd uid are the development half, even ones are held out. */
    public boolean oddUid() {
        return (uid & 1) == 1;
    }

    /** The text the collection's exports give a parser, from its two finding sections. */
    static String sectionsText(String findings, String impression) {
        String f = findings == null ? "" : findings.strip();
        String i = impression == null ? "" : impression.strip();
        StringBuilder sb = new StringBuilder(f.length() + i.length() + 24);
        if (!f.isEmpty()) {
            sb.append("FINDINGS: ").append(f);
        }
        if (!i.isEmpty()) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append("IMPRESSION: ").append(i);
        }
        return sb.toString();
    }
}
