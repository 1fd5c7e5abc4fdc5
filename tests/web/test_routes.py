"""The routes through Starlette's TestClient: good requests, and every bad one by itself (4xx JSON, never a 500)."""

import pytest

from aekit.web.explorer import LIMITS

JSON = {"Content-Type": "application/json"}


def test_the_page_and_its_files_are_served_with_a_strict_content_security_policy(client):
    page = client.get("/")
    assert page.status_code == 200 and "/static/app.js" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    for name, kind in [("app.js", "text/javascript"), ("style.css", "text/css")]:
        response = client.get(f"/static/{name}")
        assert response.status_code == 200 and response.headers["content-type"].startswith(kind)


def test_the_page_loads_nothing_from_elsewhere(client):
    for path in ["/", "/static/app.js", "/static/style.css"]:
        text = client.get(path).text
        assert "http://" not in text and "https://" not in text and "//cdn" not in text


def test_good_requests(client):
    view = client.get("/api/map").json()
    assert view["dim"] == 2 and len(view["points"]) == 32
    sample = client.get("/api/sample/5").json()
    assert sample["index"] == 5 and len(sample["reconstruction"]) == 35
    decoded = client.post("/api/decode", json={"codes": [[0.0, 0.0], [1.0, -1.0]]}).json()
    assert len(decoded["decoded"]) == 2 and len(decoded["decoded"][0]) == 35
    assert client.post("/api/decode", json={"map_points": [[0.5, 0.5]]}).status_code == 200
    strip = client.post("/api/interpolate", json={"start": 0, "end": 7, "steps": 6}).json()
    assert len(strip["linear"]) == len(strip["spherical"]) == 6


BAD = [
    # (what, method, path, body bytes or None, headers, status, words in the error)
    ("malformed JSON", "POST", "/api/decode", b'{"codes": [[0, 0]', JSON, 400, "does not parse"),
    ("not UTF-8", "POST", "/api/decode", b"\xff\xfe", JSON, 400, "UTF-8"),
    ("a list, not an object", "POST", "/api/decode", b"[[0, 0]]", JSON, 400, "JSON object"),
    ("empty body", "POST", "/api/decode", b"", JSON, 400, "does not parse"),
    ("deep nesting", "POST", "/api/decode", b"[" * 30000, JSON, 400, "nests too deeply"),
    ("no content type", "POST", "/api/decode", b'{"codes": [[0, 0]]}', {}, 415, "application/json"),
    ("text/plain", "POST", "/api/decode", b'{"codes": [[0, 0]]}', {"Content-Type": "text/plain"}, 415, "application/json"),
    ("NaN", "POST", "/api/decode", b'{"codes": [[NaN, 0]]}', JSON, 422, "finite"),
    ("Infinity", "POST", "/api/decode", b'{"codes": [[0, -Infinity]]}', JSON, 422, "finite"),
    ("overflow to inf", "POST", "/api/decode", b'{"codes": [[1e999, 0]]}', JSON, 422, "finite"),
    ("huge number", "POST", "/api/decode", b'{"codes": [[1e300, 0]]}', JSON, 422, "1e6"),
    ("string coordinate", "POST", "/api/decode", b'{"codes": [["0", 0]]}', JSON, 422, "must be a number"),
    ("null coordinate", "POST", "/api/decode", b'{"codes": [[null, 0]]}', JSON, 422, "must be a number"),
    ("bool coordinate", "POST", "/api/decode", b'{"codes": [[true, 0]]}', JSON, 422, "must be a number"),
    ("codes not a list", "POST", "/api/decode", b'{"codes": 3}', JSON, 422, "list of points"),
    ("empty codes", "POST", "/api/decode", b'{"codes": []}', JSON, 422, "non-empty list"),
    ("point not a list", "POST", "/api/decode", b'{"codes": [0, 0]}', JSON, 422, "must be a list of 2 numbers"),
    ("short code", "POST", "/api/decode", b'{"codes": [[0]]}', JSON, 422, "must hold 2 numbers"),
    ("long code", "POST", "/api/decode", b'{"codes": [[0, 0, 0]]}', JSON, 422, "must hold 2 numbers"),
    ("short map point", "POST", "/api/decode", b'{"map_points": [[0]]}', JSON, 422, "map_points[0] must hold 2"),
    ("both fields", "POST", "/api/decode", b'{"codes": [[0, 0]], "map_points": [[0, 0]]}', JSON, 422, "exactly one of"),
    ("neither field", "POST", "/api/decode", b"{}", JSON, 422, "exactly one of"),
    ("a file path field", "POST", "/api/decode", b'{"codes": [[0, 0]], "model": "/etc/passwd"}', JSON, 422, "unknown field"),
    ("too many points", "POST", "/api/decode", ('{"codes": [' + ",".join(["[0, 0]"] * (LIMITS.points + 1)) + "]}").encode(), JSON, 413, "at most 64 points"),
    ("body over the limit", "POST", "/api/decode", b'{"codes": [[0, 0]], "pad": "' + b"x" * LIMITS.body_bytes + b'"}', JSON, 413, "at most 65536 bytes"),
    ("interpolate: missing end", "POST", "/api/interpolate", b'{"start": 0}', JSON, 422, '"end" is missing'),
    ("interpolate: index out of range", "POST", "/api/interpolate", b'{"start": 0, "end": 32}', JSON, 422, "end must be an integer in [0, 31]"),
    ("interpolate: negative index", "POST", "/api/interpolate", b'{"start": -1, "end": 3}', JSON, 422, "start must be an integer"),
    ("interpolate: float index", "POST", "/api/interpolate", b'{"start": 0.5, "end": 3}', JSON, 422, "start must be an integer"),
    ("interpolate: string index", "POST", "/api/interpolate", b'{"start": "a", "end": 3}', JSON, 422, "start must be an integer"),
    ("interpolate: too many steps", "POST", "/api/interpolate", b'{"start": 0, "end": 3, "steps": 1000}', JSON, 422, "steps must be an integer in [2, 32]"),
    ("interpolate: one step", "POST", "/api/interpolate", b'{"start": 0, "end": 3, "steps": 1}', JSON, 422, "steps must be an integer in [2, 32]"),
    ("sample: not a number", "GET", "/api/sample/abc", None, {}, 422, "index must be an integer in [0, 31]"),
    ("sample: out of range", "GET", "/api/sample/32", None, {}, 422, "index must be an integer in [0, 31]"),
    ("sample: negative", "GET", "/api/sample/-1", None, {}, 422, "index must be an integer"),
    ("sample: huge", "GET", "/api/sample/99999999999999999999", None, {}, 422, "index must be an integer"),
    ("sample: unicode digits", "GET", "/api/sample/%D9%A3", None, {}, 422, "index must be an integer"),
    ("a file path", "GET", "/static/../explorer.py", None, {}, 404, "no route"),
    ("an unknown static file", "GET", "/static/routes.py", None, {}, 404, "no static file"),
    ("an unknown route", "GET", "/api/model?path=/etc/passwd", None, {}, 404, "no route"),
    ("GET on a POST route", "GET", "/api/decode", None, {}, 405, "GET is not allowed"),
    ("POST on a GET route", "POST", "/api/map", b"{}", JSON, 405, "POST is not allowed"),
    ("a foreign Host header", "GET", "/api/map", None, {"Host": "attacker.example"}, 421, "Host header"),
]


@pytest.mark.parametrize(("what", "method", "path", "body", "headers", "status", "words"), BAD, ids=[b[0] for b in BAD])
def test_each_bad_request_gets_a_4xx_json_error_saying_what_was_expected(client, what, method, path, body, headers, status, words):
    response = client.request(method, path, content=body, headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    error = response.json()["error"]
    assert words in error and "Traceback" not in error


def test_a_body_over_the_limit_is_refused_by_its_declared_length_before_it_is_read(client):
    response = client.post("/api/decode", content=b"{}", headers={**JSON, "Content-Length": str(10**9)})
    assert response.status_code == 413


def test_a_bug_is_a_json_500_without_a_traceback(font_explorer, monkeypatch):
    from starlette.testclient import TestClient

    from aekit.web.routes import build_app

    client = TestClient(build_app(font_explorer), base_url="http://127.0.0.1", raise_server_exceptions=False)
    monkeypatch.setattr(font_explorer, "decode_request", lambda body: 1 / 0)
    response = client.post("/api/decode", json={"codes": [[0, 0]]})
    assert response.status_code == 500 and response.json() == {"error": "internal error in the explorer; the server's log has the details."}
