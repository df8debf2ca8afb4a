"""Configuration from the environment (contract section 1), resolved when a run needs it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MAX_FILE_BYTES = 512 * 1024 * 1024
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
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


@dataclass(frozen=True)
class Settings:
    sources_dir: Path
    warehouse_path: Path
    reference_dir: Path
    timezone: str
    max_file_bytes: int

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
        )

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
