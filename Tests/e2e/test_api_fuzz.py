"""Property-based fuzzing of the JSON API against its own OpenAPI document (GET /openapi.json), with
every schemathesis check, on SQLite and on PostgreSQL. The run fails when the server answers 5xx,
answers a status or body the document does not describe, accepts invalid input, refuses valid input,
or ignores authentication.

TSUNAGARI_FUZZ_EXAMPLES (default 80: about 5,500 test cases a database, 11,000 in all) bounds the test cases per operation; TSUNAGARI_FUZZ_SEED makes a
run repeatable (the seed of every run is printed in its output)."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from support import API, ARTIFACTS, Server, clean_environment, describe

HERE = Path(__file__).resolve().parent
EXAMPLES = os.environ.get("TSUNAGARI_FUZZ_EXAMPLES", "80")
TIMEOUT = 1200  # seconds per run; a run at the default examples takes 8–11 minutes on two cores

# DELETE /sessions/current ends the session whose token the whole run uses; everything after it would
# only test 401s. It is excluded from the main run and fuzzed in a second run that gives every test
# case a new account (fuzz_hooks.py). DELETE /me stays in the main run: it needs the account's
# password, which is random and unknown to the fuzzer, so it cannot succeed there (checked below).
SESSION_ENDING = "DELETE /api/v1/sessions/current"
# GET /events never ends (an event stream): every case would wait out the client's timeout. Its answers are
# checked by the event stream tests (Tests/TsunagariWebTests/EventStreamTests.swift, test_messaging.py).
EVENT_STREAM = "GET /api/v1/events"


def schemathesis(server: Server, label: str, workdir: Path, *args: str, env: dict[str, str] | None = None) -> str | None:
    """Runs the schemathesis CLI (in `workdir`, where it keeps its caches); None when it passed, else what
    to show of its output."""
    report = ARTIFACTS / f"schemathesis-{label}"
    shutil.rmtree(report, ignore_errors=True)
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(HERE / "schemathesis.toml"), "--no-color",
        "run", server.url + "/openapi.json", "--checks", "all", "--max-examples", EXAMPLES, "--generation-database", "none",
        "--report", "junit", "--report-dir", str(report), *args,
    ]
    if os.environ.get("TSUNAGARI_FUZZ_SEED"):
        command += ["--seed", os.environ["TSUNAGARI_FUZZ_SEED"]]
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=TIMEOUT, cwd=workdir, env=clean_environment(env),
            stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as error:
        report.mkdir(parents=True, exist_ok=True)
        partial = error.stdout.decode(errors="replace") if isinstance(error.stdout, bytes) else (error.stdout or "")
        (report / "output.txt").write_text(partial)
        return f"schemathesis ({label}) ran longer than {TIMEOUT} s; its output so far: {report / 'output.txt'}\n{partial[-5000:]}"
    report.mkdir(parents=True, exist_ok=True)
    (report / "output.txt").write_text(result.stdout + result.stderr)
    if result.returncode != 0:
        output = result.stdout
        failures = output.find("=== FAILURES ===")
        shown = output[max(0, failures - 40):] if failures >= 0 else output
        if len(shown) > 15000:
            shown = shown[:7000] + "\n[… see the full output file …]\n" + shown[-7000:]
        return f"schemathesis ({label}) exit {result.returncode}; full output: {report / 'output.txt'}\n{shown}\n{result.stderr[-3000:]}"
    return None


def check_document(server: Server) -> None:
    response = requests.get(server.url + "/openapi.json", timeout=10)
    assert response.status_code == 200, describe(response)
    document = response.json()
    assert str(document.get("openapi", "")).startswith("3.") and document.get("paths"), (
        f"GET /openapi.json is not an OpenAPI 3 document with paths: {response.text[:300]}")


def test_api_conforms_to_its_openapi_document(storage, make_server, tmp_path):
    # Metrics on, with a token the fuzzer does not know: GET /metrics answers 401 to its member token and to no token
    # (off, it would answer 404, which is documented but not what a missing Authorization header should get).
    server = make_server(storage, "--metrics-token", "fuzz-metrics-" + secrets.token_hex(16))
    check_document(server)
    api = API(server.url)
    account = api.sign_up(name="Fuzz Tester")

    main = schemathesis(server, storage.kind, tmp_path, "-H", f"Authorization: Bearer {account['token']}", "--exclude-name", SESSION_ENDING, "--exclude-name", EVENT_STREAM)

    # The token the run used is still valid, so the run tested the API and not a wall of 401s.
    me = api.request("GET", "/me")
    assert me.status_code == 200, f"the fuzz run's token stopped working: {describe(me)}"

    session_ending = schemathesis(
        # One operation alone: no link leads from it anywhere, so the stateful phase has nothing to run.
        server, storage.kind + "-session-ending", tmp_path, "--include-name", SESSION_ENDING, "--phases", "examples,coverage,fuzzing",
        env={"SCHEMATHESIS_HOOKS": "fuzz_hooks", "PYTHONPATH": str(HERE), "TSUNAGARI_FUZZ_URL": server.url})
    assert server.process.poll() is None, f"the server died during the fuzz run (exit {server.process.returncode})"
    failures = [failure for failure in (main, session_ending) if failure]
    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)
