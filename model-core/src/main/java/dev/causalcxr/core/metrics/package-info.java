/**
 * Evaluation metrics of CausalCXR, in plain double-precision Java (no native or numeric
 * dependencies), each checked against the Python implementation people compare numbers with.
 *
 * <ul>
 *   <li>{@code fidelity}: FID ({@link dev.causalcxr.core.metrics.fidelity.FrechetDistance}, symmetric
 *       matrix-square-root route), KID, precision / recall / density / coverage, feature diversity,
 *       overall and per class ({@link dev.causalcxr.core.metrics.fidelity.FidelityEvaluator}). Inputs are
 *       feature matrices, rows = samples; which feature network produced them is for the caller to record.</li>
 *   <li>{@code image}: SSIM as scikit-image computes it (Gaussian window), PSNR, errors and SSIM
 *       inside / outside a mask. Images are row-major {@code float[]} with a width and a height.</li>
 *   <li>{@code classification}: accuracy, balanced accuracy, macro-F1, per-class precision / recall /
 *       F1, confusion matrix, one-vs-rest AUROC, head-vs-tail recall (scikit-learn's conventions).</li>
 *   <li>{@code probe}: a deterministic linear probe (L2 softmax regression) for leakage metrics.</li>
 *   <li>{@code io}: {@code .npy} and CSV feature matrices.</li>
 *   <li>{@code linalg}: the dense kernels and the symmetric eigensolver underneath.</li>
 * </ul>
 */
package dev.causalcxr.core.metrics;
