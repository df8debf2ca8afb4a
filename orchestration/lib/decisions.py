"""When a file's decision must be made again (contract section 5).

A file's outcome (parsed into rows, or rejected as a whole) depends on more than its
bytes: whether its folder names a known submitter (the registry), whether it is over the
size limit, how each of its metrics' values are read (the catalog's kinds), and the
parsing code itself. Each decision records what it depended on (the ledger's
`submitter_known` and `too_large`, and raw.parse_basis for the code and the kinds); when
any of it changed, the file is flagged `redecide` and parsing reads it again. A file that
could not be read (`read_error`) is tried again on every refresh.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb

# the modules whose code decides what a file's bytes become
_PARSING_MODULES = ("decoding", "display", "ingest", "landing", "names", "numbers", "parsing",
                    "periods", "readers", "rules")  # fmt: skip


def parser_digest() -> str:
    digest = hashlib.sha256()
    for name in _PARSING_MODULES:
        digest.update(name.encode() + b"\0")
        digest.update(Path(__file__).with_name(f"{name}.py").read_bytes() + b"\0")
    return digest.hexdigest()


def changed_kinds(old: dict[str, str], new: dict[str, str]) -> list[str]:
    """The metric codes whose kind differs, added and removed ones included."""
    return sorted(code for code in set(old) | set(new) if old.get(code) != new.get(code))


def mark_redecisions(conn: duckdb.DuckDBPyConnection, kinds: dict[str, str], max_bytes: int) -> int:
    """Flag every decided file whose decision depended on something that changed since;
    return how many files are flagged. One transaction with the new basis."""
    stored = conn.execute("select parser_digest, kinds from raw.parse_basis").fetchone()
    digest = parser_digest()
    changed = changed_kinds(json.loads(stored[1]) if stored else {}, kinds)
    conn.execute("begin transaction")
    try:
        conn.execute(
            """
            update raw.file_ledger set redecide = true
            where file_sha256 is not null
                and ingest_status in ('parsed', 'rejected')
                and (
                    $code_changed
                    or read_error
                    or submitter_known is distinct from coalesce(
                        upper(submitter) in (select region_code from raw.regions), false)
                    or too_large is distinct from (size_bytes > $max_bytes)
                    or (ingest_status = 'parsed' and file_sha256 in (
                        select file_sha256 from raw.parsed_observations
                        where list_contains($changed::varchar[], metric)))
                )
            """,
            {"code_changed": stored is None or stored[0] != digest, "max_bytes": max_bytes,
             "changed": changed},
        )  # fmt: skip
        conn.execute("delete from raw.parse_basis")
        conn.execute(
            "insert into raw.parse_basis values (?, ?)", [digest, json.dumps(kinds, sort_keys=True)]
        )
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    return conn.execute("select count(*) from raw.file_ledger where redecide").fetchone()[0]
