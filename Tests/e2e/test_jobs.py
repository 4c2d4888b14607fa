"""Jobs across real processes sharing one PostgreSQL database: a job posted on one instance is found by job search on
another within a second (the job change log), with the people the seeker knows there counted from that instance's own
indexes; closing it takes it out of search everywhere. With CI=true a missing PostgreSQL is a failure; otherwise these
cases skip."""

from __future__ import annotations

from support import API, describe
from test_feed import connect, member, until


def search(api: API, query: str) -> list[dict]:
    reply = api.request("GET", "/search/jobs", params={"q": query, "location": "東京"})
    assert reply.status_code == 200, describe(reply)
    return reply.json()["items"]


def test_a_job_posted_on_one_instance_is_found_on_another(make_storage, make_server):
    storage = make_storage("postgres")
    a = make_server(storage)
    b = make_server(storage)
    ann, ann_a = member(a, "Ann 相川")
    ben, ben_a = member(a, "Ben 坂本")
    seeker, seeker_b = member(b, "Sota 佐藤")
    for who in (ann_a, ben_a):
        position = who.request("POST", "/me/positions", {"company": "株式会社つながり", "title": "エンジニア", "startMonth": "2020-04"})
        assert position.status_code == 201, describe(position)
    connect(ben_a, seeker, API(a.url, seeker_b.token))

    posted = ann_a.request("POST", "/jobs", {
        "company": "つながり株式会社", "title": "Swift サーバーエンジニア", "location": "東京都渋谷区", "workplace": "hybrid",
        "employmentType": "fullTime", "description": "Swift でバックエンドを開発します。", "skills": ["Swift"]})
    assert posted.status_code == 201, describe(posted)
    job = posted.json()["id"]

    took = until(lambda: [item["job"]["id"] for item in search(seeker_b, "Swift AND (サーバー OR backend)")] == [job])
    assert took < 1.5, f"the job reached the other instance's index after {took:.2f} s"
    # B's graph and search indexes know Ben, the seeker's connection, works there.
    until(lambda: search(seeker_b, "Swift")[0]["peopleYouKnowCount"] == 1)

    closed = ann_a.request("PATCH", f"/jobs/{job}", {"status": "closed"})
    assert closed.status_code == 200, describe(closed)
    until(lambda: search(seeker_b, "Swift") == [])
    # The job itself is still there, closed, on either instance.
    assert seeker_b.request("GET", f"/jobs/{job}").json()["status"] == "closed"
