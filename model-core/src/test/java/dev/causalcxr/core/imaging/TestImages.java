package dev.causalcxr.core.imaging;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import javax.imageio.ImageIO;

/** Small encoded images for codec and importer tests. */
public final class TestImages {

    private TestImages() {}

    /** A gradient with detail, as 16-bit gray. */
    public static GrayImage gradient(int w, int h, int salt) {
        short[] px = new short[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                px[y * w + x] = (short) ((x * 997 + y * 131 + salt * 7919 + (x * y % 17) * 3) % 65536);
            }
        }
        return GrayImage.of(w, h, px);
    }

    public static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(img, format, out)) {
            throw new IOException("no writer for " + format);
        }
        return out.toByteArray();
    }

    public static BufferedImage gray8(int w, int h, int salt) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.getRaster().setSample(x, y, 0, (x * 3 + y * 5 + salt) & 0xFF);
            }
        }
        return img;
    }

    public static BufferedImage rgb(int w, int h, int salt) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = (x * 4 + y * 2 + salt) & 0xFF;
                img.setRGB(x, y, (v << 16) | (v << 8) | v);
            }
        }
        return img;
    }

    public static byte[] jpeg(int w, int h, int salt) throws IOException {
        return encode(gray8(w, h, salt), "jpg");
    }

    public static byte[] truncate(byte[] data, double keep) {
        return Arrays.copyOf(data, (int) (data.length * keep));
    }
}
