package dev.causalcxr.core.metrics.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes 2-D float32 / float64 matrices in NumPy's {@code .npy} format (format versions
 * 1.0, 2.0 and 3.0; either byte order; C or Fortran order on read, C order on write). This is how
 * feature matrices are exchanged with the tools people already use for FID.
 */
public final class NpyFiles {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** The header is padded so the data starts at a multiple of 64 bytes, as NumPy itself does. */
    private static final int HEADER_ALIGNMENT = 64;

    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN_ORDER = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private NpyFiles() {}

    /** Element types this reader and writer support. */
    public enum ElementType {
        FLOAT32(4),
        FLOAT64(8);

        private final int bytes;

        ElementType(int bytes) {
            this.bytes = bytes;
        }
    }

    /** Reads a 2-D float32 or float64 array as rows of doubles. */
    public static double[][] read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try {
            return parse(bytes);
        } catch (IllegalArgumentException e) {
            throw new MalformedMatrixException(file + ": " + e.getMessage(), e);
        }
    }

    /** The bytes of a .npy file (2-D float32 or float64), as rows of doubles; IllegalArgumentException when malformed. */
    public static double[][] parse(byte[] bytes) {
        if (bytes.length < 10) {
            throw new IllegalArgumentException("too short for a .npy file");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) {
                throw new IllegalArgumentException("not a .npy file (bad magic)");
            }
        }
        int major = bytes[6] & 0xff;
        ByteBuffer little = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength;
        int headerStart;
        if (major == 1) {
            headerLength = little.getShort(8) & 0xffff;
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            if (bytes.length < 12) {
                throw new IllegalArgumentException("truncated header");
            }
            headerLength = little.getInt(8);
            headerStart = 12;
        } else {
            throw new IllegalArgumentException("unsupported .npy format version " + major);
        }
        if (headerLength < 0 || (long) headerStart + headerLength > bytes.length) {
            throw new IllegalArgumentException("truncated header");
        }
        // version 3 allows UTF-8 in the header; for the keys we read, Latin-1 and UTF-8 coincide
        String header = new String(
                bytes, headerStart, headerLength, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        String descr = find(DESCR, header, "descr");
        boolean fortranOrder = "True".equals(find(FORTRAN_ORDER, header, "fortran_order"));
        long[] shape = parseShape(find(SHAPE, header, "shape"));

        ByteOrder order;
        char orderChar = descr.isEmpty() ? '?' : descr.charAt(0);
        switch (orderChar) {
            case '<', '|', '=' ->
                order = ByteOrder.LITTLE_ENDIAN; // NumPy writes '=' only on little-endian hosts in practice
            case '>' -> order = ByteOrder.BIG_ENDIAN;
            default -> throw new IllegalArgumentException("unsupported dtype '" + descr + "'");
        }
        ElementType type = switch (descr.substring(1)) {
            case "f4" -> ElementType.FLOAT32;
            case "f8" -> ElementType.FLOAT64;
            default ->
                throw new IllegalArgumentException(
                        "unsupported dtype '" + descr + "' (only float32 '<f4' and float64 '<f8' feature matrices)");
        };
        if (shape.length != 2) {
            throw new IllegalArgumentException(
                    "expected a 2-D array (samples × features), got " + shape.length + " dimensions");
        }
        if (shape[0] < 0 || shape[1] < 0) {
            throw new IllegalArgumentException("negative dimension in shape " + shape[0] + "x" + shape[1]);
        }
        if (shape[1] == 0 && shape[0] > 0) {
            // rows without features carry no data, and a huge row count of them would exhaust memory
            throw new IllegalArgumentException("a feature matrix with no features (" + shape[0] + "x0)");
        }
        if (shape[0] > Integer.MAX_VALUE || shape[1] > Integer.MAX_VALUE || shape[0] * shape[1] > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("array too large: " + shape[0] + "x" + shape[1]);
        }
        int rows = (int) shape[0];
        int columns = (int) shape[1];
        int dataStart = headerStart + headerLength;
        long needed = (long) rows * columns * type.bytes;
        if (bytes.length - dataStart < needed) {
            throw new IllegalArgumentException(
                    "truncated data: need " + needed + " bytes, have " + (bytes.length - dataStart));
        }
        ByteBuffer data =
                ByteBuffer.wrap(bytes, dataStart, (int) needed).slice().order(order);
        double[][] out = new double[rows][columns];
        if (!fortranOrder) {
            for (int i = 0; i < rows; i++) {
                double[] row = out[i];
                for (int j = 0; j < columns; j++) {
                    row[j] = type == ElementType.FLOAT64 ? data.getDouble() : data.getFloat();
                }
            }
        } else {
            for (int j = 0; j < columns; j++) {
                for (int i = 0; i < rows; i++) {
                    out[i][j] = type == ElementType.FLOAT64 ? data.getDouble() : data.getFloat();
                }
            }
        }
        return out;
    }

    /** Writes a rectangular matrix as a little-endian, C-order .npy file (format version 1.0). */
    public static void write(Path file, double[][] matrix, ElementType type) throws IOException {
        int rows = matrix.length;
        int columns = rows == 0 ? 0 : matrix[0].length;
        for (double[] row : matrix) {
            if (row.length != columns) {
                throw new IllegalArgumentException("matrix is ragged");
            }
        }
        String dict = "{'descr': '" + (type == ElementType.FLOAT64 ? "<f8" : "<f4")
                + "', 'fortran_order': False, 'shape': (" + rows + ", " + columns + "), }";
        int unpadded = 10 + dict.length() + 1; // magic + version + length field, dict, newline
        int padding = (HEADER_ALIGNMENT - unpadded % HEADER_ALIGNMENT) % HEADER_ALIGNMENT;
        String header = dict + " ".repeat(padding) + "\n";
        if (header.length() > 0xffff) {
            throw new IllegalArgumentException("header too long for format version 1.0");
        }
        long dataBytes = (long) rows * columns * type.bytes;
        if (10 + header.length() + dataBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("matrix too large for one buffer: " + rows + "x" + columns);
        }
        ByteBuffer buffer =
                ByteBuffer.allocate((int) (10 + header.length() + dataBytes)).order(ByteOrder.LITTLE_ENDIAN);
        buffer.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        buffer.put(header.getBytes(StandardCharsets.ISO_8859_1));
        for (double[] row : matrix) {
            for (double value : row) {
                if (type == ElementType.FLOAT64) {
                    buffer.putDouble(value);
                } else {
                    buffer.putFloat((float) value);
                }
            }
        }
        Files.write(file, buffer.array());
    }

    private static String find(Pattern pattern, String header, String key) {
        Matcher matcher = pattern.matcher(header);
        if (!matcher.find()) {
            throw new IllegalArgumentException("header has no '" + key + "': " + header.trim());
        }
        return matcher.group(1);
    }

    private static long[] parseShape(String inside) {
        String[] parts = inside.split(",");
        int count = 0;
        long[] dims = new long[parts.length];
        for (String part : parts) {
            String trimmed = part.trim();
            if (trimmed.isEmpty()) {
                continue; // the trailing comma of a 1-tuple, or "()" for a scalar
            }
            // NumPy on some platforms wrote Python 2 longs as "300L"
            if (trimmed.endsWith("L")) {
                trimmed = trimmed.substring(0, trimmed.length() - 1);
            }
            dims[count++] = Long.parseLong(trimmed);
        }
        long[] shape = new long[count];
        System.arraycopy(dims, 0, shape, 0, count);
        return shape;
    }
}
