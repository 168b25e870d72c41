"""Reference values for the Java metric tests, computed the standard way with NumPy / SciPy /
scikit-image / scikit-learn / prdc. Each sub-command prints one JSON object on stdout."""
import json
import sys
import time
import warnings

import numpy as np


def fid(path_a, path_b):
    from scipy import linalg
    a = np.load(path_a).astype(np.float64)
    b = np.load(path_b).astype(np.float64)
    start = time.perf_counter()
    mu1, mu2 = a.mean(axis=0), b.mean(axis=0)
    sigma1, sigma2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    diff = mu1 - mu2
    # the pytorch-fid / TTUR formulation
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        covmean = linalg.sqrtm(sigma1.dot(sigma2))
    if not np.isfinite(covmean).all():
        offset = np.eye(sigma1.shape[0]) * 1e-6
        covmean = linalg.sqrtm((sigma1 + offset).dot(sigma2 + offset))
    if np.iscomplexobj(covmean):
        covmean = covmean.real
    value = diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean)
    seconds = time.perf_counter() - start
    return {"fid": float(value), "trace_sqrt_product": float(np.trace(covmean)), "seconds": seconds}


def kid_full(path_a, path_b):
    """Unbiased MMD² with the cubic polynomial kernel over the whole (equal-size) sets."""
    a = np.load(path_a).astype(np.float64)
    b = np.load(path_b).astype(np.float64)
    d = a.shape[1]
    kxx = (a @ a.T / d + 1) ** 3
    kyy = (b @ b.T / d + 1) ** 3
    kxy = (a @ b.T / d + 1) ** 3
    m = a.shape[0]
    value = ((kxx.sum() - np.trace(kxx)) + (kyy.sum() - np.trace(kyy))) / (m * (m - 1)) - 2 * kxy.sum() / (m * m)
    return {"mmd2": float(value)}


def prdc(path_real, path_fake, k):
    from prdc import compute_prdc
    real = np.load(path_real).astype(np.float64)
    fake = np.load(path_fake).astype(np.float64)
    values = compute_prdc(real_features=real, fake_features=fake, nearest_k=int(k))
    return {key: float(value) for key, value in values.items()}


def ssim(path_a, path_b, data_range, path_map_out):
    from skimage.metrics import peak_signal_noise_ratio, structural_similarity
    a = np.load(path_a).astype(np.float64)
    b = np.load(path_b).astype(np.float64)
    mean, full = structural_similarity(a, b, data_range=float(data_range), gaussian_weights=True,
                                       sigma=1.5, use_sample_covariance=False, full=True)
    np.save(path_map_out, full.astype(np.float64))
    psnr = peak_signal_noise_ratio(a, b, data_range=float(data_range))
    return {"ssim": float(mean), "psnr": float(psnr)}


def classification(path_true, path_pred, path_scores):
    from sklearn import metrics
    y_true = np.load(path_true).astype(np.int64).ravel()
    y_pred = np.load(path_pred).astype(np.int64).ravel()
    scores = np.load(path_scores).astype(np.float64)
    classes = list(range(scores.shape[1]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        precision, recall, f1, support = metrics.precision_recall_fscore_support(
            y_true, y_pred, labels=classes, zero_division=0)
        aurocs = []
        for c in classes:
            positives = y_true == c
            if positives.all() or not positives.any():
                aurocs.append(None)
            else:
                aurocs.append(float(metrics.roc_auc_score(positives.astype(int), scores[:, c])))
        return {
            "accuracy": float(metrics.accuracy_score(y_true, y_pred)),
            "balanced_accuracy": float(metrics.balanced_accuracy_score(y_true, y_pred)),
            "macro_f1": float(metrics.f1_score(y_true, y_pred, average="macro", zero_division=0)),
            "precision": precision.tolist(),
            "recall": recall.tolist(),
            "f1": f1.tolist(),
            "auroc": aurocs,
            "confusion": metrics.confusion_matrix(y_true, y_pred, labels=classes).tolist(),
        }


def logreg(path_x, path_y, l2):
    """Multinomial logistic regression on standardized features; reports the objective
    mean cross-entropy + l2/2 ||W||^2 at scikit-learn's optimum (C = 1 / (n l2))."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    x = StandardScaler().fit_transform(np.load(path_x).astype(np.float64))
    y = np.load(path_y).astype(np.int64).ravel()
    n, l2 = x.shape[0], float(l2)
    model = LogisticRegression(C=1.0 / (n * l2), tol=1e-12, max_iter=10000).fit(x, y)
    logits = x @ model.coef_.T + model.intercept_
    logits -= logits.max(axis=1, keepdims=True)
    log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(n), y].mean() + 0.5 * l2 * (model.coef_ ** 2).sum()
    return {"objective": float(loss)}


COMMANDS = {"logreg": logreg, "fid": fid, "kid_full": kid_full, "prdc": prdc, "ssim": ssim, "classification": classification}

if __name__ == "__main__":
    print(json.dumps(COMMANDS[sys.argv[1]](*sys.argv[2:])))
