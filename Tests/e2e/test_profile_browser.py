"""A complete profile through the web pages in headless Chromium on a SQLite server.

Nao uploads a photo and chooses its square in the preview (dragging and zooming), adds a certification and a language
in Japanese and watches the strength meter rise; she makes her profile public with her certifications for connections
only. Logged out, a visitor reads her public page: the photo, Open Graph tags and schema.org JSON-LD, but not the
certification. She changes her handle, and her old address leads to the new one."""

from __future__ import annotations

import json
import subprocess

from browser_support import body_text, click_and_wait, screenshot, switch_language, wait
from support import binary, describe
from test_network_browser import PASSWORD, browsers, log_in, sign_up, web_server  # noqa: F401

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By


def photograph(path, width=1200, height=900):
    """A generated photograph (the product's own generator, as the benchmark uses it)."""
    done = subprocess.run([str(binary()), "bench", "photos", "synth", str(path), str(width), str(height)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return path


def strength(driver) -> int:
    return int(driver.find_element(By.ID, "strength-score").text.rstrip("%"))


def test_a_member_completes_her_profile_and_the_world_reads_its_public_part(browsers, web_server, tmp_path):
    base = web_server.url
    nao = sign_up(base, "高橋 奈央", "nao", "Data engineer")
    driver = browsers("nao")
    log_in(driver, base, nao)
    driver.get(base + "/me/edit")
    before = strength(driver)
    assert driver.find_elements(By.CSS_SELECTOR, "#strength-missing li[data-step=photo]")

    # The photo: the preview appears, she zooms and drags, and the chosen square goes with the form.
    form = driver.find_element(By.ID, "photo-form")
    form.find_element(By.ID, "photo-file").send_keys(str(photograph(tmp_path / "nao.jpg")))
    preview = driver.find_element(By.ID, "crop-preview")
    wait(driver, lambda d: preview.is_displayed())
    driver.execute_script(
        "const z = document.getElementById('crop-zoom'); z.value = '2'; z.dispatchEvent(new Event('input'));")
    canvas = driver.find_element(By.ID, "crop-canvas")
    ActionChains(driver).move_to_element(canvas).click_and_hold().move_by_offset(60, 40).release().perform()
    x = int(driver.find_element(By.ID, "photo-cropX").get_attribute("value"))
    y = int(driver.find_element(By.ID, "photo-cropY").get_attribute("value"))
    size = int(driver.find_element(By.ID, "photo-cropSize").get_attribute("value"))
    # Zoomed twice into a 1200×900 picture: a 450-pixel square, moved up and left of the centre by the drag.
    assert size == 450 and x < 375 and y < 225, (x, y, size)
    screenshot(driver, "photo-crop-en.png")
    click_and_wait(driver, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    avatar = driver.find_element(By.CSS_SELECTOR, "#photo img.avatar")
    wait(driver, lambda d: d.execute_script("return arguments[0].complete && arguments[0].naturalWidth", avatar) == 400)
    assert strength(driver) == before + 15

    # A certification and a language, in Japanese; a wrong date is refused with the message in place.
    switch_language(driver, "ja")
    driver.get(base + "/me/edit")
    section = driver.find_element(By.ID, "edit-certifications")
    section.find_element(By.TAG_NAME, "summary").click()
    cert = driver.find_element(By.ID, "certification-form")
    cert.find_element(By.NAME, "name").send_keys("データベーススペシャリスト")
    cert.find_element(By.NAME, "issuer").send_keys("IPA")
    cert.find_element(By.NAME, "obtainedMonth").send_keys("2024-06")
    cert.find_element(By.NAME, "expiryMonth").send_keys("2020-01")
    click_and_wait(driver, cert.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert driver.find_element(By.CSS_SELECTOR, "#edit-certifications [role=alert]").is_displayed()
    cert = driver.find_element(By.ID, "certification-form")
    assert cert.find_element(By.NAME, "name").get_attribute("value") == "データベーススペシャリスト"
    cert.find_element(By.NAME, "expiryMonth").clear()
    click_and_wait(driver, cert.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    driver.find_element(By.CSS_SELECTOR, "#edit-languages summary").click()
    language = driver.find_element(By.ID, "language-form")
    language.find_element(By.NAME, "name").send_keys("英語")
    language.find_element(By.CSS_SELECTOR, "input[name=level][value=business]").click()
    click_and_wait(driver, language.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert strength(driver) == before + 25
    assert "データベーススペシャリスト" in driver.find_element(By.ID, "edit-certifications").text
    screenshot(driver, "profile-edit-ja.png")

    reply = nao.api.request("PATCH", "/me/settings", {"profileVisibility": "public", "sectionVisibility": {"certifications": "connections"}})
    assert reply.status_code == 200, describe(reply)

    # Logged out: the public page with its photo and tags, and nothing shown to connections only.
    visitor = browsers("visitor")
    visitor.get(f"{base}/in/{nao.handle}")
    text = body_text(visitor)
    assert "高橋 奈央" in text and "英語" in text and "データベーススペシャリスト" not in text, text
    assert not visitor.find_elements(By.CSS_SELECTOR, "meta[name=robots]")
    og = visitor.find_element(By.CSS_SELECTOR, "meta[property='og:image']").get_attribute("content")
    assert "/photos/" in og and og.endswith("/large.jpg"), og
    person = json.loads(visitor.find_element(By.CSS_SELECTOR, "script[type='application/ld+json']").get_attribute("textContent"))
    assert person["@type"] == "Person" and person["name"] == "高橋 奈央" and "hasCredential" not in person, person
    photo = visitor.find_element(By.CSS_SELECTOR, ".profile-head img.avatar")
    wait(visitor, lambda d: d.execute_script("return arguments[0].complete && arguments[0].naturalWidth", photo) == 400)
    screenshot(visitor, "public-profile-en.png")

    # A new handle: the old address leads to the new one.
    old = nao.handle
    reply = nao.api.request("PATCH", "/me/profile", {"handle": old + "-t"})
    assert reply.status_code == 200, describe(reply)
    visitor.get(f"{base}/in/{old}")
    assert visitor.current_url == f"{base}/in/{old}-t", visitor.current_url
