"""Running the Great Expectations suites of `expectations/` over small dataframes.

GX 1.x cannot validate DuckDB through SQL here, so each relation it checks is handed over
as a dataframe; the suites stay plain JSON files that a data engineer can read and edit.
"""

import json
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from orchestration.lib.settings import REPO_ROOT

if TYPE_CHECKING:  # pandas and GX are imported when a suite runs, not when Dagster loads
    import pandas as pd

EXPECTATIONS_DIR = REPO_ROOT / "expectations"


@dataclass(frozen=True)
class SuiteOutcome:
    suite: str
    success: bool
    evaluated: int
    failed: list[dict]  # one entry per failed expectation: type, column, observed


def load_suite_definition(name: str, directory: Path = EXPECTATIONS_DIR) -> dict:
    return json.loads((directory / f"{name}.json").read_text(encoding="utf-8"))


_CONTEXT_LOCK = threading.Lock()


@cache
def _cached_context():
    import great_expectations as gx

    return gx.get_context(mode="ephemeral")


def _context():
    with _CONTEXT_LOCK:  # a second caller waits for the first, never builds another
        return _cached_context()


def warm_up() -> None:
    """Import GX and build its context on a background thread: about 5 s that the checks
    would otherwise wait for, spent while this process only waits for dbt."""
    # not a daemon: a run that ends first waits for the import rather than exiting mid-way
    threading.Thread(target=_context, name="gx-warm-up").start()


def run_suite(
    name: str,
    frame: "pd.DataFrame",
    parameters: dict | None = None,
    directory: Path = EXPECTATIONS_DIR,
) -> SuiteOutcome:
    """Validate `frame` against suite `name` (expectations/<name>.json)."""
    import great_expectations as gx

    definition = load_suite_definition(name, directory)
    context = _context()
    source_name = f"frames_{name}"
    try:
        source = context.data_sources.get(source_name)
    except (KeyError, ValueError):
        source = context.data_sources.add_pandas(source_name)
    asset = source.add_dataframe_asset(name=f"{name}_{len(source.assets)}")
    batch = asset.add_batch_definition_whole_dataframe("whole").get_batch(
        batch_parameters={"dataframe": frame}
    )
    suite = gx.ExpectationSuite(name=definition["name"], expectations=definition["expectations"])
    result = batch.validate(suite, expectation_parameters=parameters or {})
    failed = [
        {
            "expectation": r.expectation_config.type,
            "column": r.expectation_config.kwargs.get("column")
            or r.expectation_config.kwargs.get("column_list"),
            "unexpected_count": (r.result or {}).get("unexpected_count"),
            "partial_unexpected_list": (r.result or {}).get("partial_unexpected_list", [])[:5],
        }
        for r in result.results
        if not r.success
    ]
    return SuiteOutcome(definition["name"], bool(result.success), len(result.results), failed)
