package dev.causalcxr.core.metrics.fidelity;

/** All fidelity metrics of one comparison (overall or one class). */
public record FidelityReport(FidResult fid, KidResult kid, PrdcResult prdc) {}
