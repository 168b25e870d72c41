package dev.causalcxr.core.reports.rules;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.reports.eval.iu.IuXrayCollection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes the phrase vocabulary of {@code rules-mesh} for the NegEx baseline of {@code bench/reports/run-negex}: one
 * line per lexicon phrase, {@code label<TAB>phrase}, where the label is the NLM gold column (or several, joined by
 * {@code +}) of a finding mention, and {@code OTHER} for every other phrase that names something (other findings,
 * phrases consumed so that a part is not misread, such as "pericardial effusion"). The baseline then differs from the
 * rule-based extractor only in how it decides negation and uncertainty, not in what it recognises.
 */
public final class NegExBaselineVocabulary {

    private NegExBaselineVocabulary() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: NegExBaselineVocabulary OUTPUT.tsv");
        }
        Map<Finding, String> column = new TreeMap<>();
        IuXrayCollection.NLM_LABELS.forEach((name, finding) -> column.put(finding, name));
        Set<Term.Kind> named = Set.of(Term.Kind.MENTION, Term.Kind.IGNORE, Term.Kind.MIMIC);
        Map<String, String> lines = new TreeMap<>();
        walk(Lexicon.of(LabelConvention.MESH).root(), new ArrayList<>(), (phrase, term) -> {
            if (!named.contains(term.kind())) {
                return;
            }
            List<String> labels = new ArrayList<>();
            for (Finding f : term.findings()) {
                if (term.kind() == Term.Kind.MENTION && column.containsKey(f)) {
                    labels.add(column.get(f));
                }
            }
            lines.put(phrase, labels.isEmpty() ? "OTHER" : String.join("+", labels));
        });
        StringBuilder out = new StringBuilder();
        lines.forEach(
                (phrase, label) -> out.append(label).append('\t').append(phrase).append('\n'));
        Path file = Path.of(args[0]);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, out, StandardCharsets.UTF_8);
    }

    private interface PhraseVisitor {
        void visit(String phrase, Term term);
    }

    private static void walk(Lexicon.Node node, List<String> prefix, PhraseVisitor visitor) {
        if (node.term != null) {
            visitor.visit(String.join(" ", prefix), node.term);
        }
        for (Map.Entry<String, Lexicon.Node> e : new TreeMap<>(node.next).entrySet()) {
            prefix.add(e.getKey());
            walk(e.getValue(), prefix, visitor);
            prefix.remove(prefix.size() - 1);
        }
    }
}
