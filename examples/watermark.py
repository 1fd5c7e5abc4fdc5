"""Watermark removal by paired training: digits with a stamped cross -> the clean digits.

    .venv/bin/python examples/watermark.py [--png watermark.png]

Prints PSNR and wrong pixels (thresholded at 0.5) of input and output against the truth on
held-out digits, a few digits as input | output | truth in text, and saves the figure of
16 held-out digits as input | output | truth.
"""

from __future__ import annotations

import argparse

import numpy as np
import torch

from aekit import AutoencoderEstimator
from aekit.apps.denoise import denoise, denoise_report, stamp_watermark
from aekit.datasets import load_digits

SHADES = " .:-=+*#%@"


def ascii_image(row: np.ndarray, shape: tuple[int, int]) -> list[str]:
    return ["".join(SHADES[min(9, int(v * 10))] for v in line) for line in np.clip(row, 0, 1).reshape(shape)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--png", default="watermark.png", help="where to save the input | output | truth figure")
    args = parser.parse_args()
    torch.set_num_threads(1)
    digits = load_digits()
    clean = digits.data
    stamped = stamp_watermark(clean, digits.image_shape, size=5, random_state=0)
    n_train = 1400
    ae = AutoencoderEstimator(hidden_sizes=(256,), latent_dim=64, loss="bce", max_iter=100, batch_size=64,
                              learning_rate=3e-3, random_state=0)
    ae.fit(stamped[:n_train], target=clean[:n_train])
    test_in, truth = stamped[n_train:], clean[n_train:]
    output = denoise(ae, test_in)
    summary = denoise_report(truth, test_in, output).summary()
    print(f"{len(truth)} held-out digits, {ae.n_iter_} epochs in {ae.fit_seconds_:.1f} s")
    print("            PSNR (dB)   wrong pixels (of 64)")
    print(f"input      {summary['psnr_input']:9.2f}   {summary['wrong_pixels_input']:10.2f}")
    print(f"output     {summary['psnr_output']:9.2f}   {summary['wrong_pixels_output']:10.2f}\n")
    for i in range(4):
        rows = zip(*(ascii_image(a[i], digits.image_shape) for a in (test_in, output, truth)))
        print("input      output     truth")
        for parts in rows:
            print("   ".join(parts))
        print()
    from aekit.plots import plot_image_grid

    figure = plot_image_grid(
        {"input": test_in[:16], "output": output[:16], "truth": truth[:16]}, digits.image_shape,
        title="Watermark removal by paired training (held-out digits)",
    )
    figure.savefig(args.png, dpi=120, bbox_inches="tight")
    print(f"figure: {args.png}")


if __name__ == "__main__":
    main()
