"""The command line: list, check with JSON, errata, exit codes."""
import json

from cmwork.cli import main


def test_list_names_every_claim_of_the_design_with_status(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for cid in ("lemma-4.1", "eq-92-99", "prop-4.1", "prop-4.2", "prop-4.3",
                "prop-4.4", "remark-4.6"):
        assert f"{cid}" in out
    assert "not implemented" in out          # later claims are listed honestly


def test_list_params_shows_domains(capsys):
    assert main(["list", "--params", "prop-4.4"]) == 0
    out = capsys.readouterr().out
    assert "inv_omegas" in out and "integer >= m*" in out


def test_check_writes_json_with_evidence(tmp_path, capsys):
    path = tmp_path / "v.json"
    rc = main(["check", "prop-4.1", "--json", str(path), "--seed", "3"])
    assert rc == 0
    data = json.loads(path.read_text())
    assert data[0]["claim"] == "prop-4.1" and data[0]["status"] == "holds"
    assert data[0]["seed"] == 3 and data[0]["evidence"]["rows"]


def test_check_override_parameter(capsys):
    assert main(["check", "prop-4.4", "--set", "inv_omegas=30",
                 "--set", "m=4"]) == 0
    assert "m = 4" in capsys.readouterr().out


def test_errata_prints_the_remark_4_6_entry(capsys):
    assert main(["errata"]) == 0
    out = capsys.readouterr().out
    # every erratum the derivations find is listed, Remark 4.6's among them
    from proofs import all_derivations
    found = [s for d in all_derivations() for s in d.errata]
    assert "entry (3,3)" in out and f"{len(found)} difference(s)" in out
    assert all(s.where in out for s in found)


def test_derive_prints_steps(capsys):
    assert main(["derive", "eq-92-99"]) == 0
    assert "eq. (97)" in capsys.readouterr().out


def test_bad_usage_exits_2_with_one_line(capsys):
    for argv in (["check", "nope"], ["check", "--dps", "2"],
                 ["check", "prop-4.4", "--set", "m=0"],
                 ["check", "prop-4.4", "--set", "inv_omegas=-1"],
                 ["frobnicate"], ["derive", "nope"],
                 ["check", "prop-4.1", "--json", "/nonexistent/dir/v.json"]):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("cmwork: error:"), argv
