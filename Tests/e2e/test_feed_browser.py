"""The feed through the web pages in headless Chromium, one browser per member, on a SQLite server.

Journey 4 and 5 of PRODUCT.md: Aiko posts a hiring post from her home page; Ben, her connection, reacts with a
button that updates in place; Chika, Ben's connection but not Aiko's, finds the post in her feed with "Ben reacted to
this", opens it and comments; Aiko, with a page open, sees her notification count change live and follows it to
the comment. A new post of Ben's is announced live on Chika's open feed. Then the feed in Japanese.

Members and connections are made through the API to keep the run short; every feed step is a click."""

from __future__ import annotations

from browser_support import body_text, click_and_wait, screenshot, switch_language, wait
from support import describe
# The server and the browsers are those of the network journeys (fixtures imported into this module).
from test_network_browser import browsers, log_in, sign_up, web_server  # noqa: F401
from test_messaging_browser import badge, connect

from selenium.webdriver.common.by import By

HIRING = "#採用 iOSエンジニアを募集しています。Swift で決済アプリを作りませんか？ https://example.com/jobs/42"
COMMENT = "興味があります！<b>詳しく</b>伺えますか？"


def post_article(driver, text_part: str):
    """The feed entry (article) whose text holds `text_part`, or None."""
    for article in driver.find_elements(By.CSS_SELECTOR, "#feed article.post"):
        if text_part in article.text:
            return article
    return None


def test_a_hiring_post_spreads_through_a_reaction_and_the_comment_arrives_live(browsers, web_server):
    base = web_server.url
    aiko = sign_up(base, "相川 愛子", "aiko", "採用担当")
    ben = sign_up(base, "坂本 ベン", "ben", "Swift engineer")
    chika = sign_up(base, "千葉 千佳", "chika", "iOS engineer")
    connect(aiko, ben)
    connect(ben, chika)
    aiko_browser, ben_browser, chika_browser = browsers("aiko"), browsers("ben"), browsers("chika")
    log_in(aiko_browser, base, aiko)
    log_in(ben_browser, base, ben)
    log_in(chika_browser, base, chika)

    # Aiko writes from her home page's composer.
    aiko_browser.get(base + "/")
    composer = aiko_browser.find_element(By.ID, "post-composer")
    composer.find_element(By.NAME, "text").send_keys(HIRING)
    click_and_wait(aiko_browser, composer.find_element(By.ID, "publish"))
    mine = post_article(aiko_browser, "iOSエンジニアを募集しています")
    assert mine is not None, body_text(aiko_browser)
    link = mine.find_element(By.CSS_SELECTOR, "a.post-link")
    assert link.get_attribute("rel") == "nofollow ugc noopener", link.get_attribute("outerHTML")
    assert mine.find_element(By.CSS_SELECTOR, "a.hashtag").text == "#採用"

    # Ben reacts: the button changes in place (no page load), and the count with it.
    ben_browser.get(base + "/")
    article = post_article(ben_browser, "iOSエンジニアを募集しています")
    assert article is not None, body_text(ben_browser)
    html = ben_browser.find_element(By.TAG_NAME, "html")
    celebrate = article.find_element(By.CSS_SELECTOR, "button.reaction[data-type=celebrate]")
    celebrate.click()
    wait(ben_browser, lambda d: celebrate.get_attribute("aria-pressed") == "true")
    assert celebrate.find_element(By.CSS_SELECTOR, ".reaction-count").text == "1"
    assert html.is_displayed(), "the page should not have been reloaded"

    # Chika, who is not Aiko's connection, sees it because Ben reacted, and comments on the post's page.
    chika_browser.get(base + "/")
    entry = post_article(chika_browser, "iOSエンジニアを募集しています")
    assert entry is not None, body_text(chika_browser)
    reason = entry.find_element(By.CSS_SELECTOR, ".post-reason").text
    assert reason == f"{ben.name} reacted to this", reason
    screenshot(chika_browser, "feed-reason.png")

    # Aiko keeps her page open; the comment's notification reaches her header live.
    aiko_browser.get(base + "/")
    wait(aiko_browser, lambda d: d.execute_script("return document.readyState") == "complete")
    before = badge(aiko_browser, "unread-count")

    click_and_wait(chika_browser, entry.find_element(By.CSS_SELECTOR, "a.post-time"))
    form = chika_browser.find_element(By.ID, "comment-form")
    form.find_element(By.NAME, "text").send_keys(COMMENT)
    click_and_wait(chika_browser, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    comments = [c.text for c in chika_browser.find_elements(By.CSS_SELECTOR, "#comments li.comment")]
    assert any(COMMENT in c for c in comments), comments

    wait(aiko_browser, lambda d: badge(d, "unread-count") not in ("", before), timeout=10)
    click_and_wait(aiko_browser, aiko_browser.find_element(By.ID, "nav-notifications"))
    assert "commented on your post" in body_text(aiko_browser), body_text(aiko_browser)
    click_and_wait(aiko_browser, aiko_browser.find_element(By.XPATH, "//li[@data-kind='comment']//a[@class='notification-link']"))
    assert "/posts/" in aiko_browser.current_url, aiko_browser.current_url
    assert COMMENT in body_text(aiko_browser), body_text(aiko_browser)

    # A new post of Ben's is announced on Chika's open feed.
    chika_browser.get(base + "/")
    wait(chika_browser, lambda d: d.execute_script("return document.readyState") == "complete")
    assert not chika_browser.find_element(By.ID, "new-posts").is_displayed()
    posted = ben.api.request("POST", "/posts", {"text": "来週の勉強会の資料を公開しました #勉強会"})
    assert posted.status_code == 201, describe(posted)
    wait(chika_browser, lambda d: d.find_element(By.ID, "new-posts").is_displayed(), timeout=10)
    click_and_wait(chika_browser, chika_browser.find_element(By.CSS_SELECTOR, "#new-posts a"))
    assert post_article(chika_browser, "来週の勉強会の資料") is not None, body_text(chika_browser)

    # The feed in Japanese.
    switch_language(chika_browser, "ja")
    entry = post_article(chika_browser, "iOSエンジニアを募集しています")
    assert entry is not None
    assert entry.find_element(By.CSS_SELECTOR, ".post-reason").text == f"{ben.name}がリアクションしました"
    assert "仕事について共有しましょう" in body_text(chika_browser)
    screenshot(chika_browser, "feed-ja.png")
