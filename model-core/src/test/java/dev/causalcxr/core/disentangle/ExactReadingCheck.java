package dev.causalcxr.core.disentangle;

import ai.djl.ndarray.NDManager;
import dev.causalcxr.core.dataset.Split;
import dev.causalcxr.core.dataset.SplitProportions;
import dev.causalcxr.core.diffusion.PathologyScorer;
import dev.causalcxr.core.engine.Engines;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.metrics.classification.Auroc;
import dev.causalcxr.core.phantom.PhantomGenerator;
import dev.causalcxr.core.phantom.PhantomSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.ToDoubleBiFunction;
import java.util.stream.IntStream;

/**
 * What the finding head of saved disentangler models reads, on the default phantom that {@link
 * DisentanglerQuickRun} trains on (not a unit test). Per finding: the exact reading ({@link
 * DisentanglerEvaluator#exactFindingReading}); the head's AUROC on the test split's own studies from the posterior
 * means ({@code natural_auroc}, as every later stage reads codes) and from one draw of each posterior ({@code
 * natural_auroc_sampled}, as the head saw codes in training); and the AUROC of the finding slot's summed
 * log-variance alone ({@code logvar_auroc}). Usage: {@code ExactReadingCheck SEED MODEL_FILE...}.
 */
public final class ExactReadingCheck {

    private ExactReadingCheck() {}

    public static void main(String[] args) throws Exception {
        long seed = Long.parseLong(args[0]);
        DisentanglerDataset data = DisentanglerDataset.fromPhantom(
                new PhantomGenerator(PhantomSpec.defaults()), SplitProportions.defaults(), (d, t) -> {});
        for (int i = 1; i < args.length; i++) {
            String file = args[i];
            try (DisentanglerModel model = DisentanglerModel.load(Path.of(file))) {
                Map<String, Double> out = new TreeMap<>(DisentanglerEvaluator.exactFindingReading(
                        model, data, DisentanglerStage.EXACT_READ_PER_CLASS, seed));
                out.putAll(natural(model, data, seed));
                trainAuroc(model, data).forEach((k, v) -> out.put("train_auroc__" + k, v));
                out.forEach((k, v) -> System.out.printf("%s %-45s %.4f%n", file, k, v));
            }
        }
    }

    static Map<String, Double> natural(DisentanglerModel model, DisentanglerDataset data, long seed) {
        int[] test = data.indices(Split.TEST);
        DisentanglerModel.Encoding e = model.encode(pixels(data, test));
        PathologyScorer head = model.findingScorer();
        float[][] sampled = new float[test.length][];
        Random rng = new Random(seed);
        for (int k = 0; k < test.length; k++) {
            sampled[k] = new float[e.pathMean()[k].length];
            for (int d = 0; d < sampled[k].length; d++) {
                sampled[k][d] =
                        e.pathMean()[k][d] + (float) (Math.exp(0.5 * e.pathLogVar()[k][d]) * rng.nextGaussian());
            }
        }
        float[][] mean;
        float[][] draw;
        try (NDManager m = Engines.pytorch().newBaseManager(head.device())) {
            mean = head.probabilities(m, e.pathMean());
            draw = head.probabilities(m, sampled);
        }
        Map<String, Double> out = new TreeMap<>();
        aurocByFinding(data, test, head, (k, f) -> mean[k][head.column(f)], "natural_auroc__", out);
        aurocByFinding(data, test, head, (k, f) -> draw[k][head.column(f)], "natural_auroc_sampled__", out);
        int slot = model.config().findingSlots();
        if (slot > 0) {
            List<Finding> vocabulary = model.vocabulary();
            int firstSlot = model.config().pathDim() - slot * vocabulary.size();
            aurocByFinding(
                    data,
                    test,
                    head,
                    (k, f) -> {
                        double spread = 0;
                        for (int d = 0; d < slot; d++) {
                            spread += e.pathLogVar()[k][firstSlot + slot * vocabulary.indexOf(f) + d];
                        }
                        return spread;
                    },
                    "logvar_auroc__",
                    out);
        }
        for (Finding f : head.findings()) {
            if (out.containsKey("natural_auroc__" + f.key())) {
                out.put("natural_positives__" + f.key(), (double)
                        IntStream.of(test).filter(i -> shows(data, i, f)).count());
            }
        }
        return out;
    }

    /** The head's AUROC per finding on the training split, from the posterior means. */
    static Map<String, Double> trainAuroc(DisentanglerModel model, DisentanglerDataset data) {
        int[] train = data.indices(Split.TRAIN);
        PathologyScorer head = model.findingScorer();
        float[][] p;
        try (NDManager m = Engines.pytorch().newBaseManager(head.device())) {
            p = head.probabilities(m, model.encode(pixels(data, train)).pathMean());
        }
        Map<String, Double> out = new TreeMap<>();
        aurocByFinding(data, train, head, (k, f) -> p[k][head.column(f)], "", out);
        return out;
    }

    /**
     * For each finding of the head, the AUROC of {@code score(position, finding)} over the studies at {@code
     * indices} for telling those that show the finding (phantom truth) from the rest, as {@code prefix + key};
     * findings without both kinds of study are left out.
     */
    private static void aurocByFinding(
            DisentanglerDataset data,
            int[] indices,
            PathologyScorer head,
            ToDoubleBiFunction<Integer, Finding> score,
            String prefix,
            Map<String, Double> out) {
        for (Finding f : head.findings()) {
            boolean[] has = new boolean[indices.length];
            double[] scores = new double[indices.length];
            for (int k = 0; k < indices.length; k++) {
                has[k] = shows(data, indices[k], f);
                scores[k] = score.applyAsDouble(k, f);
            }
            double a = Auroc.binary(has, scores);
            if (!Double.isNaN(a)) {
                out.put(prefix + f.key(), a);
            }
        }
    }

    private static boolean shows(DisentanglerDataset data, int study, Finding f) {
        return data.studies().get(study).truthFindings().stream().anyMatch(x -> x.finding() == f);
    }

    private static List<float[]> pixels(DisentanglerDataset data, int[] indices) {
        return IntStream.of(indices)
                .mapToObj(i -> data.studies().get(i).pixels())
                .toList();
    }
}
