"""Messaging through the web pages in headless Chromium, one browser per member, on a SQLite server.

Journeys 1 and 2 end in a conversation: Aiko asks Ben for an introduction to Chika; Ben forwards it; Chika
follows the notification to the conversation of the three and replies; Aiko, with the conversation open,
sees the reply arrive without reloading, and the header's counts change live. Then the pages in Japanese.

Members and connections are made through the API to keep the run short; every messaging step is a click."""

from __future__ import annotations

from browser_support import body_text, click_and_wait, screenshot, switch_language, wait
from support import describe
# The server and the browsers are those of the network journeys (fixtures imported into this module).
from test_network_browser import browsers, log_in, sign_up, web_server  # noqa: F401

from selenium.webdriver.common.by import By

INTRO_MESSAGE = "千佳さんのチームについて伺いたいです。ご紹介いただけますか？"
FORWARD_NOTE = "愛子さんは前職の同僚です。"
REPLY = "はじめまして、千葉です。<b>来週</b>お話ししましょう。"


def connect(a, b) -> None:
    invitation = a.api.request("POST", "/invitations", {"inviteeId": b.id})
    assert invitation.status_code == 201, describe(invitation)
    accepted = b.api.request("POST", f"/invitations/{invitation.json()['id']}/accept")
    assert accepted.status_code == 200, describe(accepted)


def badge(driver, element_id: str) -> str:
    """The header count's text, or "" when it is hidden."""
    element = driver.find_element(By.ID, element_id)
    return element.text if element.is_displayed() else ""


def test_an_introduction_becomes_a_conversation_and_the_reply_arrives_live(browsers, web_server):
    base = web_server.url
    aiko = sign_up(base, "相川 愛子", "aiko", "プロダクトマネージャー")
    ben = sign_up(base, "坂本 ベン", "ben", "Swift engineer")
    chika = sign_up(base, "千葉 千佳", "chika", "Engineering manager")
    connect(aiko, ben)
    connect(ben, chika)
    aiko_browser, ben_browser, chika_browser = browsers("aiko"), browsers("ben"), browsers("chika")
    log_in(aiko_browser, base, aiko)
    log_in(ben_browser, base, ben)
    log_in(chika_browser, base, chika)

    # Aiko asks Ben, from Chika's profile.
    aiko_browser.get(f"{base}/in/{chika.handle}")
    ask = aiko_browser.find_element(By.XPATH, "//section[@id='paths']//a[normalize-space()='Ask for an introduction']")
    click_and_wait(aiko_browser, ask)
    form = aiko_browser.find_element(By.ID, "introduction-form")
    form.find_element(By.NAME, "message").send_keys(INTRO_MESSAGE)
    click_and_wait(aiko_browser, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))

    # Ben's header tells him live; the notification leads to his introductions, where he forwards it.
    wait(ben_browser, lambda d: badge(d, "unread-count") != "", timeout=10)
    click_and_wait(ben_browser, ben_browser.find_element(By.ID, "nav-notifications"))
    assert "asks you for an introduction" in body_text(ben_browser), body_text(ben_browser)
    click_and_wait(ben_browser, ben_browser.find_element(By.XPATH, "//li[@data-kind='introductionRequested']//a[@class='notification-link']"))
    forward = ben_browser.find_element(By.CSS_SELECTOR, "form[id^='forward-']")
    forward.find_element(By.NAME, "note").send_keys(FORWARD_NOTE)
    click_and_wait(ben_browser, forward.find_element(By.CSS_SELECTOR, "button[type=submit]"))

    # Aiko opens the conversation from her introductions page and keeps it open.
    aiko_browser.get(base + "/introductions")
    click_and_wait(aiko_browser, aiko_browser.find_element(By.CSS_SELECTOR, "a[id^='conversation-']"))
    assert "/messages/" in aiko_browser.current_url, aiko_browser.current_url
    texts = [item.text for item in aiko_browser.find_elements(By.CSS_SELECTOR, "#messages .message-text")]
    assert texts == [INTRO_MESSAGE, FORWARD_NOTE], texts
    wait(aiko_browser, lambda d: d.execute_script("return document.readyState") == "complete")

    # Chika: the notification, the conversation of the three, her reply by the composer.
    chika_browser.get(base + "/notifications")
    assert "forwarded an introduction" in body_text(chika_browser), body_text(chika_browser)
    click_and_wait(chika_browser, chika_browser.find_element(By.XPATH, "//li[@data-kind='introductionForwarded']//a[@class='notification-link']"))
    participants = chika_browser.find_element(By.CSS_SELECTOR, "#conversation .participants").text
    assert aiko.name in participants and ben.name in participants, participants
    chika_browser.find_element(By.CSS_SELECTOR, "#composer textarea[name=text]").send_keys(REPLY)
    chika_browser.find_element(By.CSS_SELECTOR, "#composer button[type=submit]").click()
    # With JavaScript the page stays and the message comes back on the stream.
    wait(chika_browser, lambda d: any(REPLY == item.text for item in d.find_elements(By.CSS_SELECTOR, "#messages .message-text")), timeout=10)

    # Aiko sees it arrive without reloading, escaped as text.
    wait(aiko_browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#messages .message-text")) == 3, timeout=10)
    last = aiko_browser.find_elements(By.CSS_SELECTOR, "#messages li.message")[-1]
    assert last.find_element(By.CSS_SELECTOR, ".message-text").text == REPLY
    assert chika.name in last.find_element(By.CSS_SELECTOR, ".message-sender").text
    assert not aiko_browser.find_elements(By.CSS_SELECTOR, "#messages b"), "message text must not become markup"
    screenshot(aiko_browser, "messaging-conversation-en.png")

    # Read where it is shown: Aiko's list has nothing unread.
    aiko_browser.get(base + "/messages")
    assert badge(aiko_browser, "message-count") == "", body_text(aiko_browser)
    assert chika.name in body_text(aiko_browser)

    # The same pages in Japanese.
    switch_language(chika_browser, "ja")
    chika_browser.get(base + "/messages")
    assert "メッセージ" in body_text(chika_browser)
    screenshot(chika_browser, "messaging-list-ja.png")
    chika_browser.get(base + "/notifications")
    assert "さんが紹介を取り次ぎました" in body_text(chika_browser), body_text(chika_browser)
    screenshot(chika_browser, "notifications-ja.png")


def test_a_message_from_a_profile_without_javascript_pages(browsers, web_server):
    """The composer works as a plain form too: Ben writes to Aiko from her profile; the pages post and redirect."""
    base = web_server.url
    aiko = sign_up(base, "相川 愛子", "aiko", "PM")
    ben = sign_up(base, "坂本 ベン", "ben", "Engineer")
    connect(aiko, ben)
    ben_browser = browsers("ben")
    log_in(ben_browser, base, ben)
    ben_browser.get(f"{base}/in/{aiko.handle}")
    click_and_wait(ben_browser, ben_browser.find_element(By.ID, "message-button"))
    form = ben_browser.find_element(By.ID, "new-message")
    form.find_element(By.NAME, "text").send_keys("お疲れさまです")
    click_and_wait(ben_browser, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert "/messages/" in ben_browser.current_url
    assert [item.text for item in ben_browser.find_elements(By.CSS_SELECTOR, "#messages .message-text")] == ["お疲れさまです"]
