package dev.causalcxr.core.metrics.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyFilesTest {

    @TempDir
    Path dir;

    private final double[][] matrix = {{1.5, -2.25, 3.0}, {4.0, 5.125, -6.5}};

    @Test
    void float64RoundTripIsExactAndHeaderIsAligned() throws IOException {
        Path file = dir.resolve("m.npy");
        NpyFiles.write(file, matrix, NpyFiles.ElementType.FLOAT64);
        byte[] bytes = Files.readAllBytes(file);
        int headerLength =
                ByteBuffer.wrap(bytes, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort();
        assertEquals(0, (10 + headerLength) % 64);
        assertEquals('\n', bytes[10 + headerLength - 1]);
        assertEquals(10 + headerLength + 6 * 8, bytes.length);
        double[][] back = NpyFiles.read(file);
        assertArrayEquals(matrix[0], back[0], 0.0);
        assertArrayEquals(matrix[1], back[1], 0.0);
    }

    @Test
    void float32RoundTrip() throws IOException {
        Path file = dir.resolve("m32.npy");
        NpyFiles.write(file, new double[][] {{0.1, 0.2}}, NpyFiles.ElementType.FLOAT32);
        double[][] back = NpyFiles.read(file);
        assertEquals((double) 0.1f, back[0][0], 0.0);
        assertEquals((double) 0.2f, back[0][1], 0.0);
    }

    @Test
    void readsVersion2BigEndianAndFortranOrder() throws IOException {
        // shape (2, 3), Fortran order: data column by column
        String dict = "{'descr': '>f8', 'fortran_order': True, 'shape': (2, 3), }";
        ByteBuffer buffer = ByteBuffer.allocate(12 + dict.length() + 1 + 48);
        buffer.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0});
        buffer.order(ByteOrder.LITTLE_ENDIAN).putInt(dict.length() + 1);
        buffer.put((dict + "\n").getBytes(StandardCharsets.ISO_8859_1));
        buffer.order(ByteOrder.BIG_ENDIAN);
        for (int j = 0; j < 3; j++) {
            for (int i = 0; i < 2; i++) {
                buffer.putDouble(matrix[i][j]);
            }
        }
        Path file = dir.resolve("v2.npy");
        Files.write(file, buffer.array());
        double[][] back = NpyFiles.read(file);
        assertArrayEquals(matrix[0], back[0], 0.0);
        assertArrayEquals(matrix[1], back[1], 0.0);
    }

    @Test
    void rejectsUnsupportedDtypeAndShape() {
        assertThrows(
                IllegalArgumentException.class,
                () -> NpyFiles.parse(header("{'descr': '<i8', 'fortran_order': False, 'shape': (2, 3), }")));
        IllegalArgumentException oneD = assertThrows(
                IllegalArgumentException.class,
                () -> NpyFiles.parse(header("{'descr': '<f8', 'fortran_order': False, 'shape': (6,), }")));
        assertTrue(oneD.getMessage().contains("2-D"));
        assertThrows(
                IllegalArgumentException.class,
                () -> NpyFiles.parse("not numpy data".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void truncatedDataIsReported() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> NpyFiles.parse(header("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }")));
        assertTrue(e.getMessage().contains("truncated"));
    }

    private static byte[] header(String dict) {
        ByteBuffer buffer = ByteBuffer.allocate(10 + dict.length() + 1).order(ByteOrder.LITTLE_ENDIAN);
        buffer.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        buffer.putShort((short) (dict.length() + 1));
        buffer.put((dict + "\n").getBytes(StandardCharsets.ISO_8859_1));
        return buffer.array();
    }
}
