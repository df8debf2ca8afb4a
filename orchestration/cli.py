"""`digimetrics check FILE --submitter VN-36`: what the pipeline would record for a file,
before it is sent (checking.py does the work; this module reads arguments and prints).

Exit status: 0 when the file would be accepted whole (warnings allowed), 1 when the file
or any row would be rejected (or the file would not be read at all), 2 when the check
itself cannot run (a bad argument, unreadable reference data).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import io
import json
import sys
from pathlib import Path

from orchestration.lib.checking import ACCEPTED_COLUMNS, FINDING_COLUMNS, CheckResult, check_file
from orchestration.lib.reference import ReferenceError
from orchestration.lib.rules import FILE_REJECTED, ROW_REJECTED, WARNING
from orchestration.lib.settings import Settings

SECTIONS = ((FILE_REJECTED, "The whole file would be rejected"),
            (ROW_REJECTED, "Rows that would be rejected"),
            (WARNING, "Warnings (the data is published and flagged)"))  # fmt: skip
# one CSV table for both kinds of record: a finding, or a row that would be accepted
CSV_COLUMNS = ("record", *FINDING_COLUMNS, *ACCEPTED_COLUMNS[1:])


def _number(value: object) -> object:
    """A stored value as a clerk wrote it: counts without '.0'."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def render_text(result: CheckResult) -> str:
    lines = [f"Checked {result.file_path}"]
    if result.status == "ignored":
        lines.append(
            "Outcome: ignored. The pipeline never reads a file whose name starts with '.' "
            "or ends in .tmp or .part: rename it."
        )
        return "\n".join(lines) + "\n"
    warnings = sum(f["severity"] == WARNING for f in result.findings)
    if any(f["severity"] == FILE_REJECTED for f in result.findings):
        lines.append("Outcome: rejected. The whole file would be rejected: none of it is read.")
    else:
        lines.append(
            f"Outcome: {result.status.replace('_', ' ')}. {result.rows_accepted} of "
            f"{result.rows_total} rows would be accepted, {result.rows_rejected} rejected; "
            f"{warnings} warning{'s' * (warnings != 1)}."
        )
    for severity, title in SECTIONS:
        findings = [f for f in result.findings if f["severity"] == severity]
        if findings:
            lines += ["", f"{title}:"]
        for f in findings:
            where = "file" if f["row_number"] is None else f"row {f['row_number']}"
            lines.append(f"  {where}  {f['rule']}: {f['message']}")
    if result.accepted_rows:
        lines += ["", f"Observations that would be accepted ({len(result.accepted_rows)}):"]
        table = [["row", "region", "period", "metric", "sector", "value"]] + [
            [str(_number(r[c])) for c in ACCEPTED_COLUMNS] for r in result.accepted_rows
        ]
        widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
        lines += ["  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
                  for row in table]  # fmt: skip
    return "\n".join(lines) + "\n"


def render_csv(result: CheckResult) -> str:
    """One row per finding (record `finding`) and per accepted observation (`accepted`)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for finding in result.findings:
        writer.writerow({"record": "finding", **finding})
    for row in result.accepted_rows:
        writer.writerow({"record": "accepted", **row, "value": _number(row["value"])})
    return out.getvalue()


def render_json(result: CheckResult) -> str:
    document = dataclasses.asdict(result) | {"rejects_anything": result.rejects_anything}
    document["accepted_rows"] = [
        r | {"value": _number(r["value"])} for r in document["accepted_rows"]
    ]
    return json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n"


RENDERERS = {"text": render_text, "csv": render_csv, "json": render_json}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="digimetrics", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "check",
        help="check a file before sending it",
        description="Print every finding the pipeline would record for FILE and the "
        "observations it would accept; touches no warehouse.",
    )
    check.add_argument("file", type=Path, metavar="FILE")
    check.add_argument(
        "--submitter", required=True,
        help="region code of the submitting authority: the landing-zone folder, e.g. VN-36",
    )  # fmt: skip
    check.add_argument("--format", choices=tuple(RENDERERS), default="text")
    check.add_argument(
        "--reference", type=Path, metavar="DIR",
        help="reference data folder (default: DIGIMETRICS_REFERENCE_DIR, else sources/reference)",
    )  # fmt: skip
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    submitter = args.submitter.strip()
    if not submitter or "/" in submitter or submitter in (".", ".."):
        parser.error(f"--submitter {args.submitter!r}: give a region code such as VN-36")
    if not args.file.is_file():
        parser.error(f"{args.file}: no such file")
    settings = Settings.from_env()
    if args.reference is not None:
        settings = dataclasses.replace(settings, reference_dir=args.reference.resolve())
    try:
        result = check_file(args.file, f"{submitter}/{args.file.name}", settings)
    except (ReferenceError, OSError) as err:
        print(f"digimetrics check: {err}", file=sys.stderr)
        return 2
    sys.stdout.write(RENDERERS[args.format](result))
    return 1 if result.rejects_anything else 0


if __name__ == "__main__":
    raise SystemExit(main())
