"""The README's Python blocks run as written (in a temporary directory)."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_blocks_run(tmp_path, monkeypatch):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert len(blocks) >= 2
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
    font = namespace["font"].data  # the assignment's layer list: data init + Adam reconstruct every pixel
    assert namespace["ae"].weight_init == "data" and namespace["ae"].n_iter_ == 300
    assert namespace["wrong_pixels"](font, namespace["ae"].reconstruct(font)).max() == 0
    assert (tmp_path / "runs" / "font-ae" / "model.safetensors").exists()
    assert namespace["new_letter"].shape == (1, 35)
