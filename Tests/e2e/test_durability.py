"""What the server confirmed with 201 survives `kill -9` of the server, on SQLite and on PostgreSQL."""

from __future__ import annotations

from support import API, describe


def test_confirmed_writes_survive_kill_9(storage, make_server):
    server = make_server(storage)
    api = API(server.url)
    account = api.sign_up(name="耐久 テスト")
    old_token = account["token"]

    positions = [
        {"company": "株式会社メルカリ", "title": "ソフトウェアエンジニア", "startMonth": "2020-04", "location": "東京"},
        {"company": "Acme Corporation", "title": "Intern", "startMonth": "2018-07", "endMonth": "2019-03"},
    ]
    created = []
    for body in positions:
        response = api.request("POST", "/me/positions", body)
        assert response.status_code == 201, describe(response)
        created.append(response.json())
    # Straight after the last 201: no graceful shutdown, no chance to flush anything.
    server.kill()

    restarted = make_server(storage)
    again = API(restarted.url)
    login = again.request("POST", "/sessions", {"email": account["email"], "password": account["password"]})
    assert login.status_code == 200, describe(login)
    again.token = login.json()["token"]

    me = again.request("GET", "/me")
    assert me.status_code == 200, describe(me)
    found = {p["id"]: p for p in me.json()["positions"]}
    for body, position in zip(positions, created):
        assert position["id"] in found, f"position {body} (id {position['id']}) is gone after kill -9; GET /me: {me.text}"
        kept = found[position["id"]]
        assert kept["title"] == body["title"]
        assert kept["company"]["name"] == body["company"]
        assert kept["startMonth"] == body["startMonth"]

    # The session confirmed before the crash still works: sessions live in the database too.
    old = again.request("GET", "/me", token=old_token)
    assert old.status_code == 200, describe(old)
