package dev.causalcxr.core.phantom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Laterality;
import dev.causalcxr.core.findings.Severity;
import dev.causalcxr.core.findings.Zone;
import dev.causalcxr.core.imaging.GrayImage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each finding shows where it should, grows with severity, and its counterfactual differs only inside its mask. */
class PhantomFindingsTest {

    private static final int SIZE = 128;
    private static final List<Severity> SEVERITIES = List.of(Severity.MILD, Severity.MODERATE, Severity.SEVERE);

    private static FindingMention m(Finding f, Severity s, Laterality l, Zone z) {
        return FindingMention.present(f, s, l, z);
    }

    private static FindingMention typical(Finding f, Severity s, Laterality side) {
        return switch (f) {
            case CARDIOMEGALY -> m(f, s, Laterality.UNSPECIFIED, Zone.UNSPECIFIED);
            case EDEMA -> m(f, s, Laterality.BILATERAL, Zone.UNSPECIFIED);
            case SUPPORT_DEVICES -> m(f, Severity.UNSPECIFIED, Laterality.UNSPECIFIED, Zone.UNSPECIFIED);
            case PLEURAL_EFFUSION, PNEUMOTHORAX -> m(f, s, side, Zone.UNSPECIFIED);
            case ATELECTASIS, CONSOLIDATION -> m(f, s, side, Zone.LOWER);
            default -> m(f, s, side, Zone.MIDDLE);
        };
    }

    private static RenderedStudy render(long patient, long acq, List<FindingMention> f) {
        return PhantomRenderer.render(PatientIdentity.fromSeed(patient), Acquisition.fromSeed(acq), f, SIZE);
    }

    /** Signed mean difference (with − without) over the mask and where the mask's centre of mass lies. */
    private record Change(double meanInMask, double cx, double cy, int area, double totalAbs) {}

    private static Change change(GrayImage with, GrayImage without, FindingMask mask) {
        double sum = 0;
        double sx = 0;
        double sy = 0;
        double abs = 0;
        int n = 0;
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                double d = with.getUnit(x, y) - without.getUnit(x, y);
                abs += Math.abs(d);
                if (mask.contains(x, y)) {
                    sum += d;
                    sx += x;
                    sy += y;
                    n++;
                }
            }
        }
        return new Change(n == 0 ? 0 : sum / n, n == 0 ? -1 : sx / n / SIZE, n == 0 ? -1 : sy / n / SIZE, n, abs);
    }

    private static Change effect(FindingMention f, long patient) {
        RenderedStudy with = render(patient, patient + 1000, List.of(f));
        RenderedStudy without = render(patient, patient + 1000, List.of());
        return change(with.image(), without.image(), with.mask(f.finding()).orElseThrow());
    }

    @Test
    void pleuralEffusionBrightensTheCostophrenicRegionOnTheStatedSide() {
        for (Laterality side : List.of(Laterality.RIGHT, Laterality.LEFT)) {
            Change c = effect(m(Finding.PLEURAL_EFFUSION, Severity.MODERATE, side, Zone.UNSPECIFIED), 3);
            assertTrue(c.meanInMask() > 0.05, "effusion should be brighter: " + c);
            assertTrue(c.cy() > 0.55, "effusion should sit at the lung base: " + c);
            // the patient's right is displayed on the image left
            assertEquals(side == Laterality.RIGHT, c.cx() < 0.5, "effusion on the wrong side: " + c);
        }
    }

    @Test
    void cardiomegalyWidensTheHeartMonotonically() {
        PatientIdentity id = PatientIdentity.fromSeed(5);
        int row = (int) (id.heartCenterY() * SIZE);
        int previous = brightWidth(render(5, 6, List.of()).image(), row);
        for (Severity s : SEVERITIES) {
            GrayImage img = render(5, 6, List.of(m(Finding.CARDIOMEGALY, s, Laterality.UNSPECIFIED, Zone.UNSPECIFIED)))
                    .image();
            int width = brightWidth(img, row);
            assertTrue(width > previous, "heart should widen at " + s + ": " + width + " <= " + previous);
            previous = width;
        }
    }

    /** Width of the bright central (mediastinal/cardiac) run along a row, thresholded halfway lung → heart. */
    private static int brightWidth(GrayImage img, int row) {
        int mid = SIZE / 2;
        double heart = img.meanUnit(mid - 2, row - 1, mid + 3, row + 2);
        double lung = Math.min(
                img.meanUnit(SIZE / 5, row - 1, SIZE / 5 + 4, row + 2),
                img.meanUnit(SIZE * 4 / 5 - 4, row - 1, SIZE * 4 / 5, row + 2));
        double threshold = (heart + lung) / 2;
        int left = mid;
        while (left > 0 && smoothed(img, left - 1, row) > threshold) {
            left--;
        }
        int right = mid;
        while (right < SIZE - 1 && smoothed(img, right + 1, row) > threshold) {
            right++;
        }
        return right - left;
    }

    private static double smoothed(GrayImage img, int x, int y) {
        return img.meanUnit(x - 1, y - 2, x + 2, y + 3);
    }

    @Test
    void pneumothoraxDarkensTheApexAndPeripheryOfTheStatedSide() {
        for (Laterality side : List.of(Laterality.RIGHT, Laterality.LEFT)) {
            Change c = effect(m(Finding.PNEUMOTHORAX, Severity.MODERATE, side, Zone.UNSPECIFIED), 7);
            assertTrue(c.meanInMask() < -0.01, "pneumothorax should be darker: " + c);
            assertTrue(c.cy() < 0.5, "pneumothorax should be apical/upper: " + c);
            double lateral = side == Laterality.RIGHT ? 0.5 - c.cx() : c.cx() - 0.5;
            assertTrue(lateral > 0.12, "pneumothorax should be peripheral on the stated side: " + c);
        }
    }

    @Test
    void opacitiesBrightenTheirZoneOnTheStatedSide() {
        for (Finding f : List.of(Finding.CONSOLIDATION, Finding.ATELECTASIS, Finding.NODULE, Finding.MASS)) {
            for (Laterality side : List.of(Laterality.RIGHT, Laterality.LEFT)) {
                for (Zone zone : List.of(Zone.UPPER, Zone.LOWER)) {
                    Change c = effect(m(f, Severity.MODERATE, side, zone), 11);
                    assertTrue(c.meanInMask() > 0.01, f + " should be brighter: " + c);
                    assertEquals(side == Laterality.RIGHT, c.cx() < 0.5, f + " on the wrong side: " + c);
                    if (zone == Zone.UPPER) {
                        assertTrue(c.cy() < 0.45, f + " should be upper: " + c);
                    } else {
                        assertTrue(c.cy() > 0.45, f + " should be lower: " + c);
                    }
                }
            }
        }
    }

    @Test
    void edemaHazesBothPerihilarRegions() {
        Change c = effect(m(Finding.EDEMA, Severity.MODERATE, Laterality.BILATERAL, Zone.UNSPECIFIED), 13);
        assertTrue(c.meanInMask() > 0.02, "edema should be brighter: " + c);
        RenderedStudy r =
                render(13, 1013, List.of(m(Finding.EDEMA, Severity.MODERATE, Laterality.BILATERAL, Zone.UNSPECIFIED)));
        FindingMask mask = r.mask(Finding.EDEMA).orElseThrow();
        int left = 0;
        int right = 0;
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                if (mask.contains(x, y)) {
                    if (x < SIZE / 2) {
                        left++;
                    } else {
                        right++;
                    }
                }
            }
        }
        assertTrue(left > 0.3 * right && right > 0.3 * left, "edema should be bilateral: " + left + "/" + right);
    }

    @Test
    void fractureAndDevicesChangeOnlyASmallRegion() {
        for (Finding f : List.of(Finding.FRACTURE, Finding.SUPPORT_DEVICES)) {
            Change c = effect(typical(f, Severity.SEVERE, Laterality.RIGHT), 17);
            assertTrue(c.area() > 0 && c.area() < SIZE * SIZE / 10, f + " region size: " + c);
            assertTrue(c.totalAbs() > 0, f + " must change the image");
        }
    }

    @Test
    void severityIncreasesTheMagnitudeOfEveryGradedFinding() {
        for (Finding f : PhantomRenderer.RENDERABLE) {
            if (f == Finding.SUPPORT_DEVICES) {
                continue;
            }
            for (long patient : new long[] {21, 22}) {
                double previous = 0;
                for (Severity s : SEVERITIES) {
                    double magnitude =
                            effect(typical(f, s, Laterality.LEFT), patient).totalAbs();
                    assertTrue(
                            magnitude > previous,
                            f + " at " + s + " not larger than the milder one (patient " + patient + "): " + magnitude
                                    + " <= " + previous);
                    previous = magnitude;
                }
            }
        }
    }

    @Test
    void counterfactualDifferenceLiesInsideTheRemovedFindingsMask() {
        List<Finding> all = new ArrayList<>(PhantomRenderer.RENDERABLE);
        for (int i = 0; i < all.size(); i++) {
            Finding target = all.get(i);
            for (long patient = 31; patient < 34; patient++) {
                // the target co-occurs with two other findings that stay in the counterfactual
                List<FindingMention> findings = new ArrayList<>();
                findings.add(typical(target, Severity.SEVERE, patient % 2 == 0 ? Laterality.LEFT : Laterality.RIGHT));
                findings.add(typical(all.get((i + 1) % all.size()), Severity.MODERATE, Laterality.RIGHT));
                findings.add(typical(all.get((i + 3) % all.size()), Severity.MILD, Laterality.LEFT));
                RenderedStudy study = render(patient, patient * 7, findings);
                List<FindingMention> without =
                        findings.stream().filter(x -> x.finding() != target).toList();
                RenderedStudy cf = render(patient, patient * 7, without);
                FindingMask mask = study.mask(target).orElseThrow();
                double inside = 0;
                double total = 0;
                for (int y = 0; y < SIZE; y++) {
                    for (int x = 0; x < SIZE; x++) {
                        double d = Math.abs(
                                study.image().getUnit(x, y) - cf.image().getUnit(x, y));
                        total += d;
                        if (mask.contains(x, y)) {
                            inside += d;
                        }
                    }
                }
                assertTrue(total > 0, target + " changed nothing");
                assertTrue(
                        inside / total >= 0.9, target + ": only " + inside / total + " of the difference in its mask");
                assertTrue(mask.fraction() < 0.5, target + " mask covers " + mask.fraction() + " of the image");
            }
        }
    }

    @Test
    void counterfactualKeepsTheNoiseRealizationOfTheStudy() {
        RenderedStudy a = render(41, 42, List.of(typical(Finding.NODULE, Severity.MODERATE, Laterality.LEFT)));
        RenderedStudy b = render(41, 42, List.of());
        FindingMask mask = a.mask(Finding.NODULE).orElseThrow();
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                if (!mask.contains(x, y)) {
                    assertEquals(
                            a.image().get(x, y),
                            b.image().get(x, y),
                            "pixel changed outside the mask at " + x + "," + y);
                }
            }
        }
        assertFalse(a.image().equals(b.image()));
    }
}
