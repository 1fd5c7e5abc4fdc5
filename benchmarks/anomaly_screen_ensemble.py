"""Issue 15's anomaly screen, ensemble family: a few small autoencoders' scores, averaged.

Does averaging a few small autoencoders (RandNet-style, Chen et al. 2017) lift the default
``code_score="neighbors"`` score? Seed 0 unless
--seeds; prints one line per set and a Markdown table of the mean ROC-AUC over the sets run and
over issue 15's five (cardio, mnist, pendigits, satellite, shuttle).

A *member* is one ``AnomalyDetector`` (its defaults, ``scaler="none"`` on features standardised
here once, ``code_score="none"``) with a code size of ``max(2, round(f * L))``, L = round(sqrt(d))
the default's code size (f = 1 keeps the default's L), ``random_state = seed + 1000 * offset``,
``max_steps`` steps and (``ensW``) a hidden width other than the default's. Member (f=1, offset 0, 5000 steps) is the default's network: its fit is
the one ``anomaly_screen_density.py`` caches (``--reuse DIR`` reads such a cache, read-only).

Each member scores a row with ``nbr`` (the default: each feature's error over its median
training error, summed, over its training median, plus the code's mean squared distance to its
nearest 5 % of the distinct training codes over its training median) or ``nbrTX`` (the
neighbours taken among the reconstructions, standardised feature units, reference without the
10 % of training rows the Mahalanobis score ``lat1`` ranks worst; A1's best unadopted variant).
An ensemble divides each member's total score by its own median over the training rows and
averages the members.

- ``one`` / ``oneTX``: the default's network alone (``nbr`` / ``nbrTX``);
- ``ensC`` / ``ensCTX``: three members, f = 0.5, 1, 2, offsets 1, 0, 2, 5000 steps each
  (differ by seed and by code size; three times the default's fit);
- ``ensS`` / ``ensSTX``: three members, f = 1, offsets 0, 1, 2, 5000 steps (seed only);
- ``ensB`` / ``ensBTX``: as ``ensC`` with 1,667 steps each (the step budget of one model);
- ``ensB1``: one member of ``ensB`` (f = 1, 1,667 steps): what the step cut alone does;
- ``ensW`` / ``ensWTX``: three members, the default's code size, hidden widths 0.5, 1, 2 times the
  default's ``min(128, max(16, 2 d))`` (at least 8), offsets 1, 0, 2, 5000 steps;
- ``f0.5``, ``f2``: ``ensC``'s other members alone (``nbr``): is a gain the average's or one code size's?
- ``ensC5`` / ``ensC5TX``: five members, f = 0.5, 0.707, 1, 1.414, 2 (ensC with two code sizes
  between; added 2026-12-07 with seeds 6-11);
- ``ensCS`` / ``ensCSTX``: the five members of ``ensC`` and ``ensS`` together (does M = 5 help
  over M = 3? added after C, S and B had been scored on both seed ranges).

The table's last column is paired: each seed's five-set mean minus the default's (``one``) on
the same split. ``--cache DIR`` keeps each member's errors, codes and reconstructions (new variants score
without refitting). ``--ensembles`` limits which ensembles are fitted/scored.

    AEKIT_DATA=../shared/data python benchmarks/anomaly_screen_ensemble.py --seeds 3 --cache /tmp/a3_cache --reuse /tmp/a1_cache2
"""

from __future__ import annotations

import _threads  # noqa: F401  (sets thread counts before numpy/torch load)

import argparse
import math
import shutil
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

from aekit import AnomalyDetector
from anomaly_screen import FIVE, SETS, load, mahalanobis, standardise
from anomaly_screen_density import neighbor_part

# member = (code-size factor, seed offset, max_steps[, hidden-width factor])
DEFAULT = (1.0, 0, 5000)
ENSEMBLES = {
    "C": [(0.5, 1, 5000), DEFAULT, (2.0, 2, 5000)],
    "S": [DEFAULT, (1.0, 1, 5000), (1.0, 2, 5000)],
    "B": [(0.5, 1, 1667), (1.0, 0, 1667), (2.0, 2, 1667)],
    "W": [(1.0, 1, 5000, 0.5), DEFAULT, (1.0, 2, 5000, 2.0)],
    "CS": [(0.5, 1, 5000), DEFAULT, (2.0, 2, 5000), (1.0, 1, 5000), (1.0, 2, 5000)],
    "C5": [(0.5, 1, 5000), (0.707, 3, 5000), DEFAULT, (1.414, 4, 5000), (2.0, 2, 5000)],
}


KINDS = ("nbr", "nbrTX")  # --trimmed adds nbrT, nbrTs, nbrTXs
SUFFIX = {"nbr": "", "nbrTX": "TX", "nbrT": "T", "nbrTs": "Ts", "nbrTXs": "TXs"}


def variants(ensembles: list[str]) -> list[str]:
    out = [f"one{SUFFIX[k]}" for k in KINDS]
    for e in ensembles:
        out += [f"ens{e}{SUFFIX[k]}" for k in KINDS]
    if "B" in ensembles:
        out.append("ensB1")
    if "C" in ensembles:
        out += ["f0.5", "f2"]
    return out


def fit_member(name: str, seed: int, member: tuple, A: np.ndarray, B: np.ndarray, args) -> dict:
    """The member's errors, codes, reconstructions of the training (0) and test (1) rows, cached."""
    factor, offset, steps, width = (*member, 1.0)[:4]
    tag = f"-f{factor}-o{offset}-s{steps}" + (f"-w{width}" if width != 1.0 else "")
    cache = Path(args.cache) / f"{name}-{seed}{tag}.npz" if args.cache else None
    if cache is not None and not cache.exists() and member == DEFAULT and args.reuse:
        source = Path(args.reuse) / f"{name}-{seed}.npz"
        if source.exists():
            cache.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, cache)
    if cache is not None and cache.exists():
        with np.load(cache) as f:
            return {k: f[k] for k in f.files}
    started = time.perf_counter()
    base = max(1, round(math.sqrt(A.shape[1])))
    latent = base if factor == 1.0 else max(2, round(factor * base))
    hidden = min(128, max(16, 2 * A.shape[1]))  # the default's width
    hidden = hidden if width == 1.0 else max(8, round(width * hidden))
    det = AnomalyDetector(random_state=seed + 1000 * offset, scaler="none", code_score="none",
                          latent_dim=latent, hidden_sizes=(hidden,), max_steps=steps).fit(A)
    out = {"r0": -det.score_samples(A), "r1": -det.score_samples(B),
           "z0": det.transform(A).astype(np.float64), "z1": det.transform(B).astype(np.float64),
           "x0": det.reconstruct(A).astype(np.float64), "x1": det.reconstruct(B).astype(np.float64),
           "seconds": time.perf_counter() - started}
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cache, **out)
    return out


def _med(a: np.ndarray) -> float:
    return max(float(np.median(a)), 1e-3 * float(np.mean(a)), 1e-12)


def member_scores(m: dict) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """nbr and nbrTX of one member: (training rows, test rows), higher = more anomalous."""
    r, z, xh = [m["r0"], m["r1"]], [m["z0"], m["z1"]], [m["x0"], m["x1"]]
    both = lambda a, b: tuple(a[i] / _med(a[0]) + b[i] / _med(b[0]) for i in (0, 1))  # noqa: E731
    maha = [mahalanobis(z[0], zz) for zz in z]
    lat1 = both(r, maha)[0]
    trimmed = lat1 <= np.quantile(lat1, 0.9)
    out = {"nbr": both(r, neighbor_part(z[0], z, 0.05)),
           "nbrTX": both(r, neighbor_part(xh[0][trimmed], xh, 0.05))}
    if KINDS != ("nbr", "nbrTX"):  # the trimmed-reference kinds added 2026-12-07 (scored from the cache)
        own = out["nbr"][0] <= np.quantile(out["nbr"][0], 0.9)  # trimmed by the member's own nbr score
        out["nbrT"] = both(r, neighbor_part(z[0][trimmed], z, 0.05))
        out["nbrTs"] = both(r, neighbor_part(z[0][own], z, 0.05))
        out["nbrTXs"] = both(r, neighbor_part(xh[0][own], xh, 0.05))
    return out


def average(scores: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Each member's test scores over its own training median, averaged."""
    return np.mean([s[1] / _med(s[0]) for s in scores], axis=0)


def run(args: argparse.Namespace) -> tuple[dict, dict]:
    names = variants(args.ensembles)
    auc: dict[str, dict[str, list[float]]] = {v: defaultdict(list) for v in names}
    secs: dict[str, dict[str, list[float]]] = {v: defaultdict(list) for v in ("one", *(f"ens{e}" for e in args.ensembles))}
    for name in args.sets:
        X, y = load(name)
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            X_train, X_test, _, y_test = train_test_split(X, y, test_size=0.4, stratify=y, random_state=seed)
            A, B = standardise(X_train, X_test, "standard")
            scored: dict[tuple, dict] = {}
            fitted: dict[tuple, float] = {}
            for member in {DEFAULT, *(m for e in args.ensembles for m in ENSEMBLES[e])}:
                m = fit_member(name, seed, member, A, B, args)
                fitted[member] = float(m["seconds"])
                scored[member] = member_scores(m)
            for kind in KINDS:
                auc[f"one{SUFFIX[kind]}"][name].append(roc_auc_score(y_test, scored[DEFAULT][kind][1]))
            secs["one"][name].append(fitted[DEFAULT])
            for e in args.ensembles:
                members = ENSEMBLES[e]
                for kind in KINDS:
                    s = average([scored[m][kind] for m in members])
                    auc[f"ens{e}{SUFFIX[kind]}"][name].append(roc_auc_score(y_test, s))
                secs[f"ens{e}"][name].append(sum(fitted[m] for m in members))
            if "B" in args.ensembles:
                auc["ensB1"][name].append(roc_auc_score(y_test, scored[(1.0, 0, 1667)]["nbr"][1]))
            if "C" in args.ensembles:
                for key, member in (("f0.5", ENSEMBLES["C"][0]), ("f2", ENSEMBLES["C"][2])):
                    auc[key][name].append(roc_auc_score(y_test, scored[member]["nbr"][1]))
        print(name, " ".join(f"{v} {np.mean(auc[v][name]):.3f}" for v in names), "| fit s:",
              " ".join(f"{k} {np.mean(v[name]):.1f}" for k, v in secs.items()), flush=True)
    return auc, secs


def summary(auc: dict, secs: dict) -> str:
    """A Markdown table: each variant's mean ROC-AUC over the sets run and over those of the five."""
    lines = ["| variant | mean ROC-AUC, sets run | of the five | five, per seed, minus one's |", "|---|---|---|---|"]
    base = auc["one"]
    for variant, results in auc.items():
        per = {name: np.mean(v) for name, v in results.items()}
        five = [per[n] for n in FIVE if n in per]
        # paired: each seed's five-set mean minus the default's on the same split
        paired = [np.mean([results[n][i] - base[n][i] for n in FIVE if n in results])
                  for i in range(len(next(iter(results.values()))))] if five else []
        lines.append(f"| {variant} | {np.mean(list(per.values())):.4f} ({len(per)}) | "
                     f"{np.mean(five) if five else float('nan'):.4f} ({len(five)}) | "
                     + " ".join(f"{d:+.4f}" for d in paired) + " |")
    lines.append("")
    lines.append("| set | " + " | ".join(f"{k} fit s" for k in secs) + " |")
    lines.append("|---|" + "---|" * len(secs))
    for name in next(iter(secs.values())):
        lines.append(f"| {name} | " + " | ".join(f"{np.mean(v[name]):.1f}" for v in secs.values()) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="*", default=SETS)
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--first-seed", type=int, default=0, help="seeds first-seed .. first-seed + seeds - 1")
    parser.add_argument("--ensembles", nargs="*", default=list(ENSEMBLES), choices=list(ENSEMBLES))
    parser.add_argument("--cache", default="", help="folder for each member's errors and codes, reused when there")
    parser.add_argument("--reuse", default="", help="anomaly_screen_density.py's cache: the default's fits (read-only)")
    parser.add_argument("--threads", default="1", help="BLAS/torch threads (read by _threads)")
    parser.add_argument("--trimmed", action="store_true",
                        help="also score nbrT (codes, reference without lat1's top 10 %%), nbrTs and nbrTXs "
                             "(codes / reconstructions, reference without the member's own nbr top 10 %%)")
    args = parser.parse_args()
    global KINDS
    if args.trimmed:
        KINDS = ("nbr", "nbrTX", "nbrT", "nbrTs", "nbrTXs")
    torch.set_num_threads(int(args.threads))
    threadpool_limits(int(args.threads))
    auc, secs = run(args)
    print(summary(auc, secs))


if __name__ == "__main__":
    main()
