package dev.causalcxr.core.phantom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.core.dataset.PhantomDatasetWriter;
import dev.causalcxr.core.dataset.PhantomGroundTruth;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.imaging.GrayImage;
import dev.causalcxr.core.imaging.ImageCodec;
import dev.causalcxr.core.reports.ReportExtractors;
import dev.causalcxr.core.reports.eval.ParserEvaluation;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SiteProfileTest {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SiteProfileTest.class);

    static final PhantomSpec SPEC =
            PhantomSpec.defaults().withStudies(240).withSeed(77).withSize(64);

    @Test
    void siteAIsThePhantomAsItWasBitForBit() {
        PhantomGenerator plain = new PhantomGenerator(SPEC);
        PhantomGenerator siteA = new PhantomGenerator(SPEC, SiteProfile.A);
        assertEquals(plain.studies(), siteA.studies());
        for (PhantomStudy s : plain.studies().subList(0, 12)) {
            assertEquals(
                    plain.render(s).image().pixelDigest(),
                    siteA.render(s).image().pixelDigest());
        }
        assertTrue(plain.studies().get(0).report().text().startsWith("EXAMINATION:"));
    }

    @Test
    void siteBHasItsOwnPatientsIdsAndCaseMix() {
        List<PhantomStudy> a = new PhantomGenerator(SPEC).studies();
        List<PhantomStudy> b = new PhantomGenerator(SPEC, SiteProfile.B).studies();
        Set<Long> identitiesA = new HashSet<>();
        a.forEach(s -> identitiesA.add(s.identitySeed()));
        assertTrue(
                b.stream().noneMatch(s -> identitiesA.contains(s.identitySeed())),
                "site B's patients are not site A's");
        assertTrue(b.stream()
                .allMatch(s -> s.patientId().startsWith("p2") && s.studyId().startsWith("s6")));
        // ICU-heavy: devices 0.55 against 0.30, nodules 0.015 against 0.03
        assertTrue(
                fraction(b, Finding.SUPPORT_DEVICES) > fraction(a, Finding.SUPPORT_DEVICES) + 0.15,
                fraction(b, Finding.SUPPORT_DEVICES) + " vs " + fraction(a, Finding.SUPPORT_DEVICES));
        assertTrue(fraction(b, Finding.EDEMA) > fraction(a, Finding.EDEMA));
    }

    @Test
    void siteBImagesAreAMeasurableDomainShift() {
        List<double[]> a = stats(new PhantomGenerator(SPEC), 60);
        List<double[]> b = stats(new PhantomGenerator(SPEC, SiteProfile.B), 60);
        // nearest class mean on three image statistics fitted on the first half, scored on the second half of each site
        double[] ma = mean(a.subList(0, 30));
        double[] mb = mean(b.subList(0, 30));
        double[] sd = spread(a.subList(0, 30), b.subList(0, 30));
        int right = 0;
        for (double[] v : a.subList(30, 60)) {
            right += dist(v, ma, sd) < dist(v, mb, sd) ? 1 : 0;
        }
        for (double[] v : b.subList(30, 60)) {
            right += dist(v, mb, sd) < dist(v, ma, sd) ? 1 : 0;
        }
        log.info(String.format(
                java.util.Locale.ROOT,
                "site A mean %.3f spread %.3f texture %.4f; site B mean %.3f spread %.3f texture %.4f; "
                        + "held-out site accuracy %d/60",
                ma[0],
                ma[1],
                ma[2],
                mb[0],
                mb[1],
                mb[2],
                right));
        assertTrue(right >= 54, "three numbers tell the sites apart on held-out images: " + right + "/60");
    }

    @Test
    void siteBStudiesReRenderExactlyAndTheirCounterfactualsStayTheirs() {
        PhantomGenerator g = new PhantomGenerator(SPEC, SiteProfile.B);
        PhantomStudy s = g.studies().get(3);
        GrayImage once = g.render(s).image();
        assertEquals(once, g.render(s).image(), "deterministic");
        assertEquals(
                once,
                PhantomRenderer.renderImage(
                        s.identity(),
                        Acquisition.fromSeed(s.acquisitionSeed(), SiteProfile.B),
                        s.findings(),
                        SPEC.size()),
                "the truth's seeds and the site re-render it");
        assertNotEquals(
                once,
                PhantomRenderer.renderImage(
                        s.identity(), Acquisition.fromSeed(s.acquisitionSeed()), s.findings(), SPEC.size()),
                "site A's machines would not");
        // the exact counterfactual with a pleural effusion changes the image where the effusion is drawn
        List<FindingMention> with = List.of(FindingMention.present(
                Finding.PLEURAL_EFFUSION,
                dev.causalcxr.core.findings.Severity.SEVERE,
                dev.causalcxr.core.findings.Laterality.RIGHT,
                null));
        RenderedStudy cf = g.renderCounterfactual(s, with);
        assertFalse(cf.masks().isEmpty());
        assertNotEquals(once, cf.image());
    }

    @Test
    void siteBReportsUseTheirOwnTemplateAndTheParserStillReadsThem() {
        Map<String, Double> f1 = new HashMap<>();
        for (SiteProfile site : SiteProfile.BUILT_IN) {
            List<PhantomStudy> studies = new PhantomGenerator(SPEC, site).studies();
            Map<String, List<FindingMention>> gold = new HashMap<>();
            Map<String, List<FindingMention>> predicted = new HashMap<>();
            var extractor = ReportExtractors.byName(ReportExtractors.RULES);
            for (PhantomStudy s : studies) {
                gold.put(s.studyId(), s.report().mentions());
                predicted.put(s.studyId(), extractor.extract(s.report().text()));
            }
            f1.put(site.name(), ParserEvaluation.evaluate(gold, predicted).microF1());
            if (site == SiteProfile.B) {
                String text = studies.get(0).report().text();
                assertTrue(
                        text.startsWith("EXAM:") && text.contains("CONCLUSION:") && !text.contains("IMPRESSION:"),
                        text);
            }
        }
        log.info("parser micro F1 against the report truth, per site: {}", f1);
        assertTrue(f1.get("b") > 0.95, "site B's reports are read: " + f1);
    }

    @Test
    void aSiteBExportReRendersFromItsTruthAndASiteATruthIsUnchanged(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        PhantomSpec small = SPEC.withStudies(8);
        for (SiteProfile site : SiteProfile.BUILT_IN) {
            java.nio.file.Path root = dir.resolve(site.name());
            PhantomDatasetWriter.write(new PhantomGenerator(small, site), root, (done, total) -> {});
            java.nio.file.Path truthFile = root.resolve(PhantomGroundTruth.FILE_NAME);
            String json = java.nio.file.Files.readString(truthFile);
            assertEquals(site != SiteProfile.A, json.contains("\"site\""), "only other sites name themselves");
            PhantomGroundTruth truth = PhantomGroundTruth.read(truthFile);
            for (PhantomGroundTruth.StudyTruth t : truth.studies()) {
                assertEquals(site, t.siteProfile());
                assertEquals(
                        ImageCodec.read(root.resolve(t.image())),
                        PhantomRenderer.renderImage(t.identity(), t.acquisition(), t.findingMentions(), truth.size()));
            }
        }
    }

    private static double fraction(List<PhantomStudy> studies, Finding f) {
        return studies.stream().filter(s -> s.has(f)).count() / (double) studies.size();
    }

    /** Per image: mean intensity, its spread (window and contrast), the median absolute horizontal difference (noise, sharpness). */
    private static List<double[]> stats(PhantomGenerator g, int n) {
        return g.studies().subList(0, n).stream()
                .map(s -> {
                    double[] v = g.render(s).image().toUnit();
                    int w = SPEC.size();
                    double sum = 0;
                    double[] diffs = new double[v.length - v.length / w];
                    int k = 0;
                    for (int y = 0; y < w; y++) {
                        for (int x = 0; x < w; x++) {
                            sum += v[y * w + x];
                            if (x > 0) {
                                diffs[k++] = Math.abs(v[y * w + x] - v[y * w + x - 1]);
                            }
                        }
                    }
                    java.util.Arrays.sort(diffs);
                    double mean = sum / v.length;
                    double var = 0;
                    for (double x : v) {
                        var += (x - mean) * (x - mean);
                    }
                    return new double[] {mean, Math.sqrt(var / v.length), diffs[diffs.length / 2]};
                })
                .toList();
    }

    private static double[] mean(List<double[]> rows) {
        double[] m = new double[rows.get(0).length];
        rows.forEach(r -> {
            for (int i = 0; i < m.length; i++) {
                m[i] += r[i] / rows.size();
            }
        });
        return m;
    }

    private static double[] spread(List<double[]> a, List<double[]> b) {
        double[] ma = mean(a);
        double[] mb = mean(b);
        double[] s = new double[ma.length];
        for (int i = 0; i < s.length; i++) {
            double acc = 0;
            for (double[] r : a) {
                acc += (r[i] - ma[i]) * (r[i] - ma[i]);
            }
            for (double[] r : b) {
                acc += (r[i] - mb[i]) * (r[i] - mb[i]);
            }
            s[i] = Math.sqrt(acc / (a.size() + b.size() - 2));
        }
        return s;
    }

    private static double dist(double[] v, double[] m, double[] sd) {
        double d = 0;
        for (int i = 0; i < v.length; i++) {
            d += Math.pow((v[i] - m[i]) / sd[i], 2);
        }
        return d;
    }
}
