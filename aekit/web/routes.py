"""The explorer's routes: parse the request, one :class:`~aekit.web.explorer.Explorer` call, render JSON.

=======================  ==========================================================
``GET  /``               the page (``static/index.html``)
``GET  /static/NAME``    its script and style (a fixed set read at start; no path reaches the disk)
``GET  /api/map``        the map: points, labels, errors, threshold, image shape
``GET  /api/sample/I``   sample I of the map: input, reconstruction, label, error
``POST /api/decode``     ``{"codes": [[...]]}`` or ``{"map_points": [[...]]}`` -> decoded samples
``POST /api/interpolate`` ``{"start": i, "end": j, "steps": n}`` -> linear and spherical strips
=======================  ==========================================================

Every error is a JSON object ``{"error": message}`` with a 4xx status; a request never sees a
traceback. POST bodies must be ``application/json`` (so a page from another origin cannot
post without a CORS preflight, which this server never grants) and at most
``LIMITS.body_bytes``; the Host header must name the address the server was started on
(a DNS-rebinding page cannot reach it through another name).
"""

from __future__ import annotations

import logging
from importlib import resources
from threading import Lock

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from aekit.web.explorer import LIMITS, Explorer, RequestError, parse_request

__all__ = ["build_app"]

STATIC = {"app.js": "text/javascript", "style.css": "text/css", "index.html": "text/html"}
HEADERS = {
    # the page loads nothing from anywhere but this server, and runs no inline script
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
LOOPBACK = {"127.0.0.1", "localhost", "[::1]"}
log = logging.getLogger(__name__)


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=HEADERS)


def _hostname(header: str) -> str:
    """'127.0.0.1:8765' -> '127.0.0.1'; '[::1]:80' -> '[::1]'."""
    if header.startswith("["):
        return header[: header.find("]") + 1]
    return header.split(":")[0].lower()


async def _body(request: Request) -> dict:
    """The request's JSON object, read with the size limit enforced while reading."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        raise RequestError(415, f"the body must be JSON sent as Content-Type: application/json; got {request.headers.get('content-type')!r}.")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > LIMITS.body_bytes:
        raise RequestError(413, f"the body must be at most {LIMITS.body_bytes} bytes; got {declared}. Fix: send fewer points per request.")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > LIMITS.body_bytes:
            raise RequestError(413, f"the body must be at most {LIMITS.body_bytes} bytes; got more. Fix: send fewer points per request.")
        chunks.append(chunk)
    return parse_request(b"".join(chunks))


def build_app(explorer: Explorer, *, allowed_hosts: set[str] | None = None) -> Starlette:
    """The Starlette app serving ``explorer``; ``allowed_hosts`` the Host names accepted (default loopback; ``{"*"}`` any).

    Examples
    --------
    >>> from starlette.testclient import TestClient  # doctest: +SKIP
    >>> TestClient(build_app(explorer)).get("/api/map").json()["dim"]  # doctest: +SKIP
    2
    """
    hosts = LOOPBACK if allowed_hosts is None else set(allowed_hosts)
    files = {name: (resources.files("aekit.web") / "static" / name).read_bytes() for name in STATIC}
    lock = Lock()  # one model call at a time: the model is shared, torch modules are not documented thread-safe

    def guarded(handler):
        async def endpoint(request: Request) -> Response:
            if "*" not in hosts and _hostname(request.headers.get("host", "")) not in hosts:
                return _error(421, f"the Host header must name this server ({', '.join(sorted(hosts))}); got {request.headers.get('host')!r}.")
            try:
                return await handler(request)
            except RequestError as error:
                return _error(error.status, error.message)

        return endpoint

    async def page(request: Request) -> Response:
        return Response(files["index.html"], media_type="text/html", headers=HEADERS)

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC or name == "index.html":
            raise RequestError(404, f"no static file {name[:60]!r}; the page uses {sorted(set(STATIC) - {'index.html'})}.")
        return Response(files[name], media_type=STATIC[name], headers=HEADERS)

    view = explorer.map_view()

    async def map_(request: Request) -> Response:
        return JSONResponse(view, headers=HEADERS)

    async def sample(request: Request) -> Response:
        index = explorer.index(request.path_params["index"])
        with lock:
            return JSONResponse(explorer.sample(index), headers=HEADERS)

    async def decode(request: Request) -> Response:
        body = await _body(request)
        with lock:
            return JSONResponse(explorer.decode_request(body), headers=HEADERS)

    async def interpolate(request: Request) -> Response:
        body = await _body(request)
        with lock:
            return JSONResponse(explorer.interpolate_request(body), headers=HEADERS)

    async def not_found(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 405:
            return _error(405, f"{request.method} is not allowed on {request.url.path}; see the routes in aekit/web/routes.py.")
        return _error(exc.status_code, f"no route {request.url.path[:80]!r}; the API is /api/map, /api/sample/I, /api/decode, /api/interpolate.")

    async def server_error(request: Request, exc: Exception) -> Response:  # a bug, not a bad request: say so, no traceback
        log.error("explorer: %s on %s: %r", type(exc).__name__, request.url.path, exc)
        return _error(500, "internal error in the explorer; the server's log has the details.")

    routes = [
        Route("/", guarded(page)),
        Route("/static/{name}", guarded(static)),
        Route("/api/map", guarded(map_)),
        Route("/api/sample/{index}", guarded(sample)),
        Route("/api/decode", guarded(decode), methods=["POST"]),
        Route("/api/interpolate", guarded(interpolate), methods=["POST"]),
    ]
    return Starlette(routes=routes, exception_handlers={HTTPException: not_found, Exception: server_error})
