"""Configuration from the environment (contract section 1), resolved when a run needs it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MAX_FILE_BYTES = 512 * 1024 * 1024
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
# the outlier_value rule (contract section 9): |modified z-score| above this, in a series of
# at least this many values
DEFAULT_OUTLIER_THRESHOLD = 3.5
DEFAULT_OUTLIER_MIN_VALUES = 6
DEFAULT_DUCKDB_MEMORY_LIMIT = "1GB"  # also the default in dbt_project/profiles.yml


def duckdb_memory_limit() -> str:
    """How much memory one DuckDB connection of the pipeline may use before it spills."""
    return os.environ.get("DIGIMETRICS_DUCKDB_MEMORY_LIMIT") or DEFAULT_DUCKDB_MEMORY_LIMIT


# storage version 64, the oldest format that holds every type the marts use: DuckDB 1.x
# clients (BI tools bundle one) refuse files in a newer format than their own
DEFAULT_STORAGE_VERSION = "v1.0.0"


def storage_version() -> str:
    """The DuckDB release whose storage format the published file is written in."""
    return os.environ.get("DIGIMETRICS_STORAGE_VERSION") or DEFAULT_STORAGE_VERSION


def _path(variable: str, default: str) -> Path:
    value = Path(os.environ.get(variable) or default).expanduser()
    return value if value.is_absolute() else REPO_ROOT / value


def _number(variable: str, default: float, kind: type, minimum: float) -> float:
    text = os.environ.get(variable)
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or not value >= minimum:
        raise ValueError(f"{variable}={text!r}: expected a {kind.__name__} of at least {minimum}")
    return value


@dataclass(frozen=True)
class Settings:
    sources_dir: Path
    warehouse_path: Path
    reference_dir: Path
    timezone: str
    max_file_bytes: int
    outlier_threshold: float = DEFAULT_OUTLIER_THRESHOLD
    outlier_min_values: int = DEFAULT_OUTLIER_MIN_VALUES

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            sources_dir=_path("DIGIMETRICS_SOURCES_DIR", "sources/submissions"),
            warehouse_path=_path("DIGIMETRICS_WAREHOUSE", "warehouse/digimetrics.duckdb"),
            reference_dir=_path("DIGIMETRICS_REFERENCE_DIR", "sources/reference"),
            timezone=os.environ.get("DIGIMETRICS_TIMEZONE") or DEFAULT_TIMEZONE,
            max_file_bytes=int(
                os.environ.get("DIGIMETRICS_MAX_FILE_BYTES") or DEFAULT_MAX_FILE_BYTES
            ),
            outlier_threshold=_number(
                "DIGIMETRICS_OUTLIER_THRESHOLD", DEFAULT_OUTLIER_THRESHOLD, float, 0
            ),
            outlier_min_values=_number(
                "DIGIMETRICS_OUTLIER_MIN_VALUES", DEFAULT_OUTLIER_MIN_VALUES, int, 2
            ),
        )

    def model_settings(self) -> dict[str, object]:
        """The settings the dbt models read (raw.model_settings): a change to one rebuilds
        every model."""
        return {
            "timezone": self.timezone,
            "outlier_threshold": self.outlier_threshold,
            "outlier_min_values": self.outlier_min_values,
        }

    @property
    def work_dir(self) -> Path:
        """Where the pipeline keeps its own state, beside (never inside) the published file."""
        return self.warehouse_path.parent / f".{self.warehouse_path.stem}.work"

    @property
    def state_db(self) -> Path:
        return self.work_dir / "state.duckdb"

    @property
    def journal(self) -> Path:
        """The ledger's journal: when each file was first seen (see journal.py)."""
        return self.work_dir / "ledger.jsonl"

    def now(self) -> datetime:
        return datetime.now(ZoneInfo(self.timezone))

    def today(self) -> date:
        return self.now().date()


# Alerts (README, Alerts): the published warehouse may be
# this old before its freshness check fails; a nightly refresh plus two hours' slack.
DEFAULT_STALE_AFTER_HOURS = 26.0


def stale_after() -> timedelta:
    """How old the published warehouse may grow before the check warehouse_is_fresh fails."""
    hours = _number("DIGIMETRICS_STALE_AFTER_HOURS", DEFAULT_STALE_AFTER_HOURS, float, 0)
    return timedelta(hours=hours)
