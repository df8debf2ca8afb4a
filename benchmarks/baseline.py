"""Run benchmarks/baseline.sql, the benchmark's physical floor, over a landing zone.

    python -m benchmarks.baseline benchmarks/cache/1000000

This module only lists the landing files (as the contract's section 2 finds them), groups
the CSV files by encoding and delimiter (sniffed from their first bytes), binds paths as
parameters and times the script; every bit of computing is in the SQL.
"""

from __future__ import annotations

import argparse
import codecs
import os
import re
import stat
import time
from pathlib import Path

import duckdb

SQL = Path(__file__).with_name("baseline.sql")
SNIFF_BYTES = 64 * 1024
_SECTION = re.compile(r"^-- section: (\w+)[ \t]*$", re.MULTILINE)
_STATEMENT_END = re.compile(r";[ \t]*$", re.MULTILINE)
FACTS = ("fct_online_dossier_rate", "fct_cashless_payment_share", "fct_ehealth_record_coverage")


def sections(text: str) -> dict[str, list[str]]:
    """The script's sections by name, each as its list of statements."""
    parts = _SECTION.split(text)
    return {
        name: [s.strip() for s in _STATEMENT_END.split(body) if _has_code(s)]
        for name, body in zip(parts[1::2], parts[2::2], strict=True)
    }


def _has_code(statement: str) -> bool:
    return any(line.strip() and not line.strip().startswith("--") for line in statement.split("\n"))


def sniff_csv(path: Path) -> tuple[str, str]:
    """(DuckDB encoding, delimiter) from the first bytes: a UTF-16 or UTF-8 byte-order mark,
    else UTF-8 when the bytes decode as such, else latin-1 (Windows-1251 files)."""
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        codec = "utf-16-le" if head.startswith(codecs.BOM_UTF16_LE) else "utf-16-be"
        encoding, text = "utf-16", head[2:].decode(codec, errors="ignore")
    else:
        encoding = "utf-8"
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError as err:
            if len(head) < SNIFF_BYTES or err.start < len(head) - 3:
                encoding = "latin-1"
            text = head.decode("latin-1")
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    return encoding, max(counts, key=lambda d: counts[d])


def landing_files(landing: Path) -> tuple[dict[tuple[str, str], list[str]], list[str]]:
    """CSV files grouped by (encoding, delimiter), and JSON files: the regular, non-hidden
    files below the submitter folders, without .tmp/.part files and links."""
    csv_groups: dict[tuple[str, str], list[str]] = {}
    json_files: list[str] = []
    for folder, dirnames, filenames in os.walk(landing):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            path = Path(folder) / name
            lowered = name.lower()
            if name.startswith(".") or lowered.endswith((".tmp", ".part")):
                continue
            if path.parent == landing or not stat.S_ISREG(path.lstat().st_mode):
                continue
            if lowered.endswith(".json"):
                json_files.append(str(path))
            elif lowered.endswith(".csv"):
                csv_groups.setdefault(sniff_csv(path), []).append(str(path))
    return csv_groups, json_files


def _execute(conn: duckdb.DuckDBPyConnection, statements: list[str], **params: object) -> None:
    for statement in statements:
        used = {k: v for k, v in params.items() if re.search(rf"\${k}\b", statement)}
        conn.execute(statement, used)


def run_baseline(landing: Path, reference: Path, db_path: Path) -> float:
    """Compute the three fact tables from `landing` into a fresh DuckDB file at `db_path`
    (schema `marts`) with benchmarks/baseline.sql; return the wall seconds, listing and
    sniffing the files included."""
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    for stale in (db_path, db_path.with_name(db_path.name + ".wal")):
        stale.unlink(missing_ok=True)
    script = sections(SQL.read_text(encoding="utf-8"))
    started = time.perf_counter()
    csv_groups, json_files = landing_files(Path(landing))
    conn = duckdb.connect(str(db_path))
    try:
        _execute(
            conn, script["setup"],
            region_files=sorted(str(p) for p in (Path(reference) / "regions").glob("*.csv")),
            metrics_file=str(Path(reference) / "metrics.csv"),
            indicators_file=str(Path(reference) / "indicators.csv"),
        )  # fmt: skip
        for (encoding, delimiter), files in sorted(csv_groups.items()):
            _execute(
                conn, script["load_csv"], files=files, delimiter=delimiter, encoding=encoding,
                decimal_comma=delimiter == ";",
            )  # fmt: skip
        if json_files:
            _execute(conn, script["load_json"], files=json_files)
        _execute(conn, script["facts"])
        conn.execute("checkpoint")
    finally:
        conn.close()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run the baseline SQL over a generated zone.")
    parser.add_argument("zone", type=Path, help="a folder with landing/ and reference/")
    parser.add_argument("--db", type=Path, default=None, help="DuckDB file to write")
    args = parser.parse_args(argv)
    db = args.db or args.zone / "baseline.duckdb"
    seconds = run_baseline(args.zone / "landing", args.zone / "reference", db)
    conn = duckdb.connect(str(db), read_only=True)
    try:
        counts = {t: conn.execute(f"select count(*) from marts.{t}").fetchone()[0] for t in FACTS}
        rows = conn.execute("select count(*) from raw_rows").fetchone()[0]
    finally:
        conn.close()
    print(f"baseline: {seconds:.2f} s, {rows:,} rows read; " + ", ".join(
        f"{t} {n:,}" for t, n in counts.items()
    ))  # fmt: skip


if __name__ == "__main__":
    main()
