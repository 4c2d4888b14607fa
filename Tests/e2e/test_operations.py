"""What an operator runs: backups while the server writes, restores into a fresh folder, metrics and JSON logs
from a real server."""

from __future__ import annotations

import json
import re
import threading
import time
import zlib
from pathlib import Path

import pytest
import requests

from support import API, Storage, describe, skip_or_fail
from test_cli import run


def test_backup_under_load_restores_every_acknowledged_sign_up(tmp_path, make_storage, make_server):
    storage = make_storage("sqlite")
    server = make_server(storage)
    acknowledged: list[tuple[float, dict]] = []  # (when the answer came, the member) in order
    stop = threading.Event()
    failures: list[str] = []

    def sign_ups(worker: int) -> None:
        api = API(server.url)
        n = 0
        while not stop.is_set():
            n += 1
            try:
                member = api.sign_up(name=f"バックアップ 会員{worker}-{n}", password="backup-password-123")
            except AssertionError as error:
                failures.append(str(error))
                return
            acknowledged.append((time.monotonic(), member))

    workers = [threading.Thread(target=sign_ups, args=(i,)) for i in range(3)]
    for worker in workers:
        worker.start()
    try:
        while len(acknowledged) < 30 and not failures:
            time.sleep(0.05)
        started = time.monotonic()
        backup = tmp_path / "tsunagari-backup.sqlite"
        result = run("backup", str(backup), *storage.args(), timeout=120)
        assert result.returncode == 0, f"backup exit {result.returncode}: {result.stderr}"
        assert "Backed up" in result.stdout, result.stdout
        # Writes go on after the backup: they need not be in it.
        count = len(acknowledged)
        while len(acknowledged) < count + 10 and not failures:
            time.sleep(0.05)
    finally:
        stop.set()
        for worker in workers:
            worker.join(30)
    assert not failures, failures[0]
    before = [member for when, member in acknowledged if when < started]
    assert len(before) >= 30

    # A second backup to the same path is refused and leaves the first as it was.
    size = backup.stat().st_size
    again = run("backup", str(backup), *storage.args(), timeout=60)
    assert again.returncode != 0 and "exists already" in again.stderr, again.stderr
    assert backup.stat().st_size == size

    server.kill()
    fresh = Storage("sqlite", data_dir=tmp_path / "restored")
    restored = run("restore", str(backup), *fresh.args(), timeout=120)
    assert restored.returncode == 0, f"restore exit {restored.returncode}: {restored.stderr}"
    assert run("restore", str(backup), *fresh.args(), timeout=60).returncode != 0, "a restore over a database needs --replace"

    copy = make_server(fresh)
    api = API(copy.url)
    for member in before:
        login = api.request("POST", "/sessions", {"email": member["email"], "password": member["password"]})
        assert login.status_code == 200, f"{member['email']}, acknowledged before the backup began: {describe(login)}"
    # The restored server's search index was built from the restored data (the searcher is not among the results).
    found = api.request("GET", "/search/people?q=バックアップ", token=login.json()["token"])
    assert found.status_code == 200 and found.json()["total"] >= len(before) - 1, describe(found)


def test_restore_refuses_what_is_not_a_backup(tmp_path):
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all")
    result = run("restore", str(junk), "--data-dir", str(tmp_path / "data"), timeout=30)
    assert result.returncode != 0 and "not an SQLite database" in result.stderr, result.stderr
    assert not (tmp_path / "data" / "tsunagari.sqlite").exists()
    unwritable = run("backup", "/proc/tsunagari.sqlite", "--data-dir", str(tmp_path / "data"), timeout=30)
    assert unwritable.returncode != 0 and unwritable.stderr.strip(), unwritable.stderr
    pg = run("backup", str(tmp_path / "x"), "--database-url", "postgres://nobody@127.0.0.1:1/none", timeout=30)
    assert pg.returncode != 0 and "pg_dump" in pg.stderr, pg.stderr


def test_metrics_and_json_logs_from_a_running_server(make_storage, make_server):
    storage = make_storage("sqlite")
    token = "e2e-metrics-token-0123456789"
    server = make_server(storage, "--metrics-token", token, "--log-format", "json")
    api = API(server.url)
    member = api.sign_up(name="計測 花子")
    assert api.request("GET", f"/members/{member['member']['id']}").status_code == 200
    assert requests.get(server.url + "/metrics", timeout=10).status_code == 401
    scraped = requests.get(server.url + "/metrics", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert scraped.status_code == 200, describe(scraped)
    assert 'http_route="/api/v1/members/{idOrHandle}"' in scraped.text
    assert member["member"]["id"] not in scraped.text
    # The change logs are being replayed: each was read to its end within the last few seconds.
    ages = {line.split('log="')[1].split('"')[0]: float(line.rsplit(" ", 1)[1])
            for line in scraped.text.splitlines() if line.startswith("tsunagari_change_log_age_seconds{")}
    assert set(ages) == {"graph", "search", "feed", "job"}, ages
    assert all(0 <= age < 5 for age in ages.values()), ages

    lines = [line for line in server.log_tail(200_000).splitlines() if line.startswith("{")]
    assert lines, server.log_tail()
    requests_logged = [json.loads(line) for line in lines if '"message":"request"' in line]
    assert any(entry.get("path") == "/api/v1/accounts" and entry.get("status") == "201" for entry in requests_logged), lines[-5:]
    assert all({"time", "level", "label", "message"} <= entry.keys() for entry in requests_logged)
    assert not any(member["token"] in line for line in lines), "a token reached the log"


# Where `--allocator auto` looks (MemoryAllocator.folders), the first that holds it.
JEMALLOC = next((f"{folder}/libjemalloc.so.2" for folder in (
    "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib")
    if Path(f"{folder}/libjemalloc.so.2").exists()), None)


def mapped_libraries(pid: int) -> str:
    with open(f"/proc/{pid}/maps") as maps:
        return maps.read()


def test_the_server_runs_with_jemalloc_when_it_is_installed_and_not_when_told(make_storage, make_server):
    """`serve` starts itself again with jemalloc preloaded (same process id), works, and says so; `system` keeps
    the C library's malloc."""
    if JEMALLOC is None:
        skip_or_fail("libjemalloc.so.2 is not installed (apt-get install libjemalloc2)")
    storage = make_storage("sqlite")
    server = make_server(storage)
    assert JEMALLOC in mapped_libraries(server.pid)
    assert f"allocator={JEMALLOC}" in server.log_tail(), server.log_excerpt()
    member = API(server.url).sign_up(name="配分 太郎")
    assert API(server.url, member["token"]).request("GET", "/me").status_code == 200

    plain = make_server(make_storage("sqlite"), "--allocator", "system")
    assert "libjemalloc" not in mapped_libraries(plain.pid)
    assert "allocator=the C library's malloc" in plain.log_tail(), plain.log_excerpt()


LIBDEFLATE = next((f"{folder}/libdeflate.so.0" for folder in (
    "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib")
    if Path(f"{folder}/libdeflate.so.0").exists()), None)


def test_pages_are_compressed_by_libdeflate_when_it_is_installed(make_storage, make_server):
    """With Debian's libdeflate0 the server compresses pages with it (mapped into the process, named in the log), and
    what it sends inflates in another implementation (Python's zlib) to the page a client asking for no compression
    gets."""
    if LIBDEFLATE is None:
        skip_or_fail("libdeflate.so.0 is not installed (apt-get install libdeflate0)")
    server = make_server(make_storage("sqlite"))
    assert "libdeflate.so.0" in mapped_libraries(server.pid)
    assert "gzip=libdeflate" in server.log_tail(), server.log_excerpt()
    token = re.compile(r'name="_csrf" value="[^"]*"')
    for path in ("/", "/login", "/signup"):
        compressed = requests.get(f"{server.url}{path}", headers={"Accept-Encoding": "gzip"}, stream=True)
        assert compressed.status_code == 200 and compressed.headers["Content-Encoding"] == "gzip", path
        raw = compressed.raw.read(decode_content=False)
        page = zlib.decompress(raw, wbits=31).decode()
        plain = requests.get(f"{server.url}{path}", headers={"Accept-Encoding": "identity"})
        assert "Content-Encoding" not in plain.headers and len(raw) < len(plain.content) / 2, path
        assert token.sub("", page) == token.sub("", plain.text), path


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_a_server_starts_serves_and_stops_without_a_warning(kind, make_storage, make_server):
    """Nothing for an operator to look into: no warning or error while a server starts (on PostgreSQL its client is
    running before the first lease), serves, and stops on SIGTERM (the live events' connection closed first, the
    database last, after every catch-up has ended)."""
    server = make_server(make_storage(kind))
    member = API(server.url).sign_up(name="静か 太郎")
    assert API(server.url, member["token"]).request("GET", "/me").status_code == 200
    assert server.terminate() == 0, server.log_excerpt()
    loud = [line for line in server.log_tail(200_000).splitlines()
            if any(f" {level} " in line for level in ("warning", "error", "critical"))]
    assert not loud, loud


def test_long_commands_report_progress(tmp_path):
    """`demo` tells how far it has come (a log line every few seconds off a terminal, and one as each phase ends),
    and so does a server's start-up as it builds its indexes."""
    result = run("demo", "--members", "300", "--data-dir", str(tmp_path / "data"), timeout=180)
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert re.search(r"members: 300 in [0-9.]+ (s|min)", output), output[-2000:]
    assert re.search(r"connections: [0-9,]+ in ", output), output[-2000:]
    assert "Wrote 300 sample members" in result.stdout


def test_operators_resolve_reports_from_the_command_line_while_the_server_runs(make_storage, make_server):
    storage = make_storage("sqlite")
    server = make_server(storage)
    author, reporter = API(server.url), API(server.url)
    author.sign_up(name="投稿 者")
    reporter.sign_up(name="通報 者")
    post = author.request("POST", "/posts", {"text": "コマンドラインで削除される投稿"})
    assert post.status_code == 201, describe(post)
    post_id = post.json()["id"]
    reported = reporter.request("POST", f"/posts/{post_id}/report", {"reason": "スパム"})
    assert reported.status_code < 300, describe(reported)

    listed = run("admin", "reports", *storage.args())
    assert listed.returncode == 0, listed.stderr
    assert "コマンドラインで削除される投稿" in listed.stdout and "スパム" in listed.stdout, listed.stdout
    report_id = listed.stdout.split()[0]

    assert run("admin", "resolve", report_id, "shred", *storage.args()).returncode != 0
    unknown = run("admin", "resolve", "no-such-report", "remove", *storage.args())
    assert unknown.returncode != 0 and unknown.stderr.strip(), unknown.stderr
    done = run("admin", "resolve", report_id, "remove", *storage.args())
    assert done.returncode == 0, done.stderr
    assert "Removed" in done.stdout, done.stdout
    again = run("admin", "resolve", report_id, "remove", *storage.args())
    assert again.returncode != 0 and "resolved already" in again.stderr, again.stderr

    # The running server no longer shows it (read from the database), and its feed index forgets it within a second.
    assert reporter.request("GET", f"/posts/{post_id}").status_code == 404
    deadline = time.monotonic() + 3
    while post_id in author.request("GET", f"/members/{author.request('GET', '/me').json()['id']}/posts").text:
        assert time.monotonic() < deadline, "the removed post is still listed"
        time.sleep(0.1)

    promoted = run("admin", "role", reporter.request("GET", "/me").json()["email"], "moderator", *storage.args())
    assert promoted.returncode == 0, promoted.stderr
    assert run("admin", "role", "nobody@example.test", "moderator", *storage.args()).returncode != 0
    assert run("admin", "role", "nobody@example.test", "king", *storage.args()).returncode != 0
    audit = run("admin", "audit", *storage.args())
    assert audit.returncode == 0, audit.stderr
    lines = audit.stdout.splitlines()
    assert "role.set" in lines[0] and "moderator" in lines[0], lines
    assert "report.removed" in lines[1] and "cli:" in lines[1], lines


def wait_until(check, what: str, seconds: float = 3.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def test_a_member_suspended_from_the_command_line_disappears_from_every_instance_and_comes_back(make_storage, make_server):
    """Two instances on one PostgreSQL database: `admin suspend` (a third process) ends the member's sessions at once and
    takes them out of both instances' search and graph within a second and a half; `admin restore` brings them back."""
    storage = make_storage("postgres")
    a, b = make_server(storage), make_server(storage)
    suspect, friend = API(a.url), API(a.url)
    suspect_data = suspect.sign_up(name="Quillon Suspendable")
    friend.sign_up(name="Friend Ofquillon")
    suspect_id, handle = suspect_data["member"]["id"], suspect_data["member"]["handle"]
    sent = suspect.request("POST", "/invitations", {"inviteeId": friend.request("GET", "/me").json()["id"]})
    assert sent.status_code == 201, describe(sent)
    assert friend.request("POST", f"/invitations/{sent.json()['id']}/accept").status_code < 300
    on_b = API(b.url, token=friend.token)

    def found(api: API) -> bool:
        return suspect_id in api.request("GET", "/search/people", params={"q": "Quillon"}).text

    def connected(api: API) -> bool:
        return suspect_id in api.request("GET", "/me/connections").text

    wait_until(lambda: found(friend) and found(on_b) and connected(on_b), "the new member is not on both instances")

    assert run("admin", "suspend", "nobody@example.test", "--reason", "x", *storage.args(), env=storage.env()).returncode != 0
    assert run("admin", "suspend", handle, *storage.args(), env=storage.env()).returncode != 0  # no reason
    done = run("admin", "suspend", "@" + handle, "--reason", "spam from the command line", *storage.args(), env=storage.env())
    assert done.returncode == 0, done.stderr
    assert suspect.request("GET", "/me").status_code == 401
    login = requests.post(
        f"{a.url}/api/v1/sessions", json={"email": suspect_data["email"], "password": suspect_data["password"]}, timeout=10)
    assert login.status_code == 403 and login.json()["error"]["code"] == "account_suspended", describe(login)
    for api in (friend, on_b):
        wait_until(lambda: not found(api) and not connected(api), "the suspended member is still shown")
        assert api.request("GET", f"/members/{suspect_id}").status_code == 404
    listed = run("admin", "suspended", *storage.args(), env=storage.env())
    assert "spam from the command line" in listed.stdout and handle in listed.stdout, listed.stdout
    again = run("admin", "suspend", suspect_id, "--reason", "again", *storage.args(), env=storage.env())
    assert again.returncode != 0 and "already" in again.stderr, again.stderr

    restored = run("admin", "restore", suspect_id, *storage.args(), env=storage.env())
    assert restored.returncode == 0, restored.stderr
    for api in (friend, on_b):
        wait_until(lambda: found(api) and connected(api), "the restored member is not back")
    audit = run("admin", "audit", *storage.args(), env=storage.env()).stdout.splitlines()
    assert "member.restore" in audit[0] and handle in audit[0], audit
    assert "member.suspend" in audit[1] and "spam from the command line" in audit[1], audit


def test_an_operator_hands_over_a_reset_link_when_the_site_sends_no_mail(make_storage, make_server):
    storage = make_storage("sqlite")
    server = make_server(storage)
    member = API(server.url)
    data = member.sign_up(name="Locked Out")
    assert run("admin", "reset-link", "nobody@example.test", *storage.args()).returncode != 0
    made = run("admin", "reset-link", data["email"], "--public-url", "https://tsunagari.example", *storage.args())
    assert made.returncode == 0, made.stderr
    found = re.search(r"https://tsunagari\.example/reset-password\?token=([A-Za-z0-9_-]+)", made.stdout)
    assert found, made.stdout
    done = requests.post(f"{server.url}/api/v1/password-resets/confirm", json={"token": found.group(1), "password": "a new passphrase 2026"}, timeout=10)
    assert done.status_code == 204, describe(done)
    assert member.request("GET", "/me").status_code == 401
    again = requests.post(f"{server.url}/api/v1/password-resets/confirm", json={"token": found.group(1), "password": "a third passphrase 2026"}, timeout=10)
    assert again.status_code == 404, describe(again)
    assert "member.reset-link" in run("admin", "audit", *storage.args()).stdout


def test_a_restart_loads_its_indexes_from_snapshots_and_what_changed_while_it_was_down(make_storage, make_server):
    """The server writes snapshots of its search and graph indexes; after a restart it loads them instead of reading
    every stored entry and connection, replays what changed while it was down (a suspension from the command line),
    and answers as before; a snapshot damaged on disk is refused and that index is built from storage."""
    storage = make_storage("sqlite")
    server = make_server(storage, "--index-snapshot-interval", "1")
    kept, gone, searcher = API(server.url), API(server.url), API(server.url)
    searcher.sign_up(name="検索 する人")
    kept_id = kept.sign_up(name="Snapshot Keeper")["member"]["id"]
    gone_handle = gone.sign_up(name="Snapshot Leaver")["member"]["handle"]
    sent = kept.request("POST", "/invitations", {"inviteeId": searcher.request("GET", "/me").json()["id"]})
    assert sent.status_code == 201, describe(sent)
    assert searcher.request("POST", f"/invitations/{sent.json()['id']}/accept").status_code < 300

    def snapshots() -> int:
        return server.log_tail(200_000).count("search index snapshot written")

    wait_until(lambda: snapshots() >= 1, "no snapshot was written", seconds=20)
    before = snapshots()
    assert kept.request("PATCH", "/me/profile", {"headline": "スナップショット エンジニア"}).status_code == 200
    wait_until(lambda: snapshots() > before, "no snapshot after the edit", seconds=20)
    server.terminate()

    done = run("admin", "suspend", "@" + gone_handle, "--reason", "while the server was down", *storage.args(), env=storage.env())
    assert done.returncode == 0, done.stderr
    again = make_server(storage, "--index-snapshot-interval", "1")
    assert "search index loaded from its snapshot" in again.log_tail(), again.log_tail()
    assert "graph index loaded from its snapshot" in again.log_tail(), again.log_tail()
    on_again = API(again.url, token=searcher.token)
    found = on_again.request("GET", "/search/people", params={"q": "スナップショット"})
    assert found.status_code == 200 and kept_id in found.text, describe(found)
    others = on_again.request("GET", "/search/people", params={"q": "Snapshot"}).text
    assert kept_id in others and "Leaver" not in others, others
    assert kept_id in on_again.request("GET", "/me/connections").text
    again.terminate()

    snapshot = storage.data_dir / "snapshots" / "search.snapshot"
    damaged = bytearray(snapshot.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    snapshot.write_bytes(bytes(damaged))
    third = make_server(storage, "--index-snapshot-interval", "1")
    log = third.log_tail()
    assert "search index filled from storage" in log and "checksum" in log, log
    assert "graph index loaded from its snapshot" in log, log  # only the search snapshot was damaged
    found = API(third.url, token=searcher.token).request("GET", "/search/people", params={"q": "スナップショット"})
    assert found.status_code == 200 and kept_id in found.text, describe(found)
