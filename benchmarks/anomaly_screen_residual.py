"""Issue 15, reconstruction side: screen anomaly scores built from the autoencoder's residuals
and from the model's shape on the ODDS sets (seed 0 unless --seeds). Prints one line per set
and the mean ROC-AUC over all nine sets and over issue 15's five (cardio, mnist, pendigits,
satellite, shuttle).

Members are fitted as in ``benchmarks/anomaly_screen.py`` (``AnomalyDetector`` with its
defaults on features standardised here once, ``scaler="none"``, ``code_score="none"``,
``max_steps=5000``), optionally with another code size (``--latent``), extra detector parameters
(``--param name=value``, JSON values) or several members of different code sizes
(``--latent`` given several rules: one member per rule, each member's score over its training
median, then averaged). From the same fitted members it scores these ways (higher = more
anomalous; r = x - x_hat is the residual of the standardised row, z the code):

- ``clipR``: ``feat`` of the reconstruction from the code pulled back onto the sphere (in
  whitened code coordinates) holding 90 % (``--pull-share``) of the training codes: a row far out *along* the
  data, whose code lies beyond the training codes, reconstructs badly from the pulled code, so
  one reconstruction error sees both kinds of anomaly, and codes between clusters (inside the
  sphere) cost nothing;
- ``clipB``: as ``clipR``, each whitened code coordinate clipped to its central 90 % training
  range (5-95 %);
- ``clipRm``: ``clipR`` over its training median plus the code's Mahalanobis over its median;
- ``feat``: sum over features of r_j^2 over its median training value (issue 14's default;
  computed from the residuals, so it stays the squared error whatever ``loss`` trained);
- ``lat1``: ``feat`` over its training median plus the code's squared Mahalanobis distance
  over its training median (today's default, ``code_score="mahalanobis"``);
- ``featA``: as ``feat`` with absolute residuals: sum over features of |r_j| over its median
  training value (an L1 score, less dominated by one feature's large error);
- ``lat1A``: ``featA`` over its training median plus the code's Mahalanobis over its median;
- ``featX``: sum over features of (r_j^2 over its median training value)^2: one feature's
  large error counts more than the same total spread over many (an L4 score);
- ``lat1X``: ``featX`` over its training median plus the code's Mahalanobis over its median;
- ``mcd``: as ``feat`` with each squared residual averaged over 10 passes with dropout on
  (each row's expected training loss: what the fit made small on normal rows);
- ``lat1D``: ``mcd`` over its training median plus the code's Mahalanobis over its median;
- ``het`` (with ``--het``): sum over features of r_j^2 over its variance *at the row's code*: a small network
  (code -> 64 tanh -> log-variance per feature) fitted afterwards by the Gaussian likelihood of
  the training residuals (a heteroscedastic decoder: some regions of the data are noisier);
- ``hetL``: ``het`` plus the log-variances, the full Gaussian negative log-likelihood;
- ``lat1H``: ``het`` over its training median plus the code's Mahalanobis over its median;
- ``resM``: the residual's squared Mahalanobis distance, mean and covariance of the training
  residuals, the covariance shrunk by Ledoit-Wolf (d can exceed the row count);
- ``resMt``: as ``resM``, the Gaussian refitted without the tenth of training rows it scores
  highest (the contamination);
- ``rlat``: ``resM`` over its training median plus the code's Mahalanobis over its median;
- ``gnll``: ``resM`` + the code's Mahalanobis, no medians: the negative log-likelihood (up to
  constants) of a Gaussian over (code, residual) with the two independent;
- ``r3``: ``feat``, ``resM`` and the code's distance, each over its training median, summed;
- ``rfeat``: ``resM`` and ``feat`` each over its training median, summed;
- ``joint``: the squared Mahalanobis distance of the concatenated (code, residual) under one
  Ledoit-Wolf Gaussian (correlations between code and residual kept);
- ``inM``: reference, no autoencoder: the standardised input's squared Mahalanobis distance
  under a Ledoit-Wolf Gaussian (what PyOD's PCA detector with every component scores);
- ``pcaF`` / ``pca1``: reference, no autoencoder: ``feat`` / ``lat1`` computed from PCA with as
  many components as the code has units (residual of the projection, Mahalanobis of the scores).

Training changes: ``--noise-rescale n`` (n times: weigh each feature by 1 / the square root of its
median squared residual, total variance kept, and refit from scratch: the per-feature noise
levels of factor analysis, so the fit minimises what ``feat`` scores), ``--trim-batch q`` (each mini-batch's loss over its (1 - q) best-reconstructed
rows, patched into ``aekit.losses.Objective`` for this process only), ``--input yeo-johnson``
(a per-feature power transform before standardising). Seconds are per set, fits and every
score together. The runs and their results: docs/benchmarks.md, "Anomaly detection, the
reconstruction side and the model".

    AEKIT_DATA=../shared/data python benchmarks/anomaly_screen_residual.py
    AEKIT_DATA=../shared/data python benchmarks/anomaly_screen_residual.py --seeds 3 --latent sqrtx0.5 auto sqrtx2
"""

from __future__ import annotations

import _threads  # noqa: F401  (sets thread counts before numpy/torch load)

import argparse
import json
import math
import time

import numpy as np
import torch
from sklearn.covariance import LedoitWolf, OAS
from sklearn.decomposition import PCA
from threadpoolctl import threadpool_limits

from aekit import AnomalyDetector
from anomaly_screen import SETS, mahalanobis, print_set, print_summary, record, splits  # the harness's data and today's code distance

HET = ("het", "hetL", "lat1H")
VARIANTS = ("clipR", "clipB", "clipRm", "feat", "lat1", "featA", "lat1A", "featX", "lat1X", "mcd", "lat1D", "het", "hetL", "lat1H", "resM", "resMt", "rlat", "gnll", "r3", "rfeat", "joint", "inM", "pcaF", "pca1")


def standardise(train: np.ndarray, test: np.ndarray, kind: str = "standard") -> tuple[np.ndarray, np.ndarray]:
    if kind == "yeo-johnson":  # per feature, the power transform that makes it most Gaussian, then standardised
        from sklearn.preprocessing import PowerTransformer

        keep = train.std(0) > 1e-12
        power = PowerTransformer(method="yeo-johnson").fit(train[:, keep])
        train, test = train.copy(), test.copy()
        train[:, keep], test[:, keep] = power.transform(train[:, keep]), power.transform(test[:, keep])
    shift, scale = train.mean(0), train.std(0)
    scale = np.where(scale > 1e-12, scale, 1.0)
    return (train - shift) / scale, (test - shift) / scale


def shrunk_mahalanobis(train: np.ndarray, rows: list[np.ndarray], shrink: str, trim: float = 0.0) -> list[np.ndarray]:
    """Squared Mahalanobis distances of ``rows`` under a shrunk Gaussian fitted to ``train``."""
    est = (LedoitWolf if shrink == "lw" else OAS)(assume_centered=False)
    est.fit(train)
    if trim:
        d = est.mahalanobis(train)
        est = (LedoitWolf if shrink == "lw" else OAS)().fit(train[d <= np.quantile(d, 1.0 - trim)])
    return [est.mahalanobis(r) for r in rows]


def trim_batches(fraction: float) -> None:
    """Make every training step's loss the mean over the (1 - fraction) of the batch's rows with the
    lowest error (a trimmed mean, as least trimmed squares): rows the model reconstructs worst,
    the anomalies among them, stop pulling the model towards them. Patches ``Objective`` for
    this process (screening only)."""
    from aekit import losses

    plain = losses.Objective.__call__

    def trimmed(self, model, x, target, out, epoch=None):
        if not model.training or fraction <= 0:
            return plain(self, model, x, target, out, epoch)
        per_sample = self.per_sample_error(out, target)
        keep = max(1, int(round((1.0 - fraction) * len(per_sample))))
        total = torch.topk(per_sample, keep, largest=False).values.mean()
        parts = {"reconstruction": total}
        for name, term in self.terms.items():
            weight = term.weight_at(epoch)
            if weight != 0.0:
                parts[name] = weight * term.fn(model, x, out)
                total = total + parts[name]
        return losses.ObjectiveValue(total, parts)

    losses.Objective.__call__ = trimmed


def latent_size(rule: str, A: np.ndarray) -> int | str:
    """The code size a rule gives for standardised training rows A."""
    d = A.shape[1]
    if rule == "auto":
        return "auto"
    if rule.startswith("pca"):  # components explaining that share of the standardised variance
        share = float(rule[3:]) / 100.0
        ev = np.linalg.eigvalsh(np.cov(A, rowvar=False))[::-1]
        ev = np.clip(ev, 0, None)
        k = int(np.searchsorted(np.cumsum(ev) / ev.sum(), share) + 1)
        return max(1, min(k, d - 1, 64))
    if rule.startswith("frac"):  # a fraction of d
        return max(1, round(float(rule[4:]) * d))
    if rule.startswith("sqrtx"):  # a multiple of sqrt(d)
        return max(1, round(float(rule[5:]) * math.sqrt(d)))
    return int(rule)


def dropout_errors(det: AnomalyDetector, rows: np.ndarray, passes: int = 10) -> np.ndarray:
    """Per-feature squared error averaged over ``passes`` forward passes with dropout on (the
    expected training loss of each row, what the fit minimised on normal rows)."""
    model = det.model_
    model.train()
    try:
        with torch.no_grad():
            x = torch.from_numpy(np.ascontiguousarray(rows, dtype=np.float32))
            torch.manual_seed(0)
            total = sum(((model(x).x_hat - x) ** 2).double().numpy() for _ in range(passes))
    finally:
        model.eval()
    return total / passes


def local_variances(codes: np.ndarray, squared: np.ndarray, queries: list[np.ndarray], steps: int = 1500) -> list[np.ndarray]:
    """Each feature's residual variance as a function of the code: a small network (code -> 64
    tanh -> log-variance per feature) fitted by the Gaussian negative log-likelihood of the
    training residuals, the autoencoder frozen (a heteroscedastic decoder fitted afterwards)."""
    torch.manual_seed(0)
    k, d = codes.shape[1], squared.shape[1]
    scale = np.maximum(np.median(squared, 0), 1e-12)
    net = torch.nn.Sequential(torch.nn.Linear(k, 64), torch.nn.Tanh(), torch.nn.Linear(64, d))
    torch.nn.init.zeros_(net[2].weight)
    with torch.no_grad():
        net[2].bias.copy_(torch.from_numpy(np.log(squared.mean(0) / scale + 1e-6)).float())
    mu, sd = codes.mean(0), codes.std(0) + 1e-12
    z = torch.from_numpy(((codes - mu) / sd).astype(np.float32))
    r2 = torch.from_numpy((squared / scale).astype(np.float32))
    opt = torch.optim.Adam(net.parameters(), lr=3e-3, weight_decay=1e-4)
    gen = torch.Generator().manual_seed(0)
    for _ in range(steps):
        idx = torch.randint(len(z), (min(256, len(z)),), generator=gen)
        logv = net(z[idx])
        loss = (r2[idx] * torch.exp(-logv) + logv).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        return [np.exp(net(torch.from_numpy(((q - mu) / sd).astype(np.float32))).double().numpy()) * scale for q in queries]


def pulled_codes(codes_train: np.ndarray, codes: list[np.ndarray], share: float) -> dict[str, list[np.ndarray]]:
    """Codes pulled back to where the training codes lie, in whitened coordinates (so the rule does
    not depend on the code's arbitrary basis): "radial" shrinks a code whose whitened norm exceeds
    the ``share`` quantile of the training codes' onto that sphere; "box" clips each whitened
    coordinate to its [(1 - share) / 2, (1 + share) / 2] training quantiles."""
    mean = codes_train.mean(0)
    cov = np.atleast_2d(np.cov(codes_train - mean, rowvar=False))
    w, v = np.linalg.eigh(cov + 1e-6 * np.trace(cov) / len(cov) * np.eye(len(cov)))
    white = lambda c: (c - mean) @ v / np.sqrt(w)  # noqa: E731
    back = lambda u: (u * np.sqrt(w)) @ v.T + mean  # noqa: E731
    wt = white(codes_train)
    radius = np.quantile(np.linalg.norm(wt, axis=1), share)
    low, high = np.quantile(wt, [(1 - share) / 2, (1 + share) / 2], axis=0)
    out = {"radial": [], "box": []}
    for c in codes:
        u = white(c)
        norm = np.linalg.norm(u, axis=1, keepdims=True)
        out["radial"].append(back(u * np.minimum(1.0, radius / np.maximum(norm, 1e-12))))
        out["box"].append(back(np.clip(u, low, high)))
    return out


def member_scores(det: AnomalyDetector, train: np.ndarray, test: np.ndarray, shrink: str, share: float = 0.9, het: bool = False) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """variant -> (scores of the member's training rows, of the test rows); higher = more anomalous."""
    z = [det.transform(x).astype(np.float64) for x in (train, test)]
    res = [x - det.reconstruct(x).astype(np.float64) for x in (train, test)]
    # squared residuals over their median training value, as score_samples with loss="mse" (any loss here)
    scale_2 = np.maximum(np.median(res[0] ** 2, 0), 1e-12)
    f = [(r**2 / scale_2).sum(1) for r in res]
    m = [mahalanobis(z[0], zz) for zz in z]
    rm = shrunk_mahalanobis(res[0], res, shrink)
    rmt = shrunk_mahalanobis(res[0], res, shrink, trim=0.1)
    zr = [np.hstack([zz, rr]) for zz, rr in zip(z, res)]
    jm = shrunk_mahalanobis(zr[0], zr, shrink)
    im = shrunk_mahalanobis(train, [train, test], shrink)
    med = lambda parts: np.median(parts[0])  # noqa: E731
    over = lambda *ps: tuple(sum(p[i] / med(p) for p in ps) for i in (0, 1))  # noqa: E731
    scale_a = [np.maximum(np.median(np.abs(res[0]), 0), 1e-12)]
    fa = [(np.abs(r) / scale_a[0]).sum(1) for r in res]
    fx = [((r**2 / scale_2) ** 2).sum(1) for r in res]
    pulled = pulled_codes(z[0], z, share=share)
    clipped = {}
    for kind, codes in pulled.items():
        miss = [(x - det.inverse_transform(c).astype(np.float64)) ** 2 for x, c in zip((train, test), codes)]
        clipped[kind] = [(e / np.maximum(np.median(miss[0], 0), 1e-12)).sum(1) for e in miss]
    extra = {}
    if het:
        variances = local_variances(z[0], res[0] ** 2, z)
        hs = [(r**2 / v).sum(1) for r, v in zip(res, variances)]
        extra = {"het": tuple(hs), "hetL": tuple(h + np.log(v).sum(1) for h, v in zip(hs, variances))}
    dropped = [dropout_errors(det, x) for x in (train, test)]
    scale_d = np.maximum(np.median(dropped[0], 0), 1e-12)
    fd = [(e / scale_d).sum(1) for e in dropped]
    # reference: the same two parts from PCA with as many components as the code has units
    pca = PCA(n_components=z[0].shape[1]).fit(train)
    pz = [pca.transform(x) for x in (train, test)]
    pres = [x - pca.inverse_transform(p) for x, p in zip((train, test), pz)]
    pscale = np.maximum(np.median(pres[0] ** 2, 0), 1e-12)
    pf = [(r**2 / pscale).sum(1) for r in pres]
    pm = [mahalanobis(pz[0], p) for p in pz]
    return {
        "pcaF": tuple(pf), "pca1": over(pf, pm),
        "clipR": tuple(clipped["radial"]), "clipB": tuple(clipped["box"]), "clipRm": over(clipped["radial"], m),
        "feat": tuple(f), "lat1": over(f, m), "featA": tuple(fa), "lat1A": over(fa, m), "featX": tuple(fx), "lat1X": over(fx, m),
        "mcd": tuple(fd), "lat1D": over(fd, m), **extra, **({"lat1H": over(extra["het"], m)} if het else {}), "resM": tuple(rm), "resMt": tuple(rmt), "rlat": over(rm, m),
        "gnll": tuple(rm[i] + m[i] for i in (0, 1)), "r3": over(f, rm, m), "rfeat": over(f, rm),
        "joint": tuple(jm), "inM": tuple(im),
    }


def run(args: argparse.Namespace) -> dict[str, dict[str, list[float]]]:
    results: dict[str, dict[str, list[float]]] = {v: {} for v in (*VARIANTS, "seconds")}
    for name in args.sets:
        for seed, X_train, X_test, y_test in splits(name, args.seeds):
            started = time.perf_counter()
            A, B = standardise(X_train, X_test, args.input)
            totals = {v: np.zeros(len(B)) for v in VARIANTS if args.het or v not in HET}
            sizes = []
            for k, rule in enumerate(args.latent):
                latent = latent_size(rule, A)
                sizes.append(latent)
                det = AnomalyDetector(
                    max_iter=100, random_state=seed + 1000 * k, scaler="none", code_score="none", max_steps=5000,
                    latent_dim=latent, **args.param,
                ).fit(A)
                At, Bt = A, B
                for _ in range(args.noise_rescale):  # nonlinear factor analysis: weigh features by 1 / noise sd, refit
                    noise = np.maximum(np.median((At - det.reconstruct(At)) ** 2, 0), 1e-12)
                    w = 1.0 / np.sqrt(noise)
                    w *= np.sqrt(At.shape[1] / ((At * w) ** 2).mean(0).sum())  # keep the total variance d
                    At, Bt = At * w, Bt * w
                    det = det.set_params().fit(At)
                for variant, (s_train, s_test) in member_scores(det, At, Bt, args.shrink, args.pull_share, args.het).items():
                    totals[variant] += s_test if len(args.latent) == 1 else s_test / np.median(s_train)
            record(results, name, totals, y_test, time.perf_counter() - started)
        print_set(results, name, totals, prefix=f"k={sizes}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="*", default=SETS)
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--latent", nargs="*", default=["auto"],
                        help="code-size rule per member: auto, pcaNN (share of variance), fracF, sqrtxF, or an int")
    parser.add_argument("--trim-batch", type=float, default=0.0,
                        help="train on each batch's (1 - q) best-reconstructed rows (a trimmed loss)")
    parser.add_argument("--input", choices=["standard", "yeo-johnson"], default="standard",
                        help="input transform fitted on the training rows before the autoencoder")
    parser.add_argument("--pull-share", type=float, default=0.9,
                        help="share of training codes inside the region clipR/clipB pull codes back to")
    parser.add_argument("--noise-rescale", type=int, default=0,
                        help="times to refit on features weighed by 1 / their typical residual (nonlinear factor analysis)")
    parser.add_argument("--het", action="store_true", help="also fit the heteroscedastic variance network (het*)")
    parser.add_argument("--shrink", choices=["lw", "oas"], default="lw")
    parser.add_argument("--param", nargs="*", default=[], help="extra AnomalyDetector parameters, name=JSON value")
    args = parser.parse_args()
    args.param = {k: json.loads(v) for k, v in (p.split("=", 1) for p in args.param)}
    torch.set_num_threads(1)
    threadpool_limits(1)
    if args.trim_batch:
        trim_batches(args.trim_batch)
    print_summary(run(args), VARIANTS)

if __name__ == "__main__":
    main()
