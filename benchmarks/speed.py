"""Training speed of aekit against a hand-written PyTorch loop, PyOD and pythae (issue 6).

Every comparison runs both sides in this one invocation, alternating repetitions
(A, B, A, B, ...) so that the load of a shared machine falls on both alike, and reports
medians. The thread count is set explicitly and identically everywhere (``--threads``):
torch's intra-op threads and OpenBLAS spin-wait when other processes hold the cores, which
on a loaded machine costs more than the work itself. Peers run in their own virtual
environments (``--pyod-venv``, ``--pythae-venv``) as long-lived worker processes, so their
import time is not counted; a missing venv is skipped with a note. Usage::

    python benchmarks/speed.py            # --quick: a subset of MNIST, a few minutes
    python benchmarks/speed.py --full     # more samples, epochs and repetitions
"""

from __future__ import annotations

import argparse
import os

import _threads  # noqa: E402,F401  (before numpy/torch: sets the BLAS/OpenMP threads from --threads)
from _data import shared_data  # noqa: E402

import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

from aekit import AutoencoderEstimator  # noqa: E402
from aekit.datasets import load_mnist  # noqa: E402


@dataclass(frozen=True)
class Sizes:
    n_train: int  # MNIST training images used for the timed fits
    epochs: int
    reps: int
    scale_base: int  # rows of the 1x data set in the scaling table


QUICK = Sizes(n_train=10000, epochs=2, reps=5, scale_base=2000)
FULL = Sizes(n_train=60000, epochs=3, reps=7, scale_base=3750)


# ------------------------------------------------------------------ the two sides in-process


def fit_aekit(x: np.ndarray, code: int, batch_size: int, epochs: int, **params) -> float:
    """Seconds for AutoencoderEstimator.fit on x: validation, conversion and training."""
    est = AutoencoderEstimator(
        hidden_sizes=params.pop("hidden_sizes", ()), latent_dim=code, latent_activation=params.pop("latent_activation", "relu"),
        output_activation="sigmoid", loss="mse", batch_size=batch_size, max_iter=epochs, random_state=0, **params,
    )  # fmt: skip
    start = time.perf_counter()
    est.fit(x)
    return time.perf_counter() - start


def fit_by_hand(x: np.ndarray, code: int, batch_size: int, epochs: int) -> float:
    """Seconds for the textbook loop: nn.Sequential, torch.optim.Adam, index-permutation batches."""
    start = time.perf_counter()
    torch.manual_seed(0)
    data = torch.from_numpy(x)
    d = data.shape[1]
    model = nn.Sequential(nn.Linear(d, code), nn.ReLU(), nn.Linear(code, d), nn.Sigmoid())
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(epochs):
        order = torch.randperm(len(data))
        for i in range(0, len(data), batch_size):
            xb = data[order[i : i + batch_size]]
            loss = ((model(xb) - xb) ** 2).sum(1).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return time.perf_counter() - start


# ------------------------------------------------------------------ peers in their own venvs

PEER_WORKER = r"""
import json, os, sys, time
import numpy as np
import torch
torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
x = np.load(sys.argv[1])
PEER = sys.argv[2]

def fit_pyod(x, code, batch_size, epochs):
    from pyod.models.auto_encoder import AutoEncoder
    model = AutoEncoder(
        hidden_neuron_list=[code], hidden_activation_name="relu", batch_norm=False, dropout_rate=0.0,
        epoch_num=epochs, batch_size=batch_size, lr=1e-3, optimizer_params={"weight_decay": 0.0}, preprocessing=False,
        verbose=0, random_state=0,
    )
    start = time.perf_counter()
    model.fit(x)
    return time.perf_counter() - start

def fit_pythae(x, code, batch_size, epochs):
    import logging, tempfile
    logging.disable(logging.CRITICAL)
    from pythae.models import AE, AEConfig
    from pythae.models.nn import BaseDecoder, BaseEncoder
    from pythae.models.base.base_utils import ModelOutput
    from pythae.data.datasets import BaseDataset
    from pythae.trainers import BaseTrainer, BaseTrainerConfig
    from torch import nn
    d = x.shape[1]

    class Encoder(BaseEncoder):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Linear(d, code), nn.ReLU())
        def forward(self, x):
            return ModelOutput(embedding=self.net(x.reshape(len(x), -1)))

    class Decoder(BaseDecoder):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Linear(code, d), nn.Sigmoid())
        def forward(self, z):
            return ModelOutput(reconstruction=self.net(z))

    torch.manual_seed(0)
    model = AE(AEConfig(input_dim=(d,), latent_dim=code, reconstruction_loss="mse"), encoder=Encoder(), decoder=Decoder())
    with tempfile.TemporaryDirectory() as out:
        config = BaseTrainerConfig(
            output_dir=out, num_epochs=epochs, learning_rate=1e-3, per_device_train_batch_size=batch_size,
            per_device_eval_batch_size=batch_size, optimizer_cls="Adam", steps_saving=None, no_cuda=True,
            train_dataloader_num_workers=0,
        )
        start = time.perf_counter()
        dataset = BaseDataset(torch.from_numpy(x), torch.zeros(len(x)))
        trainer = BaseTrainer(model=model, train_dataset=dataset, training_config=config)
        trainer.train()
        return time.perf_counter() - start

fit = {"pyod": fit_pyod, "pythae": fit_pythae}[PEER]
fit(x[:256], 16, 128, 1)  # warm-up: imports, torch._dynamo (first Adam), allocator
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    job = json.loads(line)
    print(json.dumps({"seconds": fit(x[: job["n"]], job["code"], job["batch_size"], job["epochs"])}), flush=True)
"""


class Peer:
    """A long-lived worker process in another venv; one JSON line per job."""

    def __init__(self, name: str, python: Path, data_path: Path):
        self.name = name
        self.proc = subprocess.Popen(
            [str(python), "-c", PEER_WORKER, str(data_path), name],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )  # fmt: skip
        self._read()

    def _read(self) -> dict:
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"{self.name} worker died: {self.proc.stderr.read()[-2000:]}")
            if line.startswith("{"):  # peers may print their own progress lines
                return json.loads(line)

    def fit(self, n: int, code: int, batch_size: int, epochs: int) -> float:
        self.proc.stdin.write(json.dumps({"n": n, "code": code, "batch_size": batch_size, "epochs": epochs}) + "\n")
        self.proc.stdin.flush()
        return self._read()["seconds"]

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


# ------------------------------------------------------------------ measurements


def interleaved(fns: dict[str, callable], reps: int) -> dict[str, float]:
    """Median seconds of each function, calling them in turn reps times."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(reps):
        for name, fn in fns.items():
            times[name].append(fn())
    return {name: statistics.median(t) for name, t in times.items()}


def matmul_peak_gflops(reps: int) -> tuple[float, float]:
    """fp32 GFLOP/s of a 2048^2 square matmul (the peak) and of a 1000x784 @ 784x512 one."""
    out = []
    for m, k, n in ((2048, 2048, 2048), (1000, 784, 512)):
        a, b = torch.randn(m, k), torch.randn(k, n)
        a @ b
        inner = max(1, int(2e9 // (2 * m * k * n)))
        times = []
        for _ in range(reps):
            start = time.perf_counter()
            for _ in range(inner):
                a @ b
            times.append((time.perf_counter() - start) / inner)
        out.append(2 * m * k * n / min(times) / 1e9)  # best, as a peak is
    return out[0], out[1]


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores, {model}; Python {platform.python_version()}, torch {torch.__version__}, "
        f"numpy {np.__version__}; threads {torch.get_num_threads()} (torch, OpenMP, BLAS)"
    )


def table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print(f"\n{title}")
    print("  ".join(h.rjust(w) for h, w in zip(header, widths)))
    for row in rows:
        print("  ".join(c.rjust(w) for c, w in zip(row, widths)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="a subset of MNIST, a few epochs (default)")
    size.add_argument("--full", action="store_true", help="all 60000 images, more epochs and repetitions")
    parser.add_argument("--threads", type=int, default=1, help="torch/OpenMP/BLAS threads on every side (default 1)")
    parser.add_argument("--data-dir", default=str(shared_data("mnist")))
    parser.add_argument("--pyod-venv", type=Path, default=Path("/tmp/venv-pyod"))
    parser.add_argument("--pythae-venv", type=Path, default=Path("/tmp/venv-pythae"))
    parser.add_argument("--reps", type=int, help="override the repetitions of --quick/--full")
    parser.add_argument("--skip", nargs="*", default=[], choices=["loop", "peers", "flops", "regularised", "scaling"])
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    sizes = FULL if args.full else QUICK
    if args.reps:
        sizes = Sizes(sizes.n_train, sizes.epochs, args.reps, sizes.scale_base)

    mnist = load_mnist(data_dir=args.data_dir, download=False)
    images = np.ascontiguousarray(mnist.data, dtype=np.float32)
    if images.max() > 1:
        images /= 255.0
    x = images[: sizes.n_train]
    samples = sizes.n_train * sizes.epochs
    print(f"machine: {machine()}")
    print(f"data: MNIST training images, first {sizes.n_train}, {sizes.epochs} epochs per fit, median of {sizes.reps} interleaved repetitions")

    fit_aekit(x[:256], 16, 128, 1)  # warm-up: torch._dynamo import (first Adam), allocator
    fit_by_hand(x[:256], 16, 128, 1)
    measured: dict[tuple[int, int], float] = {}

    if "loop" not in args.skip:
        rows = []
        for code in (64, 512):
            for batch in (128, 1000):
                med = interleaved(
                    {
                        "aekit": lambda: fit_aekit(x, code, batch, sizes.epochs),
                        "hand": lambda: fit_by_hand(x, code, batch, sizes.epochs),
                    },
                    sizes.reps,
                )
                measured[code, batch] = med["aekit"]
                rows.append([
                    f"784-{code}-784", str(batch), f"{samples / med['aekit']:,.0f}", f"{samples / med['hand']:,.0f}",
                    f"{med['hand'] / med['aekit']:.2f}x",
                ])  # fmt: skip
        table(
            "aekit fit vs a hand-written PyTorch loop (torch.optim.Adam, randperm batches); samples/s, higher is better",
            ["model", "batch", "aekit", "hand loop", "aekit speed-up"], rows,
        )  # fmt: skip

    if "peers" not in args.skip:
        rows, notes = [], []
        with tempfile.TemporaryDirectory() as folder:
            data_path = Path(folder) / "x.npy"
            np.save(data_path, x)
            for name, venv in (("pyod", args.pyod_venv), ("pythae", args.pythae_venv)):
                python = venv / "bin" / "python"
                if not python.exists():
                    notes.append(f"{name}: skipped, no venv at {venv} (python3 -m venv {venv} && {venv}/bin/pip install torch==2.13.0 {name})")
                    continue
                try:
                    peer = Peer(name, python, data_path)
                except RuntimeError as error:
                    notes.append(f"{name}: skipped, worker failed: {error}")
                    continue
                try:
                    for code in (64, 512):
                        for batch in (128, 1000):
                            med = interleaved(
                                {
                                    "aekit": lambda: fit_aekit(x, code, batch, sizes.epochs),
                                    name: lambda: peer.fit(len(x), code, batch, sizes.epochs),
                                },
                                sizes.reps,
                            )
                            rows.append([
                                name, f"784-{code}-784", str(batch), f"{samples / med['aekit']:,.0f}",
                                f"{samples / med[name]:,.0f}", f"{med[name] / med['aekit']:.2f}x",
                            ])  # fmt: skip
                finally:
                    peer.close()
        if rows:
            table(
                "aekit vs peers, same architecture, data, batch and epochs; samples/s",
                ["peer", "model", "batch", "aekit", "peer", "aekit speed-up"], rows,
            )  # fmt: skip
        for note in notes:
            print(note)

    if "flops" not in args.skip:
        peak, layer_shape = matmul_peak_gflops(sizes.reps)
        seconds = measured.get((512, 1000)) or statistics.median(fit_aekit(x, 512, 1000, sizes.epochs) for _ in range(sizes.reps))
        # Per sample, each layer's forward is 2*784*512 FLOP; backward computes both layers' weight
        # gradients but only the decoder's input gradient (the data needs none): 5 such products.
        flop = 5 * 2 * 784 * 512 * samples
        achieved = flop / seconds / 1e9
        table(
            "achieved fp32 GFLOP/s, 784-512-784 at batch 1000 (matmul FLOPs only, whole fit timed)",
            ["achieved", "matmul peak 2048^2", "fraction of peak", "matmul 1000x784x512"],
            [[f"{achieved:.1f}", f"{peak:.1f}", f"{achieved / peak:.0%}", f"{layer_shape:.1f}"]],
        )  # fmt: skip

    if "regularised" not in args.skip:
        rows = []
        for label, hidden, code in (("784-64-784", (), 64), ("784-256-32-256-784", (256,), 32)):
            common = dict(hidden_sizes=hidden, latent_activation="sigmoid")
            med = interleaved(
                {
                    "plain": lambda: fit_aekit(x, code, 128, sizes.epochs, **common),
                    "contractive": lambda: fit_aekit(x, code, 128, sizes.epochs, contractive_weight=0.1, **common),
                    "hutchinson": lambda: fit_aekit(
                        x, code, 128, sizes.epochs, contractive_weight=0.1, contractive_estimator="hutchinson", **common
                    ),
                    "columns": lambda: fit_aekit(
                        x, code, 128, sizes.epochs, contractive_weight=0.1, contractive_estimator="columns", **common
                    ),
                    "vae": lambda: fit_aekit(x, code, 128, sizes.epochs, hidden_sizes=hidden, latent="gaussian"),
                },
                sizes.reps,
            )
            rows.append([
                label, f"{med['plain'] / sizes.epochs:.3f}", f"{med['contractive'] / med['plain']:.2f}x",
                f"{med['hutchinson'] / med['plain']:.2f}x", f"{med['columns'] / med['plain']:.2f}x",
                f"{med['vae'] / med['plain']:.2f}x",
            ])  # fmt: skip
        table(
            "contractive and VAE fits relative to a plain fit (batch 128, sigmoid code; VAE: gaussian code)",
            ["encoder", "plain s/epoch", "contractive exact", "contractive hutchinson", "contractive columns", "VAE"], rows,
        )  # fmt: skip

    if "scaling" not in args.skip:
        rows, base = [], None
        data = np.concatenate([images] * (1 + 16 * sizes.scale_base // len(images)))
        for factor in (1, 4, 16):
            n = sizes.scale_base * factor
            seconds = statistics.median(fit_aekit(data[:n], 64, 128, 1) for _ in range(sizes.reps))
            base = base or seconds / n
            rows.append([f"{factor}x", f"{n:,}", f"{seconds:.3f}", f"{1e6 * seconds / n:.1f}", f"{seconds / n / base:.2f}"])
        table(
            "one epoch of 784-64-784 at batch 128 against data size (whole fit timed)",
            ["size", "rows", "seconds", "us/sample", "per-sample vs 1x"], rows,
        )  # fmt: skip


if __name__ == "__main__":
    main()
