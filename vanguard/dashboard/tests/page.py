"""Reading the dashboard as a test reads it: a figure's text, a chart's data, a table's rows."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

from vanguard.conftest import client_for

_VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr"}


class _Collect(HTMLParser):
    """The text inside every element carrying `attr="value"` (each element's own, nested ones included)."""

    def __init__(self, attr: str, value: str | None) -> None:
        super().__init__()
        self.attr, self.value = attr, value
        self.open: list[list] = []  # [depth, parts, attrs] of the elements being collected
        self.depth = 0
        self.found: list[tuple[dict, str]] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag in _VOID:
            return
        self.depth += 1
        attrs = dict(attrs)
        if self.attr in attrs and (self.value is None or attrs[self.attr] == self.value):
            self.open.append([self.depth, [], attrs])

    def handle_endtag(self, tag) -> None:
        if tag in _VOID:
            return
        while self.open and self.open[-1][0] == self.depth:
            _depth, parts, attrs = self.open.pop()
            self.found.append((attrs, " ".join(" ".join(parts).split())))
        self.depth -= 1

    def handle_data(self, data) -> None:
        for _depth, parts, _attrs in self.open:
            parts.append(data)


def texts(body: str, attr: str, value: str | None = None) -> list[tuple[dict, str]]:
    """(attributes, text) of the elements with `attr` (equal to `value` if given), in closing order."""
    parser = _Collect(attr, value)
    parser.feed(body)
    return parser.found


def text(body: str, attr: str, value: str) -> str:
    found = texts(body, attr, value)
    assert found, f'no element with {attr}="{value}"'
    return found[0][1]


def figure(body: str, name: str) -> str:
    return text(body, "data-figure", name)


def chart(body: str, chart_id: str) -> dict:
    """The data a chart is drawn from (its json_script)."""
    match = re.search(rf'<script id="{chart_id}-data" type="application/json">(.*?)</script>', body, re.S)
    assert match, f"no data for {chart_id}"
    return json.loads(match.group(1))


def chart_table(body: str, chart_id: str) -> list[str]:
    """The rows of the table under a chart, each as its cells' text joined by " | "."""
    figure_html = body.split(f'id="{chart_id}-figure"', 1)[1].split("</figure>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", figure_html, re.S)
    return [
        " | ".join(
            " ".join(re.sub(r"<[^>]+>", " ", c).split())
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)
        )
        for r in rows
    ]


def children(body: str) -> dict[str, str]:
    """The children table: the child's id → its row's text."""
    return {attrs["data-child"]: row for attrs, row in texts(body, "data-child")}


def todo(body: str) -> list[tuple[str, str]]:
    """The to-do cards in the order shown: (kind, text)."""
    return [(attrs["data-kind"], t) for attrs, t in texts(body, "data-kind")]


def home(user, query: str = ""):
    return client_for(user).get(f"/{query}")


def body_of(user, query: str = "") -> str:
    response = home(user, query)
    assert response.status_code == 200, response.status_code
    return response.content.decode()
