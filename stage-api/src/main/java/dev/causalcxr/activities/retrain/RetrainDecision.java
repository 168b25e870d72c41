package dev.causalcxr.activities.retrain;

import java.util.List;

/**
 * The gate's verdict and what was done about it.
 *
 * @param promoted    whether {@code champion} moved to the challenger
 * @param champion    the version {@code champion} points at now ({@code NAME@VERSION})
 * @param challenger  the challenger ({@code NAME@VERSION})
 * @param outcomes    every rule's outcome, one line each ({@code PASS site-b: site-b.fid: improves (…)})
 * @param reason      the failed rules in one line, or that every rule passed
 */
public record RetrainDecision(
        boolean promoted, String champion, String challenger, List<String> outcomes, String reason) {}
