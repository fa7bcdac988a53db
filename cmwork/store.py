"""The results store: every verdict, from ``check`` and ``sweep`` alike.

An embedded SQLite database, one row per verdict, keyed by what makes a
verdict reproducible (DESIGN, "Claim ids" and "Verdicts"): the claim id, its
resolved parameters, the seed, the precision asked for, whether it was
certified, and the cmwork version.  The evidence is stored as JSON with the
summary, status and time taken.

Durability and concurrency, decided here:

* each verdict is written in its own transaction as soon as it is known, so
  a sweep killed at any moment (``kill -9``) keeps every point it finished;
* the key is the primary key and rows are inserted with ``INSERT OR
  IGNORE``: a rerun, or two sweeps racing on the same point, never
  duplicate a row (the first writer wins; both computed the same pure
  function);
* the database runs in WAL mode with a busy timeout, so several processes
  may write at once; SQLite serialises the writers.

The default file is ``$CMWORK_STORE`` if set, else
``$XDG_CACHE_HOME/cmwork/results.sqlite`` (``~/.cache/cmwork/...``);
``--store PATH`` chooses another.
"""
from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import sqlite3
import time
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Optional, Sequence

from . import __version__

#: Seconds a writer waits for another one before giving up.
BUSY_TIMEOUT = 60.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    key        TEXT PRIMARY KEY,
    claim      TEXT NOT NULL,
    params     TEXT NOT NULL,
    seed       INTEGER NOT NULL,
    dps        INTEGER,
    certified  INTEGER NOT NULL,
    version    TEXT NOT NULL,
    status     TEXT NOT NULL,
    summary    TEXT NOT NULL,
    evidence   TEXT NOT NULL,
    seconds    REAL NOT NULL,
    source     TEXT NOT NULL,
    created    REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS results_claim ON results (claim, created);
"""


def default_path() -> str:
    """``$CMWORK_STORE``, else the user's cache directory."""
    env = os.environ.get("CMWORK_STORE")
    if env:
        return env
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "cmwork", "results.sqlite")


def canonical(params: Dict[str, Any]) -> str:
    """Parameters as canonical JSON (sorted keys, no spaces)."""
    return json.dumps(params, sort_keys=True, separators=(",", ":"),
                      default=str)


def make_key(claim: str, params: Dict[str, Any], seed: int,
             dps: Optional[int], certified: bool,
             version: str = __version__) -> str:
    """The identity of a verdict: a SHA-256 of what determines it."""
    text = canonical({"claim": claim, "params": params, "seed": seed,
                      "dps": dps, "certified": bool(certified),
                      "version": version})
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Row:
    key: str
    claim: str
    params: Dict[str, Any]
    seed: int
    dps: Optional[int]
    certified: bool
    version: str
    status: str
    summary: str
    evidence: Dict[str, Any]
    seconds: float
    source: str
    created: float


class Store:
    """A results database at ``path`` (created with its folder if missing).

    >>> import tempfile, os
    >>> s = Store(os.path.join(tempfile.mkdtemp(), "r.sqlite"))
    >>> k = make_key("prop-4.1", {"m": 3}, 0, None, False)
    >>> s.add(k, claim="prop-4.1", params={"m": 3}, seed=0, dps=30,
    ...       certified=False, status="holds", summary="ok", evidence={},
    ...       seconds=0.1, source="check")
    True
    >>> s.add(k, claim="prop-4.1", params={"m": 3}, seed=0, dps=30,
    ...       certified=False, status="holds", summary="ok", evidence={},
    ...       seconds=0.1, source="check")      # already there
    False
    >>> s.count("prop-4.1")
    1
    """

    def __init__(self, path: Optional[str] = None):
        self.path = os.path.abspath(path or default_path())
        folder = os.path.dirname(self.path)
        try:
            os.makedirs(folder, exist_ok=True)
            self._create()
        except (OSError, sqlite3.Error) as exc:
            raise ValueError(f"store={self.path!r}: cannot open a results "
                             f"database there ({exc})") from None

    def _create(self):
        """The schema, retried while another process holds the lock: the
        switch to WAL mode of a new database does not wait on SQLite's
        busy timeout, so two commands started together on a new store
        would otherwise see "database is locked"."""
        deadline = time.monotonic() + BUSY_TIMEOUT
        while True:
            try:
                with self._connect() as con:
                    con.executescript(_SCHEMA)
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT,
                              isolation_level=None)
        try:
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")
            yield con
        finally:
            con.close()

    # -- writing ---------------------------------------------------------------
    def add(self, key: str, *, claim: str, params: Dict[str, Any], seed: int,
            dps: Optional[int], certified: bool, status: str, summary: str,
            evidence: Dict[str, Any], seconds: float, source: str,
            version: str = __version__) -> bool:
        """Insert one verdict in its own transaction; False if already there."""
        with self._connect() as con:
            cur = con.execute(
                "INSERT OR IGNORE INTO results VALUES "
                "(?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (key, claim, canonical(params), int(seed), dps,
                 int(bool(certified)), version, status, summary,
                 json.dumps(evidence, default=str), float(seconds), source,
                 time.time()))
            return cur.rowcount == 1

    def add_verdict(self, verdict, *, dps: Optional[int], source: str) -> bool:
        """Store a :class:`cmwork.claims.Verdict` (its JSON form)."""
        data = verdict.to_json()
        key = make_key(data["claim"], data["params"], data["seed"], dps,
                       data.get("certified", False))
        return self.add(key, claim=data["claim"], params=data["params"],
                        seed=data["seed"], dps=data["dps"],
                        certified=data.get("certified", False),
                        status=data["status"], summary=data["summary"],
                        evidence={"evidence": data["evidence"],
                                  "notes": data["notes"]},
                        seconds=data["seconds"], source=source)

    # -- reading ---------------------------------------------------------------
    def has(self, key: str) -> bool:
        with self._connect() as con:
            return con.execute("SELECT 1 FROM results WHERE key = ?",
                               (key,)).fetchone() is not None

    def keys(self, claim: Optional[str] = None) -> set:
        q, args = "SELECT key FROM results", ()
        if claim:
            q, args = q + " WHERE claim = ?", (claim,)
        with self._connect() as con:
            return {r[0] for r in con.execute(q, args)}

    def count(self, claim: Optional[str] = None) -> int:
        return len(self.keys(claim))

    def rows(self, claim: Optional[str] = None) -> List[Row]:
        """Stored verdicts, oldest first."""
        q = "SELECT * FROM results"
        args: Sequence = ()
        if claim:
            q, args = q + " WHERE claim = ?", (claim,)
        with self._connect() as con:
            out = []
            for r in con.execute(q + " ORDER BY created, key", args):
                out.append(Row(key=r[0], claim=r[1], params=json.loads(r[2]),
                               seed=r[3], dps=r[4], certified=bool(r[5]),
                               version=r[6], status=r[7], summary=r[8],
                               evidence=json.loads(r[9]), seconds=r[10],
                               source=r[11], created=r[12]))
            return out

    def latest(self) -> Dict[str, Row]:
        """The newest stored verdict of each claim."""
        out: Dict[str, Row] = {}
        for r in self.rows():
            out[r.claim] = r
        return out


def to_csv(rows: Sequence[Row]) -> str:
    """Rows as CSV: identity columns, then every parameter as its own column."""
    names = sorted({k for r in rows for k in r.params})
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["claim", "status", "seed", "dps", "certified", "seconds",
                "version", "source", "key"] + names + ["summary"])
    for r in rows:
        w.writerow([r.claim, r.status, r.seed, r.dps, int(r.certified),
                    f"{r.seconds:.3f}", r.version, r.source, r.key]
                   + [_cell(r.params.get(n)) for n in names] + [r.summary])
    return buf.getvalue()


def _cell(v) -> str:
    if isinstance(v, list):
        return ",".join(str(x) for x in v)
    return "" if v is None else str(v)
