"""The latent explorer under load, and its screenshots (issue 16).

Trains two runs (the font model of the README, and a small MNIST model: 10,000 images, a few
epochs), serves each with ``aekit explore`` in its own process on a free loopback port, and
sends a bounded load: 200 single-point decode requests from 20 concurrent clients (and 200
map-point decodes), then stops the server with Ctrl-C. Prints p50/p95 per model. With
``--screenshots DIR`` it also drives Debian's headless Chromium (Selenium) through each page and
writes PNGs there. Loopback only; nothing runs without bound. Usage::

    AEKIT_DATA=../shared/data python benchmarks/explorer.py [--screenshots docs/images]
"""

from __future__ import annotations

import _threads  # noqa: F401  (before numpy/torch: one BLAS/OpenMP thread)

import argparse  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from aekit.recipes.rundir import train_to_directory  # noqa: E402
from aekit.web.loadtest import hammer  # noqa: E402

RUNS = {
    "font": ("font", {"hidden_sizes": (40,), "latent_dim": 2, "activation": "tanh", "loss": "bce", "learning_rate": 0.05,
                      "batch_size": 32, "max_iter": 300, "random_state": 0}, None),
    "mnist": ("mnist", {"hidden_sizes": (256, 64), "latent_dim": 2, "loss": "bce", "batch_size": 128, "max_iter": 5,
                        "random_state": 0}, 10_000),
}


def serve(run_dir: Path):
    """``aekit explore RUN --no-browser --port 0`` in its own process; returns (process, url) once it answers."""
    process = subprocess.Popen([sys.executable, "-m", "aekit", "--threads", "1", "explore", str(run_dir), "--no-browser", "--port", "0"],
                               stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    url = process.stdout.readline().split()[3].rstrip("/")
    for _ in range(200):
        try:
            urllib.request.urlopen(url + "/api/map", timeout=5).read()
            return process, url
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"the explorer at {url} did not answer")


def screenshots(url: str, name: str, out: Path) -> None:
    """Hover a point, click the map, pick two points; write the page as out/explorer-NAME.png."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1130", "--hide-scrollbars"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get(url + "/")
        WebDriverWait(driver, 20).until(lambda d: d.execute_script("return window.aekit && window.aekit.ready"))
        canvas = driver.find_element("id", "map")
        screen = np.asarray(driver.execute_script("return window.aekit.screen"))[:, :2]
        centre = np.array([canvas.size["width"], canvas.size["height"]]) / 2

        def at(i, click):
            chain = ActionChains(driver).move_to_element_with_offset(canvas, *(screen[i] - centre).astype(int).tolist())
            (chain.click() if click else chain).perform()

        far = np.argsort(screen[:, 0])
        at(int(far[len(far) // 10]), True)  # A: left of the map
        at(int(far[-len(far) // 10]), True)  # B: right of the map
        WebDriverWait(driver, 10).until(lambda d: d.execute_script("return window.aekit.strips >= 1"))
        at(int(far[len(far) // 2]), False)  # hover a point in the middle
        WebDriverWait(driver, 10).until(lambda d: d.execute_script("return document.getElementById('hover-card').dataset.index"))
        time.sleep(0.3)
        path = out / f"explorer-{name}.png"
        driver.save_screenshot(str(path))
        from PIL import Image

        Image.open(path).convert("RGB").quantize(128).save(path, optimize=True)  # a palette PNG: ~4x smaller, same look
    finally:
        driver.quit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", default="1")
    parser.add_argument("--screenshots", type=Path, help="Write the pages' screenshots to this folder.")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--clients", type=int, default=20)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"| model | request | requests | clients | errors | p50 ms | p95 ms | max ms |\n|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for name, (data, params, samples) in RUNS.items():
            run_dir = Path(tmp) / name
            train_to_directory(data, params, run_dir, samples=samples)
            process, url = serve(run_dir)
            try:
                limits = np.asarray(urllib.request.urlopen(url + "/api/map").read() and __import__("json").loads(
                    urllib.request.urlopen(url + "/api/map").read())["code_limits"])
                codes = rng.uniform(limits[:, 0], limits[:, 1], size=(50, len(limits))).round(4).tolist()
                for field in ("codes", "map_points"):
                    result = hammer(url, "/api/decode", [{field: [c]} for c in codes], requests=args.requests, clients=args.clients)
                    print(f"| {name} | decode 1 point ({field}) | {result.requests} | {result.clients} | {result.errors} | "
                          f"{result.p50_ms:.1f} | {result.p95_ms:.1f} | {result.max_ms:.1f} |", flush=True)
                if args.screenshots:
                    args.screenshots.mkdir(parents=True, exist_ok=True)
                    screenshots(url, name, args.screenshots)
            finally:
                process.send_signal(signal.SIGINT)
                process.wait(20)


if __name__ == "__main__":
    main()
