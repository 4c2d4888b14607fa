"""Live events between real processes: a message sent to one instance arrives on an event stream held by
another instance sharing the PostgreSQL database (LISTEN/NOTIFY), within a second; a reconnect with
Last-Event-ID gets what was missed; idle streams get heartbeats; SIGTERM ends streams cleanly and the
server exits 0. With CI=true a missing PostgreSQL is a failure; otherwise the PostgreSQL cases skip."""

from __future__ import annotations

import json
import queue
import threading
import time

import pytest
import requests

from support import API, describe

PASSWORD = "messaging-password-1"


class EventReader:
    """Reads a text/event-stream response on a thread; events land in a queue as dicts."""

    def __init__(self, url: str, token: str, last_event_id: str | None = None):
        headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
        if last_event_id:
            headers["Last-Event-ID"] = last_event_id
        self.response = requests.get(url + "/api/v1/events", headers=headers, stream=True, timeout=(5, 60))
        self.events: queue.Queue = queue.Queue()
        self.comments = 0
        self.ended = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        event: dict = {}
        try:
            for raw in self.response.iter_lines(decode_unicode=True):
                line = raw if raw is not None else ""
                if line == "":
                    if event:
                        self.events.put(event)
                    event = {}
                elif line.startswith(":"):
                    self.comments += 1
                elif ":" in line:
                    name, _, value = line.partition(":")
                    event[name] = value[1:] if value.startswith(" ") else value
        except (requests.RequestException, ValueError, AttributeError, OSError):
            pass
        finally:
            self.ended.set()

    def next(self, kind: str | None = None, timeout: float = 5.0) -> dict:
        """The next event (of `kind`, skipping others); fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {kind or 'event'} within {timeout} s")
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                continue
            if kind is None or event.get("event") == kind:
                return event

    def close(self) -> None:
        self.response.close()


def data(event: dict) -> dict:
    return json.loads(event.get("data", "{}"))


def connected_pair(server) -> tuple[dict, str, dict, str]:
    api = API(server.url)
    ann = api.sign_up(name="Ann 相川", password=PASSWORD)
    ben = api.sign_up(name="Ben 坂本", password=PASSWORD)
    invitation = API(server.url, ann["token"]).request("POST", "/invitations", {"inviteeId": ben["member"]["id"]})
    assert invitation.status_code == 201, describe(invitation)
    accept = API(server.url, ben["token"]).request("POST", f"/invitations/{invitation.json()['id']}/accept")
    assert accept.status_code == 200, describe(accept)
    return ann["member"], ann["token"], ben["member"], ben["token"]


def test_a_message_sent_to_one_instance_arrives_on_a_stream_held_by_another(make_storage, make_server):
    storage = make_storage("postgres")
    a = make_server(storage)
    b = make_server(storage)
    ann, ann_token, ben, ben_token = connected_pair(a)

    stream = EventReader(b.url, ben_token)
    try:
        assert stream.response.status_code == 200, stream.response.text[:300]
        assert stream.response.headers["Content-Type"].startswith("text/event-stream")
        first = stream.next("unread")
        assert data(first)["notifications"] == 1  # the invitation

        delays = []
        conversation = None
        for index in range(10):
            sent = time.monotonic()
            if conversation is None:
                reply = API(a.url, ann_token).request("POST", "/conversations", {"participantIds": [ben["id"]], "text": f"こんにちは {index}"})
                assert reply.status_code == 201, describe(reply)
                conversation = reply.json()["id"]
            else:
                reply = API(a.url, ann_token).request("POST", f"/conversations/{conversation}/messages", {"text": f"こんにちは {index}"})
                assert reply.status_code == 201, describe(reply)
            event = stream.next("message", timeout=3)
            delays.append(time.monotonic() - sent)
            assert data(event)["text"] == f"こんにちは {index}"
            assert data(event)["sender"]["id"] == ann["id"]
            assert event["id"] == data(event)["id"]
        assert max(delays) < 1.0, f"delivery took {max(delays):.3f} s (all: {[round(d, 3) for d in delays]})"
        unread = stream.next("unread")
        assert data(unread)["messages"] == 1
        last_id = event["id"]
    finally:
        stream.close()

    # Missed while away: a reconnect to instance A with Last-Event-ID gets exactly those, in order.
    for text in ("留守中 1", "留守中 2"):
        reply = API(b.url, ann_token).request("POST", f"/conversations/{conversation}/messages", {"text": text})
        assert reply.status_code == 201, describe(reply)
    again = EventReader(a.url, ben_token, last_event_id=last_id)
    try:
        assert [data(again.next("message"))["text"] for _ in range(2)] == ["留守中 1", "留守中 2"]
    finally:
        again.close()

    bad = requests.get(a.url + "/api/v1/events", headers={"Authorization": f"Bearer {ben_token}", "Last-Event-ID": "not an id"}, timeout=5)
    assert bad.status_code == 400, describe(bad)
    assert bad.json()["error"]["code"] == "bad_last_event_id"


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_idle_streams_get_heartbeats_and_sigterm_ends_them_cleanly(kind, make_storage, make_server):
    server = make_server(make_storage(kind), "--heartbeat-interval", "1")
    member = API(server.url).sign_up(name="Idle 待機", password=PASSWORD)
    streams = [EventReader(server.url, member["token"]) for _ in range(3)]
    for stream in streams:
        assert stream.next("unread")["event"] == "unread"
    time.sleep(2.5)
    assert all(stream.comments >= 1 for stream in streams), [stream.comments for stream in streams]

    started = time.monotonic()
    status = server.terminate(timeout=15)
    assert status == 0, f"exit status {status}; log:\n{server.log_tail()}"
    assert time.monotonic() - started < 10
    for stream in streams:
        assert stream.ended.wait(5), "a stream was still open after the server stopped"
