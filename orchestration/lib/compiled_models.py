"""The dbt models' own SQL, compiled by dbt and run on an in-memory DuckDB.

The pre-submission check (checking.py) needs the findings only the models compute
(numerator_exceeds_denominator, rate_mismatch, total_mismatch, outlier_value) without a
warehouse. Rather than a second definition of them, dbt compiles every model as a full
build (no model exists yet, so `is_incremental()` is false and every key counts) against
an in-memory DuckDB, and the compiled statements run in dependency order on the
checker's in-memory tables of the same names.

Compiling means parsing the whole project (10-15 s), so `make dbt-manifest` compiles once
into target/compiled_models.json (`python -m orchestration.lib.compiled_models`), stamped
with a digest of the project's model code; a check uses that file while the digest still
matches and otherwise compiles in a temporary folder it removes (never writing the file).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import cache
from importlib.metadata import version
from pathlib import Path

import duckdb

from orchestration.lib.model_refresh import models_digest
from orchestration.lib.settings import REPO_ROOT

# DuckDB names an in-memory database `memory`: dbt's relations and the checker's agree
IN_MEMORY = ":memory:"
ARTIFACT = Path("target") / "compiled_models.json"


def dbt_project_dir() -> Path:
    """The dbt project (DIGIMETRICS_DBT_PROJECT_DIR, as the Dagster definitions read it)."""
    return Path(os.environ.get("DIGIMETRICS_DBT_PROJECT_DIR") or REPO_ROOT / "dbt_project")


@dataclass(frozen=True)
class CompiledModel:
    name: str
    relation: str  # "memory"."schema"."name"
    schema: str
    materialized: str
    sql: str
    depends_on: tuple[str, ...]  # the names of the models it reads


def code_digest(project_dir: Path) -> str:
    """What the compiled SQL depends on: the model code, the profile and dbt's version."""
    digest = hashlib.sha256(models_digest(project_dir).encode())
    digest.update((project_dir / "profiles.yml").read_bytes())
    digest.update(version("dbt-core").encode() + version("dbt-duckdb").encode())
    return digest.hexdigest()


@contextmanager
def _environment(**variables: str) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def compile_all(project_dir: Path) -> tuple[CompiledModel, ...]:
    """Every model of the project, compiled by dbt as a full build on an in-memory DuckDB,
    with dbt's files kept in a temporary folder."""
    from dbt.cli.main import dbtRunner  # heavy: only when compiling

    with (
        tempfile.TemporaryDirectory(prefix="digimetrics-dbt-") as tmp,
        _environment(DIGIMETRICS_STATE_DB=IN_MEMORY, DBT_SEND_ANONYMOUS_USAGE_STATS="false"),
    ):
        result = dbtRunner().invoke(
            [
                "--quiet", "--log-level", "none", "--log-level-file", "none",
                "--log-path", tmp, "--no-partial-parse", "--no-write-json",
                "--indirect-selection", "empty",
                "compile", "--project-dir", str(project_dir), "--profiles-dir", str(project_dir),
                "--target-path", tmp, "--select", "resource_type:model",
            ]
        )  # fmt: skip
    if not result.success:
        raise RuntimeError(f"dbt could not compile the models: {result.exception}")
    return tuple(
        sorted(
            (
                CompiledModel(
                    name=r.node.name,
                    relation=r.node.relation_name,
                    schema=r.node.schema,
                    materialized=r.node.config.materialized,
                    sql=r.node.compiled_code,
                    depends_on=tuple(
                        sorted(
                            p.split(".")[-1]
                            for p in r.node.depends_on.nodes
                            if p.startswith("model.")
                        )
                    ),
                )
                for r in result.result.results
                if r.node.resource_type == "model"
            ),
            key=lambda m: m.name,
        )
    )


def write_artifact(project_dir: Path) -> Path | None:
    """Compile every model into ARTIFACT unless it is current (make dbt-manifest); the
    path written, or None when it was current."""
    path = project_dir / ARTIFACT
    digest = code_digest(project_dir)
    if _read_artifact(path, digest) is not None:
        return None
    document = {"digest": digest, "models": [asdict(m) for m in compile_all(project_dir)]}
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(json.dumps(document, indent=1))
    os.replace(partial, path)  # whole or not at all, also with two writers at once
    return path


def _read_artifact(path: Path, digest: str) -> tuple[CompiledModel, ...] | None:
    try:
        document = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if document.get("digest") != digest:
        return None
    return tuple(
        CompiledModel(**{**m, "depends_on": tuple(m["depends_on"])}) for m in document["models"]
    )


@cache  # once per process: the corpus test checks every case with the same models
def all_models(project_dir: Path | None = None) -> tuple[CompiledModel, ...]:
    """Every model compiled: from ARTIFACT while it matches the code, else compiled now."""
    project = project_dir or dbt_project_dir()
    return _read_artifact(project / ARTIFACT, code_digest(project)) or compile_all(project)


def upstream_of(names: tuple[str, ...], models: tuple[CompiledModel, ...]) -> list[CompiledModel]:
    """The models `names` and every model they read, each after the models it reads."""
    by_name = {m.name: m for m in models}
    ordered: list[CompiledModel] = []
    done: set[str] = set()

    def visit(name: str) -> None:
        if name in done:
            return
        done.add(name)
        for parent in by_name[name].depends_on:
            visit(parent)
        ordered.append(by_name[name])

    for name in names:
        visit(name)
    return ordered


def run_models(conn: duckdb.DuckDBPyConnection, models: list[CompiledModel]) -> None:
    """Build the models on `conn` (an in-memory database) in the given order: views as
    views, every other materialization as a table, as a full dbt build would."""
    for model in models:
        if model.materialized == "ephemeral":
            continue  # dbt inlined it into the models that use it
        conn.execute(f'create schema if not exists "{model.schema}"')
        kind = "view" if model.materialized == "view" else "table"
        conn.execute(f"create or replace {kind} {model.relation} as {model.sql}")


if __name__ == "__main__":
    if written := write_artifact(dbt_project_dir()):
        print(f"compiled the models for `digimetrics check`: {written}")
