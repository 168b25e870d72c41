package dev.causalcxr.cli.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.core.counterfactual.Composition;
import dev.causalcxr.core.counterfactual.CounterfactualGenerator;
import dev.causalcxr.core.diffusion.Condition;
import dev.causalcxr.core.imaging.ContactSheet;
import dev.causalcxr.core.imaging.GrayImage;
import dev.causalcxr.core.imaging.ImageCodec;
import dev.causalcxr.infra.registry.ModelVersion;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The files of one counterfactual request, as {@code causalcxr counterfactual} writes them into its
 * {@code --out} folder and the service serves them: {@code source.png} (the source as the model saw
 * it), {@code counterfactual-NN.png} (16-bit PNGs), {@code contact-sheet.png} (source first) and
 * {@code counterfactuals.json} (model, provenance, source, request, condition, seed, sampler, the
 * runtime that generated them). One function for both, so that the same request gives the same bytes.
 */
public final class CounterfactualFiles {
    public static final String SOURCE = "source.png";
    public static final String SHEET = "contact-sheet.png";
    public static final String DOCUMENT = "counterfactuals.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private CounterfactualFiles() {}

    /** What was asked: the request text (or the structured condition as text) and the sampler settings. */
    public record Asked(String request, long seed, int n, float guidance, int steps, float eta) {}

    /** {@code counterfactual-01.png}, … */
    public static String imageName(int index) {
        return String.format(Locale.ROOT, "counterfactual-%02d.png", index + 1);
    }

    /**
     * The files in order: source, counterfactuals, contact sheet, document.
     *
     * @param sourceDoc the {@code source} object of the document (where the image came from, its size)
     */
    public static Map<String, byte[]> render(
            ModelVersion version,
            Asked asked,
            Condition condition,
            CounterfactualGenerator.Generation g,
            GrayImage source,
            Map<String, Object> sourceDoc) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(SOURCE, ImageCodec.encodePng16(source));
        ContactSheet.Builder sheet = ContactSheet.builder()
                .columns(Math.min(g.images().size() + 1, 9))
                .add(source, "SOURCE");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < g.images().size(); i++) {
            String name = imageName(i);
            files.put(name, ImageCodec.encodePng16(g.images().get(i)));
            sheet.add(g.images().get(i), "CF " + (i + 1));
            names.add(name);
        }
        files.put(SHEET, sheet.build().encodePng());
        files.put(DOCUMENT, document(version, asked, condition, g, sourceDoc, names));
        return files;
    }

    private static byte[] document(
            ModelVersion version,
            Asked asked,
            Condition condition,
            CounterfactualGenerator.Generation g,
            Map<String, Object> sourceDoc,
            List<String> names) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("model", version.reference());
        doc.put("bundle_digest", version.bundleDigest());
        doc.put("source", sourceDoc);
        doc.put("request", asked.request());
        doc.put("condition", condition.describe());
        doc.put("seed", asked.seed());
        doc.put("n", asked.n());
        doc.put("guidance", asked.guidance());
        doc.put("ddim_steps", asked.steps());
        doc.put("eta", asked.eta());
        // how the images were composed from the decoder's, as the model's run composed them
        Composition composition = RegisteredGenerators.recordedComposition(version);
        doc.put("composition", composition.key());
        if (composition == Composition.LOCALIZED) {
            doc.put("localize_threshold", RegisteredGenerators.recordedLocalizeThreshold(version));
        }
        doc.put("tail_prior", g.usedPrior() ? g.prior().label() : null);
        doc.put("images", names);
        // what trained the model (its registered provenance) and what generated these images
        doc.put("model_provenance", new TreeMap<>(version.provenance()));
        doc.put("generated_by", generatedBy());
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(doc);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The code and runtime generating counterfactuals in this process. */
    public static Map<String, String> generatedBy() {
        Map<String, String> generatedBy = new LinkedHashMap<>();
        generatedBy.put("causalcxr_version", dev.causalcxr.core.spec.CodeVersion.current());
        generatedBy.put("git_commit", dev.causalcxr.core.spec.CodeVersion.gitDescription());
        generatedBy.putAll(dev.causalcxr.core.provenance.RuntimeIdentity.platform());
        generatedBy.putAll(dev.causalcxr.core.provenance.RuntimeIdentity.engine());
        return generatedBy;
    }
}
