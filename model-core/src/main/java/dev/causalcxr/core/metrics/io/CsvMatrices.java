package dev.causalcxr.core.metrics.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads a numeric matrix from delimited text: one sample per line, values separated by commas (or,
 * when a line has no comma, by tabs / spaces). A first line that is not numeric is taken as a
 * column header and skipped; blank lines and lines starting with '#' are ignored.
 */
public final class CsvMatrices {

    private static final Pattern COMMA = Pattern.compile(",");
    private static final Pattern WHITESPACE = Pattern.compile("[\\s]+");

    private CsvMatrices() {}

    public static double[][] read(Path file) throws IOException {
        List<double[]> rows = new ArrayList<>();
        int columns = -1;
        int lineNumber = 0;
        boolean firstContentLine = true;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                lineNumber++;
                String trimmed = line.strip();
                if (lineNumber == 1 && trimmed.startsWith("\uFEFF")) {
                    trimmed = trimmed.substring(1).strip(); // byte-order mark from spreadsheet exports
                }
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                String[] tokens = (trimmed.indexOf(',') >= 0 ? COMMA : WHITESPACE).split(trimmed, -1);
                double[] values = new double[tokens.length];
                boolean numeric = true;
                for (int j = 0; j < tokens.length && numeric; j++) {
                    try {
                        values[j] = Double.parseDouble(tokens[j].strip());
                    } catch (NumberFormatException e) {
                        numeric = false;
                    }
                }
                if (!numeric) {
                    if (firstContentLine) {
                        firstContentLine = false;
                        continue; // header row
                    }
                    throw new MalformedMatrixException(
                            file + ":" + lineNumber + ": not a number in '" + abbreviate(trimmed) + "'");
                }
                firstContentLine = false;
                if (columns < 0) {
                    columns = values.length;
                } else if (values.length != columns) {
                    throw new MalformedMatrixException(
                            file + ":" + lineNumber + ": " + values.length + " values, expected " + columns);
                }
                rows.add(values);
            }
        }
        if (rows.isEmpty()) {
            throw new MalformedMatrixException(file + ": no numeric rows");
        }
        return rows.toArray(new double[0][]);
    }

    private static String abbreviate(String line) {
        return line.length() <= 60 ? line : line.substring(0, 57) + "...";
    }
}
