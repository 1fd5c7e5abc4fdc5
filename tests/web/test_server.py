"""A real uvicorn server: a small bounded load test, the command's start and clean Ctrl-C, and the missing extra."""

import os
import signal
import subprocess
import sys
import urllib.request

import pytest
from typer.testing import CliRunner

from aekit.web import running
from aekit.web.loadtest import hammer
from aekit.web.routes import build_app


def test_a_small_load_test_on_loopback_gets_no_errors(font_explorer):
    with running(build_app(font_explorer)) as url:
        result = hammer(url, "/api/decode", [{"codes": [[0.1 * i, -0.1 * i]]} for i in range(8)], requests=40, clients=8)
    print(result.line())
    assert result.errors == 0 and result.requests == 40
    assert result.p95_ms < 500  # generous: a loaded CI machine; docs/benchmarks.md has the measured figures


def test_the_load_test_refuses_anything_but_loopback_and_unbounded_runs():
    from aekit.errors import ConfigError

    with pytest.raises(ConfigError, match="127.0.0.1"):
        hammer("http://example.com:80", "/api/decode", [{}])
    with pytest.raises(ConfigError, match="requests must be in"):
        hammer("http://127.0.0.1:9", "/api/decode", [{}], requests=10**6)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory, font_model):
    import json

    import aekit

    directory = tmp_path_factory.mktemp("run") / "font"
    aekit.save(font_model[0], directory)
    (directory / "run.json").write_text(json.dumps({"data": "font", "samples": None, "params": {}}))
    return directory


def test_aekit_explore_prints_the_url_serves_the_page_and_stops_on_ctrl_c_with_one_line(run_dir):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-m", "aekit", "explore", str(run_dir), "--no-browser", "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        first = process.stdout.readline()
        assert first.startswith("aekit explorer on http://127.0.0.1:"), first + process.stderr.read()
        url = first.split()[3]
        for _ in range(100):  # the URL is printed just before the server accepts connections
            try:
                page = urllib.request.urlopen(url, timeout=5).read().decode()
                break
            except OSError:
                import time

                time.sleep(0.05)
        assert "aekit latent explorer" in page
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert out == "aekit explorer stopped.\n" and err == ""


def test_a_bare_saved_model_needs_data(tmp_path, font_model):
    import aekit
    from aekit.cli import app

    aekit.save(font_model[0], tmp_path / "model")
    result = CliRunner().invoke(app, ["explore", str(tmp_path / "model"), "--no-browser"])
    assert result.exit_code == 1 and "without run.json, so its data is unknown. Fix: pass --data SPEC" in result.output


def test_a_busy_port_is_one_clear_error():
    from aekit.errors import ConfigError
    from aekit.web import bind

    taken = bind("127.0.0.1", 0)
    try:
        with pytest.raises(ConfigError, match=r"cannot listen on 127.0.0.1:\d+ .*Fix: choose another --port"):
            bind("127.0.0.1", taken.getsockname()[1])
    finally:
        taken.close()


def test_without_the_web_extra_the_command_fails_with_one_line_naming_the_install(run_dir, monkeypatch):
    from aekit.cli import app

    monkeypatch.setitem(sys.modules, "uvicorn", None)  # import uvicorn now raises ImportError
    result = CliRunner().invoke(app, ["explore", str(run_dir), "--no-browser"])
    assert result.exit_code == 1
    assert result.output.strip() == 'error: aekit explore needs the web extra: pip install "aekit[web]"'


def test_another_host_than_loopback_prints_a_warning(font_model, monkeypatch, capsys):
    import aekit
    import aekit.web

    served = {}
    monkeypatch.setattr(aekit.web, "serve", lambda app, sock, on_start=None: served.setdefault("port", sock.getsockname()[1]))
    ae, font = font_model
    aekit.explore(ae, font.data, font.labels, image_shape=(7, 5), host="0.0.0.0", port=0, open_browser=False)
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("warning: serving on 0.0.0.0, reachable from other machines")
    assert out[1] == f"aekit explorer on http://0.0.0.0:{served['port']}/  (Ctrl-C stops it)"
