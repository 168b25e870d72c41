package dev.causalcxr.core.phantom;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Laterality;
import dev.causalcxr.core.findings.Severity;
import dev.causalcxr.core.findings.Status;
import dev.causalcxr.core.findings.Zone;
import dev.causalcxr.core.random.SplitMix64;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Writes a radiology-style report for a phantom study and records, statement by statement, what
 * it asserts: the ground truth a report parser is scored against. Every sentence that names a
 * finding adds exactly the mention it expresses; filler sentences name none.
 */
final class ReportWriter {

    private static final List<String> INDICATIONS = List.of(
            "shortness of breath",
            "cough",
            "chest pain",
            "fever",
            "follow-up",
            "preoperative evaluation",
            "hypoxia",
            "weakness");
    private static final List<String> FILLER = List.of(
            "Degenerative changes are seen in the thoracic spine.",
            "The visualized upper abdomen is unremarkable.",
            "Study is mildly limited by patient rotation.",
            "Findings were discussed with the referring clinician by telephone.",
            "Surgical clips project over the upper abdomen.",
            "The patient is status post median sternotomy.");
    private static final List<Finding> NEGATABLE = List.of(
            Finding.PLEURAL_EFFUSION,
            Finding.PNEUMOTHORAX,
            Finding.CONSOLIDATION,
            Finding.EDEMA,
            Finding.CARDIOMEGALY,
            Finding.PNEUMONIA,
            Finding.ATELECTASIS,
            Finding.NODULE,
            Finding.MASS,
            Finding.FRACTURE);

    private final SplitMix64 rng;
    private final double uncertaintyRate;
    private final SiteProfile.ReportStyle style;
    private final Map<Finding, FindingMention> truth = new EnumMap<>(Finding.class);

    ReportWriter(long seed, double uncertaintyRate) {
        this(seed, uncertaintyRate, SiteProfile.ReportStyle.MIMIC);
    }

    ReportWriter(long seed, double uncertaintyRate, SiteProfile.ReportStyle style) {
        this.rng = new SplitMix64(seed);
        this.uncertaintyRate = uncertaintyRate;
        this.style = style;
    }

    /**
     * @param findings what the image shows (present mentions)
     * @param prior    what the patient's previous study showed, or null for a first study
     */
    PhantomReport write(List<FindingMention> findings, List<FindingMention> prior) {
        truth.clear();
        // decide per finding what the report will state (hedge, which attributes are worded)
        List<Stated> stated = new ArrayList<>();
        for (FindingMention f : findings) {
            if (f.finding() == Finding.SUPPORT_DEVICES) {
                stated.add(new Stated(f, new FindingMention(f.finding(), Status.PRESENT, null, null, null), null));
                continue;
            }
            boolean hedge = f.severity() != Severity.SEVERE && rng.chance(uncertaintyRate);
            Severity sev =
                    f.severity() != Severity.UNSPECIFIED && rng.chance(0.85) ? f.severity() : Severity.UNSPECIFIED;
            Laterality lat = f.laterality() != Laterality.UNSPECIFIED && rng.chance(0.93)
                    ? f.laterality()
                    : Laterality.UNSPECIFIED;
            Zone zone = f.zone() != Zone.UNSPECIFIED && rng.chance(0.9) ? f.zone() : Zone.UNSPECIFIED;
            FindingMention m =
                    new FindingMention(f.finding(), hedge ? Status.UNCERTAIN : Status.PRESENT, sev, lat, zone);
            stated.add(new Stated(f, m, phrase(m)));
        }
        shuffle(stated);

        StringBuilder sb = new StringBuilder();
        sb.append(style.examinationHeader())
                .append("  CHEST (")
                .append(rng.pick("PA AND LAT", "PORTABLE AP", "PA"))
                .append(")\n\n");
        sb.append(style.indicationHeader())
                .append("  ___-year-old with ")
                .append(rng.pick(INDICATIONS))
                .append(".\n\n");
        sb.append("COMPARISON:  ")
                .append(prior == null ? "None." : "Chest radiograph from ___.")
                .append("\n\n");

        List<String> body = new ArrayList<>();
        for (Stated s : stated) {
            body.add(sentence(s));
        }
        Set<Finding> present = EnumSet.noneOf(Finding.class);
        findings.forEach(f -> present.add(f.finding()));
        if (prior != null) {
            body.addAll(comparisons(stated, prior, present));
        }
        body.addAll(negations(present));
        int fillers = rng.nextInt(3);
        for (int i = 0; i < fillers; i++) {
            body.add(rng.nextInt(body.size() + 1), rng.pick(FILLER));
        }
        sb.append(style.findingsHeader()).append("\n");
        sb.append(String.join(" ", body)).append("\n\n");

        sb.append(style.impressionHeader()).append("\n");
        List<String> impression = new ArrayList<>();
        int n = 1;
        boolean pathology = stated.stream().anyMatch(s -> s.source.finding() != Finding.SUPPORT_DEVICES);
        if (!pathology) {
            impression.add(number(n++) + "No acute cardiopulmonary process.");
            record(new FindingMention(Finding.NO_FINDING, Status.PRESENT, null, null, null));
        }
        for (Stated s : stated) {
            if (s.source.finding() == Finding.SUPPORT_DEVICES) {
                continue;
            }
            if (s.mention.status() == Status.UNCERTAIN) {
                impression.add(number(n++) + hedge(s.phrase));
            } else {
                impression.add(number(n++) + capitalize(s.phrase) + ".");
            }
        }
        sb.append(String.join(style.numberedImpression() ? "\n" : " ", impression))
                .append("\n");

        List<FindingMention> mentions = new ArrayList<>(truth.values());
        return new PhantomReport(sb.toString(), mentions);
    }

    /** "1. " in a numbered impression, nothing in prose. */
    private String number(int n) {
        return style.numberedImpression() ? n + ". " : "";
    }

    private String sentence(Stated s) {
        if (s.source.finding() == Finding.SUPPORT_DEVICES) {
            record(s.mention);
            return rng.pick(ReportVocabulary.DEVICE_SENTENCES);
        }
        record(s.mention);
        if (s.mention.status() == Status.UNCERTAIN) {
            return hedge(s.phrase);
        }
        String np = s.phrase;
        return switch (rng.nextInt(4)) {
            case 0 -> "There is " + article(np) + np + ".";
            case 1 -> capitalize(np) + " is present.";
            case 2 -> capitalize(np) + " is noted.";
            default -> "Findings are consistent with " + article(np) + np + ".";
        };
    }

    private String hedge(String np) {
        String h = rng.pick(ReportVocabulary.HEDGES);
        if (h.startsWith("%S")) {
            return capitalize(np) + h.substring(2);
        }
        return String.format(Locale.ROOT, h, np);
    }

    /** Comparison sentences: new, stable and resolved findings relative to the prior study. */
    private List<String> comparisons(List<Stated> stated, List<FindingMention> prior, Set<Finding> present) {
        List<String> out = new ArrayList<>();
        Set<Finding> before = EnumSet.noneOf(Finding.class);
        prior.forEach(p -> before.add(p.finding()));
        boolean changed = false;
        for (Stated s : stated) {
            Finding f = s.source.finding();
            if (f == Finding.SUPPORT_DEVICES || s.mention.status() != Status.PRESENT || !rng.chance(0.5)) {
                continue;
            }
            String syn = synonym(f);
            out.add(
                    before.contains(f)
                            ? capitalize(syn) + " is unchanged from the prior study."
                            : "The " + syn + " is new since the prior study.");
            changed = true;
        }
        for (Finding f : before) {
            if (!present.contains(f) && f != Finding.SUPPORT_DEVICES && rng.chance(0.7)) {
                out.add("Interval resolution of the previously seen " + synonym(f) + ".");
                record(new FindingMention(f, Status.ABSENT, null, null, null));
                changed = true;
            }
        }
        if (!changed) {
            out.add("No significant interval change.");
        }
        return out;
    }

    /** Explicit negations of one to three absent findings, sometimes several in one sentence. */
    private List<String> negations(Set<Finding> present) {
        List<Finding> candidates = new ArrayList<>();
        for (Finding f : NEGATABLE) {
            if (!present.contains(f) && !truth.containsKey(f)) {
                candidates.add(f);
            }
        }
        shuffle(candidates);
        int k = Math.min(candidates.size(), rng.nextInt(4));
        List<String> out = new ArrayList<>();
        if (k == 0) {
            return out;
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            Finding f = candidates.get(i);
            names.add(synonym(f));
            record(new FindingMention(f, Status.ABSENT, null, null, null));
        }
        if (k > 1 && rng.chance(0.6)) {
            String list = names.size() == 2
                    ? names.get(0) + " or " + names.get(1)
                    : String.join(", ", names.subList(0, names.size() - 1)) + ", or " + names.get(names.size() - 1);
            out.add(rng.chance(0.5) ? "No " + list + "." : "There is no " + list + ".");
        } else {
            for (String nm : names) {
                out.add(
                        switch (rng.nextInt(4)) {
                            case 0 -> "No " + nm + ".";
                            case 1 -> "There is no " + nm + ".";
                            case 2 -> "No evidence of " + nm + ".";
                            default -> capitalize(nm) + " is not seen.";
                        });
            }
        }
        return out;
    }

    /** The noun phrase stating a finding with exactly the attributes in {@code m}. */
    private String phrase(FindingMention m) {
        Finding f = m.finding();
        List<String> words = new ArrayList<>();
        if (m.severity() != Severity.UNSPECIFIED) {
            words.add(rng.pick(ReportVocabulary.SEVERITY_WORDS.get(f).get(m.severity())));
        }
        String lat =
                m.laterality() == Laterality.UNSPECIFIED ? null : m.laterality().label();
        if (f == Finding.FRACTURE) {
            if (lat != null) {
                words.add(lat);
            }
            if (m.zone() != Zone.UNSPECIFIED) {
                words.add(ReportVocabulary.RIB_ZONES.get(m.zone()));
            }
            words.add("rib fracture");
            return String.join(" ", words);
        }
        String syn = synonym(f);
        if (m.zone() != Zone.UNSPECIFIED && rng.chance(0.5)) {
            words.add(syn);
            String where =
                    "in the " + (lat != null ? lat + " " : "") + rng.pick(ReportVocabulary.ZONE_NOUNS.get(m.zone()));
            words.add(where);
            return String.join(" ", words);
        }
        if (lat != null) {
            words.add(lat);
        }
        if (m.zone() != Zone.UNSPECIFIED) {
            words.add(rng.pick(ReportVocabulary.ZONE_ADJECTIVES.get(m.zone())));
        }
        words.add(syn);
        return String.join(" ", words);
    }

    private String synonym(Finding f) {
        return rng.pick(ReportVocabulary.SYNONYMS.get(f));
    }

    private void record(FindingMention m) {
        truth.putIfAbsent(m.finding(), m);
    }

    private static final Set<String> MASS_NOUNS =
            Set.of("edema", "consolidation", "atelectasis", "cardiomegaly", "enlargement", "loss", "fluid");

    /** "a"/"an" for countable head nouns, nothing for mass nouns ("There is moderate edema"). */
    private static String article(String np) {
        String head = np;
        for (String cut : new String[] {" in the ", " of the "}) {
            int i = head.indexOf(cut);
            if (i >= 0) {
                head = head.substring(0, i);
            }
        }
        String last = head.substring(head.lastIndexOf(' ') + 1);
        if (MASS_NOUNS.contains(last)) {
            return "";
        }
        char c = Character.toLowerCase(np.charAt(0));
        return "aeiou".indexOf(c) >= 0 ? "an " : "a ";
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private <T> void shuffle(List<T> list) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            T t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }

    private record Stated(FindingMention source, FindingMention mention, String phrase) {}
}
