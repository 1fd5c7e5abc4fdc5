"""Powell on the font as the assignment ran it: the SSE it reaches for a budget of evaluations.

The assignment's report: Powell reached an SSE (squared error summed over the 32 characters'
35 pixels) of 37.8 on [35,20,2,20,35] and 7.9 on [35,20,10,2,10,20,35] after 700 Powell
iterations. One Powell iteration line-searches along every one of the ~1,600-1,900 parameters,
so it costs tens of thousands of objective evaluations; ``max_fun`` (scipy's ``maxfev``) is the
budget that binds, ``max_iter`` is set high enough never to. Prints, per network, the best
training loss every tenth of the budget, then the SSE, the evaluations and the seconds.

    python benchmarks/powell_font.py [--max-fun 600000] [--only shallow|deep] [--loss bce|mse]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from aekit import AutoencoderEstimator
from aekit.datasets import load_font

NETWORKS = {
    "shallow": ("[35,20,2,20,35] tanh", dict(hidden_sizes=(20,), latent_dim=2, activation="tanh"), 37.8),
    "deep": (
        "[35,20,10,2,10,20,35] relu",
        dict(layers=(35, 20, 10, 2, 10, 20, 35), layer_activations=("relu", "relu", "linear", "relu", "relu", "sigmoid")),
        7.9,
    ),
}


class Progress:
    """Prints the best loss so far at every 50th checkpoint (a tenth of the budget) as it runs."""

    def __init__(self, start: float):
        self.start = start

    def on_epoch_end(self, index: int, logs: dict) -> None:
        if (index + 1) % 50 == 0:
            print(f"  checkpoint {index + 1} of 500, {time.perf_counter() - self.start:7.1f} s: best loss {logs['loss']:.3f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-fun", type=int, default=600_000)
    parser.add_argument("--only", choices=list(NETWORKS))
    parser.add_argument("--loss", default="bce")
    args = parser.parse_args()
    torch.set_num_threads(1)
    threadpool_limits(1)
    X = load_font().data
    for key, (label, params, report) in NETWORKS.items():
        if args.only and key != args.only:
            continue
        estimator = AutoencoderEstimator(
            loss=args.loss, solver="powell", max_fun=args.max_fun, max_iter=1_000_000, random_state=0, **params
        )
        start = time.perf_counter()
        print(f"{label}, loss {args.loss}, max_fun {args.max_fun}:", flush=True)
        estimator.fit(X, callbacks=[Progress(start)])
        seconds = time.perf_counter() - start
        history = estimator.history_
        for i in np.linspace(0, len(history.loss) - 1, 11).astype(int):
            print(f"  {history.evaluations[i]:>9d} evaluations, {history.seconds[i]:7.1f} s: best loss {history.loss[i]:.3f}")
        sse = float(((X - estimator.reconstruct(X)) ** 2).sum())
        print(f"  SSE {sse:.1f} (report: {report}) after {history.evaluations[-1]} evaluations, {seconds:.0f} s\n", flush=True)


if __name__ == "__main__":
    main()
