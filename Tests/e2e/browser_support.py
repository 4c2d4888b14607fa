"""Headless Chromium for the browser tests: starting one, keeping the evidence when a test fails, and the small
page helpers the tests share.

Importing this module skips the importing test module when selenium is not installed (with CI=true it is an error)."""

from __future__ import annotations

import os
import shutil

import pytest

from support import ARTIFACTS, gone, in_ci, skip_or_fail

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    if in_ci():
        raise
    pytest.skip("WARNING: selenium is not installed (pip install selenium); browser tests skipped", allow_module_level=True)


def require_chrome() -> tuple[str, str]:
    """The paths of chromium and chromedriver; without them the test skips (fails in CI)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    chromedriver = shutil.which("chromedriver")
    if not chromium or not chromedriver:
        skip_or_fail("the browser tests need chromium and chromedriver on PATH (apt-get install chromium chromium-driver)")
    os.environ["SE_OFFLINE"] = "true"  # never let Selenium Manager try to download a browser or driver
    return chromium, chromedriver


def start_chrome(*, language: str, window_size: tuple[int, int]) -> webdriver.Chrome:
    """A fresh headless Chromium with its own cookies, whose pages and Accept-Language ask for `language`
    ("en-US" asks for "en-US,en")."""
    chromium, chromedriver = require_chrome()
    accept_languages = f"{language},{language.split('-')[0]}" if "-" in language else language
    width, height = window_size
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={width},{height}", f"--lang={language}"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": accept_languages})
    driver = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    driver.implicitly_wait(0)
    return driver


def quit_keeping_failure(request, driver, label: str | None = None) -> None:
    """Quits the browser; if the test failed, its screenshot and page source go to test-artifacts/ first, as
    failed-<test>.png and .html (failed-<test>-<label>.* when a test has several browsers)."""
    report = getattr(request.node, "rep_call", None)
    try:
        if report is not None and report.failed:
            name = f"failed-{request.node.name}" + (f"-{label}" if label else "")
            ARTIFACTS.mkdir(exist_ok=True)
            driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))
            (ARTIFACTS / f"{name}.html").write_text(driver.page_source)
    finally:
        driver.quit()


def wait(driver, condition, timeout: float = 15):
    return WebDriverWait(driver, timeout).until(condition)


def body_text(driver) -> str:
    return driver.find_element(By.TAG_NAME, "body").text


def page_language(driver) -> str:
    return driver.find_element(By.TAG_NAME, "html").get_attribute("lang")


def submit_and_wait(driver, action) -> None:
    """Does something that loads a new page (a click, Enter in a field) and waits until the old one is gone."""
    html = driver.find_element(By.TAG_NAME, "html")
    action()
    wait(driver, gone(html))


def click_and_wait(driver, element) -> None:
    """Clicks something that loads a new page and waits until the old one is gone."""
    submit_and_wait(driver, element.click)


def switch_language(driver, locale: str) -> None:
    """Presses the footer's language button for `locale` and waits for the page in that language."""
    button = driver.find_element(By.CSS_SELECTOR, f"form[action='/language'] button[name=locale][value={locale}]")
    click_and_wait(driver, button)
    wait(driver, lambda d: page_language(d) == locale)


def screenshot(driver, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / name))
