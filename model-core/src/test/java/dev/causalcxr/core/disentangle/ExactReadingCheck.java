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
        List<float[]> images =
                IntStream.of(test).mapToObj(i -> data.studies().get(i).pixels()).toList();
        DisentanglerModel.Encoding e = model.encode(images);
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
        Map<String, Double> out = new TreeMap<>();
        float[][] mean;
        float[][] draw;
        try (NDManager m = Engines.pytorch().newBaseManager(head.device())) {
            mean = head.probabilities(m, e.pathMean());
            draw = head.probabilities(m, sampled);
        }
        int slot = model.config().findingSlots();
        List<Finding> vocabulary = model.vocabulary();
        int firstSlot = model.config().pathDim() - slot * vocabulary.size();
        for (Finding f : head.findings()) {
            int col = head.column(f);
            boolean[] has = new boolean[test.length];
            for (int k = 0; k < test.length; k++) {
                has[k] = data.studies().get(test[k]).truthFindings().stream().anyMatch(x -> x.finding() == f);
            }
            double[] byMean = new double[test.length];
            double[] byDraw = new double[test.length];
            double[] bySpread = new double[test.length];
            for (int k = 0; k < test.length; k++) {
                byMean[k] = mean[k][col];
                byDraw[k] = draw[k][col];
                for (int d = 0; slot > 0 && d < slot; d++) {
                    bySpread[k] += e.pathLogVar()[k][firstSlot + slot * vocabulary.indexOf(f) + d];
                }
            }
            double a = Auroc.binary(has, byMean);
            if (Double.isNaN(a)) {
                continue;
            }
            out.put("natural_auroc__" + f.key(), a);
            out.put("natural_auroc_sampled__" + f.key(), Auroc.binary(has, byDraw));
            if (slot > 0) {
                out.put("logvar_auroc__" + f.key(), Auroc.binary(has, bySpread));
            }
            out.put("natural_positives__" + f.key(), (double)
                    IntStream.range(0, test.length).filter(k -> has[k]).count());
        }
        return out;
    }

    /** The head's AUROC per finding on the training split, from the posterior means. */
    static Map<String, Double> trainAuroc(DisentanglerModel model, DisentanglerDataset data) {
        int[] train = data.indices(Split.TRAIN);
        List<float[]> images = IntStream.of(train)
                .mapToObj(i -> data.studies().get(i).pixels())
                .toList();
        PathologyScorer head = model.findingScorer();
        float[][] p;
        try (NDManager m = Engines.pytorch().newBaseManager(head.device())) {
            p = head.probabilities(m, model.encode(images).pathMean());
        }
        Map<String, Double> out = new TreeMap<>();
        for (Finding f : head.findings()) {
            int col = head.column(f);
            double[] score = new double[train.length];
            boolean[] has = new boolean[train.length];
            for (int k = 0; k < train.length; k++) {
                score[k] = p[k][col];
                has[k] = data.studies().get(train[k]).findings().stream().anyMatch(x -> x.finding() == f);
            }
            out.put(f.key(), Auroc.binary(has, score));
        }
        return out;
    }
}
