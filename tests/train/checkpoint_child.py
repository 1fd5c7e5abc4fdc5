"""A training run for the kill -9 tests: ``python checkpoint_child.py SOLVER CKPT_DIR OUT_FILE``.

Trains on generated data with one thread, checkpointing every epoch (scipy: every 2 iterations)
and resuming from CKPT_DIR when it holds a checkpoint; prints "ready" once imported, then
writes the final weights and history to OUT_FILE (safetensors, history JSON in its metadata).
"""

import json
import sys

import numpy as np
import torch
from safetensors.torch import save_file

torch.set_num_threads(1)
from threadpoolctl import threadpool_limits  # noqa: E402

threadpool_limits(1)
from aekit import AutoencoderEstimator  # noqa: E402


def main() -> None:
    solver, directory, out = sys.argv[1:4]
    print("ready", flush=True)
    X = np.random.default_rng(0).random((600, 24)).astype(np.float32)
    if solver in ("adam", "sgd"):
        estimator = AutoencoderEstimator(
            hidden_sizes=(32,), latent_dim=4, solver=solver, noise="gaussian", noise_level=0.1, batch_size=8,
            max_iter=12, validation_fraction=0.1, random_state=0,
        )  # fmt: skip
        estimator.fit(X, checkpoint_dir=directory, checkpoint_every=1, resume=True)
    else:
        estimator = AutoencoderEstimator(hidden_sizes=(32,), latent_dim=4, solver=solver, noise="bitflip", max_iter=40, random_state=0)
        estimator.fit(X, checkpoint_dir=directory, checkpoint_every=2, resume=True)
    history = estimator.history_.to_dict()
    history.pop("seconds")  # wall time: the only part of a run that cannot repeat
    save_file({k: v.contiguous() for k, v in estimator.model_.state_dict().items()}, out, metadata={"history": json.dumps(history)})


if __name__ == "__main__":  # pytest imports this file for doctests: run only as a script
    main()
