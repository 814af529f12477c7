"""Small helpers for the words the product shows: counts that agree with their noun."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and its noun in the right number: "1 area", "2 areas", "1,204 claims"."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"
