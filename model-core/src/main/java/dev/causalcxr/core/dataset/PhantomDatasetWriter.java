package dev.causalcxr.core.dataset;

import dev.causalcxr.core.imaging.ImageCodec;
import dev.causalcxr.core.phantom.PhantomGenerator;
import dev.causalcxr.core.phantom.PhantomSpec;
import dev.causalcxr.core.phantom.PhantomStudy;
import dev.causalcxr.core.random.SplitMix64;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a phantom data set in the MIMIC-CXR-JPG layout (16-bit PNG instead of JPEG), so the same
 * importer that takes hospital data ingests it:
 * <pre>
 * files/p10/p10000000/s50000000/&lt;image id&gt;.png
 * files/p10/p10000000/s50000000.txt
 * phantom-ground-truth.json
 * </pre>
 */
public final class PhantomDatasetWriter {

    private static final Logger LOG = LoggerFactory.getLogger(PhantomDatasetWriter.class);

    private PhantomDatasetWriter() {}

    /** What was written. */
    public record Summary(Path root, int studies, int patients, PhantomGroundTruth groundTruth) {}

    public static Summary write(PhantomSpec spec, Path root) throws IOException {
        return write(new PhantomGenerator(spec), root, (done, total) -> {});
    }

    /**
     * Renders and writes every study of {@code generator}; {@code progress} gets (done, total)
     * after each study (stage heartbeat).
     */
    public static Summary write(PhantomGenerator generator, Path root, BiConsumer<Integer, Integer> progress)
            throws IOException {
        List<PhantomStudy> studies = generator.studies();
        List<PhantomGroundTruth.StudyTruth> truth = new ArrayList<>(studies.size());
        int patients = 0;
        for (PhantomStudy s : studies) {
            String group = s.patientId().substring(0, 3);
            Path patientDir = root.resolve("files").resolve(group).resolve(s.patientId());
            Path studyDir = patientDir.resolve(s.studyId());
            Files.createDirectories(studyDir);
            String imageId = String.format("%016x", SplitMix64.derive(s.acquisitionSeed(), 0x1A6E));
            Path image = studyDir.resolve(imageId + ".png");
            Files.write(image, ImageCodec.encodePng16(generator.render(s).image()));
            Files.writeString(
                    patientDir.resolve(s.studyId() + ".txt"), s.report().text(), StandardCharsets.UTF_8);
            truth.add(PhantomGroundTruth.StudyTruth.of(
                    s, root.relativize(image).toString().replace('\\', '/')));
            patients = Math.max(patients, s.patientIndex() + 1);
            progress.accept(truth.size(), studies.size());
        }
        PhantomGroundTruth gt = new PhantomGroundTruth(
                generator.spec().size(), Long.toString(generator.spec().seed()), truth);
        gt.write(root.resolve(PhantomGroundTruth.FILE_NAME));
        LOG.info(
                "wrote phantom data set: {} studies of {} patients at {} px",
                studies.size(),
                patients,
                generator.spec().size());
        return new Summary(root, studies.size(), patients, gt);
    }
}
