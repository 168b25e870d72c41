package dev.causalcxr.core.counterfactual;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.core.dataset.PhantomDatasetWriter;
import dev.causalcxr.core.dataset.PhantomGroundTruth;
import dev.causalcxr.core.diffusion.SamplerConfig;
import dev.causalcxr.core.disentangle.DisentanglerDataset;
import dev.causalcxr.core.evaluation.AugmentedSample;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Laterality;
import dev.causalcxr.core.findings.Severity;
import dev.causalcxr.core.findings.Zone;
import dev.causalcxr.core.imaging.GrayImage;
import dev.causalcxr.core.phantom.PhantomGenerator;
import dev.causalcxr.core.phantom.PhantomSpec;
import dev.causalcxr.core.phantom.PhantomStudy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AugmentationTest {

    static final List<Finding> KNOWN =
            List.of(Finding.CARDIOMEGALY, Finding.NODULE, Finding.PLEURAL_EFFUSION, Finding.PNEUMOTHORAX);

    @Test
    void tailClassesAreBroughtUpToTheFractionAndHeadClassesLeftAlone() {
        DisentanglerDataset data = TinyModels.get().data;
        AugmentationPlan plan = AugmentationPlan.build(data, KNOWN, 0.5, 1000, Map.of(), 3);
        Map<Finding, Integer> counts = plan.trainCounts();
        int head = KNOWN.stream().mapToInt(f -> counts.getOrDefault(f, 0)).max().orElseThrow();
        int level = (int) Math.ceil(0.5 * head);
        for (Finding f : KNOWN) {
            int have = counts.getOrDefault(f, 0);
            if (have >= level) {
                assertFalse(plan.targets().containsKey(f), f + " is not a tail class: " + plan.targets());
            } else {
                assertEquals(level, plan.countsAfter().get(f), f + " brought up to " + level);
            }
        }
        assertTrue(plan.targets().containsKey(TinyModels.TAIL), plan.targets().toString());
        assertEquals(
                plan.targets().values().stream().mapToInt(Integer::intValue).sum(), plan.size());
        for (AugmentationPlan.Item item : plan.items()) {
            assertTrue(item.condition().contains(item.target()));
            DisentanglerDataset.Study s = data.studies().get(item.sourceIndex());
            assertEquals(s.studyId(), item.sourceStudyId());
            // sources keep their own findings in the condition
            s.findings().forEach(m -> assertTrue(item.condition().contains(m.finding())));
        }
        // deterministic from the seed, and the cap applies
        assertEquals(plan, AugmentationPlan.build(data, KNOWN, 0.5, 1000, Map.of(), 3));
        AugmentationPlan capped = AugmentationPlan.build(data, KNOWN, 0.5, 2, Map.of(), 3);
        capped.targets().values().forEach(n -> assertTrue(n <= 2));
        // explicit counts replace the rule
        AugmentationPlan explicit =
                AugmentationPlan.build(data, KNOWN, 0.5, 1000, Map.of(Finding.PLEURAL_EFFUSION, 3), 3);
        assertEquals(Map.of(Finding.PLEURAL_EFFUSION, 3), explicit.targets());
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> AugmentationPlan.build(data, KNOWN, 0.5, 10, Map.of(Finding.FRACTURE, 3), 3));
        assertTrue(e.getMessage().contains("Fracture"), e.getMessage());
    }

    @Test
    void anAugmentationSetSurvivesTheRoundTripThroughOneFile(@TempDir Path dir) throws IOException {
        TinyModels tiny = TinyModels.get();
        AugmentationPlan plan = AugmentationPlan.build(tiny.data, KNOWN, 0.5, 3, Map.of(), 5);
        List<AugmentationSet.Entry> entries = new ArrayList<>();
        List<GrayImage> images = new ArrayList<>();
        try (CounterfactualGenerator gen = tiny.open(true)) {
            for (int i = 0; i < plan.size(); i++) {
                AugmentationPlan.Item item = plan.items().get(i);
                GrayImage src = GrayImage.fromUnit(
                        64, 64, tiny.data.studies().get(item.sourceIndex()).pixels());
                CounterfactualGenerator.Generation g =
                        gen.generateDetailed(src, item.condition(), 1, item.seed(), new SamplerConfig(5, 0f, 2f));
                entries.add(AugmentationSet.entry(i, item, g));
                images.add(g.images().get(0));
            }
        }
        AugmentationSet set = new AugmentationSet(64, entries, images);
        Path file = dir.resolve("aug.zip");
        set.write(file);
        assertTrue(Files.exists(file));
        AugmentationSet back = AugmentationSet.read(file);
        assertEquals(set.entries(), back.entries());
        assertEquals(set.images(), back.images());
        assertEquals(plan.targets(), back.countsByTarget());
        assertTrue(back.entries().stream().anyMatch(AugmentationSet.Entry::tunedPrior), "the tail used its prior");
        List<AugmentedSample> samples = back.samples();
        assertEquals(plan.size(), samples.size());
        for (int i = 0; i < samples.size(); i++) {
            assertTrue(samples.get(i).condition().contains(plan.items().get(i).target()));
        }
        // no report text: the manifest names studies by id only
        String manifest;
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(file.toFile())) {
            manifest = new String(
                    zip.getInputStream(zip.getEntry(AugmentationSet.MANIFEST)).readAllBytes(),
                    java.nio.charset.StandardCharsets.UTF_8);
        }
        assertFalse(manifest.toLowerCase(Locale.ROOT).contains("report"), manifest);

        Files.write(file, new byte[] {1, 2, 3});
        assertThrows(IOException.class, () -> AugmentationSet.read(file));
    }

    @Test
    void theOracleRendersEachRequestExactlyAndSkipsWhatTheTruthCannotAnswer(@TempDir Path dir) throws IOException {
        PhantomSpec spec = new PhantomSpec(
                12, 2, 3, 64, 5, Map.of(Finding.PLEURAL_EFFUSION, 0.3), new PhantomSpec.SeverityMix(0, 0.5, 0.5), 0);
        PhantomDatasetWriter.write(spec, dir);
        PhantomGroundTruth truth = PhantomGroundTruth.read(dir.resolve(PhantomGroundTruth.FILE_NAME));
        PhantomGenerator generator = new PhantomGenerator(spec);
        List<AugmentationSet.Entry> entries = new ArrayList<>();
        List<GrayImage> images = new ArrayList<>();
        List<GrayImage> expected = new ArrayList<>();
        for (PhantomStudy study : generator.studies().subList(0, 3)) {
            List<FindingMention> condition = new ArrayList<>(study.findings());
            condition.removeIf(f -> f.finding() == Finding.PNEUMOTHORAX || f.finding() == Finding.NO_FINDING);
            condition.add(FindingMention.present(Finding.PNEUMOTHORAX, Severity.MODERATE, Laterality.LEFT, Zone.UPPER));
            expected.add(generator.renderCounterfactual(study, condition).image());
            entries.add(entry(entries.size(), study.studyId(), condition));
            images.add(GrayImage.of(64, 64, new short[64 * 64]));
        }
        // a source the truth does not hold, and a set written before conditions were recorded
        entries.add(entry(
                3,
                "S-unknown",
                List.of(FindingMention.present(Finding.PNEUMOTHORAX, Severity.MILD, Laterality.RIGHT, Zone.UPPER))));
        images.add(GrayImage.of(64, 64, new short[64 * 64]));
        AugmentationSet.Entry e0 = entries.get(0);
        entries.add(new AugmentationSet.Entry(
                "images/000004.png",
                e0.sourceStudyId(),
                e0.target(),
                e0.condition(),
                e0.findings(),
                1,
                false,
                "d",
                null));
        images.add(GrayImage.of(64, 64, new short[64 * 64]));

        List<AugmentedSample> oracle = new AugmentationSet(64, entries, images).exactCounterfactuals(truth);
        assertEquals(3, oracle.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(expected.get(i).pixelDigest(), oracle.get(i).image().pixelDigest(), "request " + i);
            assertTrue(oracle.get(i).condition().contains(Finding.PNEUMOTHORAX));
            assertEquals(entries.get(i).sourceStudyId(), oracle.get(i).sourceStudyId());
        }
    }

    private static AugmentationSet.Entry entry(int i, String source, List<FindingMention> condition) {
        return new AugmentationSet.Entry(
                String.format(Locale.ROOT, "images/%06d.png", i),
                source,
                Finding.PNEUMOTHORAX.label(),
                "described",
                condition.stream().map(f -> f.finding().label()).toList(),
                i,
                false,
                "digest",
                condition.stream().map(FindingMention::toJsonMap).toList());
    }
}
