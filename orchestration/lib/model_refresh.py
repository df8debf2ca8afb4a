"""How much of the dbt models a refresh rebuilds: every row, or only the changed keys.

The large models (resolved observations, indicator components and rates, the three fact
tables) are incremental by (region, period): every fact of a key depends only on the
observations of that key. Validation records the keys it accepted rows for in
raw.pending_model_keys; the models delete and rebuild those keys alone. The keys stay
pending until a build of every model succeeds, so a refresh that fails or is killed
half-way leaves them for the next one, which rebuilds them again.

A full rebuild instead when validation asked for one (it validated every file again), when
the model code changed since the last complete build, or on the very first build.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb

# what decides the models' output besides their inputs
_CODE_FOLDERS = ("models", "macros")
_CODE_FILES = ("dbt_project.yml",)


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
        paths += sorted(p for p in (project_dir / folder).rglob("*") if p.is_file())
    for path in paths:
        digest.update(path.relative_to(project_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def plan_refresh(conn: duckdb.DuckDBPyConnection, digest: str) -> RefreshPlan:
    """Full or by key, and why."""
    keys = conn.execute(
        "select count(*) from (select distinct region_code, period from raw.pending_model_keys)"
    ).fetchone()[0]
    requested = conn.execute("select min(reason) from raw.pending_model_rebuild").fetchone()[0]
    built = conn.execute("select min(digest) from raw.model_basis").fetchone()[0]
    if requested is not None:
        return RefreshPlan(True, requested, keys)
    if built is None:
        return RefreshPlan(True, "no complete build of the models yet", keys)
    if built != digest:
        return RefreshPlan(True, "the model code changed since the last build", keys)
    return RefreshPlan(False, f"{keys} changed (region, period) keys", keys)


def mark_built(conn: duckdb.DuckDBPyConnection, digest: str) -> None:
    """Every model now reflects every validated observation: nothing is pending."""
    conn.execute("begin transaction")
    conn.execute("delete from raw.pending_model_keys")
    conn.execute("delete from raw.pending_model_rebuild")
    conn.execute("delete from raw.model_basis")
    conn.execute("insert into raw.model_basis values (?)", [digest])
    conn.execute("commit")
