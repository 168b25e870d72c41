package dev.causalcxr.core.evaluation;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.imaging.Resampler;
import dev.causalcxr.core.phantom.PhantomGenerator;
import dev.causalcxr.core.phantom.PhantomSpec;
import dev.causalcxr.core.phantom.PhantomStudy;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Classifier training time per epoch at 64 px on a quick-profile-sized training split, and feature
 * extraction throughput; optionally the same at 256 px. Prints one Markdown section.
 * Usage: ClassifierBenchmark [--train N] [--epochs E] [--with-256]
 */
public final class ClassifierBenchmark {

    private ClassifierBenchmark() {}

    public static void main(String[] args) {
        int trainCount = 1400;
        int epochs = 3;
        boolean with256 = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--train" -> trainCount = Integer.parseInt(args[++i]);
                case "--epochs" -> epochs = Integer.parseInt(args[++i]);
                case "--with-256" -> with256 = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        String threads = System.getProperty("ai.djl.pytorch.num_threads", "default (2)");
        List<String> lines = new ArrayList<>();
        lines.add("### DJL intra-op threads: " + threads);
        lines.add("");

        // the quick profile's phantom (2,000 studies, 64 px, seed 42); its first trainCount studies stand in
        // for the ~70 % training split
        long t0 = System.nanoTime();
        PhantomGenerator generator = new PhantomGenerator(PhantomSpec.defaults());
        List<PhantomStudy> studies = generator.studies().subList(0, trainCount);
        List<float[]> pixels = new ArrayList<>();
        List<Set<Finding>> present = new ArrayList<>();
        Map<Finding, Integer> counts = new EnumMap<>(Finding.class);
        for (PhantomStudy study : studies) {
            pixels.add(generator.render(study).image().toFloat());
            Set<Finding> findings = EnumSet.noneOf(Finding.class);
            for (FindingMention m : study.findings()) {
                findings.add(m.finding());
                counts.merge(m.finding(), 1, Integer::sum);
            }
            present.add(findings);
        }
        PrimaryFindingTarget target = PrimaryFindingTarget.fromCounts(counts, 5);
        int[] labels = present.stream().mapToInt(target::classOfPresent).toArray();
        LabeledImages train = new LabeledImages(64, pixels, labels);
        lines.add(String.format(
                Locale.ROOT,
                "Rendered %d phantom training images (64 px) in %.1f s; %d classes.",
                trainCount,
                seconds(t0),
                target.classCount()));
        lines.add("");
        lines.add("| size | network | batch | images | steps/epoch | epoch 1 s (incl. warm-up) | later epochs s (mean) "
                + "| ms/step | feature extraction images/s |");
        lines.add("|---|---|---|---|---|---|---|---|---|");
        lines.add(measure(ClassifierConfig.quick().withEpochs(epochs).withPatience(0), target, train));
        if (with256) {
            List<float[]> big = new ArrayList<>();
            int bigCount = 256;
            for (int i = 0; i < bigCount; i++) {
                big.add(Resampler.resize(generator.render(studies.get(i)).image(), 256, 256)
                        .toFloat());
            }
            LabeledImages train256 = new LabeledImages(256, big, java.util.Arrays.copyOf(labels, bigCount));
            lines.add(measure(
                    ClassifierConfig.quick().withImageSize(256).withEpochs(2).withPatience(0), target, train256));
        }
        lines.add("");
        System.out.println(String.join("\n", lines));
    }

    private static String measure(ClassifierConfig config, PrimaryFindingTarget target, LabeledImages train) {
        int steps = ClassifierTrainer.stepsPerEpoch(train.count(), config.batchSize());
        List<Long> epochEnds = new ArrayList<>();
        long start = System.nanoTime();
        double perSecond;
        try (TrainedClassifier classifier = ClassifierTrainer.train(
                config,
                target,
                train,
                steps,
                LabeledImages.empty(config.imageSize()),
                7,
                "bench",
                (e, n, loss, score) -> epochEnds.add(System.nanoTime()),
                () -> false)) {
            classifier.features(train.pixels().subList(0, Math.min(64, train.count())));
            long f0 = System.nanoTime();
            classifier.features(train.pixels());
            perSecond = train.count() / seconds(f0);
        }
        double first = (epochEnds.get(0) - start) / 1e9;
        double later = epochEnds.size() < 2
                ? Double.NaN
                : (epochEnds.get(epochEnds.size() - 1) - epochEnds.get(0)) / 1e9 / (epochEnds.size() - 1);
        return String.format(
                Locale.ROOT,
                "| %d px | %s | %d | %d | %d | %.1f | %.1f | %.0f | %.0f |",
                config.imageSize(),
                config.architectureName(),
                config.batchSize(),
                train.count(),
                steps,
                first,
                later,
                1000 * later / steps,
                perSecond);
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
