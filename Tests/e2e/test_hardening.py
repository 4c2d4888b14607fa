"""Hardening seen from outside, against real server processes: which proxy headers are believed, and that no
control character in an id, a query value or a field brings a 5xx from either database."""

from __future__ import annotations

import requests

from support import API, describe

PASSWORD = "correct horse battery"


def log_in(server, email: str, password: str, forwarded_for: str | None) -> requests.Response:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return requests.post(server.url + "/api/v1/sessions", json={"email": email, "password": password}, headers=headers, timeout=10)


def test_the_client_address_is_what_the_trusted_proxy_saw(make_storage, make_server):
    """Behind a proxy on loopback, the client cannot choose the address its failed log-ins are counted under by
    writing a first X-Forwarded-For entry: the right-most entry, which the proxy wrote, is the address."""
    server = make_server(make_storage("sqlite"), "--trust-proxy", "--rate-limits", "standard")
    API(server.url).sign_up(name="Owner", email="owner@example.test", password=PASSWORD)
    for attempt in range(5):
        answer = log_in(server, "owner@example.test", f"guess {attempt}", f"198.51.100.{attempt}, 203.0.113.5")
        assert answer.status_code == 401, describe(answer)
    limited = log_in(server, "owner@example.test", "guess again", "192.0.2.99, 203.0.113.5")
    assert limited.status_code == 429, describe(limited)
    # Another client behind the same proxy, with the same made-up first entry, is not the guesser.
    owner = log_in(server, "owner@example.test", PASSWORD, "198.51.100.0, 203.0.113.6")
    assert owner.status_code == 200, describe(owner)


def test_strict_transport_security_only_when_a_trusted_proxy_says_https(make_storage, make_server):
    storage = make_storage("sqlite")
    trusted = make_server(storage, "--trust-proxy")
    over_tls = requests.get(trusted.url + "/", headers={"X-Forwarded-Proto": "https"}, timeout=10)
    assert "max-age=" in over_tls.headers.get("Strict-Transport-Security", ""), over_tls.headers
    assert "Secure" in over_tls.headers.get("Set-Cookie", ""), over_tls.headers
    plain = requests.get(trusted.url + "/", timeout=10)
    assert "Strict-Transport-Security" not in plain.headers
    assert "Secure" not in plain.headers.get("Set-Cookie", "")
    trusted.terminate()

    # The proxy is elsewhere: a request straight from loopback is not believed.
    untrusted = make_server(storage, "--trust-proxy", "--trusted-proxies", "10.0.0.0/8")
    forged = requests.get(untrusted.url + "/", headers={"X-Forwarded-Proto": "https"}, timeout=10)
    assert "Strict-Transport-Security" not in forged.headers
    assert "Secure" not in forged.headers.get("Set-Cookie", "")


CONTROL = ["\x00", "\x01", "\x1f", "\x7f"]


def test_control_characters_anywhere_are_4xx_never_5xx(storage, make_server):
    """Every GET of the API document with each control character in each path and query parameter, and the
    profile's text fields with them: PostgreSQL refuses U+0000 in text, and that must never surface as a 5xx."""
    server = make_server(storage)
    api = API(server.url)
    account = api.sign_up(name="Prober")
    token = account["token"]
    document = requests.get(server.url + "/openapi.json", timeout=10).json()
    problems: list[str] = []
    tried = 0
    for path, operations in document["paths"].items():
        get = operations.get("get")
        if not get or not path.startswith("/api/v1/"):
            continue
        parameters = get.get("parameters", [])
        for bad in CONTROL:
            path_value = requests.utils.quote("ab" + bad + "cd", safe="")
            filled = path
            for parameter in parameters:
                if parameter["in"] == "path":
                    filled = filled.replace("{" + parameter["name"] + "}", path_value)
            query_names = [p["name"] for p in parameters if p["in"] == "query"] or [None]
            for name in query_names:
                params = {name: "x" + bad + "y"} if name else {}
                answer = requests.get(server.url + filled, params=params, headers={"Authorization": f"Bearer {token}"}, timeout=10)
                tried += 1
                if answer.status_code >= 500:
                    problems.append(f"GET {filled} {params!r}: {answer.status_code} {answer.text[:200]}")
    for bad in CONTROL:
        for field in ["name", "headline", "location", "industry", "about", "nameReading", "handle"]:
            answer = api.request("PATCH", "/me/profile", {field: "a" + bad + "b"}, token=token)
            tried += 1
            if answer.status_code >= 500 or answer.status_code == 200 and bad == "\x00":
                problems.append(f"PATCH /me/profile {field}: {answer.status_code} {answer.text[:200]}")
        answer = api.request("POST", "/me/positions", {"company": "Acme" + bad, "title": "Engineer", "startMonth": "2020-01"}, token=token)
        tried += 1
        if answer.status_code >= 500:
            problems.append(f"POST /me/positions: {answer.status_code} {answer.text[:200]}")
        answer = requests.post(server.url + "/api/v1/sessions", json={"email": "a" + bad + "@example.test", "password": "x" + bad * 10}, timeout=10)
        tried += 1
        if answer.status_code >= 500:
            problems.append(f"POST /sessions: {answer.status_code} {answer.text[:200]}")
    assert tried > 100
    assert not problems, "\n".join(problems)
    assert server.process.poll() is None
