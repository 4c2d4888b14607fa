"""Several app instances on one PostgreSQL database (the operation row of PRODUCT.md): each keeps its
own graph index and replays the shared change log every 250 ms, so a connection made or removed on
one instance shows on the others within a second and a half. Blocks are read from the database, so
they hold on every instance at once.

With CI=true a missing PostgreSQL is a failure; otherwise these tests skip with a warning."""

from __future__ import annotations

import time

import pytest

from support import API, describe

CATCH_UP = 1.5  # seconds: the replay interval is 250 ms, the rest is slack for a loaded machine
PASSWORD = "catch-up-password-1"


@pytest.fixture
def two_instances(make_storage, make_server):
    """Instances A and B: two server processes on different ports, one PostgreSQL database."""
    storage = make_storage("postgres")
    a = make_server(storage)
    b = make_server(storage)
    assert a.port != b.port
    return a, b


def member_on(base: str, token: str) -> API:
    return API(base, token=token)


def sign_up_on(server, name: str) -> tuple[dict, str]:
    """(member, token), signed up through the given instance."""
    api = API(server.url)
    data = api.sign_up(name=name, password=PASSWORD)
    return data["member"], data["token"]


def degree_seen(api: API, member_id: str):
    response = api.request("GET", f"/members/{member_id}")
    assert response.status_code == 200, describe(response)
    return response.json()["degree"]


def wait_for_degree(api: API, member_id: str, expected, limit: float, since: float) -> float:
    """Polls GET /members/{id} until its degree is `expected`; the seconds from `since` until it was.
    Fails once `limit` seconds have passed since `since`."""
    while True:
        degree = degree_seen(api, member_id)
        elapsed = time.monotonic() - since
        if degree == expected:
            return elapsed
        if elapsed > limit:
            raise AssertionError(
                f"{api.base}: degree of {member_id} is still {degree!r}, {elapsed:.2f} s after the change "
                f"(expected {expected!r} within {limit} s)")
        time.sleep(0.02)


def connect_through(server, inviter_token: str, invitee_token: str, invitee_id: str) -> float:
    """Invitation and acceptance through one instance; the monotonic time the accept answered."""
    invitation = member_on(server.url, inviter_token).request("POST", "/invitations", {"inviteeId": invitee_id, "message": "よろしく"})
    assert invitation.status_code == 201, describe(invitation)
    accept = member_on(server.url, invitee_token).request("POST", f"/invitations/{invitation.json()['id']}/accept")
    answered = time.monotonic()
    assert accept.status_code == 200, describe(accept)
    return answered


def test_connections_made_and_removed_on_one_instance_reach_the_other(two_instances):
    a, b = two_instances
    aiko, aiko_token = sign_up_on(a, "相川 愛子")
    ben, ben_token = sign_up_on(a, "坂本 ベン")
    aiko_on_a, aiko_on_b = member_on(a.url, aiko_token), member_on(b.url, aiko_token)
    ben_on_b = member_on(b.url, ben_token)

    # B knows the members (the database is shared) and the session made on A; no edge yet.
    assert degree_seen(aiko_on_b, ben["id"]) is None
    assert degree_seen(ben_on_b, aiko["id"]) is None

    # Connected on A: A knows at once, B within the catch-up window, for both members.
    accepted = connect_through(a, aiko_token, ben_token, ben["id"])
    assert degree_seen(aiko_on_a, ben["id"]) == 1, "the instance that made the connection should know it at once"
    took = wait_for_degree(aiko_on_b, ben["id"], 1, CATCH_UP, since=accepted)
    wait_for_degree(ben_on_b, aiko["id"], 1, CATCH_UP, since=accepted)
    print(f"B saw the connection {took:.3f} s after the accept answered")
    listed = aiko_on_b.request("GET", "/me/connections")
    assert listed.status_code == 200 and [item["member"]["id"] for item in listed.json()["items"]] == [ben["id"]], describe(listed)

    # Removed on B: B knows at once, A within the window.
    removal = ben_on_b.request("DELETE", f"/connections/{aiko['id']}")
    removed = time.monotonic()
    assert removal.status_code == 204, describe(removal)
    assert degree_seen(ben_on_b, aiko["id"]) is None, "the instance that removed the connection should know it at once"
    took = wait_for_degree(aiko_on_a, ben["id"], None, CATCH_UP, since=removed)
    wait_for_degree(member_on(a.url, ben_token), aiko["id"], None, CATCH_UP, since=removed)
    print(f"A saw the removal {took:.3f} s after the delete answered")
    shown = aiko_on_a.request("GET", f"/members/{ben['id']}")
    assert shown.json()["relationship"] == "none", describe(shown)
    listed = aiko_on_a.request("GET", "/me/connections")
    assert listed.status_code == 200 and listed.json()["items"] == [], describe(listed)


def test_a_block_on_one_instance_holds_on_the_other_at_once(two_instances):
    a, b = two_instances
    aiko, aiko_token = sign_up_on(a, "相川 愛子")
    ben, ben_token = sign_up_on(a, "坂本 ベン")
    chika, chika_token = sign_up_on(a, "千葉 千佳")
    accepted = connect_through(a, aiko_token, ben_token, ben["id"])
    chika_accepted = connect_through(a, chika_token, ben_token, ben["id"])
    ben_on_b = member_on(b.url, ben_token)
    wait_for_degree(ben_on_b, aiko["id"], 1, CATCH_UP, since=accepted)
    wait_for_degree(ben_on_b, chika["id"], 1, CATCH_UP, since=chika_accepted)

    # Aiko blocks Ben through A; B answers 404 for each of them to the other on the very next request.
    block = member_on(a.url, aiko_token).request("PUT", f"/members/{ben['id']}/block")
    blocked = time.monotonic()
    assert block.status_code == 204, describe(block)
    for viewer_token, other in ((ben_token, aiko), (aiko_token, ben)):
        api = member_on(b.url, viewer_token)
        for path in (f"/members/{other['id']}", f"/members/{other['handle']}", f"/members/{other['id']}/mutual-connections"):
            response = api.request("GET", path)
            assert response.status_code == 404, f"on B right after the block on A: {describe(response)}"
        invite = api.request("POST", "/invitations", {"inviteeId": other["id"]})
        assert invite.status_code == 404, f"on B right after the block on A: {describe(invite)}"

    # The 404s are the block's, not a broken instance: Chika still sees Ben there.
    shown = member_on(b.url, chika_token).request("GET", f"/members/{ben['id']}")
    assert shown.status_code == 200 and shown.json()["degree"] == 1, describe(shown)

    # The block also ended the connection; B's index catches up with that too.
    connections = None
    while time.monotonic() - blocked < CATCH_UP:
        connections = ben_on_b.request("GET", "/me/connections")
        assert connections.status_code == 200, describe(connections)
        if aiko["id"] not in [item["member"]["id"] for item in connections.json()["items"]]:
            break
        time.sleep(0.02)
    else:
        raise AssertionError(f"B still lists the blocker among Ben's connections {CATCH_UP} s later: {describe(connections)}")


def search_ids(api: API, query: str) -> list[str]:
    response = api.request("GET", "/search/people", params={"q": query})
    assert response.status_code == 200, describe(response)
    return [item["member"]["id"] for item in response.json()["items"]]


def wait_for_search(api: API, query: str, member_id: str, present: bool, since: float) -> float:
    """Polls a search on one instance until `member_id` is (or is no longer) among its results; the seconds
    from `since` until it was. Fails after the catch-up window."""
    while True:
        found = member_id in search_ids(api, query)
        elapsed = time.monotonic() - since
        if found == present:
            return elapsed
        if elapsed > CATCH_UP:
            raise AssertionError(
                f"{api.base}: {member_id} is {'still not' if present else 'still'} found by {query!r} {elapsed:.2f} s after the change")
        time.sleep(0.02)


def test_profile_changes_on_one_instance_are_found_by_search_on_the_other(two_instances):
    """Each instance keeps the search index in memory and replays the search change log: a profile edited
    through A is found by its new words on B within the window, its old words stop finding it there, and an
    account deleted through A leaves B's results."""
    a, b = two_instances
    searcher, searcher_token = sign_up_on(a, "検索 する人")
    member, member_token = sign_up_on(a, "転職 希望者")
    on_a, on_b = member_on(a.url, searcher_token), member_on(b.url, searcher_token)
    assert member["id"] not in search_ids(on_b, "量子化学")

    edit = member_on(a.url, member_token).request("PATCH", "/me/profile", {"headline": "量子化学 の 研究者"})
    edited = time.monotonic()
    assert edit.status_code == 200, describe(edit)
    assert member["id"] in search_ids(on_a, "量子化学"), "the instance that stored the change should find it at once"
    took = wait_for_search(on_b, "量子化学", member["id"], True, since=edited)
    print(f"B found the new headline {took:.3f} s after the edit answered")

    edit = member_on(a.url, member_token).request("PATCH", "/me/profile", {"headline": "有機合成 の 研究者"})
    edited = time.monotonic()
    assert edit.status_code == 200, describe(edit)
    wait_for_search(on_b, "量子化学", member["id"], False, since=edited)
    wait_for_search(on_b, "有機合成", member["id"], True, since=edited)

    deletion = member_on(a.url, member_token).request("DELETE", "/me", {"password": PASSWORD})
    deleted = time.monotonic()
    assert deletion.status_code == 204, describe(deletion)
    wait_for_search(on_b, "有機合成", member["id"], False, since=deleted)
