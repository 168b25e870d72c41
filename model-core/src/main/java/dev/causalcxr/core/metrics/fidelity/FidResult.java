package dev.causalcxr.core.metrics.fidelity;

/**
 * A Fréchet distance and its parts: {@code fid = meanDistanceSquared + traceA + traceB − 2·traceSqrtProduct}.
 *
 * @param fid                 the Fréchet distance (clamped at 0 against rounding)
 * @param meanDistanceSquared ‖μ_A − μ_B‖²
 * @param traceA              tr Σ_A
 * @param traceB              tr Σ_B
 * @param traceSqrtProduct    tr √(Σ_A Σ_B)
 * @param dimension           feature dimension
 * @param countA              samples in set A
 * @param countB              samples in set B
 */
public record FidResult(
        double fid,
        double meanDistanceSquared,
        double traceA,
        double traceB,
        double traceSqrtProduct,
        int dimension,
        int countA,
        int countB) {}
