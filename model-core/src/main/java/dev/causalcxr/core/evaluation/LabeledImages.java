package dev.causalcxr.core.evaluation;

import dev.causalcxr.core.imaging.GrayImage;
import dev.causalcxr.core.imaging.Resampler;
import java.util.ArrayList;
import java.util.List;

/**
 * Square single-channel images as row-major [0, 1] floats, each with a class index of a
 * {@link PrimaryFindingTarget}.
 *
 * @param size   edge length of every image
 * @param pixels one array of size² values per image
 * @param labels class index per image
 */
public record LabeledImages(int size, List<float[]> pixels, int[] labels) {

    public LabeledImages {
        pixels = List.copyOf(pixels);
        labels = labels.clone();
        if (pixels.size() != labels.length) {
            throw new IllegalArgumentException(pixels.size() + " images but " + labels.length + " labels");
        }
        for (float[] p : pixels) {
            if (p.length != size * size) {
                throw new IllegalArgumentException("an image has " + p.length + " values, expected " + size + "²");
            }
        }
    }

    public static LabeledImages empty(int size) {
        return new LabeledImages(size, List.of(), new int[0]);
    }

    public int count() {
        return labels.length;
    }

    @Override
    public int[] labels() {
        return labels.clone();
    }

    public int label(int index) {
        return labels[index];
    }

    /** The model-input form of an image: fitted into size × size (aspect kept), as [0, 1] floats. */
    public static float[] toModelInput(GrayImage image, int size) {
        GrayImage fitted = image.width() == size && image.height() == size ? image : Resampler.fitSquare(image, size);
        return fitted.toFloat();
    }

    /** This set followed by {@code other} (same size). */
    public LabeledImages concat(LabeledImages other) {
        if (other.size != size) {
            throw new IllegalArgumentException("image sizes differ: " + size + " vs " + other.size);
        }
        List<float[]> all = new ArrayList<>(pixels);
        all.addAll(other.pixels);
        int[] allLabels = new int[labels.length + other.labels.length];
        System.arraycopy(labels, 0, allLabels, 0, labels.length);
        System.arraycopy(other.labels, 0, allLabels, labels.length, other.labels.length);
        return new LabeledImages(size, all, allLabels);
    }

    /** Images per class index (0..classCount−1). */
    public int[] classCounts(int classCount) {
        int[] counts = new int[classCount];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }
}
