package dev.causalcxr.core.phantom;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.imaging.GrayImage;
import java.util.BitSet;

/**
 * The pixels a rendered finding changed: outside this region, the study and its counterfactual
 * without the finding are identical. Used by identity-preservation metrics.
 */
public record FindingMask(Finding finding, int width, int height, BitSet bits) {

    public FindingMask {
        bits = (BitSet) bits.clone();
    }

    public boolean contains(int x, int y) {
        return bits.get(y * width + x);
    }

    /** Number of pixels in the mask. */
    public int area() {
        return bits.cardinality();
    }

    public double fraction() {
        return area() / (double) (width * height);
    }

    @Override
    public BitSet bits() {
        return (BitSet) bits.clone();
    }

    /** The mask as a black/white image (white inside). */
    public GrayImage toImage() {
        short[] px = new short[width * height];
        for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(i + 1)) {
            px[i] = (short) 0xFFFF;
        }
        return GrayImage.of(width, height, px);
    }
}
