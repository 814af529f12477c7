"""Text from data made safe for popups and tooltips.

Folium puts popup and tooltip text into the page as HTML, and some of it inside JavaScript
template strings, where ``${...}`` runs. Escaping HTML is therefore not enough: ``$``,
backticks and backslashes are turned into character references as well.
"""

from __future__ import annotations

import html
from urllib.parse import urlparse

_JS_TEMPLATE = str.maketrans({"$": "&#36;", "`": "&#96;", "\\": "&#92;"})


def text(value: object) -> str:
    """Any value as inert HTML text, safe in HTML and in a JS template literal."""
    return html.escape("" if value is None else str(value), quote=True).translate(_JS_TEMPLATE)


def is_web_link(url: object) -> bool:
    if not isinstance(url, str):
        return False
    parsed = urlparse(url.strip())
    return parsed.scheme.lower() in ("http", "https") and bool(parsed.netloc)


def link(url: object, label: object) -> str:
    """An anchor for http(s) URLs only; anything else is shown as plain text."""
    if not is_web_link(url):
        return text(label)
    return (
        f'<a href="{text(url)}" target="_blank" rel="noopener noreferrer nofollow">'
        f"{text(label)}</a>"
    )
