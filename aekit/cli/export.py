"""``aekit export RUN_DIR --format onnx --part PART``: a trained model as an ONNX file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from aekit.cli.app import app
from aekit.cli.shell import Verbose, console, friendly_errors
from aekit.errors import check_choice

FORMATS = ("onnx",)


@app.command(
    epilog="Examples:  aekit export runs/font --part encoder  ·  aekit export detector/ --part anomaly-score --out score.onnx"
    "  ·  aekit export runs/font --part all"
)
@friendly_errors
def export(
    run_dir: Annotated[Path, typer.Argument(help="A run directory (aekit train) or a saved model (aekit.save, aekit detect --save).")],
    format: Annotated[str, typer.Option("--format", "-f", help="File format: onnx.")] = "onnx",
    part: Annotated[str, typer.Option("--part", "-p", help="encoder, decoder, autoencoder, anomaly-score, or all.")] = "autoencoder",
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="The file to write (default RUN_DIR/PART.onnx; with --part all, a folder).")] = None,
    verbose: Verbose = False,
) -> None:
    """Write the model's encoder, decoder, whole autoencoder or anomaly score as an ONNX graph (needs aekit[onnx])."""
    from aekit import load
    from aekit.export import PARTS, export_onnx

    check_choice("format", format, FORMATS)
    parts = list(PARTS) if part.lower() == "all" else [check_choice("part", part, [*PARTS, "all"])]
    estimator = load(run_dir)
    for name in parts:
        if out is None:
            path = run_dir / f"{name}.onnx"
        else:
            path = out / f"{name}.onnx" if len(parts) > 1 else out
        export_onnx(estimator, path, part=name)
        console.print(f"wrote {path} ({name}; input {'z' if name == 'decoder' else 'x'}, batch dimension dynamic)")
