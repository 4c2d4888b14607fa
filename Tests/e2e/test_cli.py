"""The command line: bad settings are refused with a message naming them, `migrate` and `demo` work,
and `serve` stops cleanly on SIGTERM."""

from __future__ import annotations

import re
import signal
import subprocess
import time

import requests

from support import API, binary, clean_environment, describe, free_port, psql


def run(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            [str(binary()), *args], capture_output=True, text=True, timeout=timeout, env=clean_environment(env),
            stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as error:
        raise AssertionError(f"`tsunagari {' '.join(args)}` did not exit within {timeout} s "
                             f"(it should refuse and exit at once); output: {error.stdout!r} {error.stderr!r}") from None


def test_bad_port_is_refused_and_named(tmp_path):
    result = run("serve", "--port", "99999", "--data-dir", str(tmp_path / "data"), timeout=20)
    assert result.returncode != 0, f"exit status 0; stdout: {result.stdout}"
    assert "99999" in result.stderr and "--port" in result.stderr, f"stderr should name --port and 99999: {result.stderr!r}"
    assert not (tmp_path / "data").exists(), "a refused start should not create the data folder"


def test_bad_rate_limits_from_environment_is_named(tmp_path):
    result = run(
        "serve", "--port", str(free_port()), "--data-dir", str(tmp_path / "data"), env={"TSUNAGARI_RATE_LIMITS": "fast"},
        timeout=20)
    assert result.returncode != 0, f"exit status 0; stdout: {result.stdout}"
    assert "TSUNAGARI_RATE_LIMITS" in result.stderr and "fast" in result.stderr, (
        f"stderr should name TSUNAGARI_RATE_LIMITS and its value: {result.stderr!r}")


def test_migrate_creates_the_sqlite_database_and_can_run_twice(tmp_path):
    data = tmp_path / "data"
    for attempt in (1, 2):
        result = run("migrate", "--data-dir", str(data))
        assert result.returncode == 0, f"migrate #{attempt} exit {result.returncode}: {result.stderr}"
    database = data / "tsunagari.sqlite"
    assert database.is_file() and database.stat().st_size > 0, f"{database} was not created"


def test_migrate_creates_tables_on_postgres(make_storage):
    storage = make_storage("postgres")
    for attempt in (1, 2):
        result = run("migrate", env=storage.env())
        assert result.returncode == 0, f"migrate #{attempt} exit {result.returncode}: {result.stderr}"
    tables = psql(storage.database_url, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
    assert int(tables.strip()) > 0, "migrate created no tables"


def test_demo_data_can_log_in_and_be_shown(tmp_path, make_storage, make_server):
    storage = make_storage("sqlite")
    result = run("demo", "--members", "50", *storage.args(), timeout=180)
    assert result.returncode == 0, f"demo exit {result.returncode}: {result.stderr}"
    assert "50" in result.stdout, f"demo should say how many members it wrote: {result.stdout!r}"

    server = make_server(storage)
    api = API(server.url)
    login = api.request("POST", "/sessions", {"email": "member1@example.test", "password": "tsunagari-demo"})
    assert login.status_code == 200, describe(login)
    member = login.json()["member"]
    api.token = login.json()["token"]

    shown = api.request("GET", f"/members/{member['handle']}")
    assert shown.status_code == 200, describe(shown)
    assert shown.json()["name"] == member["name"] or member["name"] in shown.text

    # The member's page in the browser-facing app, logged in through the form as a person would.
    web = requests.Session()
    form = web.get(server.url + "/login", timeout=10)
    csrf = re.search(r'name="_csrf" value="([^"]+)"', form.text)
    assert csrf, "the log-in page has no CSRF field"
    page = web.post(
        server.url + "/login", data={"_csrf": csrf.group(1), "email": "member1@example.test", "password": "tsunagari-demo"},
        timeout=10)
    assert page.status_code == 200 and page.url.endswith(f"/in/{member['handle']}"), describe(page)
    assert member["name"] in page.text


def test_demo_refuses_a_bad_member_count(tmp_path):
    result = run("demo", "--members", "0", "--data-dir", str(tmp_path / "data"), timeout=20)
    assert result.returncode != 0
    assert "--members" in result.stderr, result.stderr


def test_sigterm_stops_serve_gracefully(storage, make_server):
    server = make_server(storage)
    api = API(server.url)
    api.sign_up()
    assert api.request("GET", "/me").status_code == 200
    started = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    try:
        status = server.process.wait(10)
    except subprocess.TimeoutExpired:
        raise AssertionError("serve did not stop within 10 s of SIGTERM") from None
    assert status == 0, f"serve exited with {status} after SIGTERM (expected 0, a graceful stop)"
    assert time.monotonic() - started < 10
    try:
        requests.get(server.url + "/healthz", timeout=2)
        raise AssertionError("the port still answers after the server stopped")
    except requests.ConnectionError:
        pass


def test_search_benchmark_runs_small_and_reports_every_measure():
    """The benchmark stays runnable: a small run prints the indexing and start-up rates, the index's memory,
    every query with its LIKE baseline, typeahead and the verdict against the targets (the figures themselves
    are in docs/BENCHMARKS.md)."""
    result = run("bench", "search", "--members", "1000", "--queries", "1", timeout=300)
    assert result.returncode == 0, f"exit {result.returncode}: {result.stderr[-2000:]}"
    out = result.stdout
    assert "== SQLite: 1,000 profiles" in out, out[-3000:]
    assert re.search(r"indexing \(ProfileIndexing\.index.*\| [\d,]+/s", out), out[-3000:]
    assert re.search(r"start-up: the index in memory filled from storage.*\| [\d,]+/s", out), out[-3000:]
    assert re.search(r"Index in memory: about [\d.]+ MiB", out), out[-3000:]
    rows = re.findall(r"^\| (\d+) +\|", out, flags=re.M)
    assert [int(row) for row in rows] == list(range(1, 13)), f"query rows: {rows}\n{out[-3000:]}"
    assert "Typeahead" in out and "Target query (#3, 3 terms + 1 filter): p50" in out, out[-3000:]
    bad = run("bench", "search", "--members", "10", timeout=60)
    assert bad.returncode != 0 and "--members" in bad.stderr, bad.stderr


def test_admin_role_grants_and_takes_back_the_recruiter_role_while_the_server_runs(storage, make_server):
    """`tsunagari admin role EMAIL recruiter|member` on the same database as a running server: the next request
    sees the role (the recruiter allowance answers only recruiters)."""
    server = make_server(storage)
    api = API(server.url)
    member = api.sign_up(name="Rie 採用", email="rie.recruiter@example.test")
    api.token = member["token"]
    assert api.request("GET", "/me/allowance").status_code == 403

    granted = run("admin", "role", "Rie.Recruiter@example.test", "recruiter", *storage.args(), env=storage.env())
    assert granted.returncode == 0, granted.stderr
    assert "recruiter" in granted.stdout
    allowance = api.request("GET", "/me/allowance")
    assert allowance.status_code == 200, describe(allowance)
    assert allowance.json()["remaining"] == allowance.json()["monthly"] == 30

    back = run("admin", "role", "rie.recruiter@example.test", "member", *storage.args(), env=storage.env())
    assert back.returncode == 0, back.stderr
    assert api.request("GET", "/me/allowance").status_code == 403

    unknown = run("admin", "role", "nobody@example.test", "recruiter", *storage.args(), env=storage.env())
    assert unknown.returncode != 0 and "nobody@example.test" in unknown.stderr, unknown.stderr
    bad_role = run("admin", "role", "rie.recruiter@example.test", "king", *storage.args(), env=storage.env())
    assert bad_role.returncode != 0 and "member, recruiter, moderator or admin" in bad_role.stderr, bad_role.stderr


def test_messaging_benchmark_runs_small_and_reports_the_baseline():
    result = run("bench", "messaging", "--messages", "200", "--senders", "4", timeout=300)
    assert result.returncode == 0, f"exit {result.returncode}: {result.stderr[-2000:]}"
    out = result.stdout
    assert "== SQLite: 200 messages by 4 senders" in out, out
    assert re.search(r"\| MessagingService\.send +\| 200 +\| [\d.]+ +\| [\d,]+/s", out), out
    assert re.search(r"\| baseline: INSERT by SQL +\| 200 ", out), out
    assert "has 1 conversation(s) with unread messages" in out, out
