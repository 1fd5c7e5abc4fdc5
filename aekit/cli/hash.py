"""``aekit hash``: binary codes for a dataset, and the nearest neighbours of a query in Hamming distance."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from aekit.cli.app import app
from aekit.cli.shell import Verbose, console, friendly_errors


@app.command("hash", epilog="Example:  aekit hash items.npy --bits 32 --query 0 -k 5")
@friendly_errors
def hash_command(
    data: Annotated[Path, typer.Argument(help="The database: .csv, .npy, .npz or .mat, one row per item.")],
    model: Annotated[Optional[Path], typer.Option("--model", "-m", help="A saved autoencoder to load: its bits, its fitted rotation, or its real code split at the median.")] = None,
    bits: Annotated[int, typer.Option(help="Code length when training.")] = 32,
    code: Annotated[str, typer.Option(help=(
        "How a trained model makes bits: stochastic_binary (bits sampled in training, Dai et al. 2017), binary "
        "(straight-through bits, the default before issue 15) or itq (a real code, then an ITQ rotation saved with "
        "the model). docs/benchmarks.md compares them."))] = "stochastic_binary",
    hidden: Annotated[int, typer.Option(help="Width of the hidden layer when training (256 before issue 15).")] = 512,
    loss: Annotated[str, typer.Option(help="Training loss: auto (bce when DATA lies in [0, 1], else mse), bce or mse.")] = "auto",
    max_iter: Annotated[int, typer.Option(help="Training epochs (50 before issue 15; stochastic bits learn slowly).")] = 100,
    seed: Annotated[int, typer.Option(help="random_state of the fit.")] = 0,
    query: Annotated[Optional[int], typer.Option("--query", "-q", help="Row of DATA whose nearest neighbours to print.")] = None,
    k: Annotated[int, typer.Option("-k", help="Number of neighbours.")] = 10,
    out: Annotated[Path, typer.Option("--out", "-o", help="CSV of index, code (bits as 0/1 text).")] = Path("codes.csv"),
    save: Annotated[Optional[Path], typer.Option(help="Directory to save the trained autoencoder in.")] = None,
    verbose: Verbose = False,
) -> None:
    """Hash every row of DATA to a binary code; print the k nearest rows of one query row."""
    import aekit
    from aekit.apps.hashing import fit_rotation, hamming_search, hash_database, pack_bits
    from aekit.datasets import load_tabular
    from aekit.errors import ConfigError, check_choice

    X = load_tabular(data).data
    if query is not None and not 0 <= query < len(X):
        raise ConfigError(f"--query must be a row of DATA, 0 to {len(X) - 1}; got {query}. Fix: pick an existing row.")
    if model is not None:
        ae = aekit.load(model)
    else:
        code = check_choice("--code", code, ["stochastic_binary", "binary", "itq"])
        loss = check_choice("--loss", loss, ["auto", "bce", "mse"])
        if loss == "auto":  # bce is the likelihood of data in [0, 1]; squared error works for any range
            loss = "bce" if X.min() >= 0 and X.max() <= 1 else "mse"
        ae = aekit.AutoencoderEstimator(latent="deterministic" if code == "itq" else code, latent_dim=bits,
                                        hidden_sizes=(hidden,), loss=loss, max_iter=max_iter, random_state=seed).fit(X)
        if code == "itq":
            fit_rotation(ae, X, random_state=seed)
    codes = hash_database(ae, X)
    with out.open("w") as f:
        f.write("index,code\n")
        f.writelines(f"{i},{''.join('1' if b else '0' for b in row)}\n" for i, row in enumerate(codes))
    if save is not None and model is None:
        aekit.save(ae, save)
    console.print(f"{len(X)} codes of {codes.shape[1]} bits written to {out}")
    if query is not None:
        result = hamming_search(pack_bits(codes[[query]]), pack_bits(codes), k=min(k, len(X)))
        console.print(f"nearest to row {query}:\n  rank  row  distance")
        for rank, (i, d) in enumerate(zip(result.indices[0], result.distances[0]), 1):
            console.print(f"  {rank:>4}  {i:>3}  {d:>8}")
