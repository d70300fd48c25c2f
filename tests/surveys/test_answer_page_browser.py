"""The answer page in a real browser: headless Chromium (Debian's `chromium` and `chromium-driver`)
opens a survey link, its script records the rating, the customer changes it, writes a comment and
sends it; the page is photographed at phone width for the README."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.surveys.browser import rating_links
from tests.surveys.conftest import Desk

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "survey-answer-phone.png"
PHONE = (390, 780)  # CSS pixels, an ordinary phone held upright

# This machine's network is closed: Chromium's own background connections (updates, sync, safe
# browsing, QUIC probes) would only be refused, many at a time.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)


@pytest.fixture
def browser() -> Iterator[Any]:
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="ela-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={PHONE[0]},{PHONE[1]}")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    # A window cannot be narrower than Chromium's minimum; a phone's viewport is emulated instead.
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": PHONE[0], "height": PHONE[1], "deviceScaleFactor": 1, "mobile": True},
    )
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def test_a_customer_answers_on_a_phone(make_desk: Any, browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    desk: Desk = make_desk()
    key = desk.raise_and_resolve("Wi-Fi keeps dropping in room 4.12")
    desk.later(timedelta(hours=1, minutes=1))
    [comment] = [c for c in desk.comments(key) if "/s/" in str(c["body"])]
    links = rating_links(str(comment["body"]))
    wait = WebDriverWait(browser, 10)

    browser.get(links[4])  # the click in the notification
    wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "status"), "Your rating is saved."))
    assert desk.sends(key)[0].score == 4
    browser.find_element(By.CSS_SELECTOR, 'button[name="r"][value="5"]').click()  # changes their mind
    wait.until(
        expected_conditions.element_attribute_to_include(
            (By.CSS_SELECTOR, 'button[value="5"][aria-pressed="true"]'), "aria-pressed"
        )
    )
    assert desk.sends(key)[0].score == 5
    box = browser.find_element(By.ID, "comment")
    box.send_keys("Fixed within the hour, and Alex explained what went wrong. Thank you!")
    browser.find_element(By.CSS_SELECTOR, "button.send[type=submit]").click()
    wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "status"), "Your comment too."))
    [send] = desk.sends(key)
    assert (send.state, send.score, send.answers) == ("answered", 5, 3)
    assert send.comment == "Fixed within the hour, and Alex explained what went wrong. Thank you!"
    width = browser.execute_script("return document.documentElement.clientWidth")
    scroll = browser.execute_script("return document.documentElement.scrollWidth")
    assert scroll <= width  # nothing wider than the phone: no sideways scrolling
    SCREENSHOT.parent.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(SCREENSHOT))
    desk.settle()
    assert desk.fields(key)["csat_score"] == 5
    assert desk.fields(key)["survey_comment"] == send.comment
