import numpy as np
import pytest

from aekit import AutoencoderEstimator, DataError
from aekit.apps.denoise import denoise, denoise_report, stamp_watermark
from aekit.datasets import load_digits, load_font


def test_denoised_font_has_fewer_wrong_pixels_than_noisy():
    X = load_font().data
    ae = AutoencoderEstimator(hidden_sizes=(64,), latent_dim=16, loss="bce", noise="bitflip", noise_level=0.05,
                              learning_rate=2e-2, max_iter=150, random_state=0).fit(X)
    noisy = np.where(np.random.default_rng(1).random(X.shape) < 0.05, 1.0 - X, X).astype(np.float32)
    report = denoise_report(X, noisy, denoise(ae, noisy))
    assert report.wrong_pixels_output.mean() < report.wrong_pixels_input.mean()
    assert report.summary()["psnr_output"] > report.summary()["psnr_input"]


def test_paired_training_removes_watermark():
    digits = load_digits()
    clean = digits.data[:600]
    stamped = stamp_watermark(clean, digits.image_shape, size=5, random_state=0)
    ae = AutoencoderEstimator(hidden_sizes=(128,), latent_dim=32, loss="bce", batch_size=64, learning_rate=3e-3,
                              max_iter=60, random_state=0).fit(stamped[:500], target=clean[:500])
    summary = denoise_report(clean[500:], stamped[500:], denoise(ae, stamped[500:])).summary()
    assert summary["psnr_output"] > summary["psnr_input"] + 3.0


def test_stamp_watermark_only_brightens():
    digits = load_digits()
    stamped = stamp_watermark(digits.data[:10], (8, 8), size=3, random_state=0)
    assert (stamped >= digits.data[:10]).all() and (stamped > digits.data[:10]).any()


def test_errors():
    with pytest.raises(DataError, match=r"truth, inputs and outputs must have one shape.*Fix"):
        denoise_report(np.zeros((2, 4)), np.zeros((2, 4)), np.zeros((2, 3)))
    with pytest.raises(DataError, match=r"stamp_watermark needs images \(n, 64\).*got images of shape \(2, 10\).*Fix"):
        stamp_watermark(np.zeros((2, 10)), (8, 8))
