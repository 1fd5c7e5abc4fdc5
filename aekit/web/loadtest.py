"""A bounded load test of a served explorer: a fixed number of requests from a few clients, loopback only.

Each client keeps one HTTP/1.1 connection and sends its share of the requests one after the
other; the run stops when every request has been answered (or has failed). Nothing here
retries or loops without bound, and a URL that is not on this machine is refused.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import numpy as np

from aekit.errors import ConfigError

__all__ = ["LoadResult", "hammer"]


@dataclass(frozen=True)
class LoadResult:
    """Latencies in milliseconds of ``requests`` answered by ``clients`` concurrent clients."""

    requests: int
    clients: int
    errors: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    seconds: float

    def line(self) -> str:
        """One line for a table or a log."""
        return (f"{self.requests} requests, {self.clients} clients: {self.errors} errors, p50 {self.p50_ms:.1f} ms, "
                f"p95 {self.p95_ms:.1f} ms, max {self.max_ms:.1f} ms, {self.requests / self.seconds:.0f} req/s")


def hammer(url: str, path: str, bodies: list[dict], *, requests: int = 200, clients: int = 20, timeout: float = 10.0) -> LoadResult:
    """POST ``requests`` JSON bodies (cycling through ``bodies``) to ``url + path`` from ``clients`` threads.

    Parameters
    ----------
    url : str
        ``http://127.0.0.1:PORT`` (loopback only: 127.0.0.0/8, localhost or [::1]).
    path : str
        E.g. ``/api/decode``.
    bodies : list of dict
        Request bodies, used in turn.
    requests, clients : int
        At most 10,000 requests and 64 clients.
    timeout : float
        Seconds a request may take before it counts as an error.
    """
    from aekit.web import is_loopback

    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname or not is_loopback(parts.hostname) or not parts.port:
        raise ConfigError(f"url must be http://127.0.0.1:PORT (a server on this machine); got {url!r}.")
    if not (1 <= requests <= 10_000 and 1 <= clients <= 64 and bodies):
        raise ConfigError(f"requests must be in [1, 10000], clients in [1, 64], bodies non-empty; got {requests}, {clients}, {len(bodies)}.")
    payloads = [json.dumps(b).encode() for b in bodies]
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client(k: int) -> None:
        mine = range(k, requests, clients)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        try:
            for i in mine:
                start = time.perf_counter()
                try:
                    connection.request("POST", path, payloads[i % len(payloads)], {"Content-Type": "application/json"})
                    response = connection.getresponse()
                    response.read()
                    ok = response.status == 200
                except (OSError, http.client.HTTPException):
                    ok = False
                    connection.close()
                    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
                with lock:
                    latencies.append((time.perf_counter() - start) * 1000)
                    errors[0] += not ok
        finally:
            connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    ms = np.asarray(latencies)
    return LoadResult(requests, clients, errors[0], float(np.percentile(ms, 50)), float(np.percentile(ms, 95)), float(ms.max()), seconds)
