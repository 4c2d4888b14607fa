"""Recruiter search through the web pages in headless Chromium, on a SQLite server filled with the demo data.

Journey 3 (be found by recruiters): a sample recruiter logs in on the log-in page, types a Boolean query in
the search box in the page header, lands on the results page, narrows it to one current company with the
filter there, and opens the first result's profile. The recruiter's own language setting is Japanese, so
the pages speak Japanese.

The company is not hard-coded: it is the current employer most common among the members the API finds for
the query. One member is added through the API as a decoy: at that company, with 英語 and 営業, but an
"intern" — the `-intern` in the query must keep them out."""

from __future__ import annotations

import json
import secrets
import urllib.parse
from collections import Counter

import pytest

from browser_support import body_text, quit_keeping_failure, screenshot, start_chrome, submit_and_wait, wait
from support import API, describe

# browser_support has already skipped this module if selenium is not installed (an error in CI).
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC

QUERY = "英語 AND (営業 OR sales) -intern"
POSITIVE_WORDS = ("英語", "営業", "sales")
DEMO_PASSWORD = "tsunagari-demo"
# SampleData: the member at index i (email member{i+1}@example.test) is a recruiter when i % 50 == 1.
RECRUITER_EMAILS = [f"member{index + 1}@example.test" for index in (1, 51, 101, 151)]
DEGREE_LABELS_JA = {1: "1次", 2: "2次", 3: "3次"}


@pytest.fixture
def demo_server(make_storage, make_server):
    """A SQLite server that filled its empty database with the demo data on start (`serve --demo`)."""
    return make_server(make_storage("sqlite"), "--demo")


@pytest.fixture
def browser(request, demo_server):
    """A fresh headless Chromium; on failure it leaves a screenshot and its page source in test-artifacts/."""
    # The browser asks for English: the Japanese pages below come from the recruiter's own setting.
    driver = start_chrome(language="en-US", window_size=(1280, 1400))
    yield driver
    quit_keeping_failure(request, driver)


# MARK: Helpers


def search_all(api: API, **params) -> list[dict]:
    """Every result of GET /api/v1/search/people, following nextCursor."""
    items: list[dict] = []
    cursor = None
    for _ in range(20):
        response = api.request("GET", "/search/people", params={**params, "limit": 100, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, describe(response)
        items += response.json()["items"]
        cursor = response.json()["nextCursor"]
        if not cursor:
            return items
    raise AssertionError(f"more than 20 pages of results for {params}")


def current_company_ids(profile: dict) -> set[str]:
    return {position["company"]["id"] for position in profile.get("positions", []) if position["endMonth"] is None}


def log_in_as_recruiter(base: str) -> tuple[API, dict]:
    """The first sample recruiter, found by logging in through the API; their token and GET /me."""
    api = API(base)
    tried = []
    for email in RECRUITER_EMAILS:
        login = api.request("POST", "/sessions", {"email": email, "password": DEMO_PASSWORD})
        assert login.status_code == 200, describe(login)
        api.token = login.json()["token"]
        me = api.request("GET", "/me")
        assert me.status_code == 200, describe(me)
        if me.json()["role"] == "recruiter":
            return api, {**me.json(), "email": email}
        tried.append((email, me.json()["role"]))
    raise AssertionError(f"no recruiter among the sample members tried: {tried}")


def add_intern_decoy(base: str, company: str) -> dict:
    """A member who matches 英語 AND 営業 and works at `company` now, but as an intern."""
    api = API(base)
    data = api.sign_up(name="Intern Decoy", email=f"decoy-{secrets.token_hex(4)}@example.test")
    handle = f"intern-decoy-{secrets.token_hex(3)}"
    profile = api.request("PATCH", "/me/profile", {"handle": handle, "headline": f"Sales intern at {company}（英語・営業）"})
    assert profile.status_code == 200, describe(profile)
    position = api.request(
        "POST", "/me/positions",
        {"company": company, "title": "Sales intern", "startMonth": "2026-04", "endMonth": None,
         "description": "英語で法人営業をサポートするインターン。"})
    assert position.status_code == 201, describe(position)
    skills = api.request("PUT", "/me/skills", {"skills": ["英語", "営業"]})
    assert skills.status_code == 200, describe(skills)
    return {"id": data["member"]["id"], "handle": handle, "api": api}


# MARK: Journey


def test_recruiter_finds_members_by_boolean_search_and_company(browser, demo_server):
    base = demo_server.url
    recruiter_api, recruiter = log_in_as_recruiter(base)
    assert recruiter["settings"]["locale"] == "ja", f"the chosen sample recruiter should use Japanese: {recruiter['settings']}"

    # The company: the current employer most common among the members the query finds (through the API).
    everyone = search_all(recruiter_api, q=QUERY)
    assert everyone, f"the demo data has no member matching {QUERY!r}"
    profiles: dict[str, dict] = {}
    for item in everyone:
        shown = recruiter_api.request("GET", f"/members/{item['member']['id']}")
        assert shown.status_code == 200, describe(shown)
        profiles[item["member"]["handle"]] = shown.json()
    counts = Counter(company for profile in profiles.values() for company in current_company_ids(profile))
    assert counts, f"none of the {len(everyone)} members matching {QUERY!r} has a current company"
    company_id, company_count = counts.most_common(1)[0]
    company = next(
        position["company"]["name"] for profile in profiles.values() for position in profile["positions"]
        if position["company"]["id"] == company_id)
    assert 2 <= company_count < len(everyone), f"{company}: {company_count} of {len(everyone)} matching members"
    expected = {handle for handle, profile in profiles.items() if company_id in current_company_ids(profile)}

    # The decoy would match without `-intern` (so the NOT below is what keeps them out).
    decoy = add_intern_decoy(base, company)
    without_not = search_all(recruiter_api, q="英語 AND (営業 OR sales)", currentCompany=company)
    assert decoy["handle"] in {item["member"]["handle"] for item in without_not}, (
        f"the intern decoy should match the query without -intern at {company}: {without_not}")
    with_filter = search_all(recruiter_api, q=QUERY, currentCompany=company)
    api_order = [item["member"]["handle"] for item in with_filter]
    # Every member the unfiltered search found at the company is found, and everyone found works there now. (The
    # unfiltered search stops at its 1,000 best hits, so the filtered one may find more of the company's members.)
    assert expected <= set(api_order), f"API with currentCompany={company}: {api_order}, expected {sorted(expected)}"
    for handle in set(api_order) - expected:
        item = next(item for item in with_filter if item["member"]["handle"] == handle)
        shown = recruiter_api.request("GET", f"/members/{item['member']['id']}").json()
        assert company_id in current_company_ids(shown), f"{handle} does not work at {company} now: {shown.get('positions')}"

    # 1. The recruiter logs in on the log-in page; their own setting makes the pages Japanese.
    browser.get(base + "/login")
    form = browser.find_element(By.ID, "login-form")
    form.find_element(By.NAME, "email").send_keys(recruiter["email"])
    form.find_element(By.NAME, "password").send_keys(DEMO_PASSWORD)
    submit_and_wait(browser, form.find_element(By.CSS_SELECTOR, "button[type=submit]").click)
    assert browser.current_url == f"{base}/in/{recruiter['handle']}", f"after log-in: {browser.current_url}\n{body_text(browser)}"
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ja", body_text(browser)

    # 2. The query in the header's search box, Enter: the results page for it.
    header_search = browser.find_element(By.ID, "header-search")
    assert "検索" in header_search.get_attribute("placeholder"), header_search.get_attribute("outerHTML")
    header_search.send_keys(QUERY)
    submit_and_wait(browser, lambda: header_search.send_keys(Keys.RETURN))
    url = urllib.parse.urlsplit(browser.current_url)
    assert url.path == "/search" and urllib.parse.parse_qs(url.query).get("q") == [QUERY], browser.current_url
    errors = [error.text for error in browser.find_elements(By.CSS_SELECTOR, "main .error")]
    assert not errors, f"the header search was refused: {errors}"
    search_form = browser.find_element(By.ID, "search-form")
    assert search_form.find_element(By.NAME, "q").get_attribute("value") == QUERY
    results = browser.find_element(By.ID, "search-results")
    assert results.find_element(By.CSS_SELECTOR, "p.muted").text == f"{len(everyone):,}件", results.text
    cards = results.find_elements(By.CSS_SELECTOR, "ul.people > li.person")
    assert len(cards) == min(len(everyone), 25), f"{len(cards)} cards for {len(everyone)} results (25 a page)"
    assert decoy["handle"] not in browser.page_source, "the intern decoy is on the unfiltered results page"

    # Japanese labels on the results page.
    assert browser.find_element(By.TAG_NAME, "h1").text == "検索"
    company_field = search_form.find_element(By.NAME, "currentCompany")
    label = company_field.find_element(By.XPATH, "ancestor::label[1]")
    assert "現在の会社" in label.text, label.get_attribute("outerHTML")
    assert search_form.find_element(By.CSS_SELECTOR, "button[type=submit]").text == "検索"

    # The facets count the results by current company: the chosen company with as many as the API finds there.
    facet = browser.find_element(By.CSS_SELECTOR, "#search-facets [data-facet=currentCompany]")
    counted = {
        item.find_element(By.CSS_SELECTOR, "a.facet-link").text: int(item.find_element(By.CSS_SELECTOR, ".facet-count").text)
        for item in facet.find_elements(By.CSS_SELECTOR, "li")}
    assert counted.get(company) == len(expected), f"company facet {counted}; {company} should count {len(expected)}"

    # 3. The current-company filter on the results page.
    company_field.send_keys(company)
    submit_and_wait(browser, search_form.find_element(By.CSS_SELECTOR, "button[type=submit]").click)
    errors = [error.text for error in browser.find_elements(By.CSS_SELECTOR, "main .error")]
    assert not errors, f"the results page's own form (degree left at its default) was refused: {errors} ({browser.current_url})"
    params = urllib.parse.parse_qs(urllib.parse.urlsplit(browser.current_url).query)
    assert params.get("q") == [QUERY] and params.get("currentCompany") == [company], browser.current_url
    assert browser.find_element(By.NAME, "currentCompany").get_attribute("value") == company
    results = browser.find_element(By.ID, "search-results")
    assert results.find_element(By.CSS_SELECTOR, "p.muted").text == f"{len(api_order):,}件", results.text
    cards = results.find_elements(By.CSS_SELECTOR, "ul.people > li.person")
    shown = [card.find_element(By.CSS_SELECTOR, ".person-name a").get_attribute("href") for card in cards]
    handles = [urllib.parse.urlsplit(href).path.removeprefix("/in/") for href in shown]
    assert handles == api_order[:25], f"the first page shows {handles}; the API ranks {api_order}"
    assert decoy["handle"] not in browser.page_source, "the intern decoy is on the filtered results page"
    by_handle = {item["member"]["handle"]: item for item in with_filter}
    marks: list[str] = []
    for card, handle in zip(cards, handles):
        # At that company now, per the member's profile.
        profile = profiles[handle]
        assert company_id in current_company_ids(profile), f"{handle} is not at {company} now: {profile['positions']}"
        # No "intern" anywhere in what the recruiter may see of them.
        assert "intern" not in json.dumps(profile, ensure_ascii=False).lower(), f"{handle} mentions intern: {profile}"
        assert not any("intern" in text.lower() for text in by_handle[handle]["highlights"]), by_handle[handle]
        # A degree badge, the one the API gives, in Japanese.
        degree = by_handle[handle]["member"]["degree"]
        badges = card.find_elements(By.CSS_SELECTOR, ".person-name span.degree")
        assert degree in DEGREE_LABELS_JA, f"{handle}: degree {degree} from the API has no badge"
        assert [b.get_attribute("class") for b in badges] == [f"degree degree-{degree}"], card.get_attribute("outerHTML")
        assert badges[0].text == DEGREE_LABELS_JA[degree], card.get_attribute("outerHTML")
        # What matched is marked: in the current title, or in excerpts that do not repeat it.
        snippets = card.find_elements(By.CSS_SELECTOR, "p.current-title, p.snippet")
        found = [mark.text for snippet in snippets for mark in snippet.find_elements(By.TAG_NAME, "mark")]
        assert found, f"{handle} has nothing marked: {card.get_attribute('outerHTML')}"
        texts = [snippet.text for snippet in snippets]
        assert len(texts) == len(set(texts)), f"{handle} shows a line twice: {texts}"
        marks += found
    assert any(word.lower() in mark.lower() for mark in marks for word in POSITIVE_WORDS), f"marks: {marks}"
    assert not any("intern" in mark.lower() for mark in marks), marks
    screenshot(browser, "search-filtered-by-company-ja.png")

    # 4. The first result's name opens their profile.
    first = cards[0].find_element(By.CSS_SELECTOR, ".person-name a")
    name = first.text
    submit_and_wait(browser, first.click)
    assert browser.current_url == f"{base}/in/{handles[0]}", browser.current_url
    heading = browser.find_element(By.ID, "profile-name")
    assert heading.text.startswith(name) and name == profiles[handles[0]]["name"], f"{heading.text!r} for {name!r}"
    degree = by_handle[handles[0]]["member"]["degree"]
    badges = [b.get_attribute("class") for b in browser.find_elements(By.CSS_SELECTOR, "#profile-name span.degree")]
    assert badges == [f"degree degree-{degree}"], body_text(browser)
    assert company in body_text(browser), f"the profile should show {company}:\n{body_text(browser)}"

    # 5. Back on the filtered results, the recruiter saves the search; it is listed with a link that runs it.
    browser.back()
    save = wait(browser, EC.presence_of_element_located((By.ID, "save-search")))
    name_field = save.find_element(By.NAME, "name")
    name_field.clear()
    name_field.send_keys("英語の営業 " + company)
    submit_and_wait(browser, save.find_element(By.CSS_SELECTOR, "button[type=submit]").click)
    assert urllib.parse.urlsplit(browser.current_url).path == "/search/saved", browser.current_url
    saved = browser.find_element(By.ID, "saved-searches")
    link = saved.find_element(By.CSS_SELECTOR, "a.saved-search-name")
    assert link.text == "英語の営業 " + company, saved.text
    submit_and_wait(browser, link.click)
    params = urllib.parse.parse_qs(urllib.parse.urlsplit(browser.current_url).query)
    assert params.get("q") == [QUERY] and params.get("currentCompany") == [company], browser.current_url
    assert browser.find_element(By.ID, "result-count").text == f"{len(api_order):,}件"

    # 6. Typeahead in the header: the beginning of a name lists people, nearest first; a click opens the profile.
    target = profiles[handles[0]]["name"]
    prefix = target.split()[0]
    header_search = browser.find_element(By.ID, "header-search")
    header_search.clear()
    header_search.send_keys(prefix)
    wait(browser, EC.visibility_of_element_located((By.CSS_SELECTOR, "#typeahead li")))
    options = browser.find_elements(By.CSS_SELECTOR, "#typeahead li a")
    suggested = [option.find_element(By.CSS_SELECTOR, ".typeahead-name").text for option in options]
    assert suggested and all(prefix in text for text in suggested), f"typeahead for {prefix!r}: {suggested}"
    degrees = []
    for option in options:
        classes = [b.get_attribute("class") for b in option.find_elements(By.CSS_SELECTOR, "span.degree")]
        degrees.append(int(classes[0].rsplit("-", 1)[1]) if classes else 4)
    assert degrees == sorted(degrees), f"typeahead should list nearer people first: {list(zip(suggested, degrees))}"
    screenshot(browser, "typeahead-ja.png")
    expected_href = options[0].get_attribute("href")
    submit_and_wait(browser, options[0].click)
    assert browser.current_url == expected_href, browser.current_url
