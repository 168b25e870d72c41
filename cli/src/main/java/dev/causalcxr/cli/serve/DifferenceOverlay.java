package dev.causalcxr.cli.serve;

import dev.causalcxr.core.imaging.GrayImage;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/**
 * Where a counterfactual differs from its source, over the source: an 8-bit RGB PNG whose gray
 * background is the source at 60 % brightness, with red where the counterfactual is brighter (denser
 * on a radiograph: fluid, opacity) and blue where it is darker, full colour at a difference of
 * {@link #FULL_SCALE} of the intensity range or more. A fixed scale, so that overlays of different
 * requests compare.
 */
public final class DifferenceOverlay {
    /** The difference (in [0, 1] intensity units) shown at full colour. */
    public static final double FULL_SCALE = 0.25;

    private DifferenceOverlay() {}

    public static byte[] png(GrayImage source, GrayImage counterfactual) {
        if (source.width() != counterfactual.width() || source.height() != counterfactual.height()) {
            throw new IllegalArgumentException("the counterfactual and its source differ in size");
        }
        int w = source.width();
        int h = source.height();
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double s = source.getUnit(x, y);
                double d = counterfactual.getUnit(x, y) - s;
                double a = Math.min(1.0, Math.abs(d) / FULL_SCALE);
                int base = (int) Math.round(s * 0.6 * 255);
                int hot = (int) Math.round(base * (1 - a) + 255 * a);
                int cold = (int) Math.round(base * (1 - a));
                int r = d > 0 ? hot : cold;
                int b = d < 0 ? hot : cold;
                int g = cold;
                int i = (y * w + x) * 3;
                bgr[i] = (byte) b;
                bgr[i + 1] = (byte) g;
                bgr[i + 2] = (byte) r;
            }
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(img, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
