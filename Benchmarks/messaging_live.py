#!/usr/bin/env python3
"""Live delivery between instances, measured on real server processes (docs/BENCHMARKS.md "Messaging").

Starts two instances of `tsunagari serve` on one PostgreSQL database (a database made for the run and
dropped after it), then:

1. Delivery across instances: Ann posts messages to instance A one at a time; Ben holds an event stream on
   instance B. For each message: the time from sending the POST to the `message` event arriving on B's stream,
   beside the baseline of the same POST's own answer time, and the same delivery to a stream on A itself.
2. Idle streams: opens N event streams (default 10,000) to instance B and holds them; the resident memory of B
   before and after gives the memory per stream. A message then still arrives on one of them.

    python3 Benchmarks/messaging_live.py --database-url postgres://postgres@127.0.0.1:5432/postgres \
        [--bin .build-release/release/tsunagari] [--messages 1000] [--streams 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.4999)) - 1))
    return ordered[index]


def psql(url: str, sql: str) -> None:
    subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql], check=True, capture_output=True)


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


class Instance:
    def __init__(self, binary: str, database_url: str, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log, "wb")
        self.process = subprocess.Popen(
            [binary, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--rate-limits", "relaxed",
             "--database-url", database_url, "--log-level", "warning"],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        raise SystemExit(f"instance on {self.port} did not start; see {log}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def api(base: str, method: str, path: str, token: str | None = None, body=None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.request(method, base + "/api/v1" + path, json=body, headers=headers, timeout=30)


class Stream:
    """An event stream read on a thread; arrival times of `message` events by message id."""

    def __init__(self, base: str, token: str):
        self.arrivals: dict[str, float] = {}
        self.ready = threading.Event()
        self.response = requests.get(base + "/api/v1/events", headers={"Authorization": f"Bearer {token}"}, stream=True, timeout=(5, 600))
        threading.Thread(target=self.read, daemon=True).start()
        if not self.ready.wait(10):
            raise SystemExit("the event stream sent nothing")

    def read(self) -> None:
        event: dict[str, str] = {}
        try:
            for line in self.response.iter_lines(decode_unicode=True):
                if line:
                    name, _, value = line.partition(": ")
                    event[name] = value
                    continue
                if event.get("event") == "message":
                    self.arrivals[json.loads(event["data"])["id"]] = time.perf_counter()
                self.ready.set()
                event = {}
        except Exception:
            pass


def wait_for(stream: Stream, message_id: str, timeout: float = 5) -> float:
    deadline = time.perf_counter() + timeout
    while message_id not in stream.arrivals:
        if time.perf_counter() > deadline:
            raise SystemExit(f"message {message_id} never arrived")
        time.sleep(0.0005)
    return stream.arrivals[message_id]


def delivery(a: Instance, b: Instance, messages: int) -> None:
    ann = api(a.url, "POST", "/accounts", body={"email": f"ann-{secrets.token_hex(4)}@example.test", "password": PASSWORD, "name": "Ann"}).json()
    ben = api(a.url, "POST", "/accounts", body={"email": f"ben-{secrets.token_hex(4)}@example.test", "password": PASSWORD, "name": "Ben"}).json()
    invitation = api(a.url, "POST", "/invitations", ann["token"], {"inviteeId": ben["member"]["id"]}).json()
    api(a.url, "POST", f"/invitations/{invitation['id']}/accept", ben["token"])
    conversation = api(a.url, "POST", "/conversations", ann["token"], {"participantIds": [ben["member"]["id"]], "text": "warm-up"}).json()["id"]
    on_b, on_a = Stream(b.url, ben["token"]), Stream(a.url, ben["token"])
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {ann['token']}"
    across, local, answers = [], [], []
    for index in range(messages):
        sent = time.perf_counter()
        reply = session.post(f"{a.url}/api/v1/conversations/{conversation}/messages", json={"text": f"メッセージ {index}"}, timeout=10)
        answered = time.perf_counter()
        if reply.status_code != 201:
            raise SystemExit(f"POST answered {reply.status_code}: {reply.text[:200]}")
        message_id = reply.json()["id"]
        across.append((wait_for(on_b, message_id) - sent) * 1000)
        local.append((wait_for(on_a, message_id) - sent) * 1000)
        answers.append((answered - sent) * 1000)
    print(f"Delivery of {messages} messages, one at a time (milliseconds from sending the POST):")
    print("| what | median | p90 | p99 | max |")
    print("|---|---|---|---|---|")
    for label, values in (
        ("baseline: the POST's own answer (on A)", answers),
        ("`message` event on a stream held by the same instance (A)", local),
        ("`message` event on a stream held by another instance (B)", across),
    ):
        print(f"| {label} | {statistics.median(values):.1f} | {percentile(values, 90):.1f} | {percentile(values, 99):.1f} | {max(values):.1f} |")
    print()


async def hold_streams(b: Instance, token: str, count: int) -> list:
    """Opens `count` streams (64 at a time) and waits for each one's first event."""
    connections = []
    request = (f"GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
               "Accept: text/event-stream\r\n\r\n").encode()
    semaphore = asyncio.Semaphore(64)

    async def open_one():
        async with semaphore:
            reader, writer = await asyncio.open_connection("127.0.0.1", b.port, limit=2 ** 16)
            writer.write(request)
            await writer.drain()
            received = b""
            while b"event: unread" not in received:
                chunk = await asyncio.wait_for(reader.read(4096), 30)
                if not chunk:
                    raise RuntimeError("a stream closed at once")
                received += chunk
            connections.append((reader, writer))

    await asyncio.gather(*(open_one() for _ in range(count)))
    return connections


def idle_streams(b: Instance, count: int) -> None:
    member = api(b.url, "POST", "/accounts", body={"email": f"idle-{secrets.token_hex(4)}@example.test", "password": PASSWORD, "name": "Idle"}).json()
    time.sleep(1)
    before = rss_bytes(b.process.pid)
    loop = asyncio.new_event_loop()
    started = time.monotonic()
    connections = loop.run_until_complete(hold_streams(b, member["token"], count))
    opened = time.monotonic() - started
    time.sleep(2)
    after = rss_bytes(b.process.pid)
    health = []
    for _ in range(20):
        t = time.perf_counter()
        requests.get(b.url + "/healthz", timeout=10)
        health.append((time.perf_counter() - t) * 1000)
    print(f"Idle event streams held by one instance: {len(connections):,} opened in {opened:.1f} s")
    print("| what | value |")
    print("|---|---|")
    print(f"| resident memory before | {before / 1048576:.1f} MB |")
    print(f"| resident memory with the streams open | {after / 1048576:.1f} MB |")
    print(f"| memory per stream | {(after - before) / max(1, len(connections)) / 1024:.1f} KB |")
    print(f"| GET /healthz while they are open, median | {statistics.median(health):.1f} ms |")
    for _, writer in connections:
        writer.close()
    loop.run_until_complete(asyncio.sleep(0.5))
    loop.close()
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="postgres://… of a server where a database may be created and dropped")
    parser.add_argument("--bin", default=str(ROOT / ".build-release" / "release" / "tsunagari"))
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--streams", type=int, default=10_000)
    options = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = options.streams * 2 + 1000
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(max(wanted, soft), hard if hard > 0 else wanted), hard))

    name = "bench_live_" + secrets.token_hex(4)
    psql(options.database_url, f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'")
    parts = urllib.parse.urlsplit(options.database_url)
    database_url = urllib.parse.urlunsplit(parts._replace(path="/" + name))
    logs = Path(tempfile.mkdtemp(prefix="tsunagari-live-bench-"))
    instances = []
    try:
        a = Instance(options.bin, database_url, logs / "a.log")
        instances.append(a)
        b = Instance(options.bin, database_url, logs / "b.log")
        instances.append(b)
        print(f"Two instances on one PostgreSQL database ({name}); {os.cpu_count()} cores; logs in {logs}\n")
        delivery(a, b, options.messages)
        if options.streams > 0:
            idle_streams(b, options.streams)
    finally:
        for instance in instances:
            instance.stop()
        psql(options.database_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    sys.exit(main())
