package dev.causalcxr.core.phantom;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.KeyDeserializer;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import dev.causalcxr.core.findings.Finding;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The phantom block of an experiment spec.
 *
 * @param studies               number of studies to generate
 * @param minStudiesPerPatient  fewest studies per patient (≥ 2 gives identity groups for swaps)
 * @param maxStudiesPerPatient  most studies per patient (longitudinal series)
 * @param size                  image edge length in pixels (64..512)
 * @param seed                  master seed: same spec → bit-identical images and reports
 * @param classFrequencies      per renderable finding, the probability a study shows it (long tail)
 * @param severityMix           relative weights of mild / moderate / severe
 * @param uncertaintyRate       probability a non-severe finding is reported with a hedge
 */
public record PhantomSpec(
        int studies,
        int minStudiesPerPatient,
        int maxStudiesPerPatient,
        int size,
        long seed,
        @JsonDeserialize(keyUsing = FindingKey.class) Map<Finding, Double> classFrequencies,
        SeverityMix severityMix,
        double uncertaintyRate) {

    public static final int MIN_SIZE = 64;
    public static final int MAX_SIZE = 512;

    /** Relative weights of the three severities (need not sum to 1). */
    public record SeverityMix(double mild, double moderate, double severe) {
        public static SeverityMix defaults() {
            return new SeverityMix(0.5, 0.3, 0.2);
        }
    }

    public PhantomSpec {
        if (classFrequencies != null) {
            classFrequencies = Collections.unmodifiableMap(new LinkedHashMap<>(classFrequencies));
        }
    }

    /**
     * Default long tail: Pleural Effusion is the head class (about half the studies), Pneumothorax
     * and Fracture the tail (about 1%); the rarest is 50× rarer than the head.
     */
    public static Map<Finding, Double> defaultFrequencies() {
        Map<Finding, Double> m = new EnumMap<>(Finding.class);
        m.put(Finding.PLEURAL_EFFUSION, 0.50);
        m.put(Finding.SUPPORT_DEVICES, 0.30);
        m.put(Finding.CARDIOMEGALY, 0.22);
        m.put(Finding.ATELECTASIS, 0.18);
        m.put(Finding.EDEMA, 0.10);
        m.put(Finding.CONSOLIDATION, 0.06);
        m.put(Finding.NODULE, 0.03);
        m.put(Finding.MASS, 0.02);
        m.put(Finding.PNEUMOTHORAX, 0.012);
        m.put(Finding.FRACTURE, 0.01);
        return m;
    }

    public static PhantomSpec defaults() {
        return new PhantomSpec(2000, 2, 4, 64, 42L, defaultFrequencies(), SeverityMix.defaults(), 0.1);
    }

    /**
     * The spec-file form (JSON/YAML through Jackson): every field optional, missing ones take the
     * defaults; finding keys may be labels ("Pleural Effusion"), enum names or snake-case keys.
     * Call {@link #problems()} or {@link #validated()} on the result.
     */
    @JsonCreator
    public static PhantomSpec fromSpec(
            @JsonProperty("studies") Integer studies,
            @JsonProperty("minStudiesPerPatient") Integer minStudiesPerPatient,
            @JsonProperty("maxStudiesPerPatient") Integer maxStudiesPerPatient,
            @JsonProperty("size") Integer size,
            @JsonProperty("seed") Long seed,
            @JsonProperty("classFrequencies") @JsonDeserialize(keyUsing = FindingKey.class)
                    Map<Finding, Double> classFrequencies,
            @JsonProperty("severityMix") SeverityMix severityMix,
            @JsonProperty("uncertaintyRate") Double uncertaintyRate) {
        PhantomSpec d = defaults();
        return new PhantomSpec(
                studies != null ? studies : d.studies(),
                minStudiesPerPatient != null ? minStudiesPerPatient : d.minStudiesPerPatient(),
                maxStudiesPerPatient != null ? maxStudiesPerPatient : d.maxStudiesPerPatient(),
                size != null ? size : d.size(),
                seed != null ? seed : d.seed(),
                classFrequencies != null ? classFrequencies : d.classFrequencies(),
                severityMix != null ? severityMix : d.severityMix(),
                uncertaintyRate != null ? uncertaintyRate : d.uncertaintyRate());
    }

    /** Reads finding map keys by label, enum name or key; unknown names fail with the name in the message. */
    public static final class FindingKey extends KeyDeserializer {
        @Override
        public Object deserializeKey(String key, DeserializationContext ctxt) throws IOException {
            return Finding.fromLabel(key)
                    .orElseThrow(() -> new IOException("classFrequencies: unknown finding '" + key + "'"));
        }
    }

    public PhantomSpec withStudies(int n) {
        return new PhantomSpec(
                n,
                minStudiesPerPatient,
                maxStudiesPerPatient,
                size,
                seed,
                classFrequencies,
                severityMix,
                uncertaintyRate);
    }

    public PhantomSpec withSeed(long s) {
        return new PhantomSpec(
                studies,
                minStudiesPerPatient,
                maxStudiesPerPatient,
                size,
                s,
                classFrequencies,
                severityMix,
                uncertaintyRate);
    }

    public PhantomSpec withSize(int px) {
        return new PhantomSpec(
                studies,
                minStudiesPerPatient,
                maxStudiesPerPatient,
                px,
                seed,
                classFrequencies,
                severityMix,
                uncertaintyRate);
    }

    public PhantomSpec withClassFrequencies(Map<Finding, Double> f) {
        return new PhantomSpec(
                studies, minStudiesPerPatient, maxStudiesPerPatient, size, seed, f, severityMix, uncertaintyRate);
    }

    /** Every problem with this spec, each prefixed with its field path; empty when valid. */
    public List<String> problems() {
        List<String> p = new ArrayList<>();
        if (studies < 1) {
            p.add("studies: must be >= 1, was " + studies);
        }
        if (minStudiesPerPatient < 1) {
            p.add("minStudiesPerPatient: must be >= 1, was " + minStudiesPerPatient);
        }
        if (maxStudiesPerPatient < minStudiesPerPatient) {
            p.add("maxStudiesPerPatient: must be >= minStudiesPerPatient (" + minStudiesPerPatient + "), was "
                    + maxStudiesPerPatient);
        }
        if (size < MIN_SIZE || size > MAX_SIZE) {
            p.add("size: must be in " + MIN_SIZE + ".." + MAX_SIZE + ", was " + size);
        }
        if (classFrequencies == null || classFrequencies.isEmpty()) {
            p.add("classFrequencies: must name at least one finding");
        } else {
            for (Map.Entry<Finding, Double> e : classFrequencies.entrySet()) {
                String path = "classFrequencies."
                        + (e.getKey() == null ? "null" : e.getKey().label());
                if (e.getKey() == null) {
                    p.add(path + ": finding must not be null");
                    continue;
                }
                if (!PhantomRenderer.RENDERABLE.contains(e.getKey())) {
                    p.add(path + ": the phantom does not render this finding (renders "
                            + PhantomRenderer.RENDERABLE.stream()
                                    .map(Finding::label)
                                    .toList() + ")");
                }
                Double v = e.getValue();
                if (v == null || !(v > 0) || v > 1) {
                    p.add(path + ": must be in (0, 1], was " + v);
                }
            }
        }
        if (severityMix == null) {
            p.add("severityMix: required");
        } else {
            checkWeight(p, "severityMix.mild", severityMix.mild());
            checkWeight(p, "severityMix.moderate", severityMix.moderate());
            checkWeight(p, "severityMix.severe", severityMix.severe());
            if (severityMix.mild() + severityMix.moderate() + severityMix.severe() <= 0) {
                p.add("severityMix: weights must not all be 0");
            }
        }
        if (!(uncertaintyRate >= 0 && uncertaintyRate <= 1)) {
            p.add("uncertaintyRate: must be in [0, 1], was " + uncertaintyRate);
        }
        return p;
    }

    private static void checkWeight(List<String> p, String path, double w) {
        if (!(w >= 0) || Double.isInfinite(w)) {
            p.add(path + ": must be a finite weight >= 0, was " + w);
        }
    }

    /** Returns this spec, or throws listing every problem. */
    public PhantomSpec validated() {
        List<String> p = problems();
        if (!p.isEmpty()) {
            throw new IllegalArgumentException("invalid phantom spec: " + String.join("; ", p));
        }
        return this;
    }
}
