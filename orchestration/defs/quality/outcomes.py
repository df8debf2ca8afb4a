"""The result of any check (dbt test, Great Expectations suite, Pandera schema) states how
many rows it read. A check that read none passes (nothing failed) but says that it tested
nothing, rather than looking like a pass over data: a refresh that rebuilt no key of a
model leaves that model's by-key checks nothing to read."""

from collections.abc import Mapping
from typing import Any

import dagster as dg

ROWS_TESTED = "rows_tested"


def nothing_to_test(what: str) -> str:
    return f"nothing to test: {what} held no rows for this check in this run"


def check_result(
    passed: bool,
    rows_tested: int,
    what: str,
    metadata: Mapping[str, Any] | None = None,
    description: str | None = None,
    **result: Any,
) -> dg.AssetCheckResult:
    """`what`: the rows the check reads, as the description names them when there are none."""
    if rows_tested == 0 and description is None:
        description = nothing_to_test(what)
    return dg.AssetCheckResult(
        passed=passed,
        metadata={**(metadata or {}), ROWS_TESTED: rows_tested},
        description=description,
        **result,
    )
