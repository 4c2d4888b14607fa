"""Jobs and referrals through the web pages in headless Chromium, one browser per member, on a SQLite server.

Journey 4 of PRODUCT.md and the hiring issue: Haruka, who works at 株式会社つながり, posts a job from the Japanese
form; Sota, looking for work, searches `Swift AND (サーバー OR backend)`, opens the job, sees Kenji, his connection who
works there, and asks him for a referral; Kenji follows the notification and refers him; Haruka opens the applicant
list and sees "referred by Kenji". Members, positions and connections are made through the API to keep the run
short; every jobs step is a click."""

from __future__ import annotations

from browser_support import body_text, click_and_wait, screenshot, switch_language, wait
from support import describe
# The server and the browsers are those of the network journeys (fixtures imported into this module).
from test_network_browser import browsers, log_in, sign_up, web_server  # noqa: F401
from test_messaging_browser import badge, connect

from selenium.webdriver.common.by import By

DESCRIPTION = "Swift と PostgreSQL で、会員向けサービスのバックエンド（サーバー）を開発します。<script>alert(1)</script>"


def work_at(member, company: str, title: str) -> None:
    reply = member.api.request("POST", "/me/positions", {"company": company, "title": title, "startMonth": "2021-04"})
    assert reply.status_code == 201, describe(reply)


def test_a_job_posted_in_japanese_is_found_and_a_connection_refers_the_seeker(browsers, web_server):
    base = web_server.url
    haruka = sign_up(base, "林 春香", "haruka", "採用担当")
    kenji = sign_up(base, "加藤 健二", "kenji", "サーバーサイドエンジニア")
    sota = sign_up(base, "佐藤 蒼太", "sota", "Backend engineer")
    work_at(haruka, "株式会社つながり", "人事")
    work_at(kenji, "つながり株式会社", "エンジニア")
    work_at(sota, "Example Inc.", "Backend Engineer")
    connect(haruka, kenji)
    connect(kenji, sota)
    haruka_browser, sota_browser, kenji_browser = browsers("haruka"), browsers("sota"), browsers("kenji")
    log_in(haruka_browser, base, haruka)
    log_in(sota_browser, base, sota)
    log_in(kenji_browser, base, kenji)

    # Haruka posts the job from the Japanese form.
    switch_language(haruka_browser, "ja")
    haruka_browser.get(base + "/jobs")
    click_and_wait(haruka_browser, haruka_browser.find_element(By.ID, "post-job"))
    assert "求人を掲載" in body_text(haruka_browser)
    form = haruka_browser.find_element(By.ID, "job-form")
    assert form.find_element(By.NAME, "company").get_attribute("value") == "株式会社つながり"
    form.find_element(By.NAME, "title").send_keys("Swift サーバーサイドエンジニア")
    form.find_element(By.NAME, "location").send_keys("東京都渋谷区")
    form.find_element(By.CSS_SELECTOR, "input[name=workplace][value=hybrid]").click()
    form.find_element(By.NAME, "description").send_keys(DESCRIPTION)
    form.find_element(By.NAME, "skills").send_keys("Swift\nPostgreSQL")
    form.find_element(By.NAME, "salaryMin").send_keys("6000000")
    form.find_element(By.NAME, "salaryMax").send_keys("9000000")
    click_and_wait(haruka_browser, form.find_element(By.ID, "job-submit"))
    assert "求人を掲載しました。" in body_text(haruka_browser), body_text(haruka_browser)
    assert haruka_browser.find_element(By.ID, "job-title").text == "Swift サーバーサイドエンジニア"
    assert "<script>alert(1)</script>" in haruka_browser.find_element(By.CSS_SELECTOR, ".job-description").text
    job_url = haruka_browser.current_url.split("?")[0]
    screenshot(haruka_browser, "job-ja.png")

    # Sota searches with the Boolean language and opens the job.
    sota_browser.get(base + "/jobs")
    search = sota_browser.find_element(By.ID, "job-search")
    search.find_element(By.NAME, "q").send_keys("Swift AND (サーバー OR backend)")
    click_and_wait(sota_browser, search.find_element(By.ID, "job-search-submit"))
    results = sota_browser.find_element(By.ID, "job-results")
    assert "1 person you know works here" in results.text, results.text
    screenshot(sota_browser, "job-search.png")
    click_and_wait(sota_browser, results.find_element(By.LINK_TEXT, "Swift サーバーサイドエンジニア"))
    assert sota_browser.current_url == job_url, sota_browser.current_url

    # He sees Kenji there and asks him for a referral.
    known = sota_browser.find_element(By.ID, "people-you-know").text
    assert kenji.name in known, known
    referral = sota_browser.find_element(By.ID, "referral-form")
    assert referral.find_element(By.ID, "referral-via").text.strip() == kenji.name
    referral.find_element(By.NAME, "note").send_keys("ぜひ紹介していただけませんか。")
    click_and_wait(sota_browser, referral.find_element(By.ID, "referral-button"))
    assert "Referral requested" in body_text(sota_browser), body_text(sota_browser)

    # Kenji is told live, follows the notification and refers him.
    kenji_browser.get(base + "/")
    wait(kenji_browser, lambda d: badge(d, "unread-count") not in ("",), timeout=10)
    click_and_wait(kenji_browser, kenji_browser.find_element(By.ID, "nav-notifications"))
    assert "asks you for a referral" in body_text(kenji_browser), body_text(kenji_browser)
    click_and_wait(kenji_browser, kenji_browser.find_element(By.XPATH, "//li[@data-kind='referralRequested']//a[@class='notification-link']"))
    requests_to_me = kenji_browser.find_element(By.ID, "referrals-to-me")
    assert sota.name in requests_to_me.text and "ぜひ紹介していただけませんか。" in requests_to_me.text, requests_to_me.text
    click_and_wait(kenji_browser, requests_to_me.find_element(By.CSS_SELECTOR, "button[id^=refer-]"))
    assert "Referred" in kenji_browser.find_element(By.ID, "referrals-to-me").text

    # Haruka opens the applicant list and sees who referred Sota.
    haruka_browser.get(job_url)
    click_and_wait(haruka_browser, haruka_browser.find_element(By.ID, "applicants-link"))
    applicants = haruka_browser.find_element(By.ID, "applicants").text
    assert sota.name in applicants, applicants
    assert f"推薦者: {kenji.name}" in applicants, applicants
    screenshot(haruka_browser, "applicants-ja.png")

    # Sota sees his application on "My jobs"; nobody else sees the applicant list.
    sota_browser.get(base + "/jobs/mine")
    assert "Swift サーバーサイドエンジニア" in sota_browser.find_element(By.ID, "my-applications").text
    kenji_browser.get(job_url + "/applicants")
    assert "applicants" not in kenji_browser.current_url or sota.name not in body_text(kenji_browser)
