"""Sweeps and the results store: grids, skipping what is stored, kill -9,
concurrent writers, the Dask path against the local one, and the report
page.  Expected values are the store's own invariants (one row per key,
nothing recomputed) checked from outside, and the verdicts of the same
tasks run directly."""
import html.parser
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from cmwork import sweep
from cmwork.claims import UsageError, get
from cmwork.cli import main
from cmwork.store import Store, make_key

#: A cheap claim and grid: prop-4.1 over two widths and two memories.
CLAIM = "prop-4.1"
GRID = ["m=2,3", "inv_omegas=2,5"]


@pytest.fixture()
def store(tmp_path):
    return Store(str(tmp_path / "r.sqlite"))


def _tasks(grid=GRID, seeds=1):
    return sweep.tasks_for(CLAIM, sweep.parse_grid(CLAIM, grid),
                           preset="quick", seeds=seeds, dps=None,
                           certified=False)


def test_ranges_are_exact_and_include_stop():
    assert sweep._values("0.1:0.5:0.1", "x") == ["1/10", "1/5", "3/10", "2/5",
                                                  "1/2"]
    assert sweep._values("5:50:5", "x")[-1] == "50"
    assert len(sweep.parse_grid("lemma-4.1", ["omega_inv=5:50:5"])) == 10


@pytest.mark.parametrize("spec, words", [
    ("m=", "no values"), ("m=a,b", "m='a'"), ("inv_omegas=5:1:1", "below START"),
    ("nosuch=1,2", "no parameter 'nosuch'"), ("m", "NAME=V1"),
    ("m=1:4:0", "STEP must be > 0"), ("m=1,,2", "empty value"),
])
def test_malformed_grids_are_refused_naming_the_problem(spec, words):
    with pytest.raises(UsageError, match=words.replace("(", r"\(")):
        sweep.parse_grid(CLAIM if "inv" not in spec else "lemma-4.1", [spec])


@pytest.mark.parametrize("cid, spec", [
    ("prop-4.4", "m="), ("prop-4.4", "m=a,b"), ("lemma-4.1", "omega_inv=5:1:1"),
    ("prop-4.1", "nosuch=1"), ("prop-4.4", "m=0,1")])
def test_malformed_grid_exits_2_with_one_line(cid, spec, capsys, tmp_path):
    rc = main(["sweep", cid, "--grid", spec, "--store",
               str(tmp_path / "s.sqlite")])
    assert rc == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("cmwork: error:")


def test_sweep_stores_every_point_once_and_a_rerun_computes_nothing(store):
    tasks = _tasks(seeds=2)
    first = sweep.run_sweep(tasks, store, workers=1)
    assert (first.total, first.computed, first.skipped) == (8, 8, 0)
    again = sweep.run_sweep(tasks, store, workers=1)
    assert (again.computed, again.skipped) == (0, 8)
    assert store.count(CLAIM) == 8
    # the stored verdict is the one the claim gives when run directly
    t = tasks[3]
    direct = get(CLAIM).run("quick", seed=t.seed, overrides=dict(t.overrides))
    row = next(r for r in store.rows(CLAIM) if r.key == t.key())
    assert row.status == direct.status and row.summary == direct.summary


def test_check_records_verdicts_under_the_same_key_as_a_sweep(store, capsys):
    assert main(["check", CLAIM, "--set", "m=2", "--set", "inv_omegas=2",
                 "--store", store.path]) == 0
    task = sweep.Task(CLAIM, "quick", (("inv_omegas", "2"), ("m", "2")), 0,
                      None, False)
    assert store.has(task.key())
    res = sweep.run_sweep([task], store, workers=1)
    assert res.computed == 0 and res.skipped == 1


def test_a_killed_sweep_keeps_what_it_finished_and_its_rerun_completes(
        tmp_path):
    path = str(tmp_path / "k.sqlite")
    cmd = [sys.executable, "-m", "cmwork.cli", "sweep", "prop-4.4", "--grid",
           "inv_omegas=20,40,60,80,100,120", "--grid", "m=3,4", "--workers",
           "1", "--quiet", "--store", path]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline:               # wait for some rows, then -9
        time.sleep(0.2)
        if os.path.exists(path) and Store(path).count() >= 3:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = Store(path).keys()
    assert 3 <= len(done) < 12, len(done)
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    assert f"{len(done)} already stored, {12 - len(done)} computed" in out.stdout
    con = sqlite3.connect(path)
    n, distinct = con.execute(
        "SELECT COUNT(*), COUNT(DISTINCT key) FROM results").fetchone()
    assert n == distinct == 12


def test_concurrent_sweeps_on_one_store_corrupt_nothing(tmp_path):
    path = str(tmp_path / "c.sqlite")
    cmd = [sys.executable, "-m", "cmwork.cli", "sweep", CLAIM, "--grid",
           "m=2,3,4", "--grid", "inv_omegas=2,3,5", "--workers", "1",
           "--quiet", "--store", path]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
             for _ in range(3)]
    outs = [p.communicate(timeout=300)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    n, distinct = con.execute(
        "SELECT COUNT(*), COUNT(DISTINCT key) FROM results").fetchone()
    assert n == distinct == 9


def test_progress_bar_draws_on_a_terminal_only():
    import io
    from cmwork.progress import Progress

    class Tty(io.StringIO):
        def isatty(self):
            return True
    tty, pipe = Tty(), io.StringIO()
    for stream, quiet in ((tty, False), (pipe, False), (Tty(), True)):
        bar = Progress("sweep", quiet=quiet, stream=stream)
        bar.update(3, 10, 1, 6.0)
        bar.close()
    assert "3/10 done, 1 failed, 14s left" in tty.getvalue()
    assert pipe.getvalue() == ""


def test_a_duplicate_insert_is_refused_by_the_store(store):
    key = make_key(CLAIM, {"m": 2}, 0, None, False)
    fields = dict(claim=CLAIM, params={"m": 2}, seed=0, dps=30,
                  certified=False, status="holds", summary="s", evidence={},
                  seconds=0.1, source="test")
    assert store.add(key, **fields) is True
    assert store.add(key, **fields) is False      # the wrong variant: a repeat
    assert store.count() == 1


def test_dask_local_cluster_gives_the_same_stored_results_as_local(tmp_path):
    distributed = pytest.importorskip("distributed")
    local = Store(str(tmp_path / "l.sqlite"))
    remote = Store(str(tmp_path / "d.sqlite"))
    tasks = _tasks()
    sweep.run_sweep(tasks, local, workers=1)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1,
                                  processes=True, dashboard_address=None) as c:
        res = sweep.run_sweep(tasks, remote, scheduler=c.scheduler_address)
    assert res.computed == len(tasks) and res.engine.startswith("dask")

    def essence(s):
        return {r.key: (r.status, r.summary, json.dumps(r.evidence,
                                                        sort_keys=True))
                for r in s.rows()}
    assert essence(local) == essence(remote)


def test_results_prints_and_exports_csv(store, capsys, tmp_path):
    sweep.run_sweep(_tasks(), store, workers=1)
    assert main(["results", CLAIM, "--store", store.path]) == 0
    out = capsys.readouterr().out
    assert "4 stored result(s)" in out and "inv_omegas=2, m=2" in out
    csv_path = tmp_path / "r.csv"
    assert main(["results", CLAIM, "--store", store.path, "--csv",
                 str(csv_path)]) == 0
    lines = csv_path.read_text().splitlines()
    assert len(lines) == 5 and lines[0].startswith("claim,status")


class _Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.images, self.links, self.tags = [], [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if tag == "img":
            self.images.append(a.get("src", ""))
        for k in ("href", "src"):
            if a.get(k):
                self.links.append(a[k])


def test_report_is_one_offline_page_with_embedded_images(store, tmp_path,
                                                         capsys):
    sweep.run_sweep(_tasks(), store, workers=1)
    assert main(["check", "prop-4.4", "remark-4.6", "--store",
                 store.path]) == 0
    out = tmp_path / "report"
    (out / "figures").mkdir(parents=True)
    (out / "figures" / "dot.png").write_bytes(bytes.fromhex(
        "89504e470d0a1a0a0000000d49484452000000010000000108000000003a7e9b55"
        "0000000a49444154789c63600000000200015e5b1f0c0000000049454e44ae426082"))
    assert main(["report", "--out", str(out), "--store", store.path,
                 "--no-pdf"]) == 0
    text = (out / "index.html").read_text()
    page = _Page()
    page.feed(text)
    assert "html" in page.tags and "table" in page.tags
    assert page.images and all(s.startswith("data:image/png;base64,")
                               for s in page.images)
    assert len(page.images) >= 2            # the sweep plot and the figure
    assert "http://" not in text and "https://" not in text
    assert all(not (link.startswith("//") or ":" in link.split("/")[0]
                    and not link.startswith("data:"))
               for link in page.links)
    for cid in ("prop-4.4", "remark-4.6", "prop-4.1"):
        assert f"id='ev-{cid}'" in text
    assert "Errata" in text and "entry (3,3)" in text


def test_the_offline_check_catches_a_remote_reference():
    # the assertion above can fail: a page with a remote image is caught
    page = _Page()
    page.feed("<img src='https://example.org/x.png'>")
    assert not all(s.startswith("data:") for s in page.images)
