package dev.causalcxr.core.evaluation;

import dev.causalcxr.core.imaging.GrayImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Images → feature vectors in one named feature space. */
public interface FeatureExtractor extends AutoCloseable {

    /** The network that makes the features (name, file digest, dimension). */
    FeatureSpace space();

    /** Edge length images are fitted to before embedding. */
    int imageSize();

    /** Features of images given as row-major [0, 1] floats of {@link #imageSize()}² values. */
    double[][] extract(List<float[]> images);

    /** Features of images of any size (each fitted into {@link #imageSize()}, aspect kept). */
    default double[][] extractImages(List<GrayImage> images) {
        return extract(images.stream()
                .map(i -> LabeledImages.toModelInput(i, imageSize()))
                .toList());
    }

    /** Features of every image file in a folder (see {@link ImageFolders}), in sorted path order. */
    default double[][] extractFolder(Path folder) throws IOException {
        return extractImages(ImageFolders.read(folder));
    }

    @Override
    void close();
}
