"""Feedback files for provinces: one CSV per submitter listing what became of each file
and every finding, written beside the published warehouse.

Spreadsheet programs run a cell that starts with =, +, -, @ (or a tab or carriage return)
as a formula, also after leading spaces and in its full-width form (＝), so such cells
are written with a leading apostrophe; every cell is quoted, so that a spreadsheet that
splits on `;` or tabs cannot cut a cell into a formula. A province's own raw values are
shown to people, never executed.
"""

import csv
import hashlib
import json
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import duckdb

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
COLUMNS = (
    "file_path", "file_status", "row_number", "rule", "severity", "field", "raw_value", "message",
)  # fmt: skip
# a formula sign right after a ';' or tab (and spaces): ';=1+1' becomes ";'=1+1"
_INNER_FORMULA = re.compile(r"([;\t][ \u00a0\u3000]*)(?=[=+\-@\uff1d\uff0b\uff0d\uff20])")
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


def neutralize(value: object) -> str:
    """The text of a CSV cell that no spreadsheet will evaluate: also where a spreadsheet
    that splits on ';' or tabs would start a cell inside it."""
    text = "" if value is None else str(value)
    text = _INNER_FORMULA.sub(r"\1'", text)
    # NFKC folds full-width signs (＝, ＋) into the ones spreadsheets act on
    lead = unicodedata.normalize("NFKC", text[:8]).lstrip(" \u00a0\u3000")
    return "'" + text if lead.startswith(FORMULA_TRIGGERS) else text


def feedback_name(submitter: str) -> str:
    """The feedback file's name for a submitter folder: the folder's name when it is a
    plain code, else a readable part of it and a digest of all of it, so that two folders
    never share a file ('VN HN' and 'VN_HN') and no name is too long for the file system."""
    if _PLAIN_NAME.fullmatch(submitter):
        return f"{submitter}.csv"
    readable = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "_"
                       for ch in submitter[:40]).strip("_") or "_"  # fmt: skip
    digest = hashlib.sha256(submitter.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{readable}~{digest}.csv"


# per submitter, a digest of what its file holds, beside the files: a refresh rewrites only
# the files whose findings changed (and any that went missing), with this module's code in
# the digest so that a change to how cells are written rewrites them all
_FINGERPRINTS = ".fingerprints.json"
_CODE = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
_FEEDBACK_ROWS = """
    select coalesce(f.submitter, '_no_submitter') as submitter, f.file_path, f.status,
           i.row_number, i.rule, i.severity, i.field, i.raw_value, i.message
    from marts.submission_files f
    left join marts.data_quality_issues i
        on i.file_path = f.file_path
        and i.file_sha256 is not distinct from f.file_sha256
        and f.status <> 'duplicate'
"""


def _read_fingerprints(directory: Path) -> dict[str, str]:
    try:
        stored = json.loads((directory / _FINGERPRINTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return stored if isinstance(stored, dict) else {}


@dataclass(frozen=True)
class FeedbackWritten:
    submitters: int  # submitters with a feedback file
    rewritten: dict[str, int]  # rows written per submitter whose file was rewritten


def write_feedback(warehouse: Path, directory: Path) -> FeedbackWritten:
    """Write `<directory>/<feedback_name(submitter)>` from the published warehouse
    (read-only) for every submitter whose findings changed since the files were last
    written."""
    previous = _read_fingerprints(directory)
    conn = duckdb.connect(str(warehouse), read_only=True)
    try:
        fingerprints = {
            submitter: f"{_CODE}:{rows}:{digest}"
            for submitter, rows, digest in conn.execute(
                f"""
                select submitter, count(*), sum(hash(
                    file_path, status, row_number, rule, severity, field, raw_value, message
                ))
                from ({_FEEDBACK_ROWS}) group by submitter
                """
            ).fetchall()
        }
        stale = sorted(
            s for s, fingerprint in fingerprints.items()
            if previous.get(s) != fingerprint or not (directory / feedback_name(s)).exists()
        )  # fmt: skip
        rows = conn.execute(
            f"""
            select * from ({_FEEDBACK_ROWS}) where submitter in (select unnest(?))
            order by 1, file_path, row_number nulls first, rule
            """,
            [stale],
        ).fetchall()
    finally:
        conn.close()
    by_submitter: dict[str, list[tuple]] = {}
    for submitter, *rest in rows:
        by_submitter.setdefault(submitter, []).append(tuple(rest))
    directory.mkdir(parents=True, exist_ok=True)
    for submitter, records in by_submitter.items():
        target = directory / feedback_name(submitter)
        temp = target.with_name(f".{target.name}.tmp")
        with temp.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
            writer.writerow(COLUMNS)
            writer.writerows([neutralize(v) for v in record] for record in records)
        os.replace(temp, target)
    # written after the files: a refresh killed between them rewrites them again
    temp = directory / f"{_FINGERPRINTS}.tmp"
    temp.write_text(json.dumps(fingerprints, sort_keys=True), encoding="utf-8")
    os.replace(temp, directory / _FINGERPRINTS)
    return FeedbackWritten(
        len(fingerprints), {submitter: len(records) for submitter, records in by_submitter.items()}
    )
