package dev.causalcxr.core.counterfactual;

import dev.causalcxr.core.diffusion.Condition;
import dev.causalcxr.core.diffusion.DiffusionModel;
import dev.causalcxr.core.diffusion.PathologyScorer;
import dev.causalcxr.core.diffusion.SamplerConfig;
import dev.causalcxr.core.diffusion.tailnoise.NoisePrior;
import dev.causalcxr.core.disentangle.DisentanglerModel;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.imaging.GrayImage;
import dev.causalcxr.core.reports.rules.RuleBasedReportExtractor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Counterfactual chest X-rays: the patient's identity code taken from the source image, {@code ẑ_path}
 * sampled by the finding-conditioned diffusion model (DESIGN.md, "The method", steps 3 and 4), and the
 * image composed as {@link Composition} says: by default the source plus what {@code ẑ_path} changes in
 * the decoder's image.
 *
 * <p>Requests are checked before anything runs and rejected with messages meant for the person who
 * asked: an image of the wrong size, a finding the models were not trained on (the message lists the
 * ones they know), text in which no finding is recognized, a sample count below one.
 *
 * <p>"No Finding" is the absence of present findings: when the diffusion model was trained on studies
 * without findings as the empty condition (as the phantom's and imported data sets are), a
 * {@code No Finding} condition is sampled as that empty condition.
 *
 * <p>Tail-noise priors: when a condition contains findings with a learned {@link NoisePrior}, the
 * sampler's initial noise is drawn from the prior of the rarest of them (in the diffusion model's
 * training counts); otherwise from N(0, I). Everything is deterministic given the seed.
 */
public final class CounterfactualGenerator implements AutoCloseable {

    private static final RuleBasedReportExtractor RULES = new RuleBasedReportExtractor();

    private final DisentanglerModel disentangler;
    private final DiffusionModel diffusion;
    private final Map<Finding, NoisePrior> priors;
    private final Composition composition;
    private final double localizeThreshold;
    private final boolean owner;

    /**
     * The images and codes of one request.
     *
     * @param images    the n counterfactuals
     * @param decoded   the decoder's own images {@code D(z_id, ẑ_path)} for the same codes, without the source
     *                  added back (the counterfactuals themselves under {@link Composition#DECODED})
     * @param codes     the n sampled pathology codes ẑ_path
     * @param condition the condition actually sampled (after the No Finding mapping)
     * @param prior     the finding whose tail-noise prior gave the initial noise, or null for N(0, I)
     */
    public record Generation(
            List<GrayImage> images, List<GrayImage> decoded, float[][] codes, Condition condition, Finding prior) {
        public boolean usedPrior() {
            return prior != null;
        }
    }

    private CounterfactualGenerator(
            DisentanglerModel disentangler,
            DiffusionModel diffusion,
            Map<Finding, NoisePrior> priors,
            Composition composition,
            double localizeThreshold,
            boolean owner) {
        this.disentangler = disentangler;
        this.diffusion = diffusion;
        this.priors =
                Collections.unmodifiableMap(priors.isEmpty() ? new EnumMap<>(Finding.class) : new EnumMap<>(priors));
        this.composition = Objects.requireNonNull(composition, "composition");
        if (!Composition.isLocalizeThreshold(localizeThreshold)) {
            throw new IllegalArgumentException(
                    "the localization threshold must be in (0, 1], got " + localizeThreshold);
        }
        this.localizeThreshold = localizeThreshold;
        this.owner = owner;
    }

    /**
     * Loads both models; the generator composes residually.
     *
     * @param priors learned tail-noise priors by finding (may be empty)
     */
    public static CounterfactualGenerator open(
            Path disentanglerModel, Path diffusionModel, Map<Finding, NoisePrior> priors) throws IOException {
        return open(
                disentanglerModel,
                diffusionModel,
                priors,
                Composition.RESIDUAL,
                Composition.DEFAULT_LOCALIZE_THRESHOLD);
    }

    /**
     * Loads both models; the generator composes as given.
     *
     * @param priors            learned tail-noise priors by finding (may be empty)
     * @param localizeThreshold {@link Composition#LOCALIZED}'s threshold
     */
    public static CounterfactualGenerator open(
            Path disentanglerModel,
            Path diffusionModel,
            Map<Finding, NoisePrior> priors,
            Composition composition,
            double localizeThreshold)
            throws IOException {
        Objects.requireNonNull(priors, "priors (use Map.of() for none)");
        DisentanglerModel d = DisentanglerModel.load(disentanglerModel);
        try {
            DiffusionModel m = DiffusionModel.load(diffusionModel, d.config().device());
            try {
                return of(d, m, priors, composition, localizeThreshold, true);
            } catch (RuntimeException e) {
                m.close();
                throw e;
            }
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
    }

    /**
     * A generator over models already open; {@code takeOwnership} makes {@link #close()} close them.
     */
    public static CounterfactualGenerator of(
            DisentanglerModel disentangler,
            DiffusionModel diffusion,
            Map<Finding, NoisePrior> priors,
            boolean takeOwnership) {
        return of(
                disentangler,
                diffusion,
                priors,
                Composition.RESIDUAL,
                Composition.DEFAULT_LOCALIZE_THRESHOLD,
                takeOwnership);
    }

    private static CounterfactualGenerator of(
            DisentanglerModel disentangler,
            DiffusionModel diffusion,
            Map<Finding, NoisePrior> priors,
            Composition composition,
            double localizeThreshold,
            boolean takeOwnership) {
        if (disentangler.config().pathDim() != diffusion.zDim()) {
            throw new IllegalArgumentException("the diffusion model generates z_path of dimension " + diffusion.zDim()
                    + " but the disentangler's z_path has "
                    + disentangler.config().pathDim()
                    + ": they were not trained together");
        }
        for (Map.Entry<Finding, NoisePrior> e : priors.entrySet()) {
            if (e.getValue().finding() != e.getKey()) {
                throw new IllegalArgumentException(
                        "the prior given for " + e.getKey().label() + " was learned for "
                                + e.getValue().finding().label());
            }
            if (e.getValue().dim() != diffusion.zDim()) {
                throw new IllegalArgumentException("the prior of " + e.getKey().label() + " has dimension "
                        + e.getValue().dim() + ", the diffusion model's codes have " + diffusion.zDim());
            }
        }
        return new CounterfactualGenerator(
                disentangler, diffusion, priors, composition, localizeThreshold, takeOwnership);
    }

    /** The same models without tail-noise priors (every request starts from N(0, I)); closing it closes nothing. */
    public CounterfactualGenerator withoutPriors() {
        return new CounterfactualGenerator(disentangler, diffusion, Map.of(), composition, localizeThreshold, false);
    }

    /** The same models composing their images another way; closing it closes nothing. */
    public CounterfactualGenerator withComposition(Composition other) {
        return withComposition(other, localizeThreshold);
    }

    /**
     * The same models composing their images another way, with {@link Composition#LOCALIZED}'s threshold; closing
     * it closes nothing.
     */
    public CounterfactualGenerator withComposition(Composition other, double threshold) {
        return new CounterfactualGenerator(disentangler, diffusion, priors, other, threshold, false);
    }

    public Composition composition() {
        return composition;
    }

    /** The share of a change's smoothed peak from which {@link Composition#LOCALIZED} keeps a pixel whole. */
    public double localizeThreshold() {
        return localizeThreshold;
    }

    public DisentanglerModel disentangler() {
        return disentangler;
    }

    public DiffusionModel diffusion() {
        return diffusion;
    }

    public Map<Finding, NoisePrior> priors() {
        return priors;
    }

    /** Edge length of the square images the models take and make. */
    public int imageSize() {
        return disentangler.imageSize();
    }

    /** The aux finding head on z_path (the effectiveness classifier). */
    public PathologyScorer findingScorer() {
        return disentangler.findingScorer();
    }

    /** Findings the diffusion model can generate (present in at least one of its training studies), plus No Finding. */
    public List<Finding> knownFindings() {
        List<Finding> out = new ArrayList<>();
        out.add(Finding.NO_FINDING);
        diffusion.trainingFindingCounts().forEach((f, c) -> {
            if (c > 0 && f != Finding.NO_FINDING) {
                out.add(f);
            }
        });
        return out;
    }

    private String knownList() {
        return knownFindings().stream().map(Finding::label).collect(Collectors.joining(", "));
    }

    /**
     * Checks a condition against the models and maps {@code No Finding} to the empty condition when
     * the diffusion model learned "no finding" that way.
     */
    public Condition resolve(Condition condition) {
        Objects.requireNonNull(condition, "condition");
        if (condition.isNull()) {
            return condition;
        }
        List<FindingMention> kept = new ArrayList<>();
        for (FindingMention m : condition.present()) {
            Finding f = m.finding();
            if (f == Finding.NO_FINDING && diffusion.trainingFindingCounts().getOrDefault(f, 0) == 0) {
                continue;
            }
            if (diffusion.trainingFindingCounts().getOrDefault(f, 0) == 0) {
                throw new IllegalArgumentException("cannot generate " + f.label()
                        + ": the model was not trained on any study with it. Findings it can generate: " + knownList());
            }
            kept.add(m);
        }
        if (kept.size() == condition.present().size()) {
            return condition;
        }
        return Condition.ofStudy(kept);
    }

    /** A free-text request ("moderate right pleural effusion") as a checked condition. */
    public Condition parse(String text) {
        Condition c;
        try {
            c = Condition.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    e.getMessage() + ". Findings this model can generate: " + knownList(), e);
        }
        return resolve(c);
    }

    /**
     * The condition of an intervention on a study with known findings: what the request states as
     * present is added (or replaces the source's severity/location), what it states as absent is removed
     * ("no effusion"). See {@link Condition#intervene}.
     */
    public Condition intervene(List<FindingMention> sourceFindings, String request) {
        if (request == null || request.isBlank()) {
            throw new IllegalArgumentException("empty request. Findings this model can generate: " + knownList());
        }
        if (RULES.extractMentions(request).isEmpty()) {
            throw new IllegalArgumentException(
                    "no finding recognized in '" + request + "'. Findings this model can generate: " + knownList());
        }
        return intervene(sourceFindings, RULES.extract(request), true);
    }

    /** As {@link #intervene(List, String)} with the request already as mentions. */
    public Condition intervene(List<FindingMention> sourceFindings, List<FindingMention> request) {
        return intervene(sourceFindings, request, false);
    }

    private Condition intervene(List<FindingMention> sourceFindings, List<FindingMention> request, boolean fromText) {
        List<FindingMention> changes = request;
        if (fromText) {
            // the report-level reading adds "No Finding" to a purely negative request ("no effusion"):
            // for an intervention that would wipe the source's other findings, so it is left out
            boolean anyPresent = request.stream()
                    .anyMatch(m -> m.finding() != Finding.NO_FINDING
                            && m.status() == dev.causalcxr.core.findings.Status.PRESENT);
            boolean anyAbsent = request.stream().anyMatch(m -> m.status() == dev.causalcxr.core.findings.Status.ABSENT);
            if (!anyPresent && anyAbsent) {
                changes = request.stream()
                        .filter(m -> m.finding() != Finding.NO_FINDING)
                        .toList();
            }
        }
        // "No Finding" as a request means: none of the source's findings
        boolean clearAll = changes.stream()
                .anyMatch(m ->
                        m.finding() == Finding.NO_FINDING && m.status() == dev.causalcxr.core.findings.Status.PRESENT);
        List<FindingMention> source = clearAll ? List.of() : sourceFindings;
        return resolve(Condition.intervene(source, changes));
    }

    /** n counterfactuals of {@code source} for a condition. */
    public List<GrayImage> generate(GrayImage source, Condition condition, int n, long seed, SamplerConfig sampler) {
        return generateDetailed(source, condition, n, seed, sampler).images();
    }

    /** n counterfactuals for a free-text request ({@link #parse}). */
    public List<GrayImage> generate(GrayImage source, String request, int n, long seed, SamplerConfig sampler) {
        checkRequest(source, n, sampler);
        return generate(source, parse(request), n, seed, sampler);
    }

    /** n counterfactuals of a study with known findings, changed by a free-text request ({@link #intervene(List, String)}). */
    public List<GrayImage> generate(
            GrayImage source,
            List<FindingMention> sourceFindings,
            String request,
            int n,
            long seed,
            SamplerConfig sampler) {
        checkRequest(source, n, sampler);
        return generate(source, intervene(sourceFindings, request), n, seed, sampler);
    }

    /** n counterfactuals of a study with known findings, changed by the request's mentions. */
    public List<GrayImage> generate(
            GrayImage source,
            List<FindingMention> sourceFindings,
            List<FindingMention> request,
            int n,
            long seed,
            SamplerConfig sampler) {
        checkRequest(source, n, sampler);
        return generate(source, intervene(sourceFindings, request), n, seed, sampler);
    }

    /** {@link #generate(GrayImage, Condition, int, long, SamplerConfig)} with the codes and the prior used. */
    public Generation generateDetailed(GrayImage source, Condition condition, int n, long seed, SamplerConfig sampler) {
        return generateDetailed(source, condition, null, n, seed, sampler);
    }

    /**
     * {@link #generateDetailed(GrayImage, Condition, int, long, SamplerConfig)} for a request that adds
     * {@code target} to its source: the target's prior starts the sampler where it has one ({@link #priorFor(Condition,
     * Finding)}), not the rarest prior among the source's own findings.
     *
     * @param target the finding the request adds, or null (a removal, or not known)
     */
    public Generation generateDetailed(
            GrayImage source, Condition condition, Finding target, int n, long seed, SamplerConfig sampler) {
        checkRequest(source, n, sampler);
        Condition resolved = resolve(condition);
        DisentanglerModel.Encoding encoded = disentangler.encode(List.of(source.toFloat()));
        Finding prior = priorFor(resolved, target);
        float[][] codes = sampleCodes(resolved, prior, n, seed, sampler);
        Composed composed = compose(source, encoded, codes, resolved);
        return new Generation(composed.images(), composed.decoded(), codes, resolved, prior);
    }

    /**
     * One request of {@link #generateBatch}: what {@link #generateDetailed} takes.
     *
     * @param source    the source image, already of the model's size
     * @param condition the condition (resolved by {@link #generateBatch} as by {@link #generateDetailed})
     */
    public record Request(GrayImage source, Condition condition, int n, long seed, SamplerConfig sampler) {
        public Request {
            Objects.requireNonNull(source, "source image");
            Objects.requireNonNull(condition, "condition");
            Objects.requireNonNull(sampler, "sampler settings");
        }
    }

    /**
     * Several requests at once, each giving exactly what {@link #generateDetailed} gives for it alone:
     * the pathology codes of all requests are sampled in one batched pass of the diffusion sampler
     * ({@link DiffusionModel#sampleBatch}, per-request noise from each request's own seed), while each
     * source is encoded and each request's images are decoded on their own, as
     * {@link #generateDetailed} encodes and decodes them (the same convolution batch shapes, so the
     * same bits). Requests must share the step count and η; every request is checked before anything
     * runs.
     *
     * @return one generation per request, in order
     */
    public List<Generation> generateBatch(List<Request> requests) {
        if (requests.isEmpty()) {
            return List.of();
        }
        SamplerConfig first = requests.get(0).sampler();
        List<Condition> resolved = new ArrayList<>(requests.size());
        for (Request r : requests) {
            checkRequest(r.source(), r.n(), r.sampler());
            if (r.sampler().steps() != first.steps() || r.sampler().eta() != first.eta()) {
                throw new IllegalArgumentException(
                        "a batch shares its DDIM steps and eta: " + first + " and " + r.sampler());
            }
            resolved.add(resolve(r.condition()));
        }
        List<DiffusionModel.BatchRequest> sampling = new ArrayList<>(requests.size());
        Finding[] usedPriors = new Finding[requests.size()];
        for (int i = 0; i < requests.size(); i++) {
            Request r = requests.get(i);
            Finding prior = priorFor(resolved.get(i));
            usedPriors[i] = prior;
            float[][] noise = prior == null ? null : priors.get(prior).sample(r.n(), r.seed());
            sampling.add(new DiffusionModel.BatchRequest(
                    resolved.get(i), r.n(), r.seed(), r.sampler().guidance(), noise));
        }
        List<float[][]> codes = diffusion.sampleBatch(sampling, first.steps(), first.eta());
        List<Generation> out = new ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            GrayImage source = requests.get(i).source();
            DisentanglerModel.Encoding encoded = disentangler.encode(List.of(source.toFloat()));
            Composed composed = compose(source, encoded, codes.get(i), resolved.get(i));
            out.add(new Generation(
                    composed.images(), composed.decoded(), codes.get(i), resolved.get(i), usedPriors[i]));
        }
        return out;
    }

    /** The z_id of images (rows of flattened identity codes). */
    public float[][] identities(List<GrayImage> images) {
        for (GrayImage g : images) {
            checkSize(g);
        }
        return disentangler
                .encode(images.stream().map(GrayImage::toFloat).toList())
                .identity();
    }

    /** n codes ẑ_path for a (resolved) condition; the initial noise as {@link #generate} draws it. */
    public float[][] sampleCodes(Condition condition, int n, long seed, SamplerConfig sampler) {
        Condition resolved = resolve(condition);
        return sampleCodes(resolved, priorFor(resolved), n, seed, sampler);
    }

    /**
     * The images of {@code source} with each of the given pathology codes instead of its own, composed
     * as this generator composes its counterfactuals. Each code is decoded whole: for a model with finding slots,
     * where a counterfactual moves only its condition's slots, use {@link #withPathology(GrayImage, float[][],
     * Condition)}.
     */
    public List<GrayImage> withPathology(GrayImage source, float[][] codes) {
        checkSize(source);
        return compose(source, disentangler.encode(List.of(source.toFloat())), codes)
                .images();
    }

    /** Counterfactuals composed as {@link #composition} says, and the decoder's own images they were made from. */
    private record Composed(List<GrayImage> images, List<GrayImage> decoded) {}

    /** The counterfactual images of one encoded source for sampled pathology codes. */
    private Composed compose(GrayImage source, DisentanglerModel.Encoding encoded, float[][] codes) {
        return compose(source, encoded.identity()[0], encoded.pathMean()[0], codes);
    }

    /**
     * The counterfactuals of a condition. With finding slots only the condition's slots change: the source's own
     * code keeps its shared part and the condition's slots (the others 0, as the decoder saw absent findings), and
     * each sampled code brings only the condition's slots into it.
     */
    private Composed compose(
            GrayImage source, DisentanglerModel.Encoding encoded, float[][] codes, Condition condition) {
        return compose(source, encoded.identity()[0], encoded.pathMean()[0], codes, condition);
    }

    private Composed compose(
            GrayImage source, float[] identity, float[] ownCode, float[][] codes, Condition condition) {
        List<Finding> findings = condition.findings();
        float[] own = disentangler.keepFindingSlots(ownCode, findings);
        float[][] moved = new float[codes.length][];
        for (int i = 0; i < codes.length; i++) {
            moved[i] = disentangler.transplantFindingSlots(own, codes[i], findings);
        }
        return compose(source, identity, own, moved);
    }

    /**
     * The images of {@code source} with each of the given pathology codes, composed as this generator composes its
     * counterfactuals of {@code condition}: with finding slots only the condition's slots change (as in {@link
     * #generateDetailed}); without, as {@link #withPathology(GrayImage, float[][])}.
     */
    public List<GrayImage> withPathology(GrayImage source, float[][] codes, Condition condition) {
        checkSize(source);
        return compose(source, disentangler.encode(List.of(source.toFloat())), codes, resolve(condition))
                .images();
    }

    /**
     * {@link #withPathology(GrayImage, float[][], Condition)} for a source already encoded (its identity code and its
     * own pathology code) and a resolved condition.
     */
    List<GrayImage> withPathology(
            GrayImage source, float[] identity, float[] ownCode, float[][] codes, Condition condition) {
        return compose(source, identity, ownCode, codes, condition).images();
    }

    private Composed compose(GrayImage source, float[] identity, float[] ownCode, float[][] codes) {
        checkSize(source);
        List<GrayImage> decoded = decode(identity, codes);
        if (composition == Composition.DECODED) {
            return new Composed(decoded, decoded);
        }
        float[] reconstruction =
                decode(identity, new float[][] {ownCode}).get(0).toFloat();
        float[] original = source.toFloat();
        List<GrayImage> out = new ArrayList<>(decoded.size());
        for (GrayImage d : decoded) {
            float[] changed = d.toFloat();
            for (int p = 0; p < changed.length; p++) {
                changed[p] -= reconstruction[p];
            }
            float[] weight = composition == Composition.LOCALIZED
                    ? ChangeMask.weights(changed, source.width(), source.height(), localizeThreshold)
                    : null;
            for (int p = 0; p < changed.length; p++) {
                changed[p] = original[p] + (weight == null ? changed[p] : weight[p] * changed[p]);
            }
            out.add(GrayImage.fromUnit(source.width(), source.height(), changed));
        }
        return new Composed(out, decoded);
    }

    /** The image of one identity code with each of several pathology codes. */
    public List<GrayImage> decode(float[] identity, float[][] codes) {
        float[][] ids = new float[codes.length][];
        java.util.Arrays.fill(ids, identity);
        return disentangler.decode(ids, codes);
    }

    /**
     * The finding whose prior starts the sampler for a request adding {@code target}: the target's own where it has
     * one and the condition shows it, else {@link #priorFor(Condition)}. With priors for head classes too
     * ({@code prior_classes: all}) the rarest rule would start a cardiomegaly request on a source with atelectasis
     * from atelectasis's prior.
     */
    public Finding priorFor(Condition condition, Finding target) {
        if (target != null && priors.containsKey(target) && condition.findings().contains(target)) {
            return target;
        }
        return priorFor(condition);
    }

    /** The finding whose prior starts the sampler for this condition (the rarest with a prior), or null. */
    public Finding priorFor(Condition condition) {
        Finding best = null;
        int bestCount = Integer.MAX_VALUE;
        for (Finding f : condition.findings()) {
            if (!priors.containsKey(f)) {
                continue;
            }
            int c = diffusion.trainingFindingCounts().getOrDefault(f, 0);
            if (best == null || c < bestCount) {
                best = f;
                bestCount = c;
            }
        }
        return best;
    }

    private float[][] sampleCodes(Condition resolved, Finding prior, int n, long seed, SamplerConfig sampler) {
        float[][] noise = prior == null ? null : priors.get(prior).sample(n, seed);
        return diffusion.sample(resolved, n, seed, sampler, noise);
    }

    private void checkRequest(GrayImage source, int n, SamplerConfig sampler) {
        Objects.requireNonNull(source, "source image");
        Objects.requireNonNull(sampler, "sampler settings");
        if (n < 1) {
            throw new IllegalArgumentException("the number of counterfactuals must be at least 1, got " + n);
        }
        checkSize(source);
    }

    private void checkSize(GrayImage image) {
        int s = imageSize();
        if (image.width() != s || image.height() != s) {
            throw new IllegalArgumentException("the source image is " + image.width() + "x" + image.height()
                    + " pixels but the model expects " + s + "x" + s + " (resize it first, e.g. Resampler.fitSquare)");
        }
    }

    @Override
    public void close() {
        if (owner) {
            try {
                diffusion.close();
            } finally {
                disentangler.close();
            }
        }
    }
}
