"""The network through the web pages in headless Chromium, on a SQLite server, one browser per member.

Journey 1 (reach a key person): Aiko connects with Ben (a note, Ben accepts on My Network), Ben with
Chika; Aiko sees Chika as 2nd degree with Ben as the mutual connection, asks Ben for an introduction,
Ben forwards it with a note, Chika receives it, and Aiko sees it forwarded.
Journey 6 (separate work from private life): Aiko removes Ben silently; Ben's pages keep no trace.

Sign-up and profile set-up go through the API to keep the run short; every network step a person takes
here is a click in the browser."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

import pytest

from browser_support import body_text, click_and_wait, quit_keeping_failure, require_chrome, screenshot, start_chrome, switch_language, wait
from support import API, Server, Storage, describe

# browser_support has already skipped this module if selenium is not installed (an error in CI).
from selenium.webdriver.common.by import By

PASSWORD = "つながり-password-2"
INVITE_NOTE = "先日の勉強会ではありがとうございました。ぜひつながりましょう！"
INTRO_MESSAGE = "千佳さんのチームの採用について伺いたいです。ご紹介いただけますか？ (hiring at her team)"
FORWARD_NOTE = "愛子さんは前職の同僚で、信頼できるエンジニアです。"


@dataclass
class Member:
    name: str
    email: str
    id: str
    handle: str
    api: API


@pytest.fixture(scope="module")
def web_server(tmp_path_factory):
    """One SQLite server for the module; each test signs up its own members with unique handles."""
    folder = tmp_path_factory.mktemp("network-browser")
    server = Server(Storage("sqlite", data_dir=folder / "data"), folder / "server.log")
    server.start()
    yield server
    server.terminate()


@pytest.fixture
def browsers(request, web_server):
    """browsers(label) -> a fresh headless Chromium (its own cookies: one per member). On failure each
    leaves a screenshot and its page source in test-artifacts/."""
    require_chrome()  # a missing browser skips (or fails) here, before the test starts
    request.node.tsunagari_servers = [web_server]  # its log goes into a failure report
    drivers = {}

    def make(label: str):
        driver = start_chrome(language="en-US", window_size=(1280, 1400))
        drivers[label] = driver
        return driver

    yield make
    for label, driver in drivers.items():
        quit_keeping_failure(request, driver, label)


# MARK: Helpers


def open_page(driver, url: str) -> None:
    driver.get(url)
    assert "This profile is not available" not in body_text(driver), f"{url} is not available:\n{body_text(driver)}"


def sign_up(base: str, name: str, short: str, headline: str) -> Member:
    """A member made through the API, with a readable unique handle and a headline."""
    api = API(base)
    email = f"{short}-{secrets.token_hex(4)}@example.test"
    data = api.sign_up(name=name, email=email, password=PASSWORD)
    handle = f"{short}-{secrets.token_hex(3)}"
    profile = api.request("PATCH", "/me/profile", {"handle": handle, "headline": headline})
    assert profile.status_code == 200, describe(profile)
    return Member(name, email, data["member"]["id"], handle, api)


def log_in(driver, base: str, member: Member) -> None:
    """Posts the log-in form, as a person would; it leads to one's own profile."""
    driver.get(base + "/login")
    form = driver.find_element(By.ID, "login-form")
    form.find_element(By.NAME, "email").send_keys(member.email)
    form.find_element(By.NAME, "password").send_keys(PASSWORD)
    click_and_wait(driver, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert driver.current_url == f"{base}/in/{member.handle}", f"after log-in: {driver.current_url}\n{body_text(driver)}"
    assert driver.find_elements(By.ID, "logout"), "the header should offer to log out after logging in"


def degree_badges(driver) -> list[str]:
    """The classes of the degree badge next to the profile's name (empty when none is shown)."""
    return [badge.get_attribute("class") for badge in driver.find_elements(By.CSS_SELECTOR, "#profile-name span.degree")]


def connect_from_profile(driver, base: str, invitee: Member, note: str | None) -> None:
    """On the invitee's profile: open Connect, write the note, send."""
    open_page(driver, f"{base}/in/{invitee.handle}")
    form = driver.find_element(By.ID, "connect-form")
    form.find_element(By.CSS_SELECTOR, "details > summary").click()
    textarea = form.find_element(By.CSS_SELECTOR, "textarea[name=message]")
    wait(driver, lambda d: textarea.is_displayed())
    if note:
        textarea.send_keys(note)
    click_and_wait(driver, form.find_element(By.ID, "send-invitation"))
    assert driver.current_url == f"{base}/in/{invitee.handle}", f"after sending: {driver.current_url}"
    assert driver.find_elements(By.ID, "pending-badge"), f"the profile should show the invitation pending:\n{body_text(driver)}"
    assert not driver.find_elements(By.ID, "connect-form")


def received_invitation(driver, sender: Member):
    """The entry for sender's invitation in My Network's received invitations, or None."""
    for item in driver.find_elements(By.CSS_SELECTOR, "#invitations-received li.person"):
        if item.find_elements(By.CSS_SELECTOR, f".person-name a[href='/in/{sender.handle}']"):
            return item
    return None


def accept_on_my_network(driver, base: str, sender: Member, note: str | None) -> None:
    """My Network through the header link: the invitation is there with its note; Accept."""
    click_and_wait(driver, driver.find_element(By.ID, "nav-network"))
    assert driver.current_url == base + "/network", driver.current_url
    item = received_invitation(driver, sender)
    assert item is not None, f"{sender.name}'s invitation is not on My Network:\n{body_text(driver)}"
    assert sender.name in item.text
    if note:
        assert item.find_element(By.CSS_SELECTOR, "p.note").text == note, item.text
    accept = item.find_element(By.XPATH, ".//form[contains(@action, '/accept')]//button[@type='submit']")
    assert accept.text == "Accept"
    click_and_wait(driver, accept)
    assert received_invitation(driver, sender) is None, f"the accepted invitation is still listed:\n{body_text(driver)}"


def connection_names(driver, base: str) -> list[str]:
    driver.get(base + "/network/connections")
    return [a.text for a in driver.find_elements(By.CSS_SELECTOR, "#connection-list .person-name a")]


def introduction_items(driver, base: str) -> list:
    driver.get(base + "/introductions")
    return driver.find_elements(By.CSS_SELECTOR, "ul.introductions > li")


# MARK: Journeys


def test_reach_a_key_person_through_an_introduction(browsers, web_server):
    base = web_server.url
    aiko = sign_up(base, "相川 愛子", "aiko", "プロダクトマネージャー / PM")
    ben = sign_up(base, "坂本 ベン", "ben", "Swift engineer・iOSアプリ開発")
    chika = sign_up(base, "千葉 千佳", "chika", "採用担当 / Engineering manager")
    aiko_browser, ben_browser, chika_browser = browsers("aiko"), browsers("ben"), browsers("chika")
    log_in(aiko_browser, base, aiko)
    log_in(ben_browser, base, ben)
    log_in(chika_browser, base, chika)

    # Aiko asks Ben to connect, with a note; Ben finds it on My Network and accepts.
    connect_from_profile(aiko_browser, base, ben, INVITE_NOTE)
    accept_on_my_network(ben_browser, base, aiko, INVITE_NOTE)
    assert aiko.name in connection_names(ben_browser, base)
    open_page(aiko_browser, f"{base}/in/{ben.handle}")
    assert degree_badges(aiko_browser) == ["degree degree-1"], body_text(aiko_browser)
    assert aiko_browser.find_elements(By.ID, "remove-connection"), "a connection's profile should offer to remove it"

    # Ben and Chika the same way, without a note.
    connect_from_profile(ben_browser, base, chika, None)
    accept_on_my_network(chika_browser, base, ben, None)

    # Aiko on Chika's profile: 2nd degree, Ben is the mutual connection and the way there.
    open_page(aiko_browser, f"{base}/in/{chika.handle}")
    assert aiko_browser.find_element(By.ID, "profile-name").text.startswith(chika.name)
    assert degree_badges(aiko_browser) == ["degree degree-2"], body_text(aiko_browser)
    assert aiko_browser.find_element(By.CSS_SELECTOR, "#profile-name span.degree-2").text == "2nd"
    assert aiko_browser.find_elements(By.ID, "connect-form"), "a 2nd-degree member should be offered Connect"
    # The buttons under the name stand on one line: Connect (a disclosure's summary) as high as Follow beside it.
    tops = aiko_browser.execute_script(
        "return ['#connect-form summary', '#follow-button'].map(s => document.querySelector(s).getBoundingClientRect().top)")
    assert abs(tops[0] - tops[1]) < 1, f"Connect and Follow at different heights: {tops}"
    mutual = aiko_browser.find_element(By.ID, "mutual-connections")
    assert [a.text for a in mutual.find_elements(By.CSS_SELECTOR, ".person-name a")] == [ben.name], mutual.text
    paths = aiko_browser.find_element(By.ID, "paths")
    asks = paths.find_elements(By.XPATH, ".//a[normalize-space()='Ask for an introduction']")
    assert len(asks) == 1, f"one way to Chika (through Ben) expected:\n{paths.text}"
    href = asks[0].get_attribute("href")
    assert f"target={chika.id}" in href and f"via={ben.id}" in href, href
    screenshot(aiko_browser, "network-second-degree-profile.png")

    # She asks Ben for the introduction.
    click_and_wait(aiko_browser, asks[0])
    assert "/introductions/new" in aiko_browser.current_url, aiko_browser.current_url
    form = aiko_browser.find_element(By.ID, "introduction-form")
    assert chika.name in body_text(aiko_browser) and ben.name in body_text(aiko_browser)
    form.find_element(By.NAME, "message").send_keys(INTRO_MESSAGE)
    click_and_wait(aiko_browser, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert aiko_browser.current_url.startswith(base + "/introductions"), aiko_browser.current_url
    assert "Your request was sent." in body_text(aiko_browser), body_text(aiko_browser)
    items = aiko_browser.find_elements(By.CSS_SELECTOR, "ul.introductions > li")
    assert len(items) == 1, body_text(aiko_browser)
    assert ben.name in items[0].text and chika.name in items[0].text and INTRO_MESSAGE in items[0].text, items[0].text
    assert "Pending" in items[0].text, items[0].text
    introduction_id = items[0].get_attribute("id").removeprefix("introduction-")

    # Chika is not told anything until Ben forwards it.
    assert introduction_items(chika_browser, base) == [], body_text(chika_browser)

    # Ben, in Japanese, sees the request and forwards it with a note.
    ben_browser.get(base + "/introductions")
    switch_language(ben_browser, "ja")
    assert ben_browser.current_url == base + "/introductions"
    item = ben_browser.find_element(By.ID, f"introduction-{introduction_id}")
    assert aiko.name in item.text and chika.name in item.text and INTRO_MESSAGE in item.text, item.text
    assert "紹介の依頼" in item.text, item.text
    screenshot(ben_browser, "network-introduction-request-ja.png")
    forward = ben_browser.find_element(By.ID, f"forward-{introduction_id}")
    forward.find_element(By.NAME, "note").send_keys(FORWARD_NOTE)
    button = forward.find_element(By.CSS_SELECTOR, "button[type=submit]")
    assert button.text == "紹介する", button.text
    click_and_wait(ben_browser, button)
    item = ben_browser.find_element(By.ID, f"introduction-{introduction_id}")
    assert "紹介済み" in item.text, item.text
    assert not ben_browser.find_elements(By.ID, f"forward-{introduction_id}"), "a forwarded request should not be forwardable again"
    screenshot(ben_browser, "network-introduction-forwarded-ja.png")

    # Chika receives it: who asked, through whom, the message and Ben's note.
    items = introduction_items(chika_browser, base)
    assert len(items) == 1, body_text(chika_browser)
    text = items[0].text
    assert aiko.name in text and ben.name in text and INTRO_MESSAGE in text and FORWARD_NOTE in text, text
    assert "introduced you to" in text, text
    assert items[0].find_elements(By.CSS_SELECTOR, f"a[href='/in/{aiko.handle}']"), "Aiko's name should link to her profile"

    # Aiko sees it forwarded.
    items = introduction_items(aiko_browser, base)
    assert len(items) == 1 and "Forwarded" in items[0].text, body_text(aiko_browser)


def test_removing_a_connection_leaves_no_trace_for_the_other_member(browsers, web_server):
    base = web_server.url
    aiko = sign_up(base, "相川 愛子", "aiko", "プロダクトマネージャー")
    ben = sign_up(base, "坂本 ベン", "ben", "Swift engineer")
    invitation = aiko.api.request("POST", "/invitations", {"inviteeId": ben.id, "message": "飲み会ではどうも！"})
    assert invitation.status_code == 201, describe(invitation)
    accepted = ben.api.request("POST", f"/invitations/{invitation.json()['id']}/accept")
    assert accepted.status_code == 200, describe(accepted)

    aiko_browser, ben_browser = browsers("aiko"), browsers("ben")
    log_in(aiko_browser, base, aiko)
    log_in(ben_browser, base, ben)

    # Before: they are connected, as both see it.
    open_page(ben_browser, f"{base}/in/{aiko.handle}")
    assert degree_badges(ben_browser) == ["degree degree-1"], body_text(ben_browser)
    assert aiko.name in connection_names(ben_browser, base)

    # Aiko removes Ben from his profile page.
    open_page(aiko_browser, f"{base}/in/{ben.handle}")
    assert degree_badges(aiko_browser) == ["degree degree-1"], body_text(aiko_browser)
    click_and_wait(aiko_browser, aiko_browser.find_element(By.ID, "remove-connection"))
    assert aiko_browser.current_url == f"{base}/in/{ben.handle}", aiko_browser.current_url
    assert degree_badges(aiko_browser) == ["degree degree-beyond"], body_text(aiko_browser)
    assert aiko_browser.find_elements(By.ID, "connect-form") and not aiko_browser.find_elements(By.ID, "remove-connection")
    assert ben.name not in connection_names(aiko_browser, base)

    # Ben, in his own browser: Aiko's profile is as if they had never been connected.
    open_page(ben_browser, f"{base}/in/{aiko.handle}")
    # As for any member with no connection in common: 3rd+.
    assert degree_badges(ben_browser) == ["degree degree-beyond"], f"the 3rd+ badge expected after the removal:\n{body_text(ben_browser)}"
    assert ben_browser.find_elements(By.ID, "connect-form"), f"Aiko's profile should offer Connect again:\n{body_text(ben_browser)}"
    assert not ben_browser.find_elements(By.ID, "remove-connection")
    assert not ben_browser.find_elements(By.ID, "pending-badge")
    pages = {"profile": body_text(ben_browser)}

    # No invitation on My Network, and nothing there about Aiko at all.
    click_and_wait(ben_browser, ben_browser.find_element(By.ID, "nav-network"))
    assert received_invitation(ben_browser, aiko) is None, body_text(ben_browser)
    assert ben_browser.find_element(By.ID, "connection-count").text.startswith("0 "), body_text(ben_browser)
    assert aiko.name not in body_text(ben_browser), f"My Network still mentions Aiko:\n{body_text(ben_browser)}"
    pages["network"] = body_text(ben_browser)

    # His connection list does not have her.
    assert aiko.name not in connection_names(ben_browser, base), body_text(ben_browser)
    pages["connections"] = body_text(ben_browser)

    # Nothing anywhere speaks of a removal.
    for page, text in pages.items():
        words = re.findall(r"remov\w*|解除|削除", text, flags=re.IGNORECASE)
        assert not words, f"Ben's {page} page mentions {words}"

    # The API tells him the same.
    shown = ben.api.request("GET", f"/members/{aiko.id}")
    assert shown.status_code == 200, describe(shown)
    assert shown.json()["degree"] is None and shown.json()["relationship"] == "none", describe(shown)
    received = ben.api.request("GET", "/invitations?direction=received")
    assert received.status_code == 200 and received.json()["items"] == [], describe(received)
