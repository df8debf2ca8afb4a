"""A pre-submission check: what the pipeline would record for one file, without a warehouse.

The file goes through the pipeline's own steps on an in-memory DuckDB: the reference data
loaded as the reference assets load it, the ledger over a temporary landing zone that
holds only this file, parsing, the bulk row rules (validation.sql), and then the dbt
models that add findings, from their own compiled SQL (compiled_models.py). The findings
are read from the model `data_quality_issues` and the outcome from `submission_files`, as
a BI user reads them. So every rule and message is the pipeline's; the one difference is
that the file is judged alone: rules that compare it with what other files sent (a later
resubmission, a total against units below it reported elsewhere, an outlier against the
history of a series) see only this file's rows.

Nothing is written but a temporary folder, removed afterwards.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from orchestration.lib import ingest, ledger, reference, state, validation
from orchestration.lib.compiled_models import CompiledModel, all_models, run_models, upstream_of
from orchestration.lib.rules import FILE_REJECTED, ROW_REJECTED
from orchestration.lib.settings import Settings, duckdb_memory_limit

# the models whose rows are the outcome (their upstream models are compiled with them)
OUTCOME_MODELS = ("data_quality_issues", "submission_files", "int_observations_accepted")
FINDING_COLUMNS = ("row_number", "severity", "rule", "field", "raw_value", "message", "raw_record")
ACCEPTED_COLUMNS = ("row_number", "region_code", "period", "metric_code", "sector", "value")


@dataclass
class CheckResult:
    """What the pipeline would record for one file."""

    file_path: str  # as the pipeline would record it: relative to the landing root
    status: str  # accepted, partially_accepted, rejected; or ignored (never read)
    rows_total: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    encoding: str | None = None
    findings: list[dict[str, object]] = field(default_factory=list)
    accepted_rows: list[dict[str, object]] = field(default_factory=list)

    @property
    def rejects_anything(self) -> bool:
        """The file, or any of its rows, would be rejected (or the file never read)."""
        return self.status != "accepted" or any(
            f["severity"] in (FILE_REJECTED, ROW_REJECTED) for f in self.findings
        )


def reference_tables(
    reference_dir: Path, today: date, model_settings: dict[str, object]
) -> dict[str, list[dict]]:
    """The rows of every reference table, loaded and checked as the reference assets
    (orchestration/defs/ingestion/assets.py) load them."""
    registry = reference.load_registry(reference_dir)
    metrics = reference.load_metrics(reference_dir)
    indicators = reference.load_indicators(reference_dir, metrics)
    region_codes = {str(r["region_code"]) for r in registry.regions}
    countries: dict[str, set[str]] = {}
    for region in registry.regions:
        countries.setdefault(str(region["country_code"]), set()).add(str(region["level"]))
    return {
        "raw.regions": registry.regions,
        "raw.region_names": registry.names,
        "raw.region_ancestors": registry.ancestors,
        "raw.metrics": metrics,
        "raw.indicators": indicators,
        "raw.targets": reference.load_targets(
            reference_dir, {i["indicator"] for i in indicators}, region_codes
        ),
        "raw.reporting_schedules": reference.load_schedules(
            reference_dir, {m["metric_code"] for m in metrics}, countries, today
        ),
        "raw.model_settings": [model_settings],
    }


def outcome_models() -> list[CompiledModel]:
    """The models the outcome is read from, and every model they read, in build order."""
    return upstream_of(OUTCOME_MODELS, all_models())


def _place(source: Path, destination: Path) -> None:
    """The file at `destination` in the temporary landing zone: a hard link when the two
    share a file system (no copy of a large file), else a copy."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, destination)
    except OSError:
        shutil.copyfile(source, destination)


class Checker:
    """One in-memory pipeline state holding the reference data, for checking files one
    after another: each check starts from the reference tables alone, as if its file were
    the first ever sent. The reference is loaded once, as of `today`."""

    def __init__(self, settings: Settings, today: date | None = None) -> None:
        self.settings = settings
        self.today = today or settings.today()
        rows = reference_tables(settings.reference_dir, self.today, settings.model_settings())
        self.submitters = {str(r["region_code"]) for r in rows["raw.regions"]}
        self.kinds = {str(m["metric_code"]): str(m["kind"]) for m in rows["raw.metrics"]}
        self.models = outcome_models()
        self.conn = duckdb.connect(":memory:", config={"memory_limit": duckdb_memory_limit()})
        self.conn.execute(state.DDL)
        for table, table_rows in rows.items():
            state.replace_table(self.conn, table, table_rows)
        # what a check writes: every table of the state but the reference ones (the
        # models' tables are replaced by each check)
        self.file_tables = [
            f"raw.{name}"
            for (name,) in self.conn.execute(
                "select table_name from duckdb_tables() where schema_name = 'raw'"
            ).fetchall()
            if f"raw.{name}" not in state.REFERENCE_TABLES
        ]

    def __enter__(self) -> Checker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.conn.close()

    def check(self, source: Path, landing_path: str, now: datetime | None = None) -> CheckResult:
        """Check the file at `source` as if it lay at `landing_path` in the landing zone
        (its first folder is the submitter, e.g. 'VN-36/report.csv'), first seen at `now`.
        Raises OSError when `source` cannot be placed in the temporary landing zone."""
        now = now or self.settings.now()
        conn = self.conn
        for table in self.file_tables:
            conn.execute(f"delete from {table}")
        with tempfile.TemporaryDirectory(prefix="digimetrics-check-") as tmp:
            root = Path(tmp) / "landing"
            root.mkdir()
            _place(source, root / landing_path)
            ledger.record_landed_files(conn, root, now)
            ingest.parse_pending_files(
                conn, root, self.kinds, self.submitters, self.settings.max_file_bytes,
                self.settings.timezone,
            )  # fmt: skip
        validation.validate_observations(conn, self.today)
        run_models(conn, self.models)
        return _outcome(conn, landing_path, {m.name: m.relation for m in self.models})


def check_file(
    source: Path, landing_path: str, settings: Settings, now: datetime | None = None
) -> CheckResult:
    """One file checked (see Checker.check), first seen at `now` (default: now).
    Raises reference.ReferenceError when the reference data is malformed."""
    now = now or settings.now()
    with Checker(settings, now.astimezone(ZoneInfo(settings.timezone)).date()) as checker:
        return checker.check(source, landing_path, now)


def _rows(conn: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, object]]:
    cursor = conn.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _outcome(
    conn: duckdb.DuckDBPyConnection, landing_path: str, relations: dict[str, str]
) -> CheckResult:
    files = _rows(
        conn,
        "select file_path, status, rows_total, rows_accepted, rows_rejected, encoding "
        f"from {relations['submission_files']}",
    )
    if not files:  # a hidden or temporary name: the landing zone's listing skips it
        return CheckResult(file_path=landing_path, status="ignored")
    findings = _rows(
        conn,
        f"select {', '.join(FINDING_COLUMNS)} from {relations['data_quality_issues']} "
        "order by row_number nulls first, rule, message",
    )
    accepted = _rows(
        conn,
        f"select {', '.join(ACCEPTED_COLUMNS)} "
        f"from {relations['int_observations_accepted']} "
        "order by row_number",
    )
    return CheckResult(**files[0], findings=findings, accepted_rows=accepted)
