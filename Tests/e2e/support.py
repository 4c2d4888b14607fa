"""Helpers shared by the end-to-end tests: the server process, its storage, a small API client."""


from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
BCRYPT_COST = "12"  # the lowest cost the server accepts
READY_TIMEOUT = 60.0


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def skip_or_fail(reason: str) -> None:
    """Outside CI a missing tool skips the test (loudly); in CI it is a failure."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true requires it)", pytrace=False)
    pytest.skip(f"WARNING: {reason}; SKIPPED")


def binary() -> Path:
    path = Path(os.environ.get("TSUNAGARI_BIN") or ROOT / ".build" / "debug" / "tsunagari")
    if not path.is_file() or not os.access(path, os.X_OK):
        pytest.fail(f"server binary {path} not found; run `swift build --product tsunagari` or set TSUNAGARI_BIN", pytrace=False)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The caller's environment without any Tsunagari setting, so only what a test sets applies."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TSUNAGARI_") and k != "DATABASE_URL"}
    env.update(extra or {})
    return env


# MARK: PostgreSQL


def postgres_url() -> str:
    url = os.environ.get("TSUNAGARI_TEST_DATABASE_URL", "")
    if not url:
        skip_or_fail("TSUNAGARI_TEST_DATABASE_URL is not set, so PostgreSQL cannot be tested (scripts/test starts a server)")
    if not shutil.which("psql"):
        skip_or_fail("psql is not installed, so the PostgreSQL test databases cannot be created")
    return url


def psql(url: str, sql: str) -> str:
    result = subprocess.run(
        ["psql", url, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
        capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise RuntimeError(f"psql failed ({sql}): {result.stderr.strip()}")
    return result.stdout


def with_database(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


@dataclass
class Storage:
    """Where a server keeps its data; several servers in a row may share one (restarts)."""

    kind: str  # "sqlite" or "postgres"
    data_dir: Path | None = None
    database_url: str | None = None

    def args(self) -> list[str]:
        return ["--data-dir", str(self.data_dir)] if self.kind == "sqlite" else []

    def env(self) -> dict[str, str]:
        return {"DATABASE_URL": self.database_url} if self.kind == "postgres" else {}


# MARK: Servers


@dataclass(eq=False)
class Server:
    storage: Storage
    log_path: Path
    extra_args: list[str] = field(default_factory=list)
    extra_env: dict[str, str] = field(default_factory=dict)
    port: int = 0
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def command(self) -> list[str]:
        return [
            str(binary()), "serve", "--host", "127.0.0.1", "--port", str(self.port), "--rate-limits", "relaxed",
            "--bcrypt-cost", BCRYPT_COST, *self.storage.args(), *self.extra_args,
        ]

    def start(self) -> "Server":
        """Starts on a new free port and waits for /healthz; a port taken in the meantime means one more try."""
        for _ in range(3):
            self.port = free_port()
            log = open(self.log_path, "ab")
            log.write(f"\n--- start {' '.join(self.command())}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                self.command(), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env=clean_environment({**self.storage.env(), **self.extra_env}))
            log.close()
            if self.wait_ready():
                return self
            if "already in use" not in self.log_tail(2000).lower():
                break
        raise RuntimeError(f"the server did not become ready; log:\n{self.log_tail()}")

    def wait_ready(self) -> bool:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                if requests.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return True
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.kill()
        return False

    def terminate(self, timeout: float = 10) -> int | None:
        """SIGTERM and wait; the exit status, or None if it had to be killed."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def kill(self) -> None:
        """SIGKILL: no chance to flush or close anything."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def log_tail(self, chars: int = 6000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except FileNotFoundError:
            return ""

    def log_excerpt(self, problems: int = 40, last: int = 10) -> str:
        """What matters in a failure report: the lines above info level (errors, crashes), then the last lines."""
        lines = self.log_tail(2_000_000).splitlines()
        loud = [line for line in lines if " info " not in line and not line.startswith("--- start")]
        excerpt = loud[-problems:] + ["…"] + lines[-last:]
        return f"(full log: {self.log_path})\n" + "\n".join(excerpt)


# MARK: API helper


class API:
    """A tiny client for /api/v1 that remembers one bearer token."""

    def __init__(self, base: str, token: str | None = None):
        self.base = base
        self.token = token
        self.http = requests.Session()

    def request(self, method: str, path: str, body=None, token: str | None = None, **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if token or self.token:
            headers["Authorization"] = f"Bearer {token or self.token}"
        if body is not None:
            kwargs["data"] = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        return self.http.request(method, self.base + "/api/v1" + path, headers=headers, timeout=30, **kwargs)

    def sign_up(self, name: str = "Test Member", email: str | None = None, password: str | None = None) -> dict:
        email = email or f"e2e-{secrets.token_hex(6)}@example.test"
        password = password or "pw-" + secrets.token_urlsafe(12)
        response = self.request("POST", "/accounts", {"email": email, "password": password, "name": name})
        assert response.status_code == 201, f"POST /api/v1/accounts -> {response.status_code} {response.text}"
        data = response.json()
        self.token = data["token"]
        return {**data, "email": email, "password": password}


def describe(response: requests.Response) -> str:
    """`METHOD path -> status body` for assertion messages."""
    request = response.request
    path = urllib.parse.urlsplit(request.url).path
    return f"{request.method} {path} -> {response.status_code} {response.text[:500]}"


def gone(element):
    """A Selenium wait condition: the element's page has been replaced. Mid-navigation Chromium may answer the check
    with "Node … does not belong to the document" rather than a stale-element error; both mean the page is gone."""
    from selenium.common.exceptions import WebDriverException

    def check(_driver) -> bool:
        try:
            element.is_enabled()
            return False
        except WebDriverException:
            return True
    return check
