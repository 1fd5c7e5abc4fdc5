"""``aekit hash``: binary codes for a dataset, and the nearest neighbours of a query in Hamming distance."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import numpy as np
import typer

from aekit.cli.app import app
from aekit.cli.shell import Verbose, console, friendly_errors


@app.command("hash", epilog="Example:  aekit hash items.npy --bits 32 --query 0 -k 5")
@friendly_errors
def hash_command(
    data: Annotated[Path, typer.Argument(help="The database: .csv, .npy, .npz or .mat, one row per item.")],
    model: Annotated[Optional[Path], typer.Option("--model", "-m", help="A saved autoencoder to load (binary latent or any).")] = None,
    bits: Annotated[int, typer.Option(help="Code length when training a binary-latent autoencoder.")] = 32,
    max_iter: Annotated[int, typer.Option(help="Training epochs.")] = 50,
    seed: Annotated[int, typer.Option(help="random_state of the fit.")] = 0,
    query: Annotated[Optional[int], typer.Option("--query", "-q", help="Row of DATA whose nearest neighbours to print.")] = None,
    k: Annotated[int, typer.Option("-k", help="Number of neighbours.")] = 10,
    out: Annotated[Path, typer.Option("--out", "-o", help="CSV of index, code (bits as 0/1 text).")] = Path("codes.csv"),
    save: Annotated[Optional[Path], typer.Option(help="Directory to save the trained autoencoder in.")] = None,
    verbose: Verbose = False,
) -> None:
    """Hash every row of DATA to a binary code; print the k nearest rows of one query row."""
    import aekit
    from aekit.apps.hashing import hamming_search, hash_codes, pack_bits
    from aekit.datasets import load_tabular
    from aekit.errors import ConfigError

    X = load_tabular(data).data
    if query is not None and not 0 <= query < len(X):
        raise ConfigError(f"--query must be a row of DATA, 0 to {len(X) - 1}; got {query}. Fix: pick an existing row.")
    if model is not None:
        ae = aekit.load(model)
    else:  # squared error: works for any data range (bce needs data in [0, 1])
        ae = aekit.AutoencoderEstimator(latent="binary", latent_dim=bits, hidden_sizes=(256,), max_iter=max_iter,
                                        random_state=seed).fit(X)
    threshold = None if ae.model_.latent.traits.bits else np.median(ae.transform(X), axis=0)  # balanced bits
    codes = hash_codes(ae, X, threshold=threshold)
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
