package dev.causalcxr.core.evaluation;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** The in-domain feature space: the penultimate layer of a trained {@link TrainedClassifier}. */
public final class ClassifierFeatureExtractor implements FeatureExtractor {

    private final TrainedClassifier classifier;
    private final boolean owned;
    private final FeatureSpace space;

    private ClassifierFeatureExtractor(TrainedClassifier classifier, boolean owned) {
        this.classifier = classifier;
        this.owned = owned;
        FeatureSpace saved = classifier.featureSpace();
        this.space = new FeatureSpace("in-domain/" + saved.name(), saved.digest(), saved.dimension());
    }

    /** Uses a saved or loaded classifier the caller keeps owning. */
    public static ClassifierFeatureExtractor of(TrainedClassifier classifier) {
        return new ClassifierFeatureExtractor(classifier, false);
    }

    /** Loads a saved classifier file; closing the extractor closes it. */
    public static ClassifierFeatureExtractor load(Path classifierFile) throws IOException {
        return load(classifierFile, null);
    }

    /** As {@link #load(Path)}, on {@code device} (null: the device the network was trained on). */
    public static ClassifierFeatureExtractor load(Path classifierFile, String device) throws IOException {
        TrainedClassifier classifier = TrainedClassifier.load(classifierFile, device);
        return new ClassifierFeatureExtractor(classifier, true);
    }

    @Override
    public FeatureSpace space() {
        return space;
    }

    @Override
    public int imageSize() {
        return classifier.config().imageSize();
    }

    @Override
    public double[][] extract(List<float[]> images) {
        return classifier.features(images);
    }

    @Override
    public void close() {
        if (owned) {
            classifier.close();
        }
    }
}
