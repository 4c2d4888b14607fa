"""Your data, in and out, through the web pages in headless Chromium on a SQLite server.

Journeys 6 and 7 of PRODUCT.md and the data issue: Aoi uploads the .zip LinkedIn sent her and sees her profile
filled (her history, her skills); she uploads the vCard file her phone exported — two business cards, one of them a
member who signed up with the card's email, one a member found by name and current company — sees both marked as
members, and invites them together; she downloads her data and the zip holds her positions. Then Ren scans her QR
code's link logged out, logs in, and lands on her profile with the invitation ready."""

from __future__ import annotations

import csv
import io
import time
import zipfile
from pathlib import Path

from browser_support import body_text, click_and_wait, screenshot, switch_language, wait
from support import describe
# The server and the browsers are those of the network journeys (fixtures imported into this module).
from test_network_browser import PASSWORD, browsers, log_in, sign_up, web_server  # noqa: F401

from selenium.webdriver.common.by import By

POSITIONS = (
    "Company Name,Title,Description,Location,Started On,Finished On\n"
    'Example Robotics,Staff Engineer,"Led the ""motion"" team,\nshipped three robots.",Tokyo,Apr 2022,\n'
    "株式会社つながり,エンジニア,,東京都,Jan 2018,Mar 2022\n"
)
PROFILE = (
    "First Name,Last Name,Maiden Name,Address,Birth Date,Headline,Summary,Industry,Zip Code,Geo Location,Twitter Handles,"
    "Websites,Instant Messengers\n"
    "Aoi,Mori,,,,Robotics engineer,Robots that help people.,Robotics,,Tokyo,,,\n"
)
SKILLS = "Name\nROS\nC++\n"
CONNECTIONS = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses are missing."\n'
    "\n"
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
    "Kai,Ito,https://www.linkedin.com/in/kai,,Somewhere,Chef,16 Dec 2024\n"
)


def linkedin_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in [("Positions.csv", POSITIONS), ("Profile.csv", PROFILE), ("Skills.csv", SKILLS),
                           ("Connections.csv", "\ufeff" + CONNECTIONS), ("messages.csv", "CONVERSATION ID\n1\n")]:
            archive.writestr(f"Basic_LinkedInDataExport_12-01-2026/{name}", text)
    return path


def vcard(path: Path, by_email: str, by_name: str, company: str) -> Path:
    # Written as a phone exports it: CRLF, a folded line, two cards in one file.
    path.write_bytes(
        ("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Whoever\r\nN:;Whoever;;;\r\n"
         f"EMAIL;TYPE=work:{by_email.upper()}\r\nNOTE:met at the robotics fair in Ok\r\n ayama\r\nEND:VCARD\r\n"
         f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{by_name}\r\nORG:{company};研究開発部\r\nTITLE:部長\r\nEND:VCARD\r\n").encode())
    return path


def test_a_member_brings_her_history_and_her_cards_in_and_takes_everything_out(browsers, web_server, tmp_path):
    base = web_server.url
    aoi = sign_up(base, "森 葵", "aoi", "")
    sho = sign_up(base, "林 翔", "sho", "Mechanical engineer")
    mei = sign_up(base, "佐々木 芽衣", "mei", "研究開発部長")
    reply = mei.api.request("POST", "/me/positions", {"company": "株式会社みらい技研", "title": "部長", "startMonth": "2019-04"})
    assert reply.status_code == 201, describe(reply)
    driver = browsers("aoi")
    log_in(driver, base, aoi)

    # The export comes in from the "Your data" page, in Japanese.
    switch_language(driver, "ja")
    driver.get(base + "/settings")
    click_and_wait(driver, driver.find_element(By.ID, "link-your-data"))
    form = driver.find_element(By.ID, "import-form")
    form.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(linkedin_zip(tmp_path / "export.zip")))
    click_and_wait(driver, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    summary = driver.find_element(By.ID, "import-summary")
    assert driver.find_element(By.ID, "summary-positions").text == "2", summary.text
    assert driver.find_element(By.ID, "summary-skills").text == "2", summary.text
    assert driver.find_element(By.ID, "summary-connections").text == "1", summary.text
    assert "取り込みが完了しました" in summary.text
    screenshot(driver, "data-import-ja.png")

    # Her profile shows her history.
    driver.get(f"{base}/in/{aoi.handle}")
    profile = body_text(driver)
    for text in ["Robotics engineer", "Staff Engineer", "Example Robotics", "株式会社つながり", "ROS", "C++", "Led the \"motion\" team"]:
        assert text in profile, f"{text!r} missing from the profile:\n{profile}"

    # Her phone's cards: one matches Sho by the email he signed up with, one Mei by name and company.
    switch_language(driver, "en")
    driver.get(base + "/me/contacts")
    cards = driver.find_element(By.ID, "cards-form")
    cards.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(
        str(vcard(tmp_path / "cards.vcf", sho.email, mei.name, "みらい技研株式会社")))
    click_and_wait(driver, cards.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    notice = driver.find_element(By.ID, "contacts-notice").text
    assert "Read 2 cards; 2 of them are members here." in notice, notice
    listed = driver.find_element(By.ID, "contact-list").text
    assert "Kai Ito" in listed and "Not a member yet" in listed, listed
    # The card says only what Aoi typed; Sho's own email is not shown beyond what her card said.
    assert mei.email not in driver.page_source
    boxes = driver.find_elements(By.CSS_SELECTOR, "#invite-form input[name=memberIds]")
    assert sorted(box.get_attribute("value") for box in boxes) == sorted([sho.id, mei.id])
    screenshot(driver, "contacts-en.png")
    click_and_wait(driver, driver.find_element(By.ID, "invite-selected"))
    assert "Sent 2 invitations (0 skipped)." in driver.find_element(By.ID, "contacts-notice").text
    received = mei.api.request("GET", "/invitations?direction=received")
    assert [item["from"]["name"] for item in received.json()["items"]] == [aoi.name], describe(received)
    # Mei was invited, as Aoi chose; she was never told she was in Aoi's cards.
    kinds = [item["kind"] for item in mei.api.request("GET", "/notifications").json()["items"]]
    assert kinds == ["invitationReceived"], kinds

    # Everything goes out as a zip with her positions in LinkedIn's columns.
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.get(base + "/me/data")
    driver.find_element(By.ID, "download-zip").click()
    deadline = time.time() + 20
    while time.time() < deadline and not [p for p in downloads.glob("*.zip")]:
        time.sleep(0.2)
    files = list(downloads.glob("*.zip"))
    assert files, "the export zip was not downloaded"
    time.sleep(0.5)
    with zipfile.ZipFile(files[0]) as archive:
        assert {"Profile.csv", "Positions.csv", "Education.csv", "Skills.csv", "Connections.csv", "tsunagari.json"} <= set(archive.namelist())
        rows = list(csv.DictReader(io.StringIO(archive.read("Positions.csv").decode("utf-8"))))
    assert {(row["Company Name"], row["Title"], row["Started On"]) for row in rows} == {
        ("Example Robotics", "Staff Engineer", "Apr 2022"), ("株式会社つながり", "エンジニア", "Jan 2018")}, rows

    # Her QR code: the page shows it, and its link opens her profile with the invitation ready after logging in.
    driver.get(base + "/me/qr")
    image = driver.find_element(By.ID, "qr-image")
    wait(driver, lambda d: d.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", image))
    link = driver.find_element(By.ID, "qr-link").text
    assert link.endswith(f"/in/{aoi.handle}?connect=1"), link
    screenshot(driver, "qr-en.png")
    ren = sign_up(base, "田中 蓮", "ren", "Sales")
    scanner = browsers("ren")
    scanner.get(link)
    form = scanner.find_element(By.ID, "login-form")
    form.find_element(By.NAME, "email").send_keys(ren.email)
    form.find_element(By.NAME, "password").send_keys(PASSWORD)
    click_and_wait(scanner, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert scanner.current_url == f"{base}/in/{aoi.handle}?connect=1", scanner.current_url
    note = scanner.find_element(By.CSS_SELECTOR, "#connect-form textarea[name=message]")
    assert note.is_displayed(), "the invitation form should be open"
    note.send_keys("Nice to meet you at the fair!")
    click_and_wait(scanner, scanner.find_element(By.ID, "send-invitation"))
    sent = ren.api.request("GET", "/invitations?direction=sent").json()["items"]
    assert [item["to"]["name"] for item in sent] == [aoi.name], sent
