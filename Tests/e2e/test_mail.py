"""Outgoing mail through a real SMTP server (Python's aiosmtpd, started here, keeping what it receives in a Maildir):
the verification link mailed at sign-up confirms the address and the member appears in search; a password reset link
works once and ends the old sessions; with the SMTP server down, sign-up still works and the mail goes out once the server
is back."""

from __future__ import annotations

import email
import mailbox
import re
import subprocess
import sys
import time
from email import policy
from pathlib import Path

import pytest
import requests

from support import API, describe, free_port, skip_or_fail


def start_smtp(port: int, folder: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Mailbox", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            import socket
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    process.kill()
    raise AssertionError(f"aiosmtpd did not start: {process.stderr.read().decode(errors='replace')[-2000:]}")


@pytest.fixture
def smtp(tmp_path):
    try:
        import aiosmtpd  # noqa: F401
    except ImportError:
        skip_or_fail("aiosmtpd is not installed (pip install aiosmtpd)")
    port = free_port()
    folder = tmp_path / "maildir"
    process = start_smtp(port, folder)
    yield {"port": port, "folder": folder, "process": process}
    process.kill()
    process.wait()


def messages(folder: Path) -> list[email.message.EmailMessage]:
    if not folder.exists():
        return []
    return [email.message_from_bytes(bytes(m), policy=policy.default) for m in mailbox.Maildir(folder, create=False)]


def wait_for_mail(folder: Path, to: str, subject_part: str, seconds: float = 15) -> email.message.EmailMessage:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for message in messages(folder):
            if to in message["To"] and subject_part in message["Subject"]:
                return message
        time.sleep(0.2)
    raise AssertionError(f"no mail to {to} about {subject_part!r}; got {[m['Subject'] for m in messages(folder)]}")


def link_token(message: email.message.EmailMessage, path: str) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    found = re.search(re.escape(path) + r"\?token=([A-Za-z0-9_-]+)", text)
    assert found, text
    return found.group(1)


def mail_args(port: int) -> list[str]:
    return ["--smtp-host", "127.0.0.1", "--smtp-port", str(port), "--smtp-security", "none",
            "--mail-from", "no-reply@tsunagari.test", "--public-url", "https://tsunagari.test"]


def test_verification_and_password_reset_by_mail(storage, make_server, smtp):
    server = make_server(storage, *mail_args(smtp["port"]))
    searcher, newcomer = API(server.url), API(server.url)
    searcher.sign_up(name="Searching Person")
    data = newcomer.sign_up(name="Mailinda Verification", email="mailinda@example.test")
    member_id = data["member"]["id"]

    verification = wait_for_mail(smtp["folder"], "mailinda@example.test", "Confirm")
    assert verification.get_body(preferencelist=("html",)) is not None  # both parts
    assert member_id not in searcher.request("GET", "/search/people", params={"q": "Mailinda"}).text
    token = link_token(verification, "https://tsunagari.test/verify-email")
    confirmed = requests.post(f"{server.url}/api/v1/email-verifications/confirm", json={"token": token}, timeout=10)
    assert confirmed.status_code == 204, describe(confirmed)
    assert member_id in searcher.request("GET", "/search/people", params={"q": "Mailinda"}).text

    asked = requests.post(f"{server.url}/api/v1/password-resets", json={"email": "mailinda@example.test"}, timeout=10)
    assert asked.status_code == 202, describe(asked)
    reset = wait_for_mail(smtp["folder"], "mailinda@example.test", "Reset")
    token = link_token(reset, "https://tsunagari.test/reset-password")
    done = requests.post(f"{server.url}/api/v1/password-resets/confirm", json={"token": token, "password": "a fresh passphrase 2026"}, timeout=10)
    assert done.status_code == 204, describe(done)
    assert newcomer.request("GET", "/me").status_code == 401
    twice = requests.post(f"{server.url}/api/v1/password-resets/confirm", json={"token": token, "password": "another passphrase 2026"}, timeout=10)
    assert twice.status_code == 404 and twice.json()["error"]["code"] == "bad_token", describe(twice)
    login = requests.post(f"{server.url}/api/v1/sessions", json={"email": "mailinda@example.test", "password": "a fresh passphrase 2026"}, timeout=10)
    assert login.status_code == 200, describe(login)


def test_sign_up_works_while_the_smtp_server_is_down_and_the_mail_follows(make_storage, make_server, tmp_path):
    try:
        import aiosmtpd  # noqa: F401
    except ImportError:
        skip_or_fail("aiosmtpd is not installed (pip install aiosmtpd)")
    port = free_port()
    storage = make_storage("sqlite")
    server = make_server(storage, *mail_args(port))
    data = API(server.url).sign_up(name="Patient Person", email="patient@example.test")
    assert data["member"]["id"]
    time.sleep(3)  # a delivery pass fails: nothing listens
    folder = tmp_path / "later"
    process = start_smtp(port, folder)
    try:
        # The first retry comes a minute after the failure.
        wait_for_mail(folder, "patient@example.test", "Confirm", seconds=90)
    finally:
        process.kill()
        process.wait()


def test_a_member_who_forgot_their_password_resets_it_in_the_browser(request, make_storage, make_server, smtp):
    """The journey as a person clicks it, in Japanese: log-in page → "forgot your password" → the address → the link in
    the mail → a new password → logged out elsewhere → log in with the new one."""
    from selenium.webdriver.common.by import By

    from browser_support import body_text, click_and_wait, quit_keeping_failure, start_chrome, submit_and_wait

    server = make_server(make_storage("sqlite"), *mail_args(smtp["port"]))
    member = API(server.url)
    # Her language is Japanese (a member setting), so the mail is in Japanese too.
    signed = member.request("POST", "/accounts", {"email": "wasure@example.test", "password": "the old passphrase 1", "name": "忘れっぽい 花子", "locale": "ja"})
    assert signed.status_code == 201, describe(signed)
    member.token = signed.json()["token"]
    driver = start_chrome(language="ja", window_size=(1280, 900))
    try:
        driver.get(server.url + "/login")
        click_and_wait(driver, driver.find_element(By.ID, "forgot-password"))
        assert "パスワードをお忘れですか" in body_text(driver)
        driver.find_element(By.NAME, "email").send_keys("wasure@example.test")
        submit_and_wait(driver, lambda: driver.find_element(By.CSS_SELECTOR, "#forgot-form button[type=submit]").click())
        assert driver.find_element(By.ID, "reset-sent").is_displayed()

        mail = wait_for_mail(smtp["folder"], "wasure@example.test", "パスワード")
        token = link_token(mail, "https://tsunagari.test/reset-password")
        # The link names the public address; the test server listens elsewhere.
        driver.get(f"{server.url}/reset-password?token={token}")
        driver.find_element(By.NAME, "password").send_keys("the new passphrase 2")
        submit_and_wait(driver, lambda: driver.find_element(By.CSS_SELECTOR, "#reset-form button[type=submit]").click())
        assert "ほかのすべての端末からログアウト" in driver.find_element(By.ID, "reset-done").text
        assert member.request("GET", "/me").status_code == 401

        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "#main a[href='/login']"))
        driver.find_element(By.NAME, "email").send_keys("wasure@example.test")
        driver.find_element(By.NAME, "password").send_keys("the new passphrase 2")
        submit_and_wait(driver, lambda: driver.find_element(By.CSS_SELECTOR, "#login-form button[type=submit]").click())
        assert "/in/" in driver.current_url, driver.current_url
        # The same link again: refused, with the reason.
        driver.get(f"{server.url}/reset-password?token={token}")
        driver.find_element(By.NAME, "password").send_keys("a third passphrase 3")
        submit_and_wait(driver, lambda: driver.find_element(By.CSS_SELECTOR, "#reset-form button[type=submit]").click())
        assert driver.find_element(By.CSS_SELECTOR, "p.error").is_displayed()
    finally:
        quit_keeping_failure(request, driver)
