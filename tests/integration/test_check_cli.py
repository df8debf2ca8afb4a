"""`digimetrics check`, the pre-submission check (orchestration/cli.py): exit status, the
three output formats, reference data of its own, and no warehouse written. Whether its
findings are the pipeline's is proved over the whole corpus (tests/corpus/test_corpus.py).

One test runs the installed console script as a clerk would; the others call its entry
point in this process, where dbt compiles the models once for all of them.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from orchestration.cli import main
from tests.conftest import REPO_ROOT, environment, write_file

GOOD = "region,period,metric,value\nVN-36,2024-Q1,online_dossiers,2439\nVN-36,2024-Q1,total_dossiers,3000\n"
# row 2 names no known region and row 3's count is negative (both rejected); row 6's rate
# disagrees with the counts of rows 4 and 5 (a warning); rows 1, 4, 5 and 6 are accepted
BAD = (
    "region,period,metric,value\n"
    'VN-36,2023-Q4,online_dossiers,"2,439"\n'
    "Atlantis,2023-Q4,total_dossiers,3000\n"
    "VN-36,2023-Q4,total_dossiers,-5\n"
    "Ninh Thuan,2023-Q3,online_dossiers,80\n"
    "Ninh Thuan,2023-Q3,total_dossiers,100\n"
    "Ninh Thuan,2023-Q3,online_dossier_rate,60\n"
)


@pytest.fixture
def quiet_env(tmp_path: Path):
    """No warehouse to read; a temporary folder of its own, to see that it leaves none."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    with environment(DIGIMETRICS_WAREHOUSE=str(tmp_path / "bi" / "dw.duckdb"), TMPDIR=str(scratch)):
        yield tmp_path
    assert not (tmp_path / "bi").exists(), "the check never creates a warehouse"
    assert not list(scratch.iterdir()), "the check leaves no temporary file"


def run(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    tempfile.tempdir = None  # TMPDIR is read again
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_console_script_accepts_a_good_file(quiet_env: Path) -> None:
    path = write_file(quiet_env, "report.csv", GOOD)
    script = Path(sys.executable).with_name("digimetrics")
    done = subprocess.run(
        [str(script), "check", str(path), "--submitter", "VN-36"],
        capture_output=True, text=True, timeout=120, cwd=quiet_env, env=os.environ.copy(),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Checked VN-36/report.csv" in done.stdout
    assert (
        "Outcome: accepted. 2 of 2 rows would be accepted, 0 rejected; 0 warnings." in done.stdout
    )
    assert "VN-36   2024-Q1  online_dossiers  all     2439" in done.stdout


def test_rejections_exit_non_zero_in_every_format(
    quiet_env: Path, capsys: pytest.CaptureFixture
) -> None:
    path = write_file(quiet_env, "VN-36_2023.csv", BAD)

    code, text, _ = run(capsys, "check", str(path), "--submitter", "VN-36")
    assert code == 1
    assert (
        "Outcome: partially accepted. 4 of 6 rows would be accepted, 2 rejected; 1 warning." in text
    )
    assert "row 2  unknown_region: unknown region 'Atlantis'" in text
    assert "row 3  negative_count: total_dossiers is a count and cannot be negative (-5)" in text
    assert "row 6  rate_mismatch: reported online_dossier_rate 60 differs from 80.00" in text

    code, out, _ = run(capsys, "check", str(path), "--submitter", "VN-36", "--format", "json")
    assert code == 1
    document = json.loads(out)
    assert document["status"] == "partially_accepted" and document["rejects_anything"]
    assert [(f["row_number"], f["rule"], f["severity"]) for f in document["findings"]] == [
        (2, "unknown_region", "row_rejected"), (3, "negative_count", "row_rejected"),
        (6, "rate_mismatch", "warning"),
    ]  # fmt: skip
    assert [(r["row_number"], r["metric_code"], r["value"]) for r in document["accepted_rows"]] == [
        (1, "online_dossiers", 2439), (4, "online_dossiers", 80), (5, "total_dossiers", 100),
        (6, "online_dossier_rate", 60),
    ]  # fmt: skip

    code, out, _ = run(capsys, "check", str(path), "--submitter", "VN-36", "--format", "csv")
    assert code == 1
    records = list(csv.DictReader(io.StringIO(out)))
    findings = [r for r in records if r["record"] == "finding"]
    assert [(r["row_number"], r["rule"], r["message"]) for r in findings] == [
        (str(f["row_number"]), f["rule"], f["message"]) for f in document["findings"]
    ]
    accepted = [(r["row_number"], r["value"]) for r in records if r["record"] == "accepted"]
    assert accepted == [("1", "2439"), ("4", "80"), ("5", "100"), ("6", "60")]


def test_a_rejected_file_and_a_wrong_submitter(
    quiet_env: Path, capsys: pytest.CaptureFixture
) -> None:
    empty = write_file(quiet_env, "empty.csv", "region,period,metric,value\n")
    code, out, _ = run(capsys, "check", str(empty), "--submitter", "VN-36", "--format", "json")
    assert code == 1
    assert [(f["row_number"], f["rule"]) for f in json.loads(out)["findings"]] == [
        (None, "empty_file")
    ]
    code, text, _ = run(capsys, "check", str(empty), "--submitter", "VN-36")
    assert code == 1
    assert "Outcome: rejected. The whole file would be rejected: none of it is read." in text
    assert "  file  empty_file: " in text
    # a name the landing zone skips is never read: not accepted either
    hidden = write_file(quiet_env, ".report.csv", GOOD)
    code, text, _ = run(capsys, "check", str(hidden), "--submitter", "VN-36")
    assert code == 1 and "Outcome: ignored." in text
    good = write_file(quiet_env, "good.csv", GOOD)
    code, out, _ = run(capsys, "check", str(good), "--submitter", "VN-HN", "--format", "json")
    assert code == 1  # Hanoi may not report for Ninh Thuan (VN-36)
    assert {f["rule"] for f in json.loads(out)["findings"]} == {"region_not_owned"}


def test_reference_data_of_its_own(quiet_env: Path, capsys: pytest.CaptureFixture) -> None:
    reference = quiet_env / "reference"
    shutil.copytree(REPO_ROOT / "sources" / "reference", reference)
    good = write_file(quiet_env, "good.csv", GOOD)
    # a ministry that renamed a metric: the file's metric is unknown against that catalog
    for name in ("metrics.csv", "indicators.csv", "reporting_schedules.csv"):
        path = reference / name
        path.write_text(path.read_text().replace("online_dossiers", "dossiers_online"))
    metrics = reference / "metrics.csv"
    code, out, _ = run(capsys, "check", str(good), "--submitter", "VN-36", "--reference", str(reference),
                    "--format", "json")  # fmt: skip
    assert code == 1
    assert [(f["row_number"], f["rule"]) for f in json.loads(out)["findings"]] == [
        (1, "unknown_metric")
    ]
    # malformed reference data: the check cannot run, and says which file and line
    metrics.write_text(metrics.read_text().replace("dossiers_online,count", "dossiers_online,many"))
    with environment(DIGIMETRICS_REFERENCE_DIR=str(reference)):
        code, out, err = run(capsys, "check", str(good), "--submitter", "VN-36")
    assert (code, out) == (2, "")
    assert "metrics.csv line 2, column kind: 'many' is not count or rate" in err
