package dev.causalcxr.core.imaging;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferUShort;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Reading and writing radiographs: PNG and JPEG, 8 or 16 bit, gray or colour in; lossless 16-bit
 * grayscale PNG out. Decoding is strict: javax.imageio silently returns partially grey images for
 * truncated JPEGs and can decode PNGs whose trailing chunks are cut off, so the container is
 * checked first (PNG chunk CRCs and IEND, JPEG end-of-image marker) and decoder warnings are
 * treated as errors.
 */
public final class ImageCodec {

    /** The container formats the importers accept. */
    public enum Format {
        PNG,
        JPEG
    }

    private static final byte[] PNG_SIGNATURE = {(byte) 137, 80, 78, 71, 13, 10, 26, 10};

    static {
        // No temp files for in-memory decoding: faster and nothing left behind.
        ImageIO.setUseCache(false);
    }

    private ImageCodec() {}

    /** Sniffs the container from the magic bytes; null when neither PNG nor JPEG. */
    public static Format sniff(byte[] data) {
        if (data.length >= 8 && startsWith(data, PNG_SIGNATURE)) {
            return Format.PNG;
        }
        if (data.length >= 3 && (data[0] & 0xFF) == 0xFF && (data[1] & 0xFF) == 0xD8 && (data[2] & 0xFF) == 0xFF) {
            return Format.JPEG;
        }
        return null;
    }

    /** Reads and decodes a PNG or JPEG file into 16-bit grayscale. */
    public static GrayImage read(Path file) throws IOException {
        return decode(Files.readAllBytes(file));
    }

    /**
     * Decodes PNG or JPEG bytes (gray, gray+alpha, RGB(A), palette; 1–16 bit) to 16-bit gray.
     * Colour is reduced with Rec. 601 luma weights; alpha is ignored.
     */
    public static GrayImage decode(byte[] data) throws ImageDecodeException {
        Format format = sniff(data);
        if (format == null) {
            throw new ImageDecodeException("not a PNG or JPEG image");
        }
        if (format == Format.PNG) {
            checkPngContainer(data);
        } else {
            checkJpegContainer(data);
        }
        BufferedImage img = readStrict(data);
        return toGray(img);
    }

    private static BufferedImage readStrict(byte[] data) throws ImageDecodeException {
        try (ImageInputStream iis = ImageIO.createImageInputStream(new ByteArrayInputStream(data))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(iis);
            if (!readers.hasNext()) {
                throw new ImageDecodeException("no decoder for this image");
            }
            ImageReader reader = readers.next();
            List<String> warnings = new ArrayList<>();
            try {
                reader.setInput(iis, true, true);
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                BufferedImage img = reader.read(0);
                if (!warnings.isEmpty()) {
                    throw new ImageDecodeException("incomplete image data (" + warnings.get(0) + ")");
                }
                if (img == null) {
                    throw new ImageDecodeException("decoder returned no image");
                }
                return img;
            } finally {
                reader.dispose();
            }
        } catch (ImageDecodeException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // IIOException, EOFException, and decoder RuntimeExceptions on corrupt data.
            throw new ImageDecodeException("corrupt image data (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    /** Walks the PNG chunks: every chunk complete with a valid CRC, IEND present. */
    static void checkPngContainer(byte[] d) throws ImageDecodeException {
        int pos = PNG_SIGNATURE.length;
        CRC32 crc = new CRC32();
        boolean sawHeader = false;
        while (true) {
            if (pos + 8 > d.length) {
                throw new ImageDecodeException("truncated PNG (no IEND chunk)");
            }
            long len = readInt(d, pos) & 0xFFFFFFFFL;
            if (pos + 12L + len > d.length) {
                throw new ImageDecodeException("truncated PNG (chunk cut off)");
            }
            crc.reset();
            crc.update(d, pos + 4, (int) len + 4);
            long stored = readInt(d, pos + 8 + (int) len) & 0xFFFFFFFFL;
            if (crc.getValue() != stored) {
                throw new ImageDecodeException("corrupt PNG (chunk CRC mismatch)");
            }
            String type = new String(d, pos + 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
            if (!sawHeader && !"IHDR".equals(type)) {
                throw new ImageDecodeException("corrupt PNG (first chunk is not IHDR)");
            }
            sawHeader = true;
            if ("IEND".equals(type)) {
                return;
            }
            pos += 12 + (int) len;
        }
    }

    /**
     * A complete JPEG ends with the EOI marker (FF D9), possibly followed by padding. Inside the
     * entropy-coded data FF is always stuffed, so a missing EOI near the end means truncation.
     */
    static void checkJpegContainer(byte[] d) throws ImageDecodeException {
        int end = d.length;
        while (end > 0
                && ((d[end - 1] & 0xFF) == 0x00
                        || (d[end - 1] & 0xFF) == 0xFF
                        || d[end - 1] == '\n'
                        || d[end - 1] == '\r'
                        || d[end - 1] == ' ')) {
            end--;
        }
        // A trailing FF of the EOI marker itself may have been stripped above if the file ends
        // "FF D9 FF"; look back a short window for the marker.
        int window = Math.max(2, end - 64);
        for (int i = end - 1; i >= window - 1 && i >= 1; i--) {
            if ((d[i] & 0xFF) == 0xD9 && (d[i - 1] & 0xFF) == 0xFF) {
                return;
            }
        }
        throw new ImageDecodeException("truncated JPEG (no end-of-image marker)");
    }

    private static int readInt(byte[] d, int p) {
        return ((d[p] & 0xFF) << 24) | ((d[p + 1] & 0xFF) << 16) | ((d[p + 2] & 0xFF) << 8) | (d[p + 3] & 0xFF);
    }

    private static boolean startsWith(byte[] d, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (d[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** Converts any decoded image to 16-bit gray, scaling each band's bit depth to 16 bits. */
    static GrayImage toGray(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        short[] out = new short[w * h];
        ColorModel cm = img.getColorModel();
        Raster raster = img.getRaster();
        if (cm instanceof IndexColorModel) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int rgb = img.getRGB(x, y);
                    out[y * w + x] = (short) (luma8((rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF) * 257);
                }
            }
            return GrayImage.wrap(w, h, out);
        }
        int bands = raster.getNumBands();
        int[][] rows = new int[Math.min(bands, 3)][w];
        double[] scale = new double[rows.length];
        for (int b = 0; b < rows.length; b++) {
            int bits = raster.getSampleModel().getSampleSize(b);
            scale[b] = 65535.0 / ((1L << bits) - 1);
        }
        boolean colour = bands >= 3;
        for (int y = 0; y < h; y++) {
            if (colour) {
                for (int b = 0; b < 3; b++) {
                    raster.getSamples(0, y, w, 1, b, rows[b]);
                }
                for (int x = 0; x < w; x++) {
                    double v = 0.299 * rows[0][x] * scale[0]
                            + 0.587 * rows[1][x] * scale[1]
                            + 0.114 * rows[2][x] * scale[2];
                    out[y * w + x] = (short) GrayImage.quantize(v / 65535.0);
                }
            } else {
                raster.getSamples(0, y, w, 1, 0, rows[0]);
                for (int x = 0; x < w; x++) {
                    out[y * w + x] = (short) (int) Math.min(65535, Math.round(rows[0][x] * scale[0]));
                }
            }
        }
        return GrayImage.wrap(w, h, out);
    }

    private static int luma8(int r, int g, int b) {
        return (int) Math.min(255, Math.round(0.299 * r + 0.587 * g + 0.114 * b));
    }

    /** Encodes a lossless 16-bit grayscale PNG. */
    public static byte[] encodePng16(GrayImage image) {
        BufferedImage img = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_USHORT_GRAY);
        short[] target = ((DataBufferUShort) img.getRaster().getDataBuffer()).getData();
        short[] src = image.samples();
        System.arraycopy(src, 0, target, 0, src.length);
        return encode(img);
    }

    public static void writePng16(GrayImage image, Path file) throws IOException {
        writeAtomically(file, encodePng16(image));
    }

    /** Encodes an 8-bit grayscale PNG from row-major bytes (contact sheets, previews). */
    public static byte[] encodePng8(int width, int height, byte[] gray8) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        byte[] target = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        System.arraycopy(gray8, 0, target, 0, gray8.length);
        return encode(img);
    }

    private static byte[] encode(BufferedImage img) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(img, "png", out)) {
                throw new IllegalStateException("no PNG writer available");
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes through a sibling temp file and a rename, so readers never see half a file. */
    static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        Files.move(
                tmp,
                file,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
