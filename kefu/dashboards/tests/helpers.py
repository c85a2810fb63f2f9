"""Reading figures and links off the metric pages' HTML."""

import html as html_lib
import re
from urllib.parse import parse_qs, urlparse

TAG = re.compile(r"<[^>]+>")


def text(fragment: str) -> str:
    return html_lib.unescape(TAG.sub("", fragment)).strip()


def rows(page: str, attribute: str) -> dict[str, str]:
    """``{value: row html}`` of the table rows marked ``<tr data-<attribute>="value">``."""
    return {key: body for key, body in re.findall(rf'<tr [^>]*?{attribute}="([^"]+)"[^>]*>(.*?)</tr>', page, re.S)}


def cells(row: str, attribute: str = "data-metric") -> dict[str, str]:
    """``{metric key: cell html}`` of a row's cells marked ``<td ... data-metric="key">``."""
    return dict(re.findall(rf'<td[^>]*{attribute}="([^"]+)"[^>]*>(.*?)</td>', row, re.S))


def figure(page: str, name: str) -> str:
    match = re.search(rf'data-figure="{re.escape(name)}"[^>]*>(.*?)</(?:strong|span|a)>', page, re.S)
    assert match, f"figure {name} not on the page"
    return text(match.group(1))


def href(fragment: str) -> str:
    match = re.search(r'href="([^"]+)"', fragment)
    assert match, f"no link in {fragment!r}"
    return html_lib.unescape(match.group(1))


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
