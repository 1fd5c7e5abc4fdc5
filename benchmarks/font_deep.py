"""The font's 2-D code on the deeper networks: epochs until 0 wrong pixels, seeds 0-9.

Two networks: the assignment's own [35,20,10,2,10,20,35] (ReLU, ReLU, linear code, ReLU, ReLU,
sigmoid) and 35-40-20-2-20-40-35 (tanh, sigmoid output), both Adam with BCE, 300 epochs at
most. Each variant changes one general setting (step size, its schedule, the initialisation,
batch normalisation while training, the batch size), the same for every seed. Prints, per variant, the epoch at which all 32
characters first reconstruct with 0 wrong pixels (after rounding) per seed, or ``xN`` when N
wrong pixels (summed over the characters) remain after 300 epochs, and how many seeds reach 0.

    python benchmarks/font_deep.py [--seeds 10] [--only deep-relu|deep-tanh] [--variant TEXT] [--max-epochs 300]
"""

from __future__ import annotations

import argparse
import time

import torch
from threadpoolctl import threadpool_limits

from aekit import AutoencoderEstimator
from aekit.datasets import load_font
from aekit.metrics import wrong_pixels

NETWORKS = {
    "deep-relu": dict(layers=(35, 20, 10, 2, 10, 20, 35), layer_activations=("relu", "relu", "linear", "relu", "relu", "sigmoid")),
    "deep-tanh": dict(hidden_sizes=(40, 20), latent_dim=2, activation="tanh"),
}
# network -> variant label -> settings on top of Adam, BCE, batch 32 (full batch), 300 epochs
VARIANTS = {
    "deep-relu": {
        "lr 0.01 (font-2d before)": dict(learning_rate=0.01),
        "lr 0.02": dict(learning_rate=0.02),
        "lr 0.02 cosine": dict(learning_rate=0.02, learning_rate_schedule="cosine"),
        "lr 0.05 cosine": dict(learning_rate=0.05, learning_rate_schedule="cosine"),
        "lr 0.01, He init": dict(learning_rate=0.01, weight_init="he"),
        "lr 0.03 cosine, He init": dict(learning_rate=0.03, learning_rate_schedule="cosine", weight_init="he"),
        "lr 0.01, batch 8": dict(learning_rate=0.01, batch_size=8),
        "lr 0.02, batch 16": dict(learning_rate=0.02, batch_size=16),
        "lr 0.01, MSE loss": dict(learning_rate=0.01, loss="mse"),
        "lr 0.01, data init": dict(learning_rate=0.01, weight_init="data"),
        "lr 0.02, data init": dict(learning_rate=0.02, weight_init="data"),
        "lr 0.03, data init": dict(learning_rate=0.03, weight_init="data"),
        "lr 0.02, data init, batch 16": dict(learning_rate=0.02, weight_init="data", batch_size=16),
        "lr 0.01, data init, batch 8": dict(learning_rate=0.01, weight_init="data", batch_size=8),
        "lr 0.005, data init, batch 4": dict(learning_rate=0.005, weight_init="data", batch_size=4),
        "lr 0.02, resample 10": dict(learning_rate=0.02, dead_unit_resample=10),
        "lr 0.02, resample 25": dict(learning_rate=0.02, dead_unit_resample=25),
        "lr 0.02, resample 5": dict(learning_rate=0.02, dead_unit_resample=5),
        "lr 0.02, resample 50": dict(learning_rate=0.02, dead_unit_resample=50),
        "lr 0.01, resample 25": dict(learning_rate=0.01, dead_unit_resample=25),
        "lr 0.03": dict(learning_rate=0.03),
        "lr 0.03, resample 10": dict(learning_rate=0.03, dead_unit_resample=10),
        "lr 0.03, resample 25": dict(learning_rate=0.03, dead_unit_resample=25),
        "lr 0.03, resample 50": dict(learning_rate=0.03, dead_unit_resample=50),
        "lr 0.04, resample 25": dict(learning_rate=0.04, dead_unit_resample=25),
        "lr 0.02, He init, resample 25": dict(learning_rate=0.02, weight_init="he", dead_unit_resample=25),
        "lr 0.02, data init, resample 10": dict(learning_rate=0.02, weight_init="data", dead_unit_resample=10),
        "lr 0.02, data init, resample 25": dict(learning_rate=0.02, weight_init="data", dead_unit_resample=25),
        "lr 0.03, data init, resample 10": dict(learning_rate=0.03, weight_init="data", dead_unit_resample=10),
        "lr 0.02, data init, batch norm": dict(learning_rate=0.02, weight_init="data", batch_norm=True),
        "lr 0.03, data init, batch norm": dict(learning_rate=0.03, weight_init="data", batch_norm=True),
        "lr 0.05, data init, batch norm": dict(learning_rate=0.05, weight_init="data", batch_norm=True),
        "lr 0.1, data init, batch norm": dict(learning_rate=0.1, weight_init="data", batch_norm=True),
        "lr 0.05, batch norm": dict(learning_rate=0.05, batch_norm=True),
        "lr 0.05, data init, batch norm, batch 16": dict(learning_rate=0.05, weight_init="data", batch_norm=True, batch_size=16),
        "lr 0.02, data init, batch norm, batch 8": dict(learning_rate=0.02, weight_init="data", batch_norm=True, batch_size=8),
    },
    "deep-tanh": {
        "lr 0.02": dict(learning_rate=0.02),
        "lr 0.03 cosine": dict(learning_rate=0.03, learning_rate_schedule="cosine"),
        "lr 0.01, batch 16": dict(learning_rate=0.01, batch_size=16),
        "lr 0.02, data init": dict(learning_rate=0.02, weight_init="data"),
        "lr 0.02, data init, batch norm": dict(learning_rate=0.02, weight_init="data", batch_norm=True),
        "lr 0.05, data init, batch norm": dict(learning_rate=0.05, weight_init="data", batch_norm=True),
    },
}


class StopAtZero:
    """Stops after the first epoch with 0 wrong pixels; keeps the wrong pixels of the last epoch."""

    def __init__(self, estimator: AutoencoderEstimator, X):
        self.estimator, self.X = estimator, torch.from_numpy(X)
        self.epochs: int | None = None
        self.wrong = -1

    def on_epoch_end(self, index: int, logs: dict) -> bool:
        model = self.estimator.model_
        with torch.no_grad():
            out = model(self.X.to(next(model.parameters()).dtype)).x_hat.numpy()
        self.wrong = int(wrong_pixels(self.X.numpy(), out).sum())
        if self.wrong == 0:
            self.epochs = index + 1
        return self.wrong == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--only", choices=list(NETWORKS))
    parser.add_argument("--variant", help="run only the variants whose label contains this text")
    parser.add_argument("--max-epochs", type=int, default=300, help="the epoch budget (the issue's is 300)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    threadpool_limits(1)
    X = load_font().data
    print(f"| network | variant | seeds at 0 | epochs to 0 per seed 0..{args.seeds - 1} (xN: N wrong pixels left after {args.max_epochs} epochs) | seconds |")
    print("|---|---|---|---|---|")
    for network, variants in VARIANTS.items():
        if args.only and network != args.only:
            continue
        for label, settings in variants.items():
            if args.variant and args.variant not in label:
                continue
            params = dict(loss="bce", solver="adam", batch_size=32, max_iter=args.max_epochs, **NETWORKS[network])
            params.update(settings)
            cells, start = [], time.perf_counter()
            for seed in range(args.seeds):
                estimator = AutoencoderEstimator(random_state=seed, **params)
                stop = StopAtZero(estimator, X)
                estimator.fit(X, callbacks=[stop])
                cells.append(str(stop.epochs) if stop.epochs else f"x{stop.wrong}")
            reached = sum(not c.startswith("x") for c in cells)
            print(f"| {network} | {label} | {reached} of {args.seeds} | {', '.join(cells)} | {time.perf_counter() - start:.1f} |", flush=True)


if __name__ == "__main__":
    main()
