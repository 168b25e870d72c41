package dev.causalcxr.core.imaging;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An immutable single-channel image with 16-bit unsigned samples (0..65535), row-major. The one
 * pixel type the data layer passes around: phantom output, imported radiographs, model inputs.
 */
public final class GrayImage {

    public static final int MAX_VALUE = 0xFFFF;

    private final int width;
    private final int height;
    private final short[] pixels;

    private GrayImage(int width, int height, short[] pixels) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive: " + width + "x" + height);
        }
        if (pixels.length != width * height) {
            throw new IllegalArgumentException("expected " + width * height + " samples, got " + pixels.length);
        }
        this.width = width;
        this.height = height;
        this.pixels = pixels;
    }

    /** Wraps a copy of {@code samples} (unsigned 16-bit stored in shorts). */
    public static GrayImage of(int width, int height, short[] samples) {
        return new GrayImage(width, height, samples.clone());
    }

    /** Takes ownership of {@code samples} without copying; callers must not modify it afterwards. */
    static GrayImage wrap(int width, int height, short[] samples) {
        return new GrayImage(width, height, samples);
    }

    /** Quantizes values in [0, 1] (clamped) to 16 bit with round-half-up. */
    public static GrayImage fromUnit(int width, int height, double[] values) {
        Objects.requireNonNull(values, "values");
        short[] s = new short[values.length];
        for (int i = 0; i < values.length; i++) {
            s[i] = (short) quantize(values[i]);
        }
        return new GrayImage(width, height, s);
    }

    public static GrayImage fromUnit(int width, int height, float[] values) {
        short[] s = new short[values.length];
        for (int i = 0; i < values.length; i++) {
            s[i] = (short) quantize(values[i]);
        }
        return new GrayImage(width, height, s);
    }

    /** Widens 8-bit samples to 16 bit (v * 257, so 255 maps to 65535). */
    public static GrayImage fromBytes(int width, int height, byte[] samples8) {
        short[] s = new short[samples8.length];
        for (int i = 0; i < samples8.length; i++) {
            s[i] = (short) ((samples8[i] & 0xFF) * 257);
        }
        return new GrayImage(width, height, s);
    }

    static int quantize(double v) {
        if (!(v > 0)) {
            return 0;
        }
        if (v >= 1) {
            return MAX_VALUE;
        }
        return (int) (v * MAX_VALUE + 0.5);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The sample at (x, y) as an int in 0..65535. */
    public int get(int x, int y) {
        return pixels[y * width + x] & 0xFFFF;
    }

    /** The sample at (x, y) in [0, 1]. */
    public double getUnit(int x, int y) {
        return (pixels[y * width + x] & 0xFFFF) / (double) MAX_VALUE;
    }

    public short[] samples() {
        return pixels.clone();
    }

    /** Row-major floats in [0, 1]: the model input form. */
    public float[] toFloat() {
        float[] f = new float[pixels.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (pixels[i] & 0xFFFF) / (float) MAX_VALUE;
        }
        return f;
    }

    /** Row-major doubles in [0, 1]. */
    public double[] toUnit() {
        double[] f = new double[pixels.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (pixels[i] & 0xFFFF) / (double) MAX_VALUE;
        }
        return f;
    }

    /** The top 8 bits of every sample: for display and contact sheets. */
    public byte[] toBytes8() {
        byte[] b = new byte[pixels.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) ((pixels[i] & 0xFFFF) >>> 8);
        }
        return b;
    }

    /** Mean sample value in [0, 1] over the rectangle [x0, x1) × [y0, y1), clipped to the image. */
    public double meanUnit(int x0, int y0, int x1, int y1) {
        int ax = Math.max(0, x0), ay = Math.max(0, y0), bx = Math.min(width, x1), by = Math.min(height, y1);
        if (ax >= bx || ay >= by) {
            throw new IllegalArgumentException("empty region");
        }
        long sum = 0;
        for (int y = ay; y < by; y++) {
            for (int x = ax; x < bx; x++) {
                sum += pixels[y * width + x] & 0xFFFF;
            }
        }
        return sum / (double) ((long) (bx - ax) * (by - ay)) / MAX_VALUE;
    }

    /**
     * SHA-256 of the size and the big-endian samples. Independent of any file encoding, so it is the
     * same on every machine and JDK (PNG encoder output may differ between JDKs; pixels do not).
     */
    public String pixelDigest() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            ByteBuffer head = ByteBuffer.allocate(8).putInt(width).putInt(height);
            md.update(head.array());
            byte[] buf = new byte[pixels.length * 2];
            for (int i = 0; i < pixels.length; i++) {
                buf[2 * i] = (byte) (pixels[i] >>> 8);
                buf[2 * i + 1] = (byte) pixels[i];
            }
            return HexFormat.of().formatHex(md.digest(buf));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GrayImage g && g.width == width && g.height == height && Arrays.equals(g.pixels, pixels);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(pixels);
    }

    @Override
    public String toString() {
        return "GrayImage[" + width + "x" + height + "]";
    }
}
