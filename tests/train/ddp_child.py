"""One rank of the data-parallel test: ``torchrun --nproc_per_node=2 ddp_child.py OUT [RESUME_DIR]``.

Fits on generated data (one thread per rank) with a global batch of 32 and writes this rank's
final weights and history to OUT/rank<R>.safetensors (the test compares the ranks). With
RESUME_DIR, checkpoints there every epoch (rank 0 writes) and resumes from it.
"""

import json
import os
import sys

import numpy as np
import torch
from safetensors.torch import save_file

torch.set_num_threads(1)
from aekit import AutoencoderEstimator  # noqa: E402


def main() -> None:
    out = sys.argv[1]
    X = np.random.default_rng(0).random((193, 12)).astype(np.float32)
    estimator = AutoencoderEstimator(hidden_sizes=(16,), latent_dim=3, batch_size=32, max_iter=5, random_state=0)
    extra = {"checkpoint_dir": sys.argv[2], "resume": True} if len(sys.argv) > 2 else {}
    estimator.fit(X, **extra)
    rank = int(os.environ["RANK"])
    history = estimator.history_.to_dict()
    history.pop("seconds")
    state = {k: v.contiguous() for k, v in estimator.model_.state_dict().items()}
    save_file(state, os.path.join(out, f"rank{rank}.safetensors"), metadata={"history": json.dumps(history)})


if __name__ == "__main__":  # pytest imports this file for doctests: run only as a script
    main()
