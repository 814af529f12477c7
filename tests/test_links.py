"""A shared link is untrusted: its values are never shown as Markdown (issue 9, point 4)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "src" / "controlmap" / "web" / "app.py")
PHISH = "[sign in](https://evil.example/login) ![](https://evil.example/beacon.png)"


def _shown(at: AppTest) -> list[str]:
    """Every message the page showed: warnings, toasts, info, errors, markdown."""
    texts: list[str] = []
    for kind in ("warning", "toast", "info", "error", "success", "markdown", "caption"):
        texts.extend(str(getattr(e, "value", "")) for e in getattr(at, kind))
    return texts


def test_link_values_are_never_echoed_as_markdown(demo_db, monkeypatch):
    monkeypatch.setenv("CONTROLMAP_DB", demo_db)
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params.update(v=PHISH, date=PHISH)
    at.run()
    assert not at.exception
    shown = _shown(at)
    # The user is still told the link was odd, in words of the app's own.
    assert any("link" in s for s in at.toast.values + at.warning.values)
    assert not [s for s in shown if "evil.example" in s or "](" in s]
