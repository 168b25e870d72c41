package dev.causalcxr.core.reports.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Splits report text into lower-case word tokens and punctuation tokens in one pass over the
 * characters. Hyphens split words; a period ends a sentence unless it is a decimal point or follows a
 * known abbreviation; a blank line, a list marker at the start of a line, or a line that starts with
 * a capital after a line that could end a sentence also end a sentence (terse ICU reports often put
 * one finding per line without periods).
 */
final class ReportTokenizer {

    static final String SENTENCE = ".";

    /** Words after which a period does not end the sentence. */
    private static final Set<String> ABBREVIATIONS = Set.of(
            "vs", "dr", "approx", "e", "i", "g", "eg", "ie", "mr", "mrs", "ms", "st", "fig", "no", "resp", "incl", "a",
            "p");

    /** Words that cannot end a sentence, so a line break after them continues it. */
    private static final Set<String> CONTINUING = Set.of(
            "the",
            "a",
            "an",
            "and",
            "or",
            "of",
            "with",
            "in",
            "at",
            "on",
            "to",
            "no",
            "by",
            "for",
            "from",
            "is",
            "are",
            "was",
            "were",
            "without",
            "small",
            "large",
            "moderate",
            "mild",
            "right",
            "left",
            "bilateral",
            "possible",
            "likely",
            "new",
            "minimal",
            "as",
            "has",
            "have",
            "been",
            "there",
            "which",
            "but",
            "not",
            "than",
            "versus",
            "vs");

    private ReportTokenizer() {}

    static List<String> tokenize(CharSequence text) {
        List<String> out = new ArrayList<>(text.length() / 5 + 8);
        StringBuilder word = new StringBuilder(24);
        int n = text.length();
        boolean lineStart = true;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (Character.isLetterOrDigit(c)) {
                if (lineStart) {
                    lineStart = false;
                    // "1. Small effusion" / "2) ..." : a numbered list item starts a sentence.
                    int j = i;
                    while (j < n && Character.isDigit(text.charAt(j))) {
                        j++;
                    }
                    if (j > i
                            && j + 1 < n
                            && (text.charAt(j) == '.' || text.charAt(j) == ')')
                            && Character.isWhitespace(text.charAt(j + 1))) {
                        endSentence(out);
                        i = j;
                        continue;
                    }
                }
                word.append(Character.toLowerCase(c));
                continue;
            }
            if (c == '\'' && word.length() > 0 && i + 1 < n && Character.isLetter(text.charAt(i + 1))) {
                word.append(c); // can't, patient's
                continue;
            }
            if (c == '.'
                    && word.length() > 0
                    && Character.isDigit(word.charAt(word.length() - 1))
                    && i + 1 < n
                    && Character.isDigit(text.charAt(i + 1))) {
                word.append(c); // 1.5 cm
                continue;
            }
            String w = flush(word, out);
            switch (c) {
                case '.' -> {
                    if (w == null || !ABBREVIATIONS.contains(w) || nextIsCapitalStart(text, i + 1)) {
                        endSentence(out);
                    }
                }
                case '!' -> endSentence(out);
                case ',', '(', ')', '[', ']' -> out.add(",");
                case ';' -> out.add(";");
                case ':' -> out.add(":");
                case '?' -> out.add("?");
                case '/' -> out.add("or");
                case '&' -> out.add("and");
                case '-', '*', '\u2022' -> {
                    if (lineStart) {
                        endSentence(out); // bulleted list item
                    } else if (i + 1 < n && text.charAt(i + 1) == ' ' && i > 0 && text.charAt(i - 1) == ' ') {
                        out.add(","); // "Lungs - clear"
                    }
                }
                case '\n' -> {
                    int j = i + 1;
                    boolean blank = false;
                    while (j < n && Character.isWhitespace(text.charAt(j))) {
                        if (text.charAt(j) == '\n') {
                            blank = true;
                        }
                        j++;
                    }
                    if (blank) {
                        endSentence(out);
                    } else if (j < n && Character.isUpperCase(text.charAt(j)) && !continues(out)) {
                        endSentence(out);
                    }
                    lineStart = true;
                    i = j - 1;
                    continue;
                }
                default -> {}
            }
            if (!Character.isWhitespace(c)) {
                lineStart = false;
            }
        }
        flush(word, out);
        endSentence(out);
        return out;
    }

    private static boolean continues(List<String> out) {
        if (out.isEmpty()) {
            return true;
        }
        String last = out.get(out.size() - 1);
        return CONTINUING.contains(last) || last.equals(",") || last.equals(SENTENCE);
    }

    private static boolean nextIsCapitalStart(CharSequence text, int from) {
        int j = from;
        while (j < text.length() && text.charAt(j) == ' ') {
            j++;
        }
        // "vs. pneumonia" continues; "no. 5" too; ". Then" after an abbreviation still ends a sentence
        return j > from && j < text.length() && Character.isUpperCase(text.charAt(j));
    }

    private static void endSentence(List<String> out) {
        if (!out.isEmpty() && !out.get(out.size() - 1).equals(SENTENCE)) {
            out.add(SENTENCE);
        }
    }

    private static String flush(StringBuilder word, List<String> out) {
        if (word.length() == 0) {
            return null;
        }
        String w = word.toString();
        out.add(w);
        word.setLength(0);
        return w;
    }
}
