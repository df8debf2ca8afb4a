"""Feedback files for provinces: one CSV per submitter listing what became of each file
and every finding, written beside the published warehouse.

Spreadsheet programs run a cell that starts with =, +, -, @ (or a tab or carriage return)
as a formula, so such cells are written with a leading apostrophe: a province's own raw
values are shown to people, never executed.
"""

import csv
import os
from pathlib import Path

import duckdb

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = (
    "file_path", "file_status", "row_number", "rule", "severity", "field", "raw_value", "message",
)  # fmt: skip


def neutralize(value: object) -> str:
    """The text of a CSV cell that no spreadsheet will evaluate."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _safe_name(submitter: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in submitter) or "_"


def write_feedback(warehouse: Path, directory: Path) -> dict[str, int]:
    """Write `<directory>/<submitter>.csv` from the published warehouse (read-only); return
    the number of rows written per submitter."""
    conn = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = conn.execute(
            """
            select coalesce(f.submitter, '_no_submitter') as submitter, f.file_path, f.status,
                   i.row_number, i.rule, i.severity, i.field, i.raw_value, i.message
            from marts.submission_files f
            left join marts.data_quality_issues i
                on i.file_sha256 = f.file_sha256 and f.status <> 'duplicate'
            order by 1, f.file_path, i.row_number nulls first, i.rule
            """
        ).fetchall()
    finally:
        conn.close()
    by_submitter: dict[str, list[tuple]] = {}
    for submitter, *rest in rows:
        by_submitter.setdefault(submitter, []).append(tuple(rest))
    directory.mkdir(parents=True, exist_ok=True)
    for submitter, records in by_submitter.items():
        target = directory / f"{_safe_name(submitter)}.csv"
        temp = target.with_suffix(".csv.tmp")
        with temp.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
            writer.writerows([neutralize(v) for v in record] for record in records)
        os.replace(temp, target)
    return {submitter: len(records) for submitter, records in by_submitter.items()}
