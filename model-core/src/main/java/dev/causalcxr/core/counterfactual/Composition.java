package dev.causalcxr.core.counterfactual;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * How a counterfactual image is made from the decoder's output.
 *
 * <ul>
 *   <li>{@code RESIDUAL} (the default): the source plus what the new pathology code changes in the
 *       decoder's image, {@code x + D(z_id, ẑ_path) − D(z_id, z_path(x))}, clipped to [0, 1]. The
 *       decoder's reconstruction error (blur, lost texture) cancels, so whatever the request does
 *       not change stays the source's own pixels.</li>
 *   <li>{@code LOCALIZED}: as {@code RESIDUAL}, but the change is added only where it is concentrated,
 *       {@code x + m ⊙ (D(z_id, ẑ_path) − D(z_id, z_path(x)))} with {@code m} the {@link ChangeMask} of that
 *       change at the generator's localization threshold: the decoder's weak, spread-out changes elsewhere
 *       are left out. Strong changes elsewhere stay, and they carry most of the variation between samples and
 *       the attribute amplification (bench/generator/RESULTS.md, "Localized composition").</li>
 *   <li>{@code DECODED}: the decoder's image {@code D(z_id, ẑ_path)} itself, as the paper writes the
 *       method; every counterfactual then also carries the reconstruction's loss of detail.</li>
 * </ul>
 */
public enum Composition {
    RESIDUAL,
    LOCALIZED,
    DECODED;

    /** {@link #LOCALIZED}'s threshold when none is given: a pixel is kept whole from 30 % of the peak. */
    public static final double DEFAULT_LOCALIZE_THRESHOLD = 0.3;

    /** The spec's name of this composition ({@code residual}, {@code localized}, {@code decoded}). */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Every composition's key, comma-separated, for messages. */
    public static String keys() {
        return String.join(", ", Arrays.stream(values()).map(Composition::key).toList());
    }

    /** The composition a spec or a model's record names, or empty. */
    public static Optional<Composition> fromKey(String key) {
        for (Composition c : values()) {
            if (c.key().equals(key)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** Whether {@code t} can be {@link #LOCALIZED}'s threshold: a share of the peak, in (0, 1]. */
    public static boolean isLocalizeThreshold(double t) {
        return t > 0 && t <= 1;
    }
}
