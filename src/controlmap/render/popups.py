"""Every popup and balloon the project writes, from one set of autoescaping templates.

The templates are in ``templates/``. Each value they print is HTML-escaped and has ``$``,
backtick and backslash turned into character references (``safe.text``), because folium
puts popup HTML inside JavaScript template strings where ``${...}`` would run. A template
cannot forget an escape: only values already marked safe by this module pass unchanged.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup

from controlmap.render import safe


def _finalize(value: Any) -> Any:
    if isinstance(value, Markup):
        return value
    return Markup(safe.text(value))


def _clip(text: Any, limit: int | None) -> str:
    text = "" if text is None else str(text)
    if limit is None or len(text) <= limit:
        return text
    return text[: limit - 3] + "..."


class _Loader(jinja2.BaseLoader):
    """Templates read through importlib.resources, so they work from a wheel too."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, None, Any]:
        path = resources.files("controlmap.render") / "templates" / template
        try:
            source = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise jinja2.TemplateNotFound(template) from None
        return source, None, lambda: True


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=_Loader(),
        autoescape=True,
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["clip"] = _clip
    env.tests["web_link"] = safe.is_web_link
    return env


def render(name: str, **values: Any) -> str:
    """Template ``name`` rendered with ``values``; the result is safe to put in a page."""
    return str(environment().get_template(name).render(**values))
