"""The latent explorer: a local web page to look inside a trained autoencoder.

:func:`explore` serves it from Python; ``aekit explore RUN_DIR`` from the shell. The page's
questions are answered by :class:`aekit.web.explorer.Explorer` (no HTTP), the routes in
:mod:`aekit.web.routes` render them, and ``static/`` holds the one page with its script and
style (no CDN: everything ships in the package). Needs the ``web`` extra
(``pip install aekit[web]``: Starlette and uvicorn); importing this package does not.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
from collections.abc import Iterator
from typing import Any

from aekit.errors import ConfigError

__all__ = ["explore", "require_web", "bind", "serve", "running", "WEB_EXTRA"]

WEB_EXTRA = 'aekit explore needs the web extra: pip install "aekit[web]"'


class MissingExtraError(ConfigError):
    """The ``web`` extra (Starlette, uvicorn) is not installed."""


def require_web() -> None:
    """Raise one clear line when Starlette or uvicorn is missing."""
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        raise MissingExtraError(WEB_EXTRA) from None


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bind(host: str = "127.0.0.1", port: int = 8765) -> socket.socket:
    """A listening socket on ``host``:``port`` (port 0: a free one), or a ConfigError naming the fix."""
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ConfigError(f"port must be an integer in [0, 65535] (0: any free port); got {port!r}.")
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    # proto given explicitly: asyncio sets TCP_NODELAY only on sockets whose proto is IPPROTO_TCP,
    # and without it every response waits ~40 ms (Nagle's algorithm meets the client's delayed ACK)
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as error:
        sock.close()
        raise ConfigError(f"cannot listen on {host}:{port} ({error.strerror}). Fix: choose another --port, or 0 for any free one.") from None
    sock.listen(128)
    return sock


def serve(app: Any, sock: socket.socket, *, on_start: Any = None) -> None:
    """Serve ``app`` on the bound ``sock`` with uvicorn until Ctrl-C (or SIGTERM); quiet: no access log."""
    import uvicorn

    class Server(uvicorn.Server):
        async def startup(self, sockets=None):
            await super().startup(sockets)
            if on_start is not None and self.started:
                on_start()

    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", timeout_graceful_shutdown=2)
    Server(config).run(sockets=[sock])


@contextlib.contextmanager
def running(app: Any, host: str = "127.0.0.1", port: int = 0, timeout: float = 10.0) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a background thread; yields its URL, stops the server on exit.

    For tests, benchmarks and scripts that drive a real server (port 0: a free one).
    """
    import uvicorn

    sock = bind(host, port)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        for _ in range(int(timeout / 0.01)):
            if server.started or not thread.is_alive():
                break
            threading.Event().wait(0.01)
        if not server.started:
            raise RuntimeError(f"the explorer's server did not start within {timeout} s")
        yield f"http://{host}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout)
        sock.close()


def explore(
    estimator: Any,
    X: Any,
    labels: Any = None,
    *,
    image_shape: Any = "auto",
    feature_names: Any = None,
    projection: str = "auto",
    max_points: int = 5000,
    host: str = "127.0.0.1",
    port: int = 8765,
    open_browser: bool = True,
) -> None:
    """Serve the latent explorer for a fitted estimator on ``X`` until Ctrl-C; returns when the server stops.

    The page draws the map of the codes of ``X`` (2-D and 3-D codes as they are, wider ones
    through PCA or t-SNE, at most ``max_points`` of them), shows a hovered sample's input and
    reconstruction with its label and error, decodes any clicked latent point, draws the linear
    and spherical strips between two picked samples, and offers a slider per code dimension.
    An :class:`~aekit.AnomalyDetector` colours the points by reconstruction error with its
    threshold marked; tabular data gets per-feature error bars instead of images.

    Parameters
    ----------
    estimator : fitted AutoencoderEstimator or AnomalyDetector
    X : array (n_samples, n_features)
    labels : sequence of length n_samples, optional
    image_shape : "auto", (height, width[, channels]) or None, default="auto"
        How a sample is drawn. "auto" takes a conv model's input shape, else infers square
        images when the feature count is a square of at least 64 (784 -> 28 x 28; the page
        says it inferred it); otherwise the data is treated as tabular. None: tabular.
    feature_names : sequence of str, optional
        Names on the per-feature bars of tabular data.
    projection : {"auto", "pca", "tsne"}, default="auto"
        For codes wider than 3 dimensions ("auto": PCA).
    max_points : int, default=5000
    host : str, default="127.0.0.1"
        Another address than loopback serves the model to the network: a warning is printed.
    port : int, default=8765
        0 picks a free port.
    open_browser : bool, default=True

    Examples
    --------
    >>> import aekit
    >>> from aekit.datasets import load_font
    >>> font = load_font()
    >>> ae = aekit.AutoencoderEstimator(latent_dim=2, loss="bce", max_iter=300, random_state=0).fit(font.data)
    >>> aekit.explore(ae, font.data, font.labels, image_shape=(7, 5))  # doctest: +SKIP
    aekit explorer on http://127.0.0.1:8765/  (Ctrl-C stops it)
    """
    require_web()
    from aekit.web.explorer import Explorer
    from aekit.web.routes import build_app

    explorer = Explorer(estimator, X, labels, image_shape=image_shape, projection=projection, max_points=max_points,
                        feature_names=feature_names)
    sock = bind(host, port)
    loopback = is_loopback(host)
    actual = sock.getsockname()[1]
    shown = f"[{host.strip('[]')}]" if ":" in host.strip("[]") else host
    url = f"http://{shown}:{actual}/"
    if not loopback:
        print(f"warning: serving on {host}, reachable from other machines: anyone who can reach it can query the model.")
    app = build_app(explorer, allowed_hosts=None if loopback else {"*"})
    print(f"aekit explorer on {url}  (Ctrl-C stops it)", flush=True)

    def on_start() -> None:
        if open_browser:
            import webbrowser

            webbrowser.open(url)

    try:
        serve(app, sock, on_start=on_start)
    except KeyboardInterrupt:  # uvicorn re-raises the captured Ctrl-C once it has shut down
        pass
    finally:
        sock.close()
    print("aekit explorer stopped.")
