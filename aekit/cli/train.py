"""``aekit train``: one estimator, its flags one to one with AutoencoderEstimator's parameters."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Annotated, Optional

import typer

from aekit.cli import app
from aekit.cli.shell import Quiet, Verbose, console, friendly_errors
from aekit.errors import ConfigError

ARCH, OBJ, FIT = "Architecture", "Objective and corruption", "Training"
INT_LISTS = ("hidden_sizes", "layers", "input_shape", "channels")
STR_LISTS = ("layer_activations",)


def _opt(help: str, panel: str, flag: str | None = None):  # noqa: A002
    names = (flag,) if flag else ()
    return typer.Option(*names, help=help, rich_help_panel=panel, show_default=False)


def _parse_list(name: str, text: str, kind: type) -> tuple:
    items = [item.strip() for item in text.split(",") if item.strip()]
    try:
        return tuple(kind(item) for item in items)
    except ValueError:
        raise ConfigError(f"--{name.replace('_', '-')} expects comma-separated integers, e.g. 20,10; got {text!r}.") from None


def estimator_params(given: dict[str, object]) -> dict[str, object]:
    """The options the user gave, converted to AutoencoderEstimator's types (lists, 'auto' or int)."""
    from aekit import AutoencoderEstimator

    names = inspect.signature(AutoencoderEstimator.__init__).parameters
    params = {k: v for k, v in given.items() if k in names and v is not None}
    for name in INT_LISTS:
        if name in params:
            params[name] = _parse_list(name, params[name], int)
    for name in STR_LISTS:
        if name in params:
            params[name] = _parse_list(name, params[name], str)
    if "batch_size" in params and params["batch_size"] != "auto":
        params["batch_size"] = _parse_list("batch_size", params["batch_size"], int)[0]
    return params


@app.command(
    epilog=(
        "Examples:  aekit train --data font --hidden-sizes 20 --latent-dim 2 --activation tanh "
        "--loss bce --solver l-bfgs-b --max-iter 300 --out runs/font  ·  "
        "aekit train --data digits.npz --latent-dim 8 --noise gaussian --noise-level 0.2 --quiet"
    ),
)
@friendly_errors
def train(
    data: Annotated[str, typer.Option("--data", "-d", help="font, digits, mnist, or a .npy/.npz/.csv file (samples in rows).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Run directory to write (model, run.json, figures/).")] = Path("runs/model"),
    samples: Annotated[Optional[int], typer.Option(help="Train on the first N samples only.")] = None,
    hidden_sizes: Annotated[Optional[str], _opt("Encoder layer sizes, comma-separated (e.g. 20,10; '' for none).", ARCH)] = None,
    latent_dim: Annotated[Optional[int], _opt("Size of the code.", ARCH)] = None,
    activation: Annotated[Optional[str], _opt("Hidden activation: relu, tanh, sigmoid, ...", ARCH)] = None,
    latent_activation: Annotated[Optional[str], _opt("Activation of the code layer.", ARCH)] = None,
    output_activation: Annotated[Optional[str], _opt("Activation of the output ('auto': sigmoid with bce).", ARCH)] = None,
    latent: Annotated[Optional[str], _opt("deterministic, gaussian (VAE) or binary.", ARCH)] = None,
    layers: Annotated[Optional[str], _opt("Whole network as sizes, e.g. 35,20,2,20,35 (with --layer-activations).", ARCH)] = None,
    layer_activations: Annotated[Optional[str], _opt("One activation per layer, comma-separated.", ARCH)] = None,
    architecture: Annotated[Optional[str], _opt("dense or conv.", ARCH)] = None,
    input_shape: Annotated[Optional[str], _opt("channels,height,width for --architecture conv.", ARCH)] = None,
    channels: Annotated[Optional[str], _opt("Conv channels of the encoder, e.g. 16,32.", ARCH)] = None,
    downsampling: Annotated[Optional[str], _opt("stride or pool.", ARCH)] = None,
    upsampling: Annotated[Optional[str], _opt("transpose or upsample.", ARCH)] = None,
    dropout: Annotated[Optional[float], _opt("Dropout after hidden layers.", ARCH)] = None,
    weight_init: Annotated[Optional[str], _opt("Initial weights: glorot, he or torch.", ARCH)] = None,
    loss: Annotated[Optional[str], _opt("mse, bce or correntropy.", OBJ)] = None,
    correntropy_sigma: Annotated[Optional[float], _opt("Kernel width of the correntropy loss.", OBJ)] = None,
    beta: Annotated[Optional[float], _opt("KL weight of a gaussian latent.", OBJ)] = None,
    kl_warmup: Annotated[Optional[int], _opt("Epochs over which the KL weight ramps up.", OBJ)] = None,
    l1_weight: Annotated[Optional[float], _opt("L1 activity penalty on the code.", OBJ)] = None,
    sparsity_weight: Annotated[Optional[float], _opt("KL sparsity penalty weight.", OBJ)] = None,
    sparsity_target: Annotated[Optional[float], _opt("Target mean activation of the code.", OBJ)] = None,
    contractive_weight: Annotated[Optional[float], _opt("Contractive (Jacobian) penalty weight.", OBJ)] = None,
    contractive_estimator: Annotated[Optional[str], _opt("exact, hutchinson or columns (one random probe per sample: cheap for deep encoders).", OBJ)] = None,
    weight_decay: Annotated[Optional[float], _opt("L2 penalty on the weights.", OBJ)] = None,
    noise: Annotated[Optional[str], _opt("Input corruption: saltpepper, bitflip, gaussian or masking.", OBJ)] = None,
    noise_level: Annotated[Optional[float], _opt("Corruption probability (sigma for gaussian).", OBJ)] = None,
    solver: Annotated[Optional[str], _opt("adam, adamw, sgd, rmsprop, powell, nelder-mead, cg, bfgs, l-bfgs-b.", FIT)] = None,
    learning_rate: Annotated[Optional[float], _opt("Step size of the mini-batch solvers.", FIT)] = None,
    learning_rate_schedule: Annotated[Optional[str], _opt("constant, or cosine (anneal to 0 over max-iter).", FIT)] = None,
    batch_size: Annotated[Optional[str], _opt("Samples per step, or auto.", FIT)] = None,
    max_iter: Annotated[Optional[int], _opt("Epochs (mini-batch) or iterations (scipy).", FIT)] = None,
    max_fun: Annotated[Optional[int], _opt("Most objective evaluations (scipy).", FIT)] = None,
    momentum: Annotated[Optional[float], _opt("Momentum of sgd.", FIT)] = None,
    nesterov: Annotated[Optional[bool], _opt("Nesterov momentum for sgd.", FIT, "--nesterov/--no-nesterov")] = None,
    validation_fraction: Annotated[Optional[float], _opt("Held-out fraction for the validation loss.", FIT)] = None,
    early_stopping: Annotated[Optional[bool], _opt("Stop when the loss stalls.", FIT, "--early-stopping/--no-early-stopping")] = None,
    n_iter_no_change: Annotated[Optional[int], _opt("Patience of early stopping.", FIT)] = None,
    tol: Annotated[Optional[float], _opt("Improvement that resets the patience.", FIT)] = None,
    shuffle: Annotated[Optional[bool], _opt("Shuffle the batches each epoch.", FIT, "--shuffle/--no-shuffle")] = None,
    device: Annotated[Optional[str], _opt("cpu, cuda or auto.", FIT)] = None,
    random_state: Annotated[Optional[int], _opt("Seed: the same seed gives the same model.", FIT)] = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Train an autoencoder on a dataset and write a run directory (model, history, figures)."""
    from aekit.cli.progress import ProgressBar
    from aekit.recipes.rundir import train_to_directory

    params = estimator_params(dict(locals()))
    run = train_to_directory(data, params, out, callbacks=[ProgressBar(out.name, quiet=quiet)], samples=samples)
    result = run.result
    console.print(
        f"trained {len(result.history.loss)} {result.history.unit}s in {result.seconds:.1f} s; {result.error.describe()}\n"
        f"wrote {out}/ (model, run.json, {len(run.figures)} figures); next: aekit report {out}"
    )
