"""``aekit hash``: binary codes for a dataset, and its nearest neighbours of a query in Hamming distance."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import typer

from aekit.cli import app
from aekit.cli.detect import fail, read_array


@app.command("hash")
def hash_command(
    data: Path = typer.Argument(..., help="The database: .npy or .csv, one row per item."),
    model: Path = typer.Option(None, "--model", "-m", help='A saved autoencoder (latent="binary" or any) to load.'),
    bits: int = typer.Option(32, help="Code length when training a binary-latent autoencoder."),
    max_iter: int = typer.Option(50, help="Training epochs."),
    seed: int = typer.Option(0, help="random_state of the fit."),
    query: int = typer.Option(None, "--query", "-q", help="Row of DATA whose nearest neighbours to print."),
    k: int = typer.Option(10, "-k", help="Number of neighbours."),
    out: Path = typer.Option(Path("codes.csv"), "--out", "-o", help="CSV of index, code (bits as 0/1 text)."),
    save: Path = typer.Option(None, help="Directory to save the trained autoencoder in."),
) -> None:
    """Hash every row of DATA to a binary code; print the k nearest rows of one query row.

    Example: aekit hash items.npy --bits 32 --query 0 -k 5
    """
    import aekit
    from aekit.apps.hashing import hamming_search, hash_codes, pack_bits
    from aekit.errors import AekitError, ConfigError

    try:
        X = read_array(data)
        if model is not None:
            ae = aekit.load(model)
        else:
            ae = aekit.AutoencoderEstimator(latent="binary", latent_dim=bits, hidden_sizes=(256,),
                                            max_iter=max_iter, random_state=seed).fit(X)
        codes = hash_codes(ae, X, threshold=None if ae.spec_.latent == "binary" else np.median(ae.transform(X), axis=0))
        if query is not None and not 0 <= query < len(X):
            raise ConfigError(f"--query must be a row of DATA, 0 to {len(X) - 1}; got {query}. Fix: pick an existing row.")
        result = hamming_search(pack_bits(codes[[query]]), pack_bits(codes), k=min(k, len(X))) if query is not None else None
    except AekitError as error:
        fail(error)
    with out.open("w") as f:
        f.write("index,code\n")
        f.writelines(f"{i},{''.join('1' if b else '0' for b in row)}\n" for i, row in enumerate(codes))
    if save is not None and model is None:
        aekit.save(ae, save)
    typer.echo(f"{len(X)} codes of {codes.shape[1]} bits written to {out}")
    if result is not None:
        typer.echo(f"nearest to row {query}:\n  rank  row  distance")
        for rank, (i, d) in enumerate(zip(result.indices[0], result.distances[0]), 1):
            typer.echo(f"  {rank:>4}  {i:>3}  {d:>8}")
