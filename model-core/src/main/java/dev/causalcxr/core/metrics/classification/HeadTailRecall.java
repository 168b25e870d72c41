package dev.causalcxr.core.metrics.classification;

/**
 * Mean per-class recall over head (frequent) and tail (rare) classes; only classes with at least
 * one true sample count. NaN for a group with no such class.
 */
public record HeadTailRecall(double headMeanRecall, double tailMeanRecall, int headClasses, int tailClasses) {}
