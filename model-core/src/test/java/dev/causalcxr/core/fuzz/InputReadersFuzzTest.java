package dev.causalcxr.core.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.causalcxr.core.dataset.CsvReader;
import dev.causalcxr.core.dataset.DatasetManifest;
import dev.causalcxr.core.imaging.GrayImage;
import dev.causalcxr.core.imaging.ImageCodec;
import dev.causalcxr.core.imaging.ImageDecodeException;
import dev.causalcxr.core.metrics.io.NpyFiles;
import dev.causalcxr.core.reports.rules.RuleBasedReportExtractor;
import dev.causalcxr.core.spec.ExperimentSpec;
import dev.causalcxr.core.spec.SpecValidationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Every reader of outside input, under coverage-guided fuzzing (Jazzer). A reader may refuse an input
 * only with its documented, clear error; anything else (a NullPointerException, an index out of bounds,
 * running out of memory, an endless loop) is a crash. In a normal build these tests replay the kept
 * corpus and every crash found so far (resources under {@code InputReadersFuzzTestInputs/}); with
 * {@code JAZZER_FUZZ=1} they fuzz ({@code bench/fuzz/run}).
 */
class InputReadersFuzzTest {
    private static final RuleBasedReportExtractor RULES = new RuleBasedReportExtractor();

    @FuzzTest(maxDuration = "60s")
    void imageDecoderAcceptsAnImageOrSaysWhyNot(byte[] data) {
        try {
            GrayImage image = ImageCodec.decode(data);
            if (image.width() <= 0 || image.height() <= 0) {
                throw new AssertionError("decoded an empty image");
            }
        } catch (ImageDecodeException e) {
            requireMessage(e);
        }
    }

    @FuzzTest(maxDuration = "60s")
    void csvReaderReturnsRecordsWithTheirErrorsAndNeverThrows(byte[] data) {
        for (CsvReader.Record r : CsvReader.parse(data)) {
            if (r.fields() == null) {
                throw new AssertionError("a record without fields");
            }
        }
    }

    @FuzzTest(maxDuration = "60s")
    void datasetManifestReadsOrSaysWhyNot(byte[] data) {
        try {
            DatasetManifest.fromJson(new String(data, StandardCharsets.UTF_8));
        } catch (IOException e) {
            requireMessage(e);
        }
    }

    @FuzzTest(maxDuration = "60s")
    void specReaderReportsProblemsWithTheirFieldPaths(byte[] data) {
        try {
            ExperimentSpec.parseYaml(new String(data, StandardCharsets.UTF_8));
        } catch (SpecValidationException e) {
            if (e.problems().isEmpty()) {
                throw new AssertionError("a refused spec without a problem");
            }
        }
    }

    @FuzzTest(maxDuration = "60s")
    void reportExtractorReadsAnyText(byte[] data) {
        if (RULES.extract(new String(data, StandardCharsets.UTF_8)) == null) {
            throw new AssertionError("no findings list");
        }
    }

    @FuzzTest(maxDuration = "60s")
    void npyReaderReadsAMatrixOrSaysWhyNot(byte[] data) {
        try {
            NpyFiles.parse(data);
        } catch (IllegalArgumentException e) {
            requireMessage(e);
        }
    }

    private static void requireMessage(Exception e) {
        if (e.getMessage() == null || e.getMessage().isBlank()) {
            throw new AssertionError("an error without a reason", e);
        }
    }
}
