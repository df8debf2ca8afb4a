"""Whether a refresh has anything to do, decided without opening the working state.

A refresh changes the warehouse only when a file landed that the ledger has not recorded,
when the ledger recorded files after the last refresh that published (one that failed or
was killed), or when something every file is read against changed: the reference data,
the code, the settings or the day (a period stops being "future", an open schedule gains a
period). The ledger's journal (journal.py) tells the first two without opening the state
file, which a running refresh holds; a digest of the rest is kept beside it after every
refresh that published. Where in doubt, there is something to do.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path

from orchestration.lib import journal
from orchestration.lib.landing import LandedFile, scan
from orchestration.lib.settings import REPO_ROOT, Settings, storage_version

_RECORD = "last_refresh.json"
# what the pipeline's output depends on besides the landing zone and the reference data
_CODE = ("orchestration", "dbt_project/models", "dbt_project/macros", "dbt_project/tests",
         "dbt_project/dbt_project.yml", "expectations")  # fmt: skip


def unrecorded_files(settings: Settings) -> list[LandedFile]:
    """The files of the landing zone whose path, size and modification time the ledger's
    journal does not hold: new files, and files overwritten since they were recorded."""
    entries = journal.read(settings.journal) if settings.journal.exists() else []
    recorded = {(e["file_path"], e["size_bytes"], e["mtime_ns"]) for e in entries}
    return [
        landed
        for landed in scan(settings.sources_dir).files
        if (landed.rel_path, landed.size, landed.mtime_ns) not in recorded
    ]


def _tree_digest(digest: hashlib._Hash, root: Path, relative_to: Path) -> None:
    paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    for path in paths:
        if "__pycache__" in path.parts or "target" in path.relative_to(relative_to).parts[:2]:
            continue
        digest.update(path.relative_to(relative_to).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")


def inputs_digest(settings: Settings) -> str:
    """A digest of everything a refresh reads besides the landing zone: the reference
    files, the code (Python, SQL, dbt models, expectation suites), the settings and today."""
    digest = hashlib.sha256()
    if settings.reference_dir.is_dir():
        _tree_digest(digest, settings.reference_dir, settings.reference_dir)
    dbt_dir = Path(os.environ.get("DIGIMETRICS_DBT_PROJECT_DIR") or REPO_ROOT / "dbt_project")
    for part in _CODE:
        path = REPO_ROOT / part
        if part.startswith("dbt_project/"):
            path = dbt_dir / part.removeprefix("dbt_project/")
        if path.exists():
            _tree_digest(digest, path, path.parent if path.is_file() else path)
    state = {**asdict(settings), "storage_version": storage_version()}
    digest.update(json.dumps(state, default=str, sort_keys=True).encode())
    digest.update(settings.today().isoformat().encode())
    return digest.hexdigest()


def reason_to_refresh(settings: Settings) -> str | None:
    """Why a refresh would change the warehouse, or None when it would not."""
    if not settings.warehouse_path.exists():
        return f"no warehouse at {settings.warehouse_path} yet"
    unrecorded = unrecorded_files(settings)
    if unrecorded:
        return f"{len(unrecorded)} new or changed files in the landing zone"
    try:
        last = json.loads((settings.work_dir / _RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "no record of the last refresh"
    if last.get("journal_seq") != journal.last_seq(settings.journal):
        return "files were recorded after the last refresh that published"
    if last.get("inputs") != inputs_digest(settings):
        return "the reference data, the code, the settings or the day changed"
    return None


def record_refresh(settings: Settings, inputs: str) -> None:
    """After a refresh that published: the inputs_digest taken before it started (an edit
    made while it ran is not in it) and the files its ledger recorded."""
    target = settings.work_dir / _RECORD
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{_RECORD}.tmp")
    record = {"inputs": inputs, "journal_seq": journal.last_seq(settings.journal)}
    temp.write_text(json.dumps(record), encoding="utf-8")
    os.replace(temp, target)
