"""Great Expectations suites (expectations/*.json) as blocking checks on the marts: they
run after dbt builds the marts and before the warehouse is published."""

import json
from typing import TYPE_CHECKING

import dagster as dg

from orchestration.defs.quality.outcomes import check_result
from orchestration.defs.resources import WarehouseResource
from orchestration.defs.warehouse.project import suite_by_mart
from orchestration.lib.expectations import run_suite

if TYPE_CHECKING:  # pandas is imported when the checks run, not when Dagster loads
    import pandas as pd

# mart table -> the suite that guards it (meta gx_suite in the marts' _models.yml)
SUITE_BY_MART = suite_by_mart()


def _spec(table: str) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        name=f"gx_{SUITE_BY_MART[table]}",
        asset=dg.AssetKey(["marts", table]),
        blocking=True,
        description=f"Great Expectations suite expectations/{SUITE_BY_MART[table]}.json",
    )


# The rows of each mart the suites read. A fact is read for the keys this refresh rebuilt
# (every key after a full rebuild, i.e. at least nightly; the keys of one file after it
# lands), which stay pending until they are published: see model_refresh.py.
# suite -> (the rows it reads, the key that keeps a slice's groups whole)
SCOPE_BY_SUITE = {
    "indicator_fact": (
        "(region_code, period) in (select region_code, period from raw.pending_model_keys)",
        "region_code",
    ),
    "submission_files": ("true", "file_sha256"),
    "data_quality_issues": ("true", "file_sha256"),
}
MAX_ROWS_PER_FRAME = 500_000


def known_codes(frame: "pd.DataFrame", region_codes: set[str]) -> list[str]:
    """The known region codes among those in `frame`: for a suite's "region_code is in the
    registry", the same verdict as every known code, but GX copies a parameter's value
    set hundreds of times per run, and the 13,000 codes of a national registry cost
    1.6 s a run where a few cost almost nothing."""
    if "region_code" not in frame.columns:
        return []
    return sorted(set(frame["region_code"].dropna()) & region_codes)


@dg.multi_asset_check(
    specs=[_spec(table) for table in SUITE_BY_MART],
    description="Great Expectations suites over the marts (one GX context for all).",
)
def mart_expectations(warehouse: WarehouseResource):
    from orchestration.lib.slices import in_slices

    with warehouse.state_connection() as conn:
        region_codes = {
            r[0] for r in conn.execute("select region_code from marts.dim_region").fetchall()
        }
        for table, suite in SUITE_BY_MART.items():
            scope, key = SCOPE_BY_SUITE[suite]
            rows, evaluated, failed, success = 0, 0, [], True
            for result in in_slices(conn, f"marts.{table}", "*", scope, key, MAX_ROWS_PER_FRAME):
                frame = result.df()
                outcome = run_suite(
                    suite, frame, {"region_codes": known_codes(frame, region_codes)}
                )
                rows += len(frame)
                evaluated = max(evaluated, outcome.evaluated)
                failed += outcome.failed
                success = success and outcome.success
            yield check_result(
                asset_key=dg.AssetKey(["marts", table]),
                check_name=f"gx_{suite}",
                passed=success,
                rows_tested=rows,
                what=f"marts.{table} (the keys this refresh rebuilt)",
                severity=dg.AssetCheckSeverity.ERROR,
                metadata={
                    "expectations": evaluated,
                    "failed": dg.MetadataValue.json(json.loads(json.dumps(failed, default=str))),
                },
            )
