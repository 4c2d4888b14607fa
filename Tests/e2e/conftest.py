"""Fixtures for the end-to-end tests: real `tsunagari serve` processes on free ports, each on a fresh
SQLite data folder or a fresh PostgreSQL database.

Environment:
  TSUNAGARI_BIN                 the server binary (default: .build/debug/tsunagari)
  TSUNAGARI_TEST_DATABASE_URL   a PostgreSQL server where the tests may create databases
                                (`scripts/pg-start` prints one); without it PostgreSQL cases skip
  CI=true                       a missing PostgreSQL, Chromium or chromedriver fails instead of skipping
"""

from __future__ import annotations

import secrets

import pytest

from support import Server, Storage, postgres_url, psql, with_database


@pytest.fixture
def make_storage(tmp_path_factory):
    """make_storage("sqlite" | "postgres") -> a fresh, empty Storage; PostgreSQL databases are dropped afterwards."""
    created: list[tuple[str, str]] = []

    def make(kind: str) -> Storage:
        if kind == "sqlite":
            return Storage("sqlite", data_dir=tmp_path_factory.mktemp("data"))
        base = postgres_url()
        name = "e2e_" + secrets.token_hex(6)
        psql(base, f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'")
        created.append((base, name))
        return Storage("postgres", database_url=with_database(base, name))

    yield make
    for base, name in created:
        try:
            psql(base, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        except Exception as error:  # a leftover database in a throwaway cluster is harmless
            print(f"could not drop {name}: {error}")


@pytest.fixture(params=["sqlite", "postgres"])
def storage(request, make_storage) -> Storage:
    """Each test using this runs once on SQLite and once on PostgreSQL."""
    return make_storage(request.param)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """When a test fails, its servers' logs go into the report next to the captured output."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)  # fixtures read item.rep_call to keep evidence of a failure
    if report.when != "call" or not report.failed:
        return
    servers = list(getattr(item, "tsunagari_servers", []))
    servers += [value for value in getattr(item, "funcargs", {}).values() if isinstance(value, Server)]
    for server in dict.fromkeys(servers):
        report.sections.append((f"server log {server.log_path.name} ({server.storage.kind})", server.log_excerpt()))


@pytest.fixture
def make_server(request, tmp_path):
    """make_server(storage, *extra_args, env={...}) -> a running Server; all are stopped at teardown."""
    servers: list[Server] = []
    request.node.tsunagari_servers = servers

    def make(storage: Storage, *extra_args: str, env: dict[str, str] | None = None) -> Server:
        server = Server(storage, tmp_path / f"server-{len(servers)}.log", list(extra_args), env or {})
        servers.append(server)
        return server.start()

    yield make
    for server in servers:
        server.terminate()
