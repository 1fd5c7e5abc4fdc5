"""A single-value option given twice is refused instead of silently keeping the last value."""

from __future__ import annotations

import subprocess
import sys

import pytest

from aekit import ConfigError
from aekit.cli import refuse_repeated_options


@pytest.mark.parametrize("args", [
    ["train", "--hidden-sizes", "20", "--hidden-sizes", "10"],
    ["--threads", "1", "train", "--data", "font", "--hidden-sizes=20", "--hidden-sizes", "10"],
])
def test_a_repeated_option_is_refused_naming_it(args):
    with pytest.raises(ConfigError, match=r"--hidden-sizes is given 2 times; it takes one value, and only the last would count. Fix: give it once"):
        refuse_repeated_options(args)


@pytest.mark.parametrize("args", [
    ["train", "--data", "font", "--hidden-sizes", "20,10", "-q", "-q"],      # a switch may repeat
    ["detect", "t.csv", "--categorical", "a", "--categorical", "b"],          # multiple=True
    ["train", "--", "--hidden-sizes", "--hidden-sizes"],                     # after --, arguments
    [], ["--help"], ["no-such-command", "--x", "--x"],
])
def test_other_command_lines_pass(args):
    refuse_repeated_options(args)


def test_the_console_script_prints_one_line_and_exits_2(tmp_path):
    done = subprocess.run([sys.executable, "-m", "aekit", "train", "--data", "font", "--latent-dim", "2", "--latent-dim", "3",
                           "--out", str(tmp_path / "run")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip() == ("error: --latent-dim is given 2 times; it takes one value, and only the last would count. "
                                   "Fix: give it once (a list is one comma-separated value, as in --hidden-sizes 20,10).")
    assert not (tmp_path / "run").exists()
