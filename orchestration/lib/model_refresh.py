"""How much of the dbt models a refresh rebuilds: every row, or only the changed keys.

The large models (resolved observations, indicator components and rates, the three fact
tables) are incremental by (region, period): every fact of a key depends only on the
observations of that key. Validation records the keys it accepted rows for in
raw.pending_model_keys; the models delete and rebuild those keys alone, and the checks
after them (dbt's tests on those models, the Great Expectations suites on the facts) read
those keys alone. The keys stay pending until every check of a refresh that built every
model has passed (the publish step clears them), so a refresh that fails a check, or is
killed before, leaves them for the next one, which rebuilds and checks them again.

A full rebuild instead when every file was validated again since the last complete build
(its validation basis, raw.validation_basis, changed: registry, catalog, rules or date),
when the model code or the targets changed, or on the very first build; then every key is
pending.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb

# what decides the models' output besides their inputs
_CODE_FOLDERS = ("models", "macros")
_CODE_FILES = ("dbt_project.yml",)
# the dbt unit tests test the code and never run in a refresh: editing them rebuilds nothing
_NOT_CODE = frozenset({"_unit_tests.yml"})


@dataclass(frozen=True)
class RefreshPlan:
    full: bool
    reason: str
    pending_keys: int


def models_digest(project_dir: Path) -> str:
    """A digest of the dbt project's model code: SQL, YAML and macros."""
    digest = hashlib.sha256()
    paths = [project_dir / name for name in _CODE_FILES]
    for folder in _CODE_FOLDERS:
        paths += sorted(
            p for p in (project_dir / folder).rglob("*") if p.is_file() and p.name not in _NOT_CODE
        )
    for path in paths:
        digest.update(path.relative_to(project_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


# reference data and settings that only the models read (validation never does): a change
# to them rebuilds every model, as a change of their code does (an indicator added over
# metrics already known changes no observation). The schedules hold their last period as
# of today, so a schedule's new period, once it ends, rebuilds them too.
_MODEL_ONLY_REFERENCE = (
    "raw.indicators", "raw.targets", "raw.reporting_schedules", "raw.model_settings",
)  # fmt: skip


def build_digest(conn: duckdb.DuckDBPyConnection, project_dir: Path) -> str:
    """What decides the models' output besides the observations and what validation read:
    the model code and the reference data and settings only the models read."""
    digest = hashlib.sha256(models_digest(project_dir).encode())
    for table in _MODEL_ONLY_REFERENCE:
        for row in conn.execute(f"select * from {table} order by all").fetchall():
            digest.update(repr(row).encode() + b"\n")
    return digest.hexdigest()


def pending_key_count(conn: duckdb.DuckDBPyConnection) -> int:
    return conn.execute(
        "select count(*) from (select distinct region_code, period from raw.pending_model_keys)"
    ).fetchone()[0]


def _full_rebuild_reason(conn: duckdb.DuckDBPyConnection, digest: str) -> str | None:
    built = conn.execute(
        "select models_digest, validation_basis from raw.published_basis"
    ).fetchone()
    validated = conn.execute("select min(basis) from raw.validation_basis").fetchone()[0]
    if built is None:
        return "no complete build of the models yet"
    if built[1] != validated:
        return "every file was validated again (registry, catalog, rules or date changed)"
    if built[0] != digest:
        return (
            "the model code, indicators, targets, schedules or model settings changed since "
            "the last build"
        )
    return None


def last_build_was_by_key(conn: duckdb.DuckDBPyConnection, digest: str) -> bool:
    """Whether the build of this refresh (not yet marked published) rebuilt by key."""
    return _full_rebuild_reason(conn, digest) is None


def plan_build(conn: duckdb.DuckDBPyConnection, digest: str) -> RefreshPlan:
    """Full or by key, and why. A full build makes every key pending, so the checks that
    follow it read every row."""
    reason = _full_rebuild_reason(conn, digest)
    if reason is not None:
        conn.execute("begin transaction")
        conn.execute("delete from raw.pending_model_keys")
        conn.execute(
            "insert into raw.pending_model_keys "
            "select distinct region_code, period from raw.validated_observations"
        )
        conn.execute("commit")
    keys = pending_key_count(conn)
    if reason is not None:
        return RefreshPlan(True, reason, keys)
    return RefreshPlan(False, f"{keys} changed (region, period) keys", keys)


def mark_published(conn: duckdb.DuckDBPyConnection, digest: str) -> None:
    """A refresh built every model and every check passed: nothing is pending any more."""
    conn.execute("begin transaction")
    conn.execute("delete from raw.pending_model_keys")
    conn.execute("delete from raw.published_basis")
    conn.execute(
        "insert into raw.published_basis select ?, basis from raw.validation_basis", [digest]
    )
    conn.execute("commit")
