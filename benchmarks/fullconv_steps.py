"""The ruta talk's fully convolutional denoiser on MNIST: mean test PSNR against Adam steps.

Batch 500 drawn at random from the first --train images, gaussian noise sd 0.05 drawn fresh
for each batch, bce, Adam (1e-3); every --every steps, the mean PSNR of the recovered test
images (noisy test images drawn once, seed 0) beside the noisy ones'. It measures how many
steps the network needs before its output beats its noisy input.

    AEKIT_DATA=../shared/data .venv/bin/python benchmarks/fullconv_steps.py --steps 400
"""

from __future__ import annotations

import _threads  # noqa: F401  (sets the thread count before numpy/torch load)

import argparse
import os
import time

import numpy as np
import torch

from aekit import AutoencoderEstimator
from aekit.datasets import load_mnist
from aekit.estimators.build import model_spec
from aekit.metrics import psnr
from aekit.models import build_autoencoder
from aekit.noise import corrupt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=os.path.join(os.environ.get("AEKIT_DATA", "../shared/data"), "mnist"))
    parser.add_argument("--train", type=int, default=5000)
    parser.add_argument("--test", type=int, default=300)
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--every", type=int, default=20)
    parser.add_argument("--threads", default="1")
    args = parser.parse_args()
    torch.set_num_threads(int(args.threads))
    torch.manual_seed(0)
    train = load_mnist("train", args.data_dir, download=False).data[: args.train].astype(np.float32)
    test = load_mnist("test", args.data_dir, download=False).data[: args.test].astype(np.float32)
    noisy = corrupt(test, "gaussian", 0.05, np.random.default_rng(0))
    talk = AutoencoderEstimator(architecture="fully-conv", channels=(16, 16), decoder_channels=(),
                                resampling=("upsample", "pool", "none"), latent_activation="relu", loss="bce")
    model = build_autoencoder(model_spec(talk, (1, 28, 28)))
    optimiser = torch.optim.Adam(model.parameters(), 1e-3)
    X = torch.from_numpy(train.reshape(-1, 1, 28, 28))
    rng = np.random.default_rng(0)
    started = time.perf_counter()
    print(f"mean PSNR noisy {psnr(test, np.clip(noisy, 0, 1)).mean():.2f} dB")
    print("| steps | seconds | recovered PSNR (dB) |\n|---|---|---|")
    for step in range(1, args.steps + 1):
        xb = X[rng.choice(len(X), 500, replace=False)]
        out = model(xb + 0.05 * torch.randn_like(xb))
        loss = torch.nn.functional.binary_cross_entropy_with_logits(out.logits, xb, reduction="sum") / len(xb)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        if step % args.every == 0:
            with torch.no_grad():
                recovered = model(torch.from_numpy(noisy.reshape(-1, 1, 28, 28))).x_hat.reshape(len(test), -1).numpy()
            print(f"| {step} | {time.perf_counter() - started:.0f} | {psnr(test, recovered).mean():.2f} |", flush=True)


if __name__ == "__main__":
    main()
