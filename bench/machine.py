"""What every benchmark prints with its figures: the machine, and how busy it was."""

from __future__ import annotations

import os
import platform


def machine() -> str:
    """Operating system, Python and core count, in one line."""
    return f"{platform.platform()}, python {platform.python_version()}, {os.cpu_count()} cores"


def load_average() -> list[float]:
    """The 1-, 5- and 15-minute load averages: the figures mean little on a busy machine."""
    return [round(x, 2) for x in os.getloadavg()]
