"""Journeys through the web pages in headless Chromium, on a SQLite server: sign up, fill a Japanese
profile, publish it, read it logged out in English and Japanese, log back in; and the privacy rule
that a members-only profile does not exist for a logged-out visitor."""

from __future__ import annotations

import secrets

import pytest
import requests

from browser_support import body_text, click_and_wait, page_language, quit_keeping_failure, screenshot, start_chrome, switch_language, wait
from support import API, Server, Storage, describe, gone

# browser_support has already skipped this module if selenium is not installed (an error in CI).
from selenium.webdriver.common.by import By

COMPANY = "株式会社メルカリ"
TITLE = "ソフトウェアエンジニア"
PASSWORD = "つながり-password-1"


@pytest.fixture(scope="module")
def web_server(tmp_path_factory):
    """One SQLite server for the whole module; each test signs up its own members."""
    folder = tmp_path_factory.mktemp("browser")
    server = Server(Storage("sqlite", data_dir=folder / "data"), folder / "server.log")
    server.start()
    yield server
    server.terminate()


@pytest.fixture
def browser(request):
    """A fresh headless Chromium; on failure it leaves a screenshot and its page source in test-artifacts/."""
    driver = start_chrome(language="en-US", window_size=(1280, 1400))
    yield driver
    quit_keeping_failure(request, driver)


def fill(driver, form_id: str, **fields: str) -> None:
    form = driver.find_element(By.ID, form_id)
    for name, value in fields.items():
        field = form.find_element(By.NAME, name)
        field.clear()
        field.send_keys(value)


def submit(driver, form_id: str) -> None:
    """Clicks the form's submit button and waits for the next page."""
    form = driver.find_element(By.ID, form_id)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(driver, gone(form))


def sign_up(driver, base: str, name: str) -> tuple[str, str]:
    """Signs up through the form; returns (email, handle)."""
    email = f"browser-{secrets.token_hex(5)}@example.test"
    driver.get(base + "/signup")
    fill(driver, "signup-form", name=name, email=email, password=PASSWORD)
    submit(driver, "signup-form")
    assert driver.current_url.endswith("/me/edit"), f"after sign-up: {driver.current_url}\n{body_text(driver)}"
    link = driver.find_element(By.CSS_SELECTOR, "header nav a[href^='/in/']").get_attribute("href")
    return email, link.rsplit("/in/", 1)[1]


def test_profile_journey_signup_to_public_page_in_two_languages(browser, web_server):
    driver, base = browser, web_server.url
    name = "山田 花子"
    headline = "プロダクトエンジニア / Product engineer"

    driver.get(base + "/")
    assert page_language(driver) == "en"
    email, handle = sign_up(driver, base, name)

    fill(driver, "profile-form", headline=headline, location="東京都渋谷区")
    submit(driver, "profile-form")
    assert "saved=1" in driver.current_url, body_text(driver)
    assert driver.find_element(By.CSS_SELECTOR, "#profile-form input[name=headline]").get_attribute("value") == headline

    fill(driver, "position-form", company=COMPANY, title=TITLE, startMonth="2020-04")
    submit(driver, "position-form")
    positions = driver.find_element(By.ID, "positions").text
    assert COMPANY in positions and TITLE in positions, f"the new position is not listed:\n{body_text(driver)}"

    driver.get(base + "/settings")
    driver.find_element(By.CSS_SELECTOR, "#settings-form input[name=profileVisibility][value=public]").click()
    submit(driver, "settings-form")
    assert "saved=1" in driver.current_url, body_text(driver)
    assert driver.find_element(By.CSS_SELECTOR, "#settings-form input[name=profileVisibility][value=public]").is_selected()

    click_and_wait(driver, driver.find_element(By.ID, "logout"))
    assert driver.find_elements(By.CSS_SELECTOR, "header a[href='/login']"), f"still logged in?\n{body_text(driver)}"
    assert not driver.find_elements(By.ID, "logout")

    # The public profile, logged out, in English.
    driver.get(f"{base}/in/{handle}")
    assert driver.find_element(By.ID, "profile-name").text == name
    assert driver.find_element(By.ID, "profile-headline").text == headline
    experience = driver.find_element(By.ID, "experience").text
    assert COMPANY in experience and TITLE in experience and "2020-04" in experience, experience
    assert page_language(driver) == "en"
    assert "Experience" in body_text(driver) and "Log in" in body_text(driver)

    # The same page in Japanese: the footer switch keeps the visitor on the page.
    switch_language(driver, "ja")
    assert driver.current_url == f"{base}/in/{handle}"
    text = body_text(driver)
    assert "ログイン" in text and "職歴" in text and "Log in" not in text, text
    assert driver.find_element(By.ID, "profile-name").text == name
    assert COMPANY in driver.find_element(By.ID, "experience").text
    screenshot(driver, "public-profile-ja.png")

    # The choice sticks for the next page too.
    driver.get(base + "/login")
    assert page_language(driver) == "ja" and "ログイン" in body_text(driver)
    switch_language(driver, "en")
    assert driver.current_url == base + "/login"
    assert "Log in" in body_text(driver) and "ログイン" not in body_text(driver)

    # Log back in: the form leads to one's own profile, with the link to edit it.
    fill(driver, "login-form", email=email, password=PASSWORD)
    submit(driver, "login-form")
    assert driver.current_url == f"{base}/in/{handle}", f"after log-in: {driver.current_url}\n{body_text(driver)}"
    assert driver.find_element(By.ID, "profile-name").text == name
    assert COMPANY in driver.find_element(By.ID, "experience").text
    assert driver.find_elements(By.CSS_SELECTOR, "main a[href='/me/edit']"), "one's own profile should offer to edit it"


def test_members_only_profile_is_hidden_from_logged_out_visitors(browser, web_server):
    driver, base = browser, web_server.url
    api = API(base)
    name = "非公開 太郎"
    member = api.sign_up(name=name)["member"]
    position = api.request("POST", "/me/positions", {"company": COMPANY, "title": TITLE, "startMonth": "2021-10"})
    assert position.status_code == 201, describe(position)
    settings = api.request("GET", "/me")
    assert settings.status_code == 200 and settings.json()["settings"]["profileVisibility"] == "members", (
        f"a new profile should be visible to members only: {settings.text}")
    handle = member["handle"]

    # Logged out: 404, as if there were no such member, and nothing of the profile in the page.
    anonymous = requests.get(f"{base}/in/{handle}", timeout=10)
    assert anonymous.status_code == 404, describe(anonymous)
    assert name not in anonymous.text and COMPANY not in anonymous.text
    api_view = API(base).request("GET", f"/members/{handle}")
    assert api_view.status_code == 404, describe(api_view)

    driver.get(f"{base}/in/{handle}")
    assert "This profile is not available" in body_text(driver)
    assert name not in driver.page_source and COMPANY not in driver.page_source
    assert not driver.find_elements(By.ID, "profile-name")

    # A logged-in member does see it (so the 404 above is the privacy rule, not a broken page).
    sign_up(driver, base, "閲覧 次郎")
    driver.get(f"{base}/in/{handle}")
    # A member with no connection in common: the 3rd+ badge, like any member beyond the third degree.
    assert driver.find_element(By.ID, "profile-name").text == f"{name} 3rd+"
    assert [b.get_attribute("class") for b in driver.find_elements(By.CSS_SELECTOR, "#profile-name span.degree")] == ["degree degree-beyond"]
    assert COMPANY in driver.find_element(By.ID, "experience").text
