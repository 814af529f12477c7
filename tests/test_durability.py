"""Concurrent writers lose nothing; a writer killed mid-write leaves a sound database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

from sqlalchemy import text

from controlmap import dataset
from controlmap.store import Store

WRITER = textwrap.dedent(
    """
    import datetime as dt, sys
    from shapely.geometry import box
    from controlmap.model import Citation, Claim, Source
    from controlmap.store import Store
    store = Store(sys.argv[1])
    tag, count = sys.argv[2], int(sys.argv[3])
    cite = (Citation(Source(title="Durability " + tag, url="https://example.org/d")),)
    for i in range(count):
        x = 40 + (i % 100) * 0.05
        claim = Claim(actor="isil", status="control", extent="all",
                      geometry=box(x, 33, x + 0.04, 33.04).buffer(0.01, quad_segs=64),
                      observed_on=dt.date(2014, 1, 1) + dt.timedelta(days=i % 300),
                      citations=cite, notes=f"{tag}-{i}")
        (cid,) = store.add_claims([claim], who=tag)
        print(cid, flush=True)
    """
)


def _writer(url: str, tag: str, count: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, url, tag, str(count)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )


def test_two_processes_writing_at_once_lose_nothing(db_url):
    dataset.init_store(Store(db_url), demo=False)
    procs = [_writer(db_url, tag, 60) for tag in ("a", "b")]
    outputs = [p.communicate(timeout=120) for p in procs]
    for p, (_, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err
    ids = [int(x) for out, _ in outputs for x in out.split()]
    assert len(ids) == len(set(ids)) == 120
    store = Store(db_url)
    assert store.claim_count() == 120
    notes = {c.notes for c in store.claims()}
    assert notes == {f"{t}-{i}" for t in "ab" for i in range(60)}


def test_writer_killed_mid_write_leaves_every_committed_claim(db_url):
    dataset.init_store(Store(db_url), demo=False)
    proc = _writer(db_url, "k", 100_000)
    committed = []
    assert proc.stdout is not None
    for line in proc.stdout:
        committed.append(int(line))
        if len(committed) >= 40:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    store = Store(db_url)
    if store.dialect == "sqlite":
        with store.engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
    present = {c.id for c in store.claims()}
    assert set(committed) <= present
    # Every claim present is whole: citations and its creation revision were written with it.
    for claim in store.claims():
        assert claim.citations and store.revisions(claim.id or 0)
