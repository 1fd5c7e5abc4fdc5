"""``aekit demo``: the seed experiment, a 2-D code for the 5x7 font, in a few seconds."""

from __future__ import annotations

from pathlib import Path

import typer

from aekit.cli.app import app
from aekit.cli.shell import friendly_errors


@app.command()
@friendly_errors
def demo(
    out: Path = typer.Option(Path("runs/font-demo"), "--out", "-o", help="Directory to save the trained model in."),
    seed: int = typer.Option(0, help="random_state of the fit."),
    report: bool = typer.Option(True, help="Then run the font-2d recipe (optimiser comparison, figures) and write its report."),
    threads: int = typer.Option(1, min=1, help="Threads for torch and BLAS: these models are tiny, one is fastest."),
) -> None:
    """Train a 35-40-2-40-35 autoencoder on the 5x7 font and show every letter's 2-D code.

    Then runs the font-2d recipe (a minute or two) and prints where its report.html is.

    Examples: aekit demo  ·  aekit demo --no-report --out runs/font-demo
    """
    import aekit
    from aekit.cli.app import limit_threads
    from aekit.datasets import load_font

    limit_threads(threads)
    from aekit.metrics import wrong_pixels

    font = load_font()
    ae = aekit.AutoencoderEstimator(
        hidden_sizes=(40,), latent_dim=2, activation="tanh", latent_activation="linear",
        loss="bce", solver="adam", learning_rate=0.05, batch_size=32, max_iter=300, random_state=seed,
    ).fit(font.data)
    codes = ae.transform(font.data)
    wrong = wrong_pixels(font.data, ae.reconstruct(font.data))
    typer.echo("char  wrong pixels        z1        z2")
    for label, w, (z1, z2) in zip(font.labels, wrong, codes):
        typer.echo(f"{label:>4}  {int(w):>12}  {z1:>8.3f}  {z2:>8.3f}")
    path = aekit.save(ae, out)
    typer.echo(
        f"\n{ae.n_iter_} epochs in {ae.fit_seconds_:.2f} s; max wrong pixels per character: {int(wrong.max())}; "
        f"mean: {wrong.mean():.2f}. Model saved to {path}/"
    )
    if report:
        from aekit.recipes import find_recipe, run_recipe

        typer.echo("\nRunning the font-2d recipe (optimiser comparison, latent map, new letters)...")
        result = run_recipe(find_recipe("font-2d"), out.parent)
        for name, run_result in result.runs.items():
            typer.echo(f"  {name}: {run_result.error.describe()} ({run_result.seconds:.1f} s)")
        typer.echo(f"Report: {result.report_path}")
