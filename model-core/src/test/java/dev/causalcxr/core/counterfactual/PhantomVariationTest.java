package dev.causalcxr.core.counterfactual;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.core.dataset.SplitProportions;
import dev.causalcxr.core.disentangle.DisentanglerDataset;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Laterality;
import dev.causalcxr.core.findings.Severity;
import dev.causalcxr.core.findings.Zone;
import dev.causalcxr.core.imaging.GrayImage;
import dev.causalcxr.core.phantom.PhantomGenerator;
import dev.causalcxr.core.phantom.PhantomSpec;
import dev.causalcxr.core.random.SplitMix64;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PhantomVariationTest {

    @Test
    void aRealizedMentionKeepsWhatTheRequestFixesAndTakesTheRestFromAStudyThatAgrees() {
        List<FindingMention> shown = List.of(
                FindingMention.present(Finding.NODULE, Severity.MILD, Laterality.LEFT, Zone.UPPER),
                FindingMention.present(Finding.NODULE, Severity.SEVERE, Laterality.RIGHT, Zone.LOWER));
        FindingMention rightOnly = FindingMention.present(Finding.NODULE, null, Laterality.RIGHT, null);
        for (int k = 0; k < 20; k++) {
            FindingMention m = PhantomVariation.realize(rightOnly, shown, new SplitMix64(k));
            assertEquals(FindingMention.present(Finding.NODULE, Severity.SEVERE, Laterality.RIGHT, Zone.LOWER), m);
        }
        FindingMention open = FindingMention.present(Finding.NODULE, null, null, null);
        boolean sawLeft = false;
        boolean sawRight = false;
        for (int k = 0; k < 40; k++) {
            Laterality side =
                    PhantomVariation.realize(open, shown, new SplitMix64(k)).laterality();
            sawLeft |= side == Laterality.LEFT;
            sawRight |= side == Laterality.RIGHT;
        }
        assertTrue(sawLeft && sawRight, "an open request draws from every study showing the finding");
        FindingMention noneAgree = FindingMention.present(Finding.NODULE, Severity.MODERATE, null, null);
        assertEquals(noneAgree, PhantomVariation.realize(noneAgree, shown, new SplitMix64(3)));
    }

    @Test
    void theExactRendersOfOneRequestDifferOnlyWhereTheAddedFindingIsAndRepeatWithTheSeed() {
        DisentanglerDataset data = DisentanglerDataset.fromPhantom(
                new PhantomGenerator(PhantomSpec.defaults().withStudies(60).withSeed(5)),
                SplitProportions.defaults(),
                (d, t) -> {});
        DisentanglerDataset.Study source = data.studies().stream()
                .filter(s ->
                        s.hasGroundTruth() && s.truthFindings().stream().noneMatch(m -> m.finding() == Finding.MASS))
                .findFirst()
                .orElseThrow();
        List<FindingMention> drawn = new ArrayList<>(source.truthFindings());
        drawn.add(FindingMention.present(Finding.MASS, null, null, null));
        PhantomVariation variation = new PhantomVariation(data);

        List<GrayImage> renders = variation.renders(source, drawn, Finding.MASS, 4, 99L);
        assertEquals(4, renders.size());
        double spread = CounterfactualMetrics.diversity(renders);
        assertTrue(spread > 0.005, "a mass drawn anew lands elsewhere or at another size: " + spread);

        // each render is the source's exact image but for the added mass: a small patch of changed pixels
        float[] own =
                data.counterfactual(source, source.truthFindings()).image().toFloat();
        for (GrayImage g : renders) {
            float[] r = g.toFloat();
            int changed = 0;
            for (int i = 0; i < r.length; i++) {
                if (Math.abs(r[i] - own[i]) > 1e-3f) {
                    changed++;
                }
            }
            assertTrue(changed > 0 && changed < 0.15 * r.length, "pixels the mass changed: " + changed);
        }

        List<GrayImage> again = variation.renders(source, drawn, Finding.MASS, 4, 99L);
        for (int k = 0; k < renders.size(); k++) {
            assertArrayEquals(renders.get(k).toFloat(), again.get(k).toFloat(), 0f);
        }
        // a finding the source already shows stays where it is: renders without a new one are all the same
        List<GrayImage> none = variation.renders(source, source.truthFindings(), Finding.MASS, 3, 99L);
        assertEquals(0.0, CounterfactualMetrics.diversity(none), 0.0);

        // the region where the exact renders vary holds all of their variation, and little of the image
        boolean[] region = CounterfactualMetrics.varyingPixels(renders);
        int area = 0;
        for (boolean b : region) {
            area += b ? 1 : 0;
        }
        assertTrue(area > 0 && area < 0.3 * region.length, "region of " + area + " pixels");
        assertEquals(1.0, CounterfactualMetrics.regionShare(renders, region), 1e-9);
        assertTrue(CounterfactualMetrics.diversity(renders, region) > spread, "the same differences over fewer pixels");
        // samples that vary everywhere alike, as sampler noise does, put only the region's area share there
        List<GrayImage> noisy = new ArrayList<>();
        java.util.Random random = new java.util.Random(3);
        for (int k = 0; k < 4; k++) {
            float[] px = own.clone();
            for (int i = 0; i < px.length; i++) {
                px[i] = Math.min(1f, Math.max(0f, px[i] + (float) random.nextGaussian() * 0.02f));
            }
            noisy.add(GrayImage.fromUnit(renders.get(0).width(), renders.get(0).height(), px));
        }
        double share = CounterfactualMetrics.regionShare(noisy, region);
        assertEquals((double) area / region.length, share, 0.05, "noise lands in the region by its area");
        assertTrue(Double.isNaN(CounterfactualMetrics.diversity(renders, new boolean[region.length])), "empty region");
    }
}
