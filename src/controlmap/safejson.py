"""JSON from files, forms and uploads, parsed so that hostile input gives a one-line error.

Python's parser takes ``NaN`` and ``Infinity``, recurses once per nesting level, refuses
integers of more than 4,300 digits with a bare ValueError, and passes lone UTF-16 surrogates
through (they break later, when the text is written). Each of these is a ValidationError here.
"""

from __future__ import annotations

import json
from typing import Any

from controlmap.errors import ValidationError

MAX_DEPTH = 64
MAX_DIGITS = 40


def _constant(name: str) -> Any:
    raise ValidationError(f"{name} is not a number JSON allows")


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise ValidationError(f"a number with {len(text):,} digits is too long")
    return int(text)


def _real(text: str) -> float:
    if len(text) > MAX_DIGITS * 2:
        raise ValidationError(f"a number with {len(text):,} digits is too long")
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValidationError(f"{text[:20]} is out of range for a number")
    return value


def _check(value: Any) -> None:
    """Depth and text checks over the parsed value, without recursion."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ValidationError(f"the JSON is nested more than {MAX_DEPTH} deep")
        if isinstance(item, str):
            _utf8(item)
        elif isinstance(item, dict):
            for key, child in item.items():
                _utf8(key)
                stack.append((child, depth + 1))
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)


def _utf8(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError("the JSON holds a lone UTF-16 surrogate (\\ud800-\\udfff)") from None


def loads(data: bytes | str) -> Any:
    """Parse untrusted JSON text; every problem is a ValidationError with a one-line message."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError("the file is not UTF-8 text") from None
    try:
        value = json.loads(data, parse_constant=_constant, parse_int=_integer, parse_float=_real)
    except json.JSONDecodeError as exc:
        raise ValidationError(f"not valid JSON (line {exc.lineno}: {exc.msg})") from None
    except RecursionError:
        raise ValidationError(f"the JSON is nested too deep (more than {MAX_DEPTH})") from None
    _check(value)
    return value
