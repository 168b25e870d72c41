package dev.causalcxr.core.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.core.imaging.GrayImage;
import dev.causalcxr.core.imaging.ImageCodec;
import dev.causalcxr.core.metrics.io.NpyFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FidCommandTest {

    private static double[][] gaussian(int n, int d, double shift, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] m = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                // Box–Muller keeps this independent of library RNG details
                double u = 1.0 - random.nextDouble();
                m[i][j] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble()) + shift;
            }
        }
        return m;
    }

    private static void writeCsv(Path file, double[][] m) throws IOException {
        StringBuilder b = new StringBuilder();
        for (double[] row : m) {
            for (int j = 0; j < row.length; j++) {
                b.append(j == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.17g", row[j]));
            }
            b.append('\n');
        }
        Files.writeString(file, b.toString());
    }

    private static FidCommand.Request request(Path a, Path b, boolean kid, boolean json) {
        return new FidCommand.Request(a, b, kid, json, null, null, 1);
    }

    @Test
    void identicalMatricesGiveZeroAndShiftedMeansGiveTheSquaredShift(@TempDir Path dir) throws IOException {
        double[][] a = gaussian(400, 4, 0, 1);
        double[][] shifted = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            shifted[i] = a[i].clone();
            for (int j = 0; j < 4; j++) {
                shifted[i][j] += 0.5;
            }
        }
        Path npy32 = dir.resolve("a.npy");
        Path npy64 = dir.resolve("shifted.npy");
        NpyFiles.write(npy32, a, NpyFiles.ElementType.FLOAT64);
        NpyFiles.write(npy64, shifted, NpyFiles.ElementType.FLOAT64);
        FidCommand.Outcome same = FidCommand.run(request(npy32, npy32, false, false));
        assertEquals(0.0, same.fid().fid(), 1e-9);
        assertTrue(same.text().startsWith("fid: "), same.text());
        FidCommand.Outcome moved = FidCommand.run(request(npy32, npy64, false, false));
        assertEquals(4 * 0.25, moved.fid().fid(), 1e-9);
        assertEquals("fid: 1.000000", moved.text());
        assertEquals("precomputed", moved.space().name());
    }

    @Test
    void csvAndFloat32NpyGiveTheSameFidAndKidTextAndJson(@TempDir Path dir) throws IOException {
        double[][] a = gaussian(300, 6, 0, 2);
        double[][] b = gaussian(250, 6, 0.3, 3);
        Path csvA = dir.resolve("a.csv");
        Path csvB = dir.resolve("b.csv");
        writeCsv(csvA, a);
        writeCsv(csvB, b);
        Path npyA = dir.resolve("a.npy");
        Path npyB = dir.resolve("b.npy");
        NpyFiles.write(npyA, a, NpyFiles.ElementType.FLOAT64);
        NpyFiles.write(npyB, b, NpyFiles.ElementType.FLOAT32);
        FidCommand.Outcome fromCsv = FidCommand.run(request(csvA, csvB, true, false));
        FidCommand.Outcome fromNpy = FidCommand.run(request(npyA, npyB, true, false));
        // float32 rounding of one side moves FID by far less than 1e-4 relative
        assertEquals(
                fromCsv.fid().fid(), fromNpy.fid().fid(), 1e-4 * fromCsv.fid().fid());
        assertTrue(fromCsv.text().matches("fid: [0-9.]+\\Rkid: -?[0-9.]+ ± [0-9.]+"), fromCsv.text());
        assertEquals(250, fromCsv.kid().subsetSize());

        FidCommand.Outcome json = FidCommand.run(request(csvA, csvB, true, true));
        JsonNode node = new ObjectMapper().readTree(json.text());
        assertEquals(fromCsv.fid().fid(), node.get("fid").asDouble(), 0.0);
        assertEquals(fromCsv.kid().mean(), node.get("kid_mean").asDouble(), 0.0);
        assertEquals("precomputed", node.get("feature_space").asText());
        assertTrue(node.get("feature_network_digest").isNull());
        assertEquals(6, node.get("dimension").asInt());

        FidCommand.Outcome noKid = FidCommand.run(request(csvA, csvB, false, true));
        assertNull(noKid.kid());
        assertTrue(!new ObjectMapper().readTree(noKid.text()).has("kid_mean"));
    }

    @Test
    void badInputsGiveClearErrors(@TempDir Path dir) throws IOException {
        Path good = dir.resolve("good.csv");
        writeCsv(good, gaussian(10, 3, 0, 4));
        Path wide = dir.resolve("wide.csv");
        writeCsv(wide, gaussian(10, 5, 0, 5));
        Path missing = dir.resolve("no-such-folder");
        NoSuchFileException notThere =
                assertThrows(NoSuchFileException.class, () -> FidCommand.run(request(good, missing, false, false)));
        assertTrue(notThere.getMessage().contains("no-such-folder"), notThere.getMessage());

        IllegalArgumentException dims =
                assertThrows(IllegalArgumentException.class, () -> FidCommand.run(request(good, wide, false, false)));
        assertTrue(
                dims.getMessage().contains("feature dimensions differ")
                        && dims.getMessage().contains("wide.csv"),
                dims.getMessage());

        Path oneD = dir.resolve("vector.npy");
        Files.write(oneD, npy1d(new double[] {1, 2, 3}));
        IOException vector = assertThrows(IOException.class, () -> FidCommand.run(request(oneD, good, false, false)));
        assertTrue(
                vector.getMessage().contains("vector.npy")
                        && vector.getMessage().contains("dimension"),
                vector.getMessage());

        Path oneRow = dir.resolve("row.csv");
        Files.writeString(oneRow, "1,2,3\n");
        IllegalArgumentException single =
                assertThrows(IllegalArgumentException.class, () -> FidCommand.run(request(oneRow, good, false, false)));
        assertTrue(single.getMessage().contains("at least 2"), single.getMessage());

        Path images = Files.createDirectories(dir.resolve("images"));
        ImageCodec.writePng16(GrayImage.fromUnit(8, 8, new double[64]), images.resolve("a.png"));
        IllegalArgumentException noNetwork =
                assertThrows(IllegalArgumentException.class, () -> FidCommand.run(request(images, good, false, false)));
        assertTrue(noNetwork.getMessage().contains("--feature-net"), noNetwork.getMessage());

        Path notTorchScript = dir.resolve("inception.pt");
        Files.writeString(notTorchScript, "this is not a TorchScript archive");
        IOException badInception = assertThrows(
                IOException.class,
                () -> FidCommand.run(new FidCommand.Request(images, good, false, false, null, notTorchScript, 1)));
        assertTrue(badInception.getMessage().contains("not a loadable TorchScript file"), badInception.getMessage());

        IOException badNet = assertThrows(
                IOException.class,
                () -> FidCommand.run(new FidCommand.Request(images, good, false, false, notTorchScript, null, 1)));
        assertTrue(badNet.getMessage().contains("not a " + TrainedClassifier.FORMAT), badNet.getMessage());

        Path empty = Files.createDirectories(dir.resolve("empty"));
        IOException noImages = assertThrows(IOException.class, () -> ImageFolders.list(empty));
        assertTrue(noImages.getMessage().contains("no image files"), noImages.getMessage());
        assertThrows(
                IllegalArgumentException.class, () -> new FidCommand.Request(good, good, false, false, good, good, 1));
    }

    /** A 1-D float64 .npy file, written by hand as NumPy would. */
    private static byte[] npy1d(double[] values) {
        String header = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + values.length + ",), }";
        int total = 10 + header.length() + 1;
        int pad = (64 - total % 64) % 64;
        StringBuilder padded = new StringBuilder(header);
        padded.append(" ".repeat(pad)).append('\n');
        byte[] h = padded.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer out = ByteBuffer.allocate(10 + h.length + 8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        out.putShort((short) h.length);
        out.put(h);
        for (double v : values) {
            out.putDouble(v);
        }
        return out.array();
    }
}
