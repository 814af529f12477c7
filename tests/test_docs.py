"""Every setting the code reads is documented in the README."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_every_environment_setting_is_in_the_readme():
    names = set()
    for path in (REPO / "src" / "controlmap").rglob("*.py"):
        names |= set(re.findall(r"CONTROLMAP_[A-Z_]+", path.read_text(encoding="utf-8")))
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert names, "the package reads no settings? the pattern must be wrong"
    missing = sorted(n for n in names if n not in readme)
    assert not missing, f"undocumented settings: {missing}"


def test_readme_opens_with_the_two_commands_ci_runs():
    readme = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    commands = [line.split("#")[0].strip() for line in readme[:6] if line.startswith("    ")]
    assert commands == ["make run", "make test"]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.strip().splitlines()[-1] == "make test"
