package dev.causalcxr.core.metrics.classification;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.causalcxr.core.metrics.PythonReference;
import dev.causalcxr.core.metrics.io.NpyFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Classification metrics against scikit-learn on random labels with tied scores and an absent class. */
class ClassificationSklearnReferenceTest {

    @TempDir
    Path dir;

    @Test
    void matchesScikitLearn() throws IOException {
        int n = 400;
        int classes = 5;
        SplittableRandom random = new SplittableRandom(17);
        int[] truth = new int[n];
        double[][] scores = new double[n][classes];
        for (int i = 0; i < n; i++) {
            // long-tailed truth over classes 0..3; class 4 never true but sometimes predicted
            double u = random.nextDouble();
            truth[i] = u < 0.55 ? 0 : u < 0.85 ? 1 : u < 0.95 ? 2 : 3;
            for (int c = 0; c < classes; c++) {
                double signal = c == truth[i] ? 0.35 : 0.0;
                // one decimal: many tied scores
                scores[i][c] = Math.round((random.nextDouble() * 0.8 + signal) * 10) / 10.0;
            }
        }
        int[] predicted = ClassificationMetrics.argmax(scores);
        ClassificationReport ours = ClassificationMetrics.evaluate(truth, predicted, scores, classes);

        JsonNode reference = PythonReference.run(
                "classification",
                write("t.npy", truth).toString(),
                write("p.npy", predicted).toString(),
                writeMatrix("s.npy", scores).toString());
        assertEquals(reference.get("accuracy").asDouble(), ours.accuracy(), 1e-12);
        assertEquals(reference.get("balanced_accuracy").asDouble(), ours.balancedAccuracy(), 1e-12);
        assertEquals(reference.get("macro_f1").asDouble(), ours.macroF1(), 1e-12);
        boolean anyPredictedFour = ours.predictedCount()[4] > 0;
        assertTrue(anyPredictedFour, "the fixture should predict the never-true class sometimes");
        for (int c = 0; c < classes; c++) {
            assertEquals(reference.get("precision").get(c).asDouble(), ours.precision()[c], 1e-12, "precision " + c);
            assertEquals(reference.get("recall").get(c).asDouble(), ours.recall()[c], 1e-12, "recall " + c);
            assertEquals(reference.get("f1").get(c).asDouble(), ours.f1()[c], 1e-12, "f1 " + c);
            JsonNode auroc = reference.get("auroc").get(c);
            if (auroc.isNull()) {
                assertTrue(Double.isNaN(ours.auroc()[c]));
            } else {
                assertEquals(auroc.asDouble(), ours.auroc()[c], 1e-12, "auroc " + c);
            }
            for (int p = 0; p < classes; p++) {
                assertEquals(reference.get("confusion").get(c).get(p).asInt(), ours.confusion()[c][p]);
            }
        }
    }

    private Path write(String name, int[] labels) throws IOException {
        double[][] column = new double[labels.length][1];
        for (int i = 0; i < labels.length; i++) {
            column[i][0] = labels[i];
        }
        return writeMatrix(name, column);
    }

    private Path writeMatrix(String name, double[][] matrix) throws IOException {
        Path file = dir.resolve(name);
        NpyFiles.write(file, matrix, NpyFiles.ElementType.FLOAT64);
        return file;
    }
}
