"""A customer's browser without a browser: requests with cookies, doing what the answer page's script
and forms do (the headless Chromium test runs the real page)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import requests

LINK = re.compile(r"(http://127\.0\.0\.1:\d+/s/[A-Za-z0-9_.\-]+)\?r=(\d+)")


def rating_links(text: str) -> dict[int, str]:
    """Rating -> its one-click URL, from a survey message."""
    return {int(r): f"{base}?r={r}" for base, r in LINK.findall(text)}


@dataclass
class Page:
    status: int
    text: str

    def data(self, name: str) -> str | None:
        found = re.search(rf'data-{name}="([^"]*)"', self.text)
        return found.group(1) if found else None

    @property
    def problem(self) -> str | None:
        return self.data("problem")


class Customer:
    def __init__(self) -> None:
        self.http = requests.Session()

    def open(self, url: str, **headers: str) -> Page:
        response = self.http.get(url, headers=headers, timeout=10)
        return Page(response.status_code, response.text)

    def click(self, url: str) -> Page:
        """A person's click: the page opens, and its script records the rating it shows."""
        page = self.open(url)
        if page.status == 200 and page.data("record") == "1":
            self.post(
                url.split("?", maxsplit=1)[0] + "/answer",
                {"r": page.data("rating") or "", "csrf": page.data("csrf") or ""},
            )
        return page

    def post(self, url: str, form: dict[str, str], json: bool = True) -> requests.Response:
        headers = {"Accept": "application/json"} if json else {}
        return self.http.post(url, data=form, headers=headers, timeout=10, allow_redirects=not json)

    def comment(self, link: str, text: str) -> requests.Response:
        page = self.open(link)
        base = link.split("?", maxsplit=1)[0]
        return self.http.post(
            base + "/comment",
            data={"comment": text, "r": page.data("rating") or "", "csrf": page.data("csrf") or ""},
            timeout=10,
        )
