/**
 * The synthetic chest X-ray phantom: patients ({@link dev.causalcxr.core.phantom.PatientIdentity}),
 * acquisitions ({@link dev.causalcxr.core.phantom.Acquisition}), long-tailed pathology and reports
 * ({@link dev.causalcxr.core.phantom.PhantomGenerator}, {@link dev.causalcxr.core.phantom.PhantomSpec}),
 * and the renderer that draws any finding set for any study with per-finding masks
 * ({@link dev.causalcxr.core.phantom.PhantomRenderer}): the exact counterfactuals the metrics
 * compare against. Everything is deterministic from seeds and bit-identical across machines.
 */
package dev.causalcxr.core.phantom;
