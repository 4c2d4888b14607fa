"""Three instances behind nginx on one PostgreSQL, started by scripts/cluster as an operator would (the operation row of
PRODUCT.md: several app instances behind a load balancer share one PostgreSQL).

- A change made through one instance (a headline found by search, a connection's degree, a message on an event stream)
  is seen through every other instance within a second.
- Under a mixed load through nginx (sign-ups, invitations and accepts, profile edits, messages, searches), one
  instance is killed with SIGKILL: reads through nginx keep succeeding, and every write the site acknowledged is found
  afterwards through each remaining instance. An event stream that nginx had sent to the killed instance reconnects
  through nginx with Last-Event-ID, lands on another instance, and receives what was sent meanwhile, once.
- PostgreSQL is restarted under the running instances: they answer again within seconds without a restart, and
  writes made afterwards reach every instance (change-log replay and LISTEN/NOTIFY both recover).

The cluster has its own PostgreSQL (scripts/pg-start, via scripts/cluster), never the shared one of
TSUNAGARI_TEST_DATABASE_URL, since it is restarted. With CI=true a missing PostgreSQL or nginx is a failure; otherwise
these tests skip with a warning. The tests share one cluster and run in order (the kill leaves two instances)."""

from __future__ import annotations

import json
import os
import queue
import re
import secrets
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from support import ROOT, API, Server, Storage, binary, clean_environment, describe, skip_or_fail

CLUSTER = ROOT / "scripts" / "cluster"
PASSWORD = "cluster-password-1"
METRICS_TOKEN = "cluster-metrics-" + secrets.token_hex(8)
SEEN_WITHIN = 1.0  # seconds: what another instance may take to show a change (replay every 250 ms)
RECOVERY = 15.0  # seconds: how long the instances may take to answer again after PostgreSQL restarts


# MARK: The cluster


@dataclass
class Instance:
    index: int
    url: str
    pid: int
    log_path: Path
    killed: bool = False

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        self.killed = True

    def streams_open(self) -> int:
        response = requests.get(self.url + "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=5)
        assert response.status_code == 200, describe(response)
        match = re.search(r"^tsunagari_event_streams_open(?:\{[^}]*\})? ([0-9.e+]+)$", response.text, re.M)
        assert match, "tsunagari_event_streams_open missing from /metrics"
        return int(float(match.group(1)))


@dataclass
class Cluster:
    url: str  # nginx
    folder: Path
    database_url: str
    pg_dir: Path
    instances: list[Instance]
    failed: bool = False

    @property
    def alive(self) -> list[Instance]:
        return [i for i in self.instances if not i.killed]


def nginx_available() -> bool:
    return bool(shutil.which("nginx") or os.access("/usr/sbin/nginx", os.X_OK))


@pytest.fixture(scope="module")
def cluster():
    if not nginx_available():
        skip_or_fail("nginx is not installed (apt-get install nginx), so several instances behind it cannot be tested")
    if subprocess.run([str(ROOT / "scripts" / "pg-start"), "--check"], capture_output=True).returncode != 0:
        skip_or_fail("PostgreSQL server binaries (initdb, pg_ctl) are not installed, so the cluster has no database")
    env = clean_environment({"TSUNAGARI_BIN": str(binary()), "CLUSTER_READY_TIMEOUT": "120"})
    started = subprocess.run(
        [str(CLUSTER), "start", "--instances", "3", "--",
         "--rate-limits", "relaxed", "--bcrypt-cost", "12", "--metrics-token", METRICS_TOKEN, "--heartbeat-interval", "2"],
        capture_output=True, text=True, env=env, timeout=240)
    assert started.returncode == 0, f"scripts/cluster start failed:\n{started.stderr}"
    values = dict(re.findall(r"^export (\w+)='?([^'\n]*)'?$", started.stdout, re.M))
    folder = Path(values["CLUSTER_DIR"])
    urls, pids = values["CLUSTER_INSTANCE_URLS"].split(), [int(p) for p in values["CLUSTER_INSTANCE_PIDS"].split()]
    state = Cluster(
        url=values["CLUSTER_URL"], folder=folder, database_url=values["CLUSTER_DATABASE_URL"], pg_dir=Path(values["CLUSTER_PG_DIR"]),
        instances=[Instance(n, url, pid, folder / f"instance-{n + 1}.log") for n, (url, pid) in enumerate(zip(urls, pids))])
    assert len(state.instances) == 3 and requests.get(state.url + "/healthz", timeout=5).status_code == 200
    yield state
    # On a failure the folder (every instance's log, nginx's logs and configuration) is kept for a look.
    stop = subprocess.run([str(CLUSTER), "stop", *(["--keep"] if state.failed else []), str(folder)],
                          capture_output=True, text=True, env=env, timeout=120)
    print(stop.stderr)
    if state.failed:
        print(f"cluster logs kept in {folder}")


@pytest.fixture
def running(request, cluster):
    """The cluster, with its instances' logs in the report of a failed test (conftest's hook reads them)."""
    request.node.tsunagari_servers = [
        Server(Storage("postgres", database_url=cluster.database_url), i.log_path) for i in cluster.instances]
    yield cluster
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        cluster.failed = True


# MARK: Helpers


def sign_up(base: str, name: str) -> dict:
    """{id, handle, token, email} of a new member, through `base`."""
    data = API(base).sign_up(name=name, password=PASSWORD)
    return {**data["member"], "token": data["token"], "email": data["email"]}


def on(base: str, member: dict) -> API:
    return API(base, token=member["token"])


def connect(base: str, inviter: dict, invitee: dict, settle: list[Instance] = ()) -> None:
    """An invitation accepted through `base`; then waits until each instance of `settle` knows the connection.
    Writing to a new connection checks the instance's graph index, which hears of a connection made through another
    instance only with its next replay: a message sent through nginx right after an accept may land on an instance
    that does not know it yet (403 not_connected)."""
    invitation = on(base, inviter).request("POST", "/invitations", {"inviteeId": invitee["id"]})
    assert invitation.status_code == 201, describe(invitation)
    accept = on(base, invitee).request("POST", f"/invitations/{invitation.json()['id']}/accept")
    accepted = time.monotonic()
    assert accept.status_code == 200, describe(accept)
    for instance in settle:
        wait_until(lambda: degree(instance.url, inviter, invitee["id"]) == 1, SEEN_WITHIN,
                   f"the connection on instance {instance.index}", since=accepted)


def wait_until(check, limit: float, what: str, since: float | None = None) -> float:
    """Polls `check()` until it is true; the seconds from `since` (default now) until it was. Fails after `limit`."""
    since = time.monotonic() if since is None else since
    while True:
        if check():
            return time.monotonic() - since
        if time.monotonic() - since > limit:
            raise AssertionError(f"{what}: not within {limit} s")
        time.sleep(0.02)


def found_by_search(base: str, viewer: dict, query: str, member_id: str) -> bool:
    response = on(base, viewer).request("GET", "/search/people", params={"q": query})
    assert response.status_code == 200, describe(response)
    return member_id in [item["member"]["id"] for item in response.json()["items"]]


def degree(base: str, viewer: dict, member_id: str):
    response = on(base, viewer).request("GET", f"/members/{member_id}")
    assert response.status_code == 200, describe(response)
    return response.json()["degree"]


class Stream:
    """An event stream (GET /api/v1/events) read on a thread. With `follow`, a stream that ends (its instance died)
    is opened again through the same address after `pause` seconds, with Last-Event-ID: the last id it received."""

    def __init__(self, base: str, member: dict, follow: bool = False, pause: float = 0.5, last_event_id: str | None = None):
        self.base, self.token, self.follow, self.pause = base, member["token"], follow, pause
        self.events: list[dict] = []  # every event of every connection, in order
        self.arrived: queue.Queue = queue.Queue()
        self.last_id = last_event_id
        self.reconnects: list[dict] = []  # {ended, reopened, status}
        self.opened = threading.Event()
        self.stopping = threading.Event()
        self.response: requests.Response | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        assert self.opened.wait(10), f"the event stream on {base} did not open"

    def _open(self) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "text/event-stream"}
        if self.last_id:
            headers["Last-Event-ID"] = self.last_id
        return requests.get(self.base + "/api/v1/events", headers=headers, stream=True, timeout=(5, 30))

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.response = self._open()
            except requests.RequestException as error:
                self.reconnects.append({"error": repr(error), "at": time.monotonic()})
                time.sleep(self.pause)
                continue
            if self.reconnects and "reopened" not in self.reconnects[-1]:
                self.reconnects[-1].update(reopened=time.monotonic(), status=self.response.status_code)
            self.opened.set()
            self._read(self.response)
            if self.stopping.is_set() or not self.follow:
                return
            self.reconnects.append({"ended": time.monotonic()})
            time.sleep(self.pause)

    def _read(self, response: requests.Response) -> None:
        event: dict = {}
        try:
            for raw in response.iter_lines(decode_unicode=True):
                line = raw or ""
                if line == "":
                    if "event" in event:
                        event["at"] = time.monotonic()
                        if "id" in event:
                            self.last_id = event["id"]
                        self.events.append(event)
                        self.arrived.put(event)
                    event = {}
                elif not line.startswith(":") and ":" in line:
                    name, _, value = line.partition(":")
                    event[name] = value[1:] if value.startswith(" ") else value
        except (requests.RequestException, ValueError, AttributeError, OSError):
            pass

    def messages(self) -> list[dict]:
        return [json.loads(e["data"]) for e in list(self.events) if e.get("event") == "message"]

    def wait_message(self, text: str, limit: float, since: float) -> float:
        """Seconds from `since` until a message event with `text` had arrived; fails after `limit`."""
        while True:
            for event in list(self.events):
                if event.get("event") == "message" and json.loads(event["data"])["text"] == text:
                    return event["at"] - since
            if time.monotonic() - since > limit:
                raise AssertionError(f"message {text!r} did not arrive on the stream at {self.base} within {limit} s")
            try:
                self.arrived.get(timeout=0.05)
            except queue.Empty:
                pass

    def unread_after(self, kind: str, key: str, value: str, limit: float, since: float) -> dict:
        """The `unread` event that follows the first `kind` event whose `key` is `value` (the stream counts again after
        each message): its data. Fails after `limit` seconds."""
        while True:
            events = list(self.events)
            for index, event in enumerate(events):
                if event.get("event") == kind and json.loads(event["data"]).get(key) == value:
                    later = [e for e in events[index + 1:] if e.get("event") == "unread"]
                    if later:
                        return json.loads(later[0]["data"])
            if time.monotonic() - since > limit:
                raise AssertionError(f"no unread count after the {kind} {value!r} on the stream at {self.base} within {limit} s")
            try:
                self.arrived.get(timeout=0.05)
            except queue.Empty:
                pass

    def close(self) -> None:
        self.stopping.set()
        if self.response is not None:
            self.response.close()


# MARK: 1. Every instance sees a change made through another


def test_a_change_made_through_one_instance_is_seen_through_every_other_within_a_second(running):
    cluster = running
    instances = cluster.alive
    ann, ben, chika, dai = (sign_up(cluster.url, name) for name in ("相川 アン", "坂本 ベン", "千葉 千佳", "大和 大"))
    timings: dict[str, list[float]] = {"search": [], "degree": [], "message": []}

    # A headline edited directly on one instance is found by search on each of the others.
    for source in instances:
        word = f"量子{source.index}化学{secrets.token_hex(3)}"
        edit = on(source.url, ann).request("PATCH", "/me/profile", {"headline": f"{word} の研究者"})
        edited = time.monotonic()
        assert edit.status_code == 200, describe(edit)
        for other in instances:
            if other is not source:
                timings["search"].append(wait_until(
                    lambda: found_by_search(other.url, ben, word, ann["id"]), SEEN_WITHIN,
                    f"a headline edited on instance {source.index} found by search on instance {other.index}", since=edited))

    # A connection made on one instance (invited on the first, accepted on the second) gives degree 1 on the third
    # and degree 2 to a connection of one of them.
    first, second, third = instances
    connect(first.url, chika, dai)
    invitation = on(first.url, ann).request("POST", "/invitations", {"inviteeId": ben["id"]})
    assert invitation.status_code == 201, describe(invitation)
    accept = on(second.url, ben).request("POST", f"/invitations/{invitation.json()['id']}/accept")
    accepted = time.monotonic()
    assert accept.status_code == 200, describe(accept)
    for instance in (first, third):
        timings["degree"].append(wait_until(
            lambda: degree(instance.url, ann, ben["id"]) == 1, SEEN_WITHIN,
            f"ann–ben accepted on instance {second.index}: degree 1 on instance {instance.index}", since=accepted))
    connect(third.url, ben, chika)
    linked = time.monotonic()
    for instance in (first, second):
        timings["degree"].append(wait_until(
            lambda: degree(instance.url, ann, chika["id"]) == 2 and degree(instance.url, ann, dai["id"]) == 3, SEEN_WITHIN,
            f"ben–chika connected on instance {third.index}: degrees 2 and 3 on instance {instance.index}", since=linked))

    # A message sent through one instance arrives on event streams held by each of the others.
    streams = {instance.index: Stream(instance.url, ben) for instance in instances}
    try:
        conversation = None
        for source in instances:
            text = f"こんにちは from {source.index} {secrets.token_hex(3)}"
            if conversation is None:
                sent = on(source.url, ann).request("POST", "/conversations", {"participantIds": [ben["id"]], "text": text})
                conversation = sent.json().get("id")
            else:
                sent = on(source.url, ann).request("POST", f"/conversations/{conversation}/messages", {"text": text})
            at = time.monotonic()
            assert sent.status_code == 201, describe(sent)
            for instance in instances:
                if instance is not source:
                    timings["message"].append(streams[instance.index].wait_message(text, SEEN_WITHIN, since=at))
            # Every stream counts the conversation unread after the message, whichever instance holds it: each has
            # counted it read before (the unread counts are held in memory, and their triggers notify no instance).
            message_id = sent.json()["id"] if "lastMessage" not in sent.json() else sent.json()["lastMessage"]["id"]
            for instance in instances:
                counts = streams[instance.index].unread_after("message", "id", message_id, SEEN_WITHIN, since=at)
                assert counts["messages"] == 1, f"instance {instance.index} counted {counts} after message {text!r} from {source.index}"
            # Read through the next instance: every stream counts none.
            reader = instances[(instances.index(source) + 1) % len(instances)]
            read = on(reader.url, ben).request("POST", f"/conversations/{conversation}/read", {"upTo": message_id})
            assert read.status_code == 204, describe(read)
            for instance in instances:
                wait_until(
                    lambda: any(e.get("event") == "unread" and json.loads(e["data"])["messages"] == 0 and e["at"] > at
                                for e in list(streams[instance.index].events)),
                    SEEN_WITHIN, f"read on instance {reader.index}: no unread conversation counted on instance {instance.index}")
    finally:
        for stream in streams.values():
            stream.close()
    print("seen on another instance after (s): " + ", ".join(
        f"{kind} max {max(values):.3f} over {len(values)}" for kind, values in timings.items()))


def test_what_instances_keep_in_memory_follows_a_change_made_through_another(running):
    """Each instance keeps sessions, profiles and people's cards in memory (MemberCache). A logout, a tightened
    visibility, a block and a new name, each made through one instance, are seen through every other within a second,
    after each other instance has just answered from memory."""
    cluster = running
    instances = cluster.alive
    eri, fumi, gen = (sign_up(cluster.url, name) for name in ("江藤 絵里", "藤井 文", "玄田 玄"))
    connect(cluster.url, eri, gen, settle=instances)
    second_session = API(cluster.url).request("POST", "/sessions", {"email": eri["email"], "password": PASSWORD})
    assert second_session.status_code == 200, describe(second_session)
    other_token = {**eri, "token": second_session.json()["token"]}
    first, *others = instances

    def status(base: str, member: dict, path: str) -> int:
        return on(base, member).request("GET", path).status_code

    def connection_names(base: str, member: dict) -> list[str]:
        response = on(base, member).request("GET", "/me/connections")
        assert response.status_code == 200, describe(response)
        return [item["member"]["name"] for item in response.json()["items"]]

    # Every instance answers once, so each holds the sessions, the profiles and the cards.
    for instance in instances:
        assert status(instance.url, eri, "/me") == 200
        assert status(instance.url, other_token, "/me") == 200
        assert status(instance.url, fumi, f"/members/{eri['id']}") == 200
        assert status(instance.url, gen, f"/members/{fumi['id']}") == 200
        assert connection_names(instance.url, gen) == ["江藤 絵里"]

    # Logging out through the first instance: the token fails on the others; the member's other session does not.
    assert on(first.url, eri).request("DELETE", "/sessions/current").status_code == 204
    at = time.monotonic()
    for instance in others:
        wait_until(lambda: status(instance.url, eri, "/me") == 401, SEEN_WITHIN,
                   f"a logout on instance {first.index} on instance {instance.index}", since=at)
        assert status(instance.url, other_token, "/me") == 200
    eri = other_token

    def access(base: str, member: dict, other: dict) -> str:
        response = on(base, member).request("GET", f"/members/{other['id']}")
        assert response.status_code == 200, describe(response)
        return response.json()["access"]

    # Profile visible to connections only: fumi (not connected) sees only the name and headline anywhere.
    for instance in instances:
        assert access(instance.url, fumi, eri) == "full"
    assert on(first.url, eri).request("PATCH", "/me/settings", {"profileVisibility": "connections"}).status_code == 200
    at = time.monotonic()
    for instance in others:
        wait_until(lambda: access(instance.url, fumi, eri) == "limited", SEEN_WITHIN,
                   f"a narrowed visibility set on instance {first.index} on instance {instance.index}", since=at)

    # A block: the blocked member no longer finds the blocker anywhere.
    assert on(first.url, fumi).request("PUT", f"/members/{gen['id']}/block").status_code == 204
    at = time.monotonic()
    for instance in others:
        wait_until(lambda: status(instance.url, gen, f"/members/{fumi['id']}") == 404, SEEN_WITHIN,
                   f"a block on instance {first.index} on instance {instance.index}", since=at)

    # A new name reaches the connection lists every instance draws from its cards.
    assert on(first.url, eri).request("PATCH", "/me/profile", {"name": "江藤 恵理"}).status_code == 200
    at = time.monotonic()
    for instance in others:
        wait_until(lambda: connection_names(instance.url, gen) == ["江藤 恵理"], SEEN_WITHIN,
                   f"a new name set on instance {first.index} in a connection list on instance {instance.index}", since=at)

    # A dismissed suggestion: hana (a connection of gen's, as eri is) is suggested to eri by every instance, which
    # then holds eri's dismissals; dismissed through the first, she is gone from every other's list.
    hana = sign_up(cluster.url, "花田 花")
    connect(cluster.url, hana, gen, settle=instances)

    def suggested(base: str) -> list[str]:
        response = on(base, eri).request("GET", "/network/suggestions")
        assert response.status_code == 200, describe(response)
        return [item["member"]["id"] for item in response.json()["items"]]

    for instance in instances:
        wait_until(lambda: hana["id"] in suggested(instance.url), SEEN_WITHIN,
                   f"a new connection's suggestion on instance {instance.index}", since=time.monotonic())
    assert on(first.url, eri).request("DELETE", f"/network/suggestions/{hana['id']}").status_code == 204
    assert hana["id"] not in suggested(first.url)
    at = time.monotonic()
    for instance in others:
        wait_until(lambda: hana["id"] not in suggested(instance.url), SEEN_WITHIN,
                   f"a dismissal on instance {first.index} on instance {instance.index}", since=at)

    # A profile's activity (its first page is held in memory): every instance shows gen's post and then gen's
    # reaction on it; deleted through the first instance, it is gone from every other.
    def activity(base: str, author: dict, viewer: dict) -> list[tuple[str, str | None]]:
        response = on(base, viewer).request("GET", f"/members/{author['id']}/posts", params={"limit": 3})
        assert response.status_code == 200, describe(response)
        return [(item["id"], item.get("viewerReaction")) for item in response.json()["items"]]

    posted = on(first.url, eri).request("POST", "/posts", {"text": "クラスタからの投稿", "visibility": "public"})
    assert posted.status_code == 201, describe(posted)
    post_id = posted.json()["id"]
    at = time.monotonic()
    for instance in instances:
        wait_until(lambda: activity(instance.url, eri, gen) == [(post_id, None)], SEEN_WITHIN,
                   f"a new post on instance {first.index} in its author's activity on instance {instance.index}", since=at)
    assert on(first.url, gen).request("PUT", f"/posts/{post_id}/reaction", {"type": "like"}).status_code == 200
    at = time.monotonic()
    for instance in others:
        wait_until(lambda: activity(instance.url, eri, gen) == [(post_id, "like")], SEEN_WITHIN,
                   f"a reaction on instance {first.index} in the activity on instance {instance.index}", since=at)
    assert on(first.url, eri).request("DELETE", f"/posts/{post_id}").status_code == 204
    assert activity(first.url, eri, gen) == []
    at = time.monotonic()
    for instance in others:
        wait_until(lambda: activity(instance.url, eri, gen) == [], SEEN_WITHIN,
                   f"a deleted post on instance {first.index} in the activity on instance {instance.index}", since=at)


# MARK: 2. kill -9 of one instance under load


NON_IDEMPOTENT = {"POST", "PATCH"}


@dataclass
class Load:
    """What the load did: every acknowledged write, and every request that needed a retry or failed."""

    base: str
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: int = 0
    retried: list[str] = field(default_factory=list)  # non-idempotent requests re-sent after a connection error
    failures: list[str] = field(default_factory=list)  # anything else that was not a success
    sign_ups: list[dict] = field(default_factory=list)  # acknowledged
    sign_ups_unacknowledged: list[str] = field(default_factory=list)  # emails whose first try may have been stored
    invitations: list[str] = field(default_factory=list)  # invitee ids whose invitation was acknowledged
    accepted: list[str] = field(default_factory=list)  # invitee ids whose acceptance was acknowledged
    accepted_unacknowledged: list[str] = field(default_factory=list)
    headlines: list[str] = field(default_factory=list)  # acknowledged, in order
    headline_attempts: list[str] = field(default_factory=list)  # every headline sent, in order
    positions: list[str] = field(default_factory=list)  # acknowledged position ids
    messages: list[str] = field(default_factory=list)  # acknowledged message ids
    message_texts_retried: list[str] = field(default_factory=list)
    reads: int = 0

    def call(self, http: requests.Session, method: str, path: str, token: str | None = None, body=None, params=None,
             ok=(200, 201, 204), also_fine=()) -> tuple[requests.Response | None, bool]:
        """One request through nginx: (the answer, whether it was sent more than once). A POST or PATCH that got no
        answer from an instance (nginx's 502/504 or a broken connection) is sent again, at most 5 times, and
        recorded; its first try may or may not have been stored. Any other failure is recorded and answered None."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        for attempt in range(6):
            with self.lock:
                self.requests += 1
            try:
                response = http.request(method, self.base + "/api/v1" + path, json=body, params=params, headers=headers, timeout=30)
            except requests.ConnectionError as error:
                response, failure = None, f"{method} {path}: {error!r}"
            else:
                if response.status_code in ok or response.status_code in also_fine:
                    return response, attempt > 0
                failure = describe(response)
                if response.status_code not in (502, 504):
                    break
            if method not in NON_IDEMPOTENT:
                break
            with self.lock:
                self.retried.append(f"{failure[:160]} (try {attempt + 1})")
            time.sleep(0.1)
        with self.lock:
            self.failures.append(failure)
        return None, attempt > 0


def run_load(load: Load, inviter: dict, editor: dict, sender: dict, receiver: dict, conversation: str, reader: dict) -> list[threading.Thread]:
    new_members: queue.Queue = queue.Queue()

    def sign_ups() -> None:
        http = requests.Session()
        n = 0
        while not load.stop.is_set():
            n += 1
            email = f"load-{secrets.token_hex(5)}@example.test"
            name = f"負荷 {n} テスト"
            response, _ = load.call(http, "POST", "/accounts", body={"email": email, "password": PASSWORD, "name": name},
                                 ok=(201,), also_fine=(409,))
            if response is None:
                continue
            if response.status_code == 409:  # a retry after a try that was stored after all
                with load.lock:
                    load.sign_ups_unacknowledged.append(email)
                continue
            member = {**response.json()["member"], "token": response.json()["token"], "email": email}
            with load.lock:
                load.sign_ups.append(member)
            new_members.put(member)

    def invitations() -> None:
        http = requests.Session()
        while not load.stop.is_set():
            try:
                member = new_members.get(timeout=0.2)
            except queue.Empty:
                continue
            invitation, _ = load.call(http, "POST", "/invitations", token=inviter["token"], body={"inviteeId": member["id"], "message": "よろしく"},
                                   ok=(201,), also_fine=(409,))
            if invitation is None:
                continue
            if invitation.status_code == 409:  # already_invited: the first try was stored; find its id
                received, _ = load.call(http, "GET", "/invitations", token=member["token"], params={"direction": "received"})
                if received is None:
                    continue
                invitation_id = received.json()["items"][0]["id"]
            else:
                invitation_id = invitation.json()["id"]
                with load.lock:
                    load.invitations.append(member["id"])
            accept, _ = load.call(http, "POST", f"/invitations/{invitation_id}/accept", token=member["token"], ok=(200,), also_fine=(409,))
            if accept is not None:
                with load.lock:
                    (load.accepted if accept.status_code == 200 else load.accepted_unacknowledged).append(member["id"])

    def profile_edits() -> None:
        http = requests.Session()
        n = 0
        while not load.stop.is_set():
            n += 1
            headline = f"見出し {n} {secrets.token_hex(3)}"
            with load.lock:
                load.headline_attempts.append(headline)
            if load.call(http, "PATCH", "/me/profile", token=editor["token"], body={"headline": headline})[0] is not None:
                with load.lock:
                    load.headlines.append(headline)
            # Positions stay well under the product's cap of 100 a profile (faster writes reach it within the run).
            if n % 3 == 0 and len(load.positions) < 80:
                title = f"職位 {n} {secrets.token_hex(3)}"
                position, _ = load.call(http, "POST", "/me/positions", token=editor["token"], ok=(201,),
                                     body={"company": f"株式会社負荷{n % 5}", "title": title, "startMonth": "2020-04"})
                if position is not None:
                    with load.lock:
                        load.positions.append(position.json()["id"])

    def messages() -> None:
        http = requests.Session()
        n = 0
        while not load.stop.is_set():
            n += 1
            text = f"負荷メッセージ {n} {secrets.token_hex(3)}"
            sent, retried = load.call(http, "POST", f"/conversations/{conversation}/messages", token=sender["token"], body={"text": text}, ok=(201,))
            if sent is not None:
                with load.lock:
                    load.messages.append(sent.json()["id"])
                    if retried:
                        load.message_texts_retried.append(text)
            time.sleep(0.05)

    def searches() -> None:
        http = requests.Session()
        words = ["負荷", "見出し", "テスト", "engineer", "営業 OR sales", "職位"]
        n = 0
        while not load.stop.is_set():
            n += 1
            for path, params in (("/search/people", {"q": words[n % len(words)]}), (f"/members/{editor['id']}", None), ("/me", None)):
                if load.call(http, "GET", path, token=reader["token"], params=params)[0] is not None:
                    with load.lock:
                        load.reads += 1

    threads = [threading.Thread(target=target, daemon=True) for target in (sign_ups, invitations, profile_edits, messages, searches)]
    for thread in threads:
        thread.start()
    return threads


def all_messages(base: str, member: dict, conversation: str) -> list[dict]:
    found, cursor = [], None
    while True:
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = on(base, member).request("GET", f"/conversations/{conversation}/messages", params=params)
        assert page.status_code == 200, describe(page)
        found += page.json()["items"]
        cursor = page.json()["nextCursor"]
        if not cursor:
            return found


def test_kill_9_of_one_instance_under_load_loses_no_acknowledged_write(running):
    cluster = running
    assert len(cluster.alive) >= 2, "this test needs two instances or more"
    inviter, editor, sender, receiver, reader = (
        sign_up(cluster.url, name) for name in ("招待 する人", "編集 する人", "送信 する人", "受信 する人", "検索 する人"))
    connect(cluster.url, sender, receiver, settle=cluster.alive)
    first = on(cluster.url, sender).request("POST", "/conversations", {"participantIds": [receiver["id"]], "text": "はじめまして"})
    assert first.status_code == 201, describe(first)
    conversation = first.json()["id"]

    # The receiver's event stream, opened through nginx; the instance it landed on (the one whose open-stream gauge
    # shows it) is the one to kill. Streams closed by earlier tests end on the instances at their next heartbeat (2 s).
    wait_until(lambda: all(i.streams_open() == 0 for i in cluster.alive), 10, "no event stream open on any instance")
    stream = Stream(cluster.url, receiver, follow=True, pause=0.5)
    victim = None
    deadline = time.monotonic() + 5
    while victim is None:
        holding = [i for i in cluster.alive if i.streams_open() > 0]
        if len(holding) == 1:
            victim = holding[0]
        elif time.monotonic() > deadline:
            raise AssertionError(f"cannot tell which instance holds the stream: {[i.index for i in holding]}")
        else:
            time.sleep(0.1)

    load = Load(cluster.url)
    started = time.monotonic()
    threads = run_load(load, inviter, editor, sender, receiver, conversation, reader)
    try:
        time.sleep(8)
        with load.lock:
            acknowledged_before_kill = len(load.messages) + len(load.sign_ups) + len(load.headlines)
        victim.kill()
        killed = time.monotonic()
        time.sleep(10)
    finally:
        load.stop.set()
        for thread in threads:
            thread.join(40)
    ended = time.monotonic()
    time.sleep(SEEN_WITHIN)  # the last messages' events, and every instance's replay of the last changes

    summary = (
        f"{load.requests} requests in {ended - started:.1f} s through nginx ({load.reads} reads); acknowledged: "
        f"{len(load.sign_ups)} sign-ups, {len(load.invitations)} invitations, {len(load.accepted)} accepts, "
        f"{len(load.headlines)} headlines, {len(load.positions)} positions, {len(load.messages)} messages; "
        f"{len(load.retried)} retries of POST/PATCH after a lost answer ({len(load.sign_ups_unacknowledged)} sign-ups and "
        f"{len(load.accepted_unacknowledged)} accepts found stored by their retry); instance {victim.index} killed after "
        f"{killed - started:.1f} s")
    print(summary)
    assert acknowledged_before_kill > 0, f"the load had not started before the kill: {summary}"
    assert not load.failures, f"requests failed through nginx: {load.failures[:10]}\n{summary}"
    assert len(load.retried) <= 20, f"too many retries for one kill: {load.retried}"
    assert len(load.sign_ups) >= 3 and len(load.messages) >= 20 and len(load.headlines) >= 10, summary

    # The stream ended with its instance, came back through nginx on another one with Last-Event-ID, and got every
    # message sent meanwhile exactly once.
    stream_wait = time.monotonic() + 5
    while time.monotonic() < stream_wait and not set(load.messages) <= {m["id"] for m in stream.messages()}:
        time.sleep(0.1)
    stream.close()
    assert stream.reconnects and "reopened" in stream.reconnects[0], f"the stream did not reconnect: {stream.reconnects}"
    assert stream.reconnects[0]["status"] == 200, stream.reconnects
    print(f"stream reconnected {stream.reconnects[0]['reopened'] - stream.reconnects[0]['ended']:.2f} s after it ended; "
          f"{len(stream.reconnects)} reconnect(s)")
    received = [m["id"] for m in stream.messages()]
    assert len(received) == len(set(received)), f"duplicate message events: {[i for i in received if received.count(i) > 1]}"
    missing = [m for m in load.messages if m not in set(received)]
    assert not missing, f"{len(missing)} acknowledged messages never reached the stream (of {len(load.messages)})"

    # Every acknowledged write is there, through each remaining instance directly and through nginx.
    for base in [i.url for i in cluster.alive] + [cluster.url]:
        for member in load.sign_ups:
            me = on(base, member).request("GET", "/me")
            assert me.status_code == 200 and me.json()["id"] == member["id"], f"sign-up {member['email']} on {base}: {describe(me)}"
        connections = on(base, inviter).request("GET", "/me/connections", params={"limit": 100})
        assert connections.status_code == 200, describe(connections)
        connected = {item["member"]["id"] for item in connections.json()["items"]}
        accepted = set(load.accepted) | set(load.accepted_unacknowledged)
        assert accepted <= connected, f"on {base}: accepted but not connected: {accepted - connected}"
        sent = on(base, inviter).request("GET", "/invitations", params={"direction": "sent", "limit": 100})
        assert sent.status_code == 200, describe(sent)
        pending = {item["to"]["id"] for item in sent.json()["items"]}
        assert set(load.invitations) <= connected | pending, f"on {base}: invitations lost: {set(load.invitations) - connected - pending}"
        me = on(base, editor).request("GET", "/me")
        assert me.status_code == 200, describe(me)
        # The last headline acknowledged, or one sent after it whose answer was lost.
        shown = me.json()["headline"]
        assert shown in load.headline_attempts[load.headline_attempts.index(load.headlines[-1]):], \
            f"on {base}: headline {shown!r}, last acknowledged {load.headlines[-1]!r}"
        held = {p["id"] for p in me.json()["positions"]}
        assert set(load.positions) <= held, f"on {base}: positions lost: {set(load.positions) - held}"
        stored = [m["id"] for m in all_messages(base, receiver, conversation)]
        assert set(load.messages) <= set(stored), f"on {base}: messages lost: {set(load.messages) - set(stored)}"
        # A retried send may have been stored twice (its first try reached the killed instance); nothing else is.
        assert len(stored) - len(set(load.messages)) - 1 <= len(load.message_texts_retried), \
            f"on {base}: {len(stored)} messages stored for {len(load.messages)} acknowledged"
    # Every remaining instance's indexes hold what the load wrote (replayed from the change logs): each accepted
    # connection in the graph, the headline shown in search.
    for instance in cluster.alive:
        for member_id in load.accepted:
            assert degree(instance.url, inviter, member_id) == 1, f"instance {instance.index}: accepted connection not in the graph index"
        assert found_by_search(instance.url, reader, f'"{shown}"', editor["id"]), f"instance {instance.index}: headline {shown!r} not found"


# MARK: 3. PostgreSQL restarts under the instances


def restart_postgres(pg_dir: Path) -> None:
    """`pg_ctl restart` as the cluster's owner (PostgreSQL refuses to run as root). It reuses the start's server options
    (port, socket folder); the log file is named again, or the server would write to this process's pipe."""
    pg_ctl = shutil.which("pg_ctl") or sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))[-1]
    command = [str(pg_ctl), "-D", str(pg_dir / "data"), "-l", str(pg_dir / "server.log"), "-m", "fast", "-w", "-t", "60", "restart"]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    result = subprocess.run(command, capture_output=True, text=True, timeout=90)
    assert result.returncode == 0, f"pg_ctl restart failed: {result.stdout}{result.stderr}"


def test_instances_recover_when_postgresql_restarts(running):
    cluster = running
    instances = cluster.alive
    assert len(instances) >= 2
    eri, fumi = sign_up(cluster.url, "江戸 恵理"), sign_up(cluster.url, "布施 文")
    connect(cluster.url, eri, fumi, settle=instances)
    opened = on(cluster.url, eri).request("POST", "/conversations", {"participantIds": [fumi["id"]], "text": "再起動の前"})
    assert opened.status_code == 201, describe(opened)
    conversation = opened.json()["id"]
    # Fumi holds a stream on every instance; none of them is reopened across the restart.
    streams = {i.index: Stream(i.url, fumi) for i in instances}
    for stream in streams.values():
        wait_until(lambda: stream.last_id is not None, 5, f"the first event on the stream at {stream.base}")
    before_restart = {index: stream.last_id for index, stream in streams.items()}

    restart_postgres(cluster.pg_dir)
    restarted = time.monotonic()

    # Every instance answers again, without being restarted: its health check (a database ping), then a request
    # that reads the session from the database.
    for instance in instances:
        wait_until(lambda: requests.get(instance.url + "/healthz", timeout=5).status_code == 200, RECOVERY,
                   f"instance {instance.index} healthy after the restart", since=restarted)
        wait_until(lambda: on(instance.url, eri).request("GET", "/me").status_code == 200, RECOVERY,
                   f"instance {instance.index} answers GET /me after the restart", since=restarted)
    recovered = time.monotonic() - restarted
    print(f"every instance answered {recovered:.2f} s after pg_ctl restart returned")

    # Live events: messages sent after the restart reach the stream each instance held through it, once its LISTEN
    # connection is back; from then on within a second.
    first, *others = instances
    sent_after: list[str] = []
    live_again: dict[int, float] = {}
    for stream_index, stream in streams.items():
        deadline = restarted + RECOVERY
        while True:
            text = f"再起動の後 {len(sent_after)} {secrets.token_hex(3)}"
            sent = on(first.url, eri).request("POST", f"/conversations/{conversation}/messages", {"text": text})
            at = time.monotonic()
            assert sent.status_code == 201, describe(sent)
            sent_after.append(sent.json()["id"])
            try:
                stream.wait_message(text, SEEN_WITHIN, since=at)
                live_again[stream_index] = at - restarted
                break
            except AssertionError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"instance {stream_index}: live events did not come back within {RECOVERY} s of the restart")
    print("live events delivered again, seconds after the restart: "
          + ", ".join(f"instance {index} {seconds:.2f}" for index, seconds in live_again.items()))
    for instance in instances:
        text = f"確認 {instance.index} {secrets.token_hex(3)}"
        sent = on(instance.url, eri).request("POST", f"/conversations/{conversation}/messages", {"text": text})
        at = time.monotonic()
        assert sent.status_code == 201, describe(sent)
        sent_after.append(sent.json()["id"])
        for stream in streams.values():
            stream.wait_message(text, SEEN_WITHIN, since=at)
    for stream in streams.values():
        stream.close()
    # What a stream missed while its instance was not listening comes with a reconnect: everything sent after the
    # restart, once each.
    for index, last_id in before_restart.items():
        again = Stream(cluster.url, fumi, last_event_id=last_id)
        try:
            wait_until(lambda: set(sent_after) <= {m["id"] for m in again.messages()}, 5,
                       f"a reconnect with Last-Event-ID (stream of instance {index}) gets what was sent after the restart")
            ids = [m["id"] for m in again.messages()]
            assert len(ids) == len(set(ids)), "duplicate events after a reconnect"
        finally:
            again.close()

    # Change logs: a headline edited and a connection made through one instance are seen on every other within a
    # second, and through nginx.
    word = f"再起動{secrets.token_hex(3)}"
    edit = on(first.url, fumi).request("PATCH", "/me/profile", {"headline": f"{word} 担当"})
    edited = time.monotonic()
    assert edit.status_code == 200, describe(edit)
    gina = sign_up(cluster.url, "銀座 ジーナ")
    for instance in others:
        wait_until(lambda: found_by_search(instance.url, eri, word, fumi["id"]), SEEN_WITHIN,
                   f"headline edited after the restart found on instance {instance.index}", since=edited)
    invitation = on(first.url, gina).request("POST", "/invitations", {"inviteeId": fumi["id"]})
    assert invitation.status_code == 201, describe(invitation)
    accept = on(first.url, fumi).request("POST", f"/invitations/{invitation.json()['id']}/accept")
    accepted = time.monotonic()
    assert accept.status_code == 200, describe(accept)
    for instance in others:
        wait_until(lambda: degree(instance.url, eri, gina["id"]) == 2, SEEN_WITHIN,
                   f"a connection made after the restart seen on instance {instance.index}", since=accepted)
    assert found_by_search(cluster.url, eri, word, fumi["id"]) and degree(cluster.url, eri, gina["id"]) == 2
