package dev.causalcxr.core.counterfactual;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.causalcxr.core.dataset.PhantomGroundTruth;
import dev.causalcxr.core.evaluation.AugmentedSample;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.imaging.GrayImage;
import dev.causalcxr.core.imaging.ImageCodec;
import dev.causalcxr.core.imaging.Resampler;
import dev.causalcxr.core.phantom.PhantomRenderer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Generated training images with their manifest, stored as one zip file: {@code manifest.json} and
 * one 16-bit PNG per image under {@code images/}. The manifest holds, per image, the source study id
 * (pseudonymous), the condition, the finding labels, the seed, whether a tuned prior gave the initial
 * noise and the pixel digest; never report text.
 */
public final class AugmentationSet {

    public static final String KIND = "causalcxr-augmentation-set";
    public static final String MANIFEST = "manifest.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * One generated image's record.
     *
     * @param file          the PNG's name inside the zip
     * @param sourceStudyId the study whose identity the image keeps
     * @param target        the finding the image was generated to add (label)
     * @param condition     the condition sampled ({@code Condition.describe()})
     * @param findings      labels of the findings present in the condition
     * @param seed          the sampler's seed
     * @param tunedPrior    the initial noise came from a learned tail-noise prior
     * @param pixelDigest   SHA-256 of the pixels ({@link GrayImage#pixelDigest()})
     * @param mentions      the condition's findings with severity, laterality and zone
     *                      ({@link FindingMention#toJsonMap()} shape; null in sets written before it was
     *                      recorded): what the phantom renders for the exact counterfactual of the request
     */
    public record Entry(
            String file,
            String sourceStudyId,
            String target,
            String condition,
            List<String> findings,
            long seed,
            boolean tunedPrior,
            String pixelDigest,
            List<Map<String, String>> mentions) {
        public Entry {
            findings = List.copyOf(findings);
            mentions = mentions == null ? null : List.copyOf(mentions);
        }

        /** The same request with another image (its pixel digest). */
        public Entry withPixels(GrayImage image) {
            return new Entry(
                    file, sourceStudyId, target, condition, findings, seed, tunedPrior, image.pixelDigest(), mentions);
        }
    }

    /** The manifest as written. */
    public record Manifest(String kind, int format, int imageSize, List<Entry> entries) {}

    private final int imageSize;
    private final List<Entry> entries;
    private final List<GrayImage> images;

    public AugmentationSet(int imageSize, List<Entry> entries, List<GrayImage> images) {
        if (entries.size() != images.size()) {
            throw new IllegalArgumentException(entries.size() + " entries but " + images.size() + " images");
        }
        for (GrayImage g : images) {
            if (g.width() != imageSize || g.height() != imageSize) {
                throw new IllegalArgumentException("image " + g + " is not " + imageSize + "x" + imageSize);
            }
        }
        this.imageSize = imageSize;
        this.entries = List.copyOf(entries);
        this.images = List.copyOf(images);
    }

    /** Builds the record of one image ({@code file} is chosen from its position). */
    public static Entry entry(int index, AugmentationPlan.Item item, CounterfactualGenerator.Generation g) {
        return new Entry(
                String.format(java.util.Locale.ROOT, "images/%06d.png", index),
                item.sourceStudyId(),
                item.target().label(),
                g.condition().describe(),
                g.condition().findings().stream().map(Finding::label).toList(),
                item.seed(),
                g.usedPrior(),
                g.images().get(0).pixelDigest(),
                g.condition().present().stream().map(FindingMention::toJsonMap).toList());
    }

    public int imageSize() {
        return imageSize;
    }

    public List<Entry> entries() {
        return entries;
    }

    public List<GrayImage> images() {
        return images;
    }

    public int size() {
        return entries.size();
    }

    /** The images as inputs of the downstream evaluation: each with its condition's present findings. */
    public List<AugmentedSample> samples() {
        List<AugmentedSample> out = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            List<Finding> present = entries.get(i).findings().stream()
                    .map(l -> Finding.fromLabel(l).orElseThrow(() -> new IllegalStateException("unknown finding " + l)))
                    .filter(f -> f != Finding.NO_FINDING)
                    .toList();
            out.add(AugmentedSample.of(images.get(i), present, entries.get(i).sourceStudyId()));
        }
        return out;
    }

    /**
     * The phantom's exact counterfactuals of this set's requests: each entry's source study rendered with the
     * entry's condition, at this set's size, labelled as its generated image is. Entries whose source the truth
     * does not hold, or whose condition was not recorded, are left out.
     */
    public List<AugmentedSample> exactCounterfactuals(PhantomGroundTruth truth) {
        Map<String, PhantomGroundTruth.StudyTruth> byStudy = new HashMap<>();
        truth.studies().forEach(s -> byStudy.put(s.studyId(), s));
        List<AugmentedSample> out = new ArrayList<>();
        for (Entry e : entries) {
            PhantomGroundTruth.StudyTruth source = byStudy.get(e.sourceStudyId());
            if (source == null || e.mentions() == null) {
                continue;
            }
            List<FindingMention> condition =
                    e.mentions().stream().map(FindingMention::fromJsonMap).toList();
            GrayImage image = PhantomRenderer.render(source.identity(), source.acquisition(), condition, truth.size())
                    .image();
            if (image.width() != imageSize || image.height() != imageSize) {
                image = Resampler.fitSquare(image, imageSize);
            }
            List<Finding> present = condition.stream()
                    .map(FindingMention::finding)
                    .filter(f -> f != Finding.NO_FINDING)
                    .distinct()
                    .toList();
            out.add(AugmentedSample.of(image, present, e.sourceStudyId()));
        }
        return out;
    }

    /** Images per target finding. */
    public Map<Finding, Integer> countsByTarget() {
        Map<Finding, Integer> out = new EnumMap<>(Finding.class);
        for (Entry e : entries) {
            out.merge(Finding.fromLabel(e.target()).orElseThrow(), 1, Integer::sum);
        }
        return out;
    }

    /** Writes the zip (atomically) and reads it back to verify every image and the manifest. */
    public void write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = parent.resolve(file.getFileName() + ".tmp");
        try (OutputStream os = Files.newOutputStream(tmp);
                ZipOutputStream zip = new ZipOutputStream(os)) {
            zip.putNextEntry(new ZipEntry(MANIFEST));
            zip.write(JSON.writeValueAsBytes(new Manifest(KIND, 1, imageSize, entries)));
            zip.closeEntry();
            for (int i = 0; i < entries.size(); i++) {
                zip.putNextEntry(new ZipEntry(entries.get(i).file()));
                zip.write(ImageCodec.encodePng16(images.get(i)));
                zip.closeEntry();
            }
        }
        AugmentationSet back = read(tmp);
        if (!back.entries.equals(entries) || back.imageSize != imageSize) {
            throw new IOException("augmentation set " + file + " did not read back as written");
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Reads a zip written by {@link #write}; every image is checked against its manifest digest. */
    public static AugmentationSet read(Path file) throws IOException {
        Manifest manifest = null;
        Map<String, byte[]> files = new HashMap<>();
        try (InputStream is = Files.newInputStream(file);
                ZipInputStream zip = new ZipInputStream(is)) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                zip.transferTo(bytes);
                if (e.getName().equals(MANIFEST)) {
                    manifest = JSON.readValue(bytes.toByteArray(), Manifest.class);
                } else {
                    files.put(e.getName(), bytes.toByteArray());
                }
            }
        }
        if (manifest == null || !KIND.equals(manifest.kind())) {
            throw new IOException(file + " is not an augmentation set (no " + MANIFEST + " of kind " + KIND + ")");
        }
        List<GrayImage> images = new ArrayList<>(manifest.entries().size());
        for (Entry e : manifest.entries()) {
            byte[] png = files.get(e.file());
            if (png == null) {
                throw new IOException(file + ": " + e.file() + " is listed in the manifest but missing");
            }
            GrayImage g = ImageCodec.decode(png);
            if (!Objects.equals(g.pixelDigest(), e.pixelDigest())) {
                throw new IOException(file + ": " + e.file() + " does not match its digest");
            }
            images.add(g);
        }
        return new AugmentationSet(manifest.imageSize(), manifest.entries(), images);
    }
}
