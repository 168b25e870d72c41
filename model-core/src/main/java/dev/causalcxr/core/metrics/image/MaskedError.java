package dev.causalcxr.core.metrics.image;

/**
 * Mean absolute error inside and outside a region (for example a finding's mask): a counterfactual
 * should change the inside and leave the outside alone.
 *
 * @param insideMeanAbsoluteError  mean |a − b| over masked pixels (NaN if there are none)
 * @param outsideMeanAbsoluteError mean |a − b| over unmasked pixels (NaN if there are none)
 * @param insidePixels             number of masked pixels
 * @param outsidePixels            number of unmasked pixels
 */
public record MaskedError(
        double insideMeanAbsoluteError, double outsideMeanAbsoluteError, int insidePixels, int outsidePixels) {}
