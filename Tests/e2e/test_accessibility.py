"""Accessibility as a test: axe-core (bundled by axe-selenium-python) runs in headless Chromium on every kind of
page, logged out and logged in, in Japanese and English, on a demo network; any violation fails the test."""

from __future__ import annotations

import subprocess

import pytest

from browser_support import quit_keeping_failure, start_chrome, submit_and_wait
from support import API, binary, clean_environment, describe, in_ci, skip_or_fail

try:
    from axe_selenium_python import Axe
except ImportError:
    if in_ci():
        raise
    pytest.skip("WARNING: axe-selenium-python is not installed (pip install axe-selenium-python)", allow_module_level=True)

from selenium.webdriver.common.by import By

MEMBERS = 120


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    from support import Server, Storage

    storage = Storage("sqlite", data_dir=tmp_path_factory.mktemp("a11y-data"))
    result = subprocess.run(
        [str(binary()), "demo", "--members", str(MEMBERS), *storage.args()], capture_output=True, text=True, timeout=180,
        env=clean_environment(storage.env()), stdin=subprocess.DEVNULL)
    assert result.returncode == 0, f"demo exit {result.returncode}: {result.stderr}"
    # member1 moderates, so that the moderation queue is among the pages checked.
    role = subprocess.run(
        [str(binary()), "admin", "role", "member1@example.test", "moderator", *storage.args()], capture_output=True, text=True,
        timeout=60, env=clean_environment(storage.env()), stdin=subprocess.DEVNULL)
    assert role.returncode == 0, f"admin role exit {role.returncode}: {role.stderr}"
    server = Server(storage, tmp_path_factory.mktemp("a11y-logs") / "server.log").start()
    yield server
    server.terminate()


def violations(driver) -> list[str]:
    axe = Axe(driver)
    axe.inject()
    results = axe.run()
    found = []
    for violation in results["violations"]:
        targets = [", ".join(node["target"]) for node in violation["nodes"]][:3]
        found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} — {targets}")
    return found


@pytest.mark.parametrize("language", ["en-US", "ja"])
def test_every_page_has_no_accessibility_violations(request, demo_server, language):
    base = demo_server.url
    api = API(base)
    login = api.request("POST", "/sessions", {"email": "member1@example.test", "password": "tsunagari-demo"})
    assert login.status_code == 200, describe(login)
    api.token = login.json()["token"]
    me = login.json()["member"]
    other = api.request("GET", "/network/suggestions").json()["items"][0]["member"]
    connection = api.request("GET", "/me/connections").json()["items"][0]["member"]
    company = api.request("GET", f"/members/{me['id']}").json()
    positions = company.get("positions") or []
    company_id = positions[0]["company"]["id"] if positions else None
    # A conversation with a connection, so that the Messaging pages have something to show.
    started = api.request("POST", "/conversations", {"participantIds": [connection["id"]], "text": "アクセシビリティの確認です"})
    assert started.status_code in (200, 201), describe(started)
    conversation = started.json()["id"]
    # A post with a comment, so that the post pages have something to show.
    post = api.request("POST", "/posts", {"text": "アクセシビリティの確認 #a11y https://example.com/a11y"})
    assert post.status_code == 201, describe(post)
    post_id = post.json()["id"]
    api.request("POST", f"/posts/{post_id}/comments", {"text": "コメントです"})
    # A report, so that the moderation queue has a row to show.
    api.request("POST", f"/posts/{post_id}/report", {"reason": "アクセシビリティの確認"})
    # A job of the sample data, so that the job pages have something to show.
    found = api.request("GET", "/search/jobs?q=engineer OR エンジニア OR 営業").json()["items"]
    assert found, "the sample data should hold open jobs"
    job_id = found[0]["job"]["id"]

    driver = start_chrome(language=language, window_size=(1280, 900))
    problems: dict[str, list[str]] = {}
    try:
        for path in ["/", "/login", "/signup", "/search?q=engineer", "/forgot-password", "/reset-password?token=x", "/verify-email?token=x"]:
            driver.get(base + path)
            problems[f"logged out {path}"] = violations(driver)

        driver.get(base + "/login")
        driver.find_element(By.NAME, "email").send_keys("member1@example.test")
        driver.find_element(By.NAME, "password").send_keys("tsunagari-demo")
        submit_and_wait(driver, lambda: driver.find_element(By.CSS_SELECTOR, "#login-form button[type=submit]").click())

        pages = [
            "/", f"/in/{me['handle']}", f"/in/{other['handle']}", f"/in/{connection['handle']}", "/me/edit", "/settings",
            "/network", "/network/connections", "/introductions", f"/introductions/new?target={other['id']}",
            "/search?q=engineer", "/search?q=%E5%96%B6%E6%A5%AD", "/search/saved", "/notifications",
            f"/in/{connection['handle']}/connections", "/settings/password", "/settings/delete",
            "/messages", f"/messages/{conversation}", f"/messages/new?to={other['id']}",
            f"/posts/{post_id}", f"/in/{me['handle']}/activity", "/hashtags/a11y", "/search/posts?q=%E6%8E%A1%E7%94%A8",
            "/jobs", "/jobs?q=Swift", "/jobs/new", "/jobs/mine", f"/jobs/{job_id}", "/me/data", "/me/contacts", "/me/qr", "/moderation",
            "/settings/mail",
        ]
        if positions:
            pages.append(f"/me/positions/{positions[0]['id']}/edit")
        if company_id:
            pages.append(f"/companies/{company_id}")
        for path in pages:
            driver.get(base + path)
            problems[f"logged in {path}"] = violations(driver)
    finally:
        quit_keeping_failure(request, driver, language)
    failing = {page: found for page, found in problems.items() if found}
    assert not failing, "\n".join(f"{page}:\n  " + "\n  ".join(found) for page, found in failing.items())
