package dev.causalcxr.core.dataset;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.phantom.Acquisition;
import dev.causalcxr.core.phantom.PatientIdentity;
import dev.causalcxr.core.phantom.PhantomStudy;
import dev.causalcxr.core.phantom.SiteProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The phantom's ground truth, written next to a phantom data set: per study the rendered findings,
 * the mentions its report states (the report parser's exact answer key) and the identity and
 * acquisition seeds from which the exact counterfactual of any finding set can be re-rendered.
 * Seeds are strings so JSON readers without 64-bit integers keep them exact.
 *
 * @param size    rendered image size
 * @param seed    the spec's master seed
 * @param studies one record per study
 */
public record PhantomGroundTruth(int size, String seed, List<StudyTruth> studies) {

    public static final String FILE_NAME = "phantom-ground-truth.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * @param patientId       phantom patient id: as the MIMIC-layout folder names it where the phantom is written,
     *                        the data set's pseudonym in the {@code ingest} stage's output
     * @param studyId         study id: the folder's name, or the data set's pseudonym (as {@code patientId})
     * @param image           image path relative to the phantom folder, or to the data set (ingest output)
     * @param identitySeed    {@link PatientIdentity#fromSeed(long)} seed
     * @param acquisitionSeed {@link Acquisition#fromSeed(long)} seed
     * @param findings        rendered findings ({@link FindingMention#toJsonMap()} shape)
     * @param reportMentions  what the report states ({@link FindingMention#toJsonMap()} shape)
     * @param site            the phantom site that acquired it ({@link SiteProfile#named}); absent for site A, so
     *                        a site-A truth file is the same bytes as before sites existed
     */
    public record StudyTruth(
            String patientId,
            String studyId,
            String image,
            String identitySeed,
            String acquisitionSeed,
            List<Map<String, String>> findings,
            List<Map<String, String>> reportMentions,
            @JsonInclude(JsonInclude.Include.NON_NULL) String site) {

        static StudyTruth of(PhantomStudy s, String image) {
            return new StudyTruth(
                    s.patientId(),
                    s.studyId(),
                    image,
                    Long.toString(s.identitySeed()),
                    Long.toString(s.acquisitionSeed()),
                    s.findings().stream().map(FindingMention::toJsonMap).toList(),
                    s.report().mentions().stream()
                            .map(FindingMention::toJsonMap)
                            .toList(),
                    s.site() == SiteProfile.A ? null : s.site().name());
        }

        /** The acquiring site; a truth file naming a site this build does not know is refused. */
        public SiteProfile siteProfile() {
            return site == null
                    ? SiteProfile.A
                    : SiteProfile.named(site)
                            .orElseThrow(() -> new IllegalStateException(
                                    "phantom ground truth names an unknown site '" + site + "'"));
        }

        public PatientIdentity identity() {
            return PatientIdentity.fromSeed(Long.parseLong(identitySeed));
        }

        public Acquisition acquisition() {
            return Acquisition.fromSeed(Long.parseLong(acquisitionSeed), siteProfile());
        }

        public List<FindingMention> findingMentions() {
            return findings.stream().map(FindingMention::fromJsonMap).toList();
        }

        public List<FindingMention> reportMentionList() {
            return reportMentions.stream().map(FindingMention::fromJsonMap).toList();
        }
    }

    /**
     * This truth with the data set's pseudonyms for patients and studies (the keyed hash the import used),
     * and each study's image as the data set stores it ({@code imageByStudy}, by study pseudonym; null for
     * a study the import skipped).
     */
    public PhantomGroundTruth pseudonymized(Pseudonymizer pseudonymizer, Map<String, String> imageByStudy) {
        return new PhantomGroundTruth(
                size,
                seed,
                studies.stream()
                        .map(t -> {
                            String study = pseudonymizer.study(t.studyId());
                            return new StudyTruth(
                                    pseudonymizer.patient(t.patientId()),
                                    study,
                                    imageByStudy.get(study),
                                    t.identitySeed(),
                                    t.acquisitionSeed(),
                                    t.findings(),
                                    t.reportMentions(),
                                    t.site());
                        })
                        .toList());
    }

    /**
     * Rewrites the truth file written beside a phantom folder so that it names the studies and patients as
     * the data set imported from that folder does ({@link #pseudonymized}); the ingest stage does this before
     * the truth leaves the import.
     */
    public static PhantomGroundTruth pseudonymizeInPlace(Path file, byte[] pseudonymKey, DatasetManifest manifest)
            throws IOException {
        Map<String, String> imageByStudy = new java.util.HashMap<>();
        manifest.entries().forEach(e -> imageByStudy.putIfAbsent(e.studyId(), e.imagePath()));
        PhantomGroundTruth t = read(file).pseudonymized(new Pseudonymizer(pseudonymKey), imageByStudy);
        t.write(file);
        return t;
    }

    public void write(Path file) throws IOException {
        Files.writeString(file, JSON.writeValueAsString(this));
    }

    public static PhantomGroundTruth read(Path file) throws IOException {
        return JSON.readValue(Files.readString(file), PhantomGroundTruth.class);
    }
}
