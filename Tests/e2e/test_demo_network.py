"""`tsunagari demo` makes a network worth looking at: a served demo database gives the first member
connections, people-you-may-know with reasons, recruiter-like hubs with very many connections, and
company pages that gather several members."""

from __future__ import annotations

import subprocess

from support import API, binary, clean_environment, describe

MEMBERS = 300
REASON_KINDS = {"mutualConnections", "sameCompany", "sameSchool", "contact"}


def all_items(api: API, path: str, pages: int = 5) -> list[dict]:
    """Follows nextCursor for at most `pages` pages of 100."""
    items: list[dict] = []
    cursor = None
    for _ in range(pages):
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        response = api.request("GET", path, params=params)
        assert response.status_code == 200, describe(response)
        items += response.json()["items"]
        cursor = response.json()["nextCursor"]
        if not cursor:
            break
    return items


def test_demo_network_is_served(make_storage, make_server):
    storage = make_storage("sqlite")
    result = subprocess.run(
        [str(binary()), "demo", "--members", str(MEMBERS), *storage.args()], capture_output=True, text=True, timeout=180,
        env=clean_environment(storage.env()), stdin=subprocess.DEVNULL)
    assert result.returncode == 0, f"demo exit {result.returncode}: {result.stderr}"
    assert str(MEMBERS) in result.stdout, result.stdout

    server = make_server(storage)
    api = API(server.url)
    login = api.request("POST", "/sessions", {"email": "member1@example.test", "password": "tsunagari-demo"})
    assert login.status_code == 200, describe(login)
    api.token = login.json()["token"]
    me = login.json()["member"]

    # member1 has connections, each a 1st-degree member.
    connections = all_items(api, "/me/connections")
    assert connections, "member1 of the demo should have connections"
    connected = {item["member"]["id"] for item in connections}
    assert all(item["member"]["degree"] == 1 for item in connections), connections
    assert me["id"] not in connected

    # People you may know: never oneself or a connection, each with at least one known reason.
    suggestions = api.request("GET", "/network/suggestions")
    assert suggestions.status_code == 200, describe(suggestions)
    items = suggestions.json()["items"]
    assert items, "the demo network should give member1 suggestions"
    for item in items:
        member = item["member"]
        assert member["id"] != me["id"] and member["id"] not in connected, item
        assert member["degree"] != 1, item
        assert item["reasons"], f"a suggestion without a reason: {item}"
        for reason in item["reasons"]:
            assert reason["kind"] in REASON_KINDS, reason
            if reason["kind"] == "mutualConnections":
                assert reason["count"] >= 1 and reason["count"] == member["mutualConnectionCount"], item
    assert any(r["kind"] == "mutualConnections" for item in items for r in item["reasons"]), items

    # A recruiter-like hub: someone among member1's connections, or theirs, with more than 50 connections.
    counts: dict[str, int] = {}
    candidates = [item["member"] for item in connections]
    for member in candidates[:8]:
        counts[member["name"]] = len(all_items(api, f"/members/{member['id']}/connections", pages=2))
    if max(counts.values(), default=0) <= 50:
        for member in candidates[:3]:
            for item in all_items(api, f"/members/{member['id']}/connections", pages=1)[:5]:
                counts[item["member"]["name"]] = len(all_items(api, f"/members/{item['member']['id']}/connections", pages=2))
    assert max(counts.values()) > 50, f"no member with more than 50 connections among those looked at: {counts}"

    # Company pages gather members: several companies with more than one member, found by name too.
    companies = api.request("GET", "/companies", params={"q": ""})
    assert companies.status_code == 200, describe(companies)
    crowded = [company for company in companies.json()["items"] if company["memberCount"] > 1]
    assert crowded, describe(companies)
    biggest = max(crowded, key=lambda company: company["memberCount"])
    found = api.request("GET", "/companies", params={"q": biggest["name"]})
    assert found.status_code == 200, describe(found)
    assert any(c["id"] == biggest["id"] and c["memberCount"] == biggest["memberCount"] for c in found.json()["items"]), (
        f"{biggest['name']} by name: {describe(found)}")
    page = api.request("GET", f"/companies/{biggest['id']}")
    assert page.status_code == 200, describe(page)
    body = page.json()
    assert body["name"] == biggest["name"] and body["currentMemberCount"] + body["pastMemberCount"] > 1, describe(page)

    # Open jobs at the sample companies, in Japanese and English, listed on their company pages.
    jobs = api.request("GET", "/search/jobs", params={"q": "エンジニア OR engineer OR 営業 OR designer OR recruiter OR データ"})
    assert jobs.status_code == 200, describe(jobs)
    found = jobs.json()["items"]
    assert len(found) >= 3, describe(jobs)
    titles = " ".join(item["job"]["title"] for item in found)
    assert any("\u3040" <= ch <= "\u30ff" for ch in titles) and any(ch.isascii() and ch.isalpha() for ch in titles), titles
    job = found[0]["job"]
    listed = api.request("GET", f"/companies/{job['company']['id']}/jobs")
    assert job["id"] in [item["id"] for item in listed.json()["items"]], describe(listed)
