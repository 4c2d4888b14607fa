#!/usr/bin/env python3
"""What one open connection costs a server, in resident memory (docs/BENCHMARKS.md "Messaging").

Starts a fresh server (Tsunagari on SQLite in a temporary folder, or the bare Hummingbird baseline), opens N
connections 64 at a time and holds them, and prints the growth of the server's resident memory per connection:

    tcp        accepted, nothing sent
    keepalive  one GET answered, then idle (GET /healthz; GET /json on the bare server)
    sse        an event stream (GET /api/v1/events), its first event received

    python3 Benchmarks/connection_memory.py --kind sse [--connections 3000] [--bin .build-release/release/tsunagari]
    python3 Benchmarks/connection_memory.py --kind keepalive --bare
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import secrets
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


async def hold(port: int, kind: str, count: int, request: bytes, until: bytes) -> list:
    connections = []
    gate = asyncio.Semaphore(64)

    async def one():
        async with gate:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            if kind != "tcp":
                writer.write(request)
                await writer.drain()
                received = b""
                while until not in received:
                    chunk = await asyncio.wait_for(reader.read(4096), 30)
                    if not chunk:
                        raise RuntimeError("the server closed a connection")
                    received += chunk
            connections.append((reader, writer))

    await asyncio.gather(*(one() for _ in range(count)))
    return connections


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kind", choices=["tcp", "keepalive", "sse"], required=True)
    parser.add_argument("--connections", type=int, default=3000)
    parser.add_argument("--bare", action="store_true", help="the bare Hummingbird server instead of Tsunagari")
    parser.add_argument("--bin", default=str(ROOT / ".build-release" / "release" / "tsunagari"))
    options = parser.parse_args()
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    if options.bare:
        command = [options.bin, "bench", "bare-server", "--port", str(port)]
        ready, path = "/json", "/json"
    else:
        data = tempfile.mkdtemp(prefix="tsunagari-connection-memory-")
        command = [options.bin, "serve", "--port", str(port), "--data-dir", data, "--rate-limits", "relaxed", "--log-level", "warning"]
        ready, path = "/healthz", "/healthz"
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                if requests.get(base + ready, timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        request, until = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode(), b"\r\n\r\n"
        if options.kind == "sse":
            if options.bare:
                raise SystemExit("the bare server has no event stream")
            member = requests.post(base + "/api/v1/accounts", json={
                "email": f"m-{secrets.token_hex(4)}@example.test", "password": "correct horse battery", "name": "M"}).json()
            request = (f"GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {member['token']}\r\n"
                       "\r\n").encode()
            until = b"event: unread"
        time.sleep(1)
        before = rss(server.pid)
        loop = asyncio.new_event_loop()
        connections = loop.run_until_complete(hold(port, options.kind, options.connections, request, until))
        time.sleep(2)
        after = rss(server.pid)
        label = "bare Hummingbird" if options.bare else "Tsunagari"
        print(f"{label}, {options.kind}: {len(connections):,} connections, {(after - before) / len(connections) / 1024:.1f} KB each "
              f"({before / 1048576:.1f} MB before, {after / 1048576:.1f} MB with them open)")
        for _, writer in connections:
            writer.close()
        loop.close()
    finally:
        server.terminate()
        server.wait(15)


if __name__ == "__main__":
    main()
