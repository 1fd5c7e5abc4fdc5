"""Issue 15's anomaly screen, density family: a better density over the code (and the code plus
the error) than the single Gaussian of today's default score. Seed 0 unless --seeds; prints one
line per set and the mean ROC-AUC over all nine ODDS sets and over issue 15's five (cardio,
mnist, pendigits, satellite, shuttle).

Each run fits one ``AnomalyDetector`` per set and seed (its defaults, ``scaler="none"`` on
features standardised here once, ``code_score="none"``, ``max_steps=5000``: the default's
model) and scores it many ways from the same fitted model. ``feat`` is each feature's error
over its median training error, summed; ``maha`` the code's squared Mahalanobis distance from
the training codes. "part / median" means the part over its median over the training rows.

- ``lat1``: feat / median + maha / median (issue 15's first default, ``code_score="mahalanobis"``);
- ``gmm8``, ``gmm4``: feat / median + G / median, where G is a Gaussian mixture's density over the
  whitened training codes (at most 4,096 of them; full covariances; 1..8 or 1..4 components, the
  count chosen by BIC; ``random_state=0``) as a squared distance: 2 * NLL(z) - min_k (log det(2 pi
  Sigma_k) - 2 log pi_k). With one component it is exactly the squared Mahalanobis distance
  (whitening changes every component's log-determinant by one constant, which the shift removes);
  with several, the distance to the nearest component in its own metric, softened;
- ``gmm8w``, ``gmm8c``: as ``gmm8``, components lighter than 5 % (``c``: 10 %, the detector's
  contamination) of the rows dropped and the rest refitted (a mixture can give the anomalies
  mixed into the training rows their own small component, which would make them look normal);
- ``dagmm``: DAGMM-style (Zong et al. 2018): one BIC-chosen mixture (1..8 components) over the
  joint vector [whitened code, log(feat)], its squared-distance form (as ``gmm8``) as the whole
  score: the mixture learns how error and code trade;
- ``knnD``: feat / median + D / median, D the whitened code's squared distance to its 10th nearest
  *distinct* training code (at most 2,048 of them; a training row not counting itself), so that
  repeated codes (duplicate rows, binary codes) do not shrink the median to 0;
- ``knnDa``: as ``knnD`` with D the mean squared distance to the 1st..10th nearest distinct codes;
- ``minmk``: feat / median + min(maha / median, knnD / median) (a sample is normal for the code if
  either the ellipse or its neighbours say so);
- ``knnC``, ``knnCa``, ``knnCa5``: as ``knnD`` with k = 10 % of the reference (the detector's
  contamination: a cluster of anomalies smaller than that is not a neighbourhood of normal rows):
  the k-th distance, the mean of the 1st..k-th, the mean of the 1st..(k/2)-th;
- ``knnT``, ``knnTa5``, ``knnTf``: the reference without the 10 % of training rows ``lat1`` (``knnTf``:
  ``feat``) ranks most anomalous; 10th distance, mean of the nearest 5 %, 10th distance;
- ``gmm4T``, ``gmm8T``: ``gmm4``, ``gmm8`` fitted on that trimmed reference;
- ``kdeS``, ``kdeS2``, ``kdeS4``, ``kdeST``, ``kdeS2T``: a Gaussian kernel density over (at most 2,048)
  whitened training codes as a squared distance, -2 h^2 log mean_j exp(-|z - z_j|^2 / (2 h^2)),
  leave-one-out for training rows; h = Scott's rule n^(-1/(d+4)) times 1, 2, 4 (``T``: trimmed
  reference as ``knnT``). It runs from the nearest-neighbour distance (h -> 0) to the Mahalanobis
  distance plus a constant (h -> infinity);
- ``nbr``: feat / median + N / median, N the code's mean squared *Euclidean* distance to its
  nearest 5 % (at least 10) of at most 2,048 distinct training codes, a training row counting
  itself: what ``code_score="neighbors"`` computes (the detector's own function);
  ``nbr25``, ``nbr10``: 2.5 %, 10 %; ``nbrW``: whitened codes; ``nbrT``: reference without the
  20 % of rows ``lat1`` ranks most anomalous; ``nbrX``: the same among the *reconstructions*
  (standardised feature units: a metric that does not depend on the code's coordinates);
  ``nbrTX``: ``nbrX`` on the reference trimmed by 10 %.

``--cache DIR`` keeps each fit's errors, codes and reconstructions, so that a rerun scores new
variants without refitting (seeds 0-2 fit in about 3.5 minutes on one thread). ``--first-seed 3
--seeds 3`` scores fresh splits (seeds 3-5) for a candidate chosen on seeds 0-2.

    AEKIT_DATA=../shared/data python benchmarks/anomaly_screen_density.py
"""

from __future__ import annotations

import _threads  # noqa: F401  (sets thread counts before numpy/torch load)

import argparse
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import roc_auc_score
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import train_test_split
from sklearn.neighbors import NearestNeighbors
from threadpoolctl import threadpool_limits

from aekit import AnomalyDetector
from anomaly_screen import FIVE, SETS, load, mahalanobis, standardise

VARIANTS = ("feat", "lat1", "gmm8", "gmm4", "gmm8w", "gmm8c", "dagmm", "knnD", "knnDa", "minmk", "knnC", "knnCa", "knnCa5",
            "knnT", "knnTa5", "gmm4T", "gmm8T", "knnTf", "kdeS", "kdeS2", "kdeS4", "kdeST", "kdeS2T",
            "nbr", "nbr25", "nbr10", "nbrW", "nbrT", "nbrX", "nbrTX")


def whitener(codes_train: np.ndarray):
    """z -> (z - mean) @ V / sqrt(w): the training codes' covariance becomes the identity."""
    mean = codes_train.mean(0)
    cov = np.atleast_2d(np.cov(codes_train - mean, rowvar=False))
    w, v = np.linalg.eigh(cov + max(1e-6 * np.trace(cov) / len(cov), 1e-12) * np.eye(len(cov)))
    return lambda c: (c - mean) @ v / np.sqrt(w)


def bic_mixture(data: np.ndarray, max_components: int, min_weight: float = 0.0) -> GaussianMixture:
    """The mixture of 1..max_components full-covariance Gaussians with the lowest BIC."""
    rows = data[np.random.default_rng(0).permutation(len(data))[:4096]]
    best, best_bic = None, np.inf
    for k in range(1, max_components + 1):
        if k * (data.shape[1] + 1) > len(rows):  # fewer than d + 1 rows per component: stop
            break
        gm = GaussianMixture(k, covariance_type="full", random_state=0, reg_covar=1e-6).fit(rows)
        bic = gm.bic(rows)
        if bic < best_bic:
            best, best_bic = gm, bic
    if min_weight > 0 and best.n_components > 1 and best.weights_.min() < min_weight:
        keep = best.weights_ >= min_weight
        best = GaussianMixture(
            int(keep.sum()), covariance_type="full", random_state=0, reg_covar=1e-6,
            weights_init=best.weights_[keep] / best.weights_[keep].sum(), means_init=best.means_[keep],
            precisions_init=best.precisions_[keep],
        ).fit(rows)
    return best


def mixture_distance(gm: GaussianMixture, data: np.ndarray) -> np.ndarray:
    """2 * NLL - min_k (log det(2 pi Sigma_k) - 2 log pi_k): the squared Mahalanobis distance for one component."""
    d = data.shape[1]
    logdet = -2.0 * np.log(np.diagonal(gm.precisions_cholesky_, axis1=1, axis2=2)).sum(1)  # log det Sigma_k
    shift = (d * np.log(2 * np.pi) + logdet - 2 * np.log(gm.weights_)).min()
    return -2.0 * gm.score_samples(data) - shift


def distinct_knn(reference: np.ndarray, codes: np.ndarray, train: bool, k: int = 10) -> np.ndarray:
    """Squared distances to the 1st..k-th nearest distinct reference codes, (n, k); a training row skips itself."""
    reference = np.unique(np.round(reference, 9), axis=0)
    reference = reference[np.random.default_rng(0).permutation(len(reference))[:2048]]
    kk = min(k + int(train), len(reference))
    dist, _ = NearestNeighbors(n_neighbors=kk).fit(reference).kneighbors(codes)
    if train:  # a training row's own code is at distance ~0 when it is in the reference
        own = dist[:, 0] < 1e-9
        dist = np.where(own[:, None], dist[:, 1:] if kk > 1 else dist, dist[:, :-1] if kk > 1 else dist)
    return dist**2


def kde_distance(reference: np.ndarray, codes: np.ndarray, h: float, self_rows: np.ndarray | None = None) -> np.ndarray:
    """-2 h^2 log(mean_j exp(-|z - r_j|^2 / (2 h^2))): a Gaussian-kernel density as a squared distance.

    It lies between the squared distance to the nearest reference code (h -> 0) and the squared
    distance from their mean plus a constant (h -> infinity: the Mahalanobis distance for
    whitened codes). ``self_rows[i]`` is the reference index of codes[i] (-1: none), left out.
    """
    from scipy.special import logsumexp

    out = np.empty(len(codes))
    rr = (reference**2).sum(1)
    for start in range(0, len(codes), 2048):
        c = codes[start : start + 2048]
        d2 = np.maximum((c**2).sum(1)[:, None] + rr[None, :] - 2 * c @ reference.T, 0.0)
        a = -d2 / (2 * h * h)
        m = np.full(len(c), float(len(reference)))
        if self_rows is not None:
            own = self_rows[start : start + 2048]
            hit = own >= 0
            a[np.flatnonzero(hit), own[hit]] = -np.inf
            m[hit] -= 1
        out[start : start + 2048] = -2 * h * h * (logsumexp(a, axis=1) - np.log(m))
    return out


def kde_parts(w_train: np.ndarray, w: list[np.ndarray], keep: np.ndarray, factor: float) -> list[np.ndarray]:
    """kde_distance with Scott's bandwidth times ``factor`` over at most 2,048 of the kept training codes."""
    kept = np.flatnonzero(keep)
    pick = kept[np.random.default_rng(0).permutation(len(kept))[:2048]]
    reference = w_train[pick]
    n, d = reference.shape
    h = factor * n ** (-1.0 / (d + 4))  # Scott's rule for unit-variance (whitened) data
    self_rows = np.full(len(w_train), -1)
    self_rows[pick] = np.arange(len(pick))
    return [kde_distance(reference, w[0], h, self_rows), kde_distance(reference, w[1], h)]


def neighbor_part(reference: np.ndarray, points: list[np.ndarray], fraction: float) -> list[np.ndarray]:
    """Mean squared Euclidean distance to the nearest ``fraction`` (at least 10) of at most 2,048
    distinct reference rows; training rows count themselves (what ``code_score="neighbors"`` does)."""
    from aekit.estimators.anomaly import _code_reference, _neighbor_distances

    distinct, k = _code_reference(reference, fraction)
    return [_neighbor_distances(p, distinct, k) for p in points]


def member_scores(r: list[np.ndarray], z: list[np.ndarray], xh: list[np.ndarray], seconds: dict) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """variant -> (scores of the training rows, of the test rows); higher = more anomalous.

    ``r``: the error part (feat) of the training and the test rows; ``z``: their codes; ``xh``:
    their reconstructions (standardised units).
    """
    med = lambda parts: max(np.median(parts[0]), 1e-3 * np.mean(parts[0]), 1e-12)  # noqa: E731  (as _typical)
    both = lambda a, b: tuple(a[i] / med(a) + b[i] / med(b) for i in (0, 1))  # noqa: E731
    out = {"feat": tuple(r)}
    m = [mahalanobis(z[0], zz) for zz in z]
    out["lat1"] = both(r, m)
    white = whitener(z[0])
    w = [white(zz) for zz in z]
    for name, kmax, wmin in (("gmm8", 8, 0.0), ("gmm4", 4, 0.0), ("gmm8w", 8, 0.05), ("gmm8c", 8, 0.1)):
        started = time.perf_counter()
        gm = bic_mixture(w[0], kmax, wmin)
        g = [mixture_distance(gm, ww) for ww in w]
        seconds[name] = time.perf_counter() - started
        seconds[name + " k"] = gm.n_components
        out[name] = both(r, g)
    started = time.perf_counter()
    joint = [np.hstack([ww, np.log(np.maximum(rr, 1e-12))[:, None]]) for ww, rr in zip(w, r)]
    gm = bic_mixture(joint[0], 8)
    out["dagmm"] = tuple(mixture_distance(gm, jj) for jj in joint)
    seconds["dagmm"] = time.perf_counter() - started
    seconds["dagmm k"] = gm.n_components
    started = time.perf_counter()
    kn = [distinct_knn(w[0], ww, train=i == 0) for i, ww in enumerate(w)]
    seconds["knnD"] = time.perf_counter() - started
    knn = [x[:, -1] for x in kn]
    out["knnD"] = both(r, knn)
    out["knnDa"] = both(r, [x.mean(1) for x in kn])
    out["minmk"] = tuple(r[i] / med(r) + np.minimum(m[i] / med(m), knn[i] / med(knn)) for i in (0, 1))
    started = time.perf_counter()
    k_c = max(10, int(np.ceil(0.1 * min(2048, len(w[0])))))
    kc = [distinct_knn(w[0], ww, train=i == 0, k=k_c) for i, ww in enumerate(w)]
    seconds["knnC"] = time.perf_counter() - started
    out["knnC"] = both(r, [x[:, -1] for x in kc])
    out["knnCa"] = both(r, [x.mean(1) for x in kc])
    kc5 = [x[:, : max(10, k_c // 2)].mean(1) for x in kc]
    out["knnCa5"] = both(r, kc5)
    # trimmed reference: the training rows the default score (lat1) ranks in its most anomalous
    # 10 % (the detector's contamination) are not neighbours / mixture data
    for trim_name, trim_by in (("", out["lat1"][0]), ("f", r[0])):
        ref = w[0][trim_by <= np.quantile(trim_by, 0.9)]
        started = time.perf_counter()
        k_c = max(10, int(np.ceil(0.1 * min(2048, len(ref)))))
        kt = [distinct_knn(ref, ww, train=i == 0, k=k_c) for i, ww in enumerate(w)]
        seconds["knnT" + trim_name] = time.perf_counter() - started
        out["knnT" + trim_name] = both(r, [x[:, 9] for x in kt])
        if trim_name:
            continue
        out["knnTa5"] = both(r, [x[:, : max(10, k_c // 2)].mean(1) for x in kt])
        for name, kmax in (("gmm4T", 4), ("gmm8T", 8)):
            gm = bic_mixture(ref, kmax)
            seconds[name + " k"] = gm.n_components
            out[name] = both(r, [mixture_distance(gm, ww) for ww in w])
    everything = np.ones(len(w[0]), bool)
    trimmed = out["lat1"][0] <= np.quantile(out["lat1"][0], 0.9)
    started = time.perf_counter()
    out["kdeS"] = both(r, kde_parts(w[0], w, everything, 1.0))
    seconds["kdeS"] = time.perf_counter() - started
    out["kdeS2"] = both(r, kde_parts(w[0], w, everything, 2.0))
    out["kdeS4"] = both(r, kde_parts(w[0], w, everything, 4.0))
    out["kdeST"] = both(r, kde_parts(w[0], w, trimmed, 1.0))
    out["kdeS2T"] = both(r, kde_parts(w[0], w, trimmed, 2.0))
    started = time.perf_counter()
    out["nbr"] = both(r, neighbor_part(z[0], z, 0.05))
    seconds["nbr"] = time.perf_counter() - started
    out["nbr25"] = both(r, neighbor_part(z[0], z, 0.025))
    out["nbr10"] = both(r, neighbor_part(z[0], z, 0.10))
    out["nbrW"] = both(r, neighbor_part(w[0], w, 0.05))
    trim20 = out["lat1"][0] <= np.quantile(out["lat1"][0], 0.8)
    out["nbrT"] = both(r, neighbor_part(z[0][trim20], z, 0.05))
    out["nbrX"] = both(r, neighbor_part(xh[0], xh, 0.05))
    out["nbrTX"] = both(r, neighbor_part(xh[0][trimmed], xh, 0.05))
    return out


def run(args: argparse.Namespace) -> dict[str, dict[str, list[float]]]:
    results: dict[str, dict[str, list[float]]] = {v: defaultdict(list) for v in (*VARIANTS, "seconds")}
    extra: dict[str, list] = defaultdict(list)
    for name in args.sets:
        X, y = load(name)
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            X_train, X_test, _, y_test = train_test_split(X, y, test_size=0.4, stratify=y, random_state=seed)
            cached = Path(args.cache) / f"{name}-{seed}.npz" if args.cache else None
            if cached is not None and cached.exists():
                with np.load(cached) as f:
                    r, z, fit_seconds = [f["r0"], f["r1"]], [f["z0"], f["z1"]], float(f["seconds"])
                    xh = [f["x0"], f["x1"]]
            else:
                started = time.perf_counter()
                A, B = standardise(X_train, X_test, "standard")
                det = AnomalyDetector(random_state=seed, scaler="none", code_score="none").fit(A)
                r = [-det.score_samples(x) for x in (A, B)]
                z = [det.transform(x).astype(np.float64) for x in (A, B)]
                xh = [det.reconstruct(x).astype(np.float64) for x in (A, B)]
                fit_seconds = time.perf_counter() - started
                if cached is not None:
                    cached.parent.mkdir(parents=True, exist_ok=True)
                    np.savez(cached, r0=r[0], r1=r[1], z0=z[0], z1=z[1], x0=xh[0], x1=xh[1], seconds=fit_seconds)
            results["seconds"][name].append(fit_seconds)
            seconds: dict = {}
            for variant, (_, s_test) in member_scores(r, z, xh, seconds).items():
                results[variant][name].append(roc_auc_score(y_test, s_test))
            for key, value in seconds.items():
                extra[f"{name} {key}"].append(value)
        print(name, " ".join(f"{v} {np.mean(results[v][name]):.3f}" for v in VARIANTS),
              f"| fit {np.mean(results['seconds'][name]):.1f} s |",
              " ".join(f"{k.split(' ', 1)[1]} {np.mean(v):.2f}" for k, v in extra.items() if k.startswith(name + " ")),
              flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="*", default=SETS)
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--first-seed", type=int, default=0, help="seeds first-seed .. first-seed + seeds - 1")
    parser.add_argument("--cache", default="", help="folder for each fit's errors and codes, reused when there")
    args = parser.parse_args()
    torch.set_num_threads(1)
    threadpool_limits(1)
    results = run(args)
    print(summary(results))


def summary(results: dict[str, dict[str, list[float]]]) -> str:
    """A Markdown table: each variant's mean ROC-AUC over the sets run and over those of the five."""
    lines = ["| variant | mean ROC-AUC, sets run | of the five |", "|---|---|---|"]
    for variant in VARIANTS:
        per = {name: np.mean(v) for name, v in results[variant].items()}
        five = [per[n] for n in FIVE if n in per]
        lines.append(f"| {variant} | {np.mean(list(per.values())):.3f} ({len(per)}) | "
                     f"{np.mean(five) if five else float('nan'):.3f} ({len(five)}) |")
    lines.append(f"\nfit seconds, all sets and seeds: {sum(sum(v) for v in results['seconds'].values()):.0f}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
