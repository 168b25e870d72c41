package dev.causalcxr.cli.serve;

import dev.causalcxr.core.imaging.GrayImage;
import dev.causalcxr.core.imaging.ImageCodec;
import dev.causalcxr.core.imaging.ImageDecodeException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * An uploaded source image checked before it is decoded for the model: a PNG or JPEG (by its bytes,
 * not its name), of a bounded size read from its header first (so that a small file cannot unpack into
 * gigabytes), at least {@link #MIN_SIDE} pixels a side, not a thin strip, and gray: a colour picture
 * (more than {@link #MAX_COLOUR_FRACTION} of its pixels clearly coloured) is not a radiograph. Gray
 * images stored as RGB (as some datasets ship them) pass. Decoding itself is {@link ImageCodec#decode},
 * as on import and in the CLI. Reasons never repeat the upload's content.
 */
public final class SourceImages {
    static final int MIN_SIDE = 32;
    static final double MAX_ASPECT = 4.0;
    static final int COLOUR_CHROMA = 32;
    static final double MAX_COLOUR_FRACTION = 0.02;

    private SourceImages() {}

    public static GrayImage decode(byte[] data, long maxPixels) {
        if (data.length == 0) {
            throw HttpError.badRequest("not an image: the uploaded file is empty");
        }
        ImageCodec.Format format = ImageCodec.sniff(data);
        if (format == null) {
            throw HttpError.badRequest("not an image: the upload is neither a PNG nor a JPEG file");
        }
        int[] size = headerSize(data, format);
        long pixels = (long) size[0] * size[1];
        if (pixels > maxPixels) {
            throw HttpError.badRequest(String.format(
                    Locale.ROOT,
                    "image too large: %d×%d pixels; the limit is %,d pixels",
                    size[0],
                    size[1],
                    maxPixels));
        }
        if (Math.min(size[0], size[1]) < MIN_SIDE) {
            throw HttpError.badRequest(String.format(
                    Locale.ROOT,
                    "wrong kind of image: %d×%d pixels is too small for a radiograph (at least %d a side)",
                    size[0],
                    size[1],
                    MIN_SIDE));
        }
        if (Math.max(size[0], size[1]) > MAX_ASPECT * Math.min(size[0], size[1])) {
            throw HttpError.badRequest(String.format(
                    Locale.ROOT,
                    "wrong kind of image: a %d×%d strip is not a radiograph (aspect ratio over %.0f:1)",
                    size[0],
                    size[1],
                    MAX_ASPECT));
        }
        if (mayBeColour(data, format)) {
            checkGray(data);
        }
        try {
            return ImageCodec.decode(data);
        } catch (ImageDecodeException e) {
            throw HttpError.badRequest("not an image: " + e.getMessage());
        }
    }

    /** Width and height from the header alone. */
    static int[] headerSize(byte[] data, ImageCodec.Format format) {
        if (format == ImageCodec.Format.PNG) {
            // signature (8), IHDR length (4), "IHDR" (4), width (4), height (4)
            if (data.length < 33 || data[12] != 'I' || data[13] != 'H' || data[14] != 'D' || data[15] != 'R') {
                throw HttpError.badRequest("not an image: a PNG without its header");
            }
            long w = readInt(data, 16) & 0xFFFFFFFFL;
            long h = readInt(data, 20) & 0xFFFFFFFFL;
            if (w == 0 || h == 0 || w > Integer.MAX_VALUE || h > Integer.MAX_VALUE) {
                throw HttpError.badRequest("not an image: a PNG header with an impossible size");
            }
            return new int[] {(int) w, (int) h};
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(data))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw HttpError.badRequest("not an image: no decoder for this file");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                return new int[] {reader.getWidth(0), reader.getHeight(0)};
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof HttpError h) {
                throw h;
            }
            throw HttpError.badRequest("not an image: an unreadable JPEG header");
        }
    }

    private static boolean mayBeColour(byte[] data, ImageCodec.Format format) {
        if (format == ImageCodec.Format.PNG) {
            int colourType = data[25] & 0xFF;
            return colourType == 2 || colourType == 3 || colourType == 6;
        }
        return true;
    }

    private static void checkGray(byte[] data) {
        BufferedImage img;
        try {
            img = ImageIO.read(new ByteArrayInputStream(data));
        } catch (IOException | RuntimeException e) {
            throw HttpError.badRequest("not an image: corrupt image data");
        }
        if (img == null) {
            throw HttpError.badRequest("not an image: no decoder for this file");
        }
        if (img.getColorModel().getNumColorComponents() < 3) {
            return;
        }
        int w = img.getWidth();
        int h = img.getHeight();
        long coloured = 0;
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int argb : row) {
                int r = (argb >> 16) & 0xFF;
                int g = (argb >> 8) & 0xFF;
                int b = argb & 0xFF;
                if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > COLOUR_CHROMA) {
                    coloured++;
                }
            }
        }
        if (coloured > MAX_COLOUR_FRACTION * w * h) {
            throw HttpError.badRequest(String.format(
                    Locale.ROOT,
                    "wrong kind of image: a colour picture (%.0f %% of its pixels are coloured), not a grayscale radiograph",
                    100.0 * coloured / ((double) w * h)));
        }
    }

    private static int readInt(byte[] d, int at) {
        return ((d[at] & 0xFF) << 24) | ((d[at + 1] & 0xFF) << 16) | ((d[at + 2] & 0xFF) << 8) | (d[at + 3] & 0xFF);
    }
}
