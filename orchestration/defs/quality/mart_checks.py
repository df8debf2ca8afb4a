"""Great Expectations suites (expectations/*.json) as blocking checks on the marts: they
run after dbt builds the marts and before the warehouse is published."""

import json

import dagster as dg

from orchestration.defs.resources import WarehouseResource
from orchestration.lib.expectations import run_suite

# mart table -> the suite that guards it
SUITE_BY_MART = {
    "fct_online_dossier_rate": "indicator_fact",
    "fct_cashless_payment_share": "indicator_fact",
    "fct_ehealth_record_coverage": "indicator_fact",
    "submission_files": "submission_files",
    "data_quality_issues": "data_quality_issues",
}


def _spec(table: str) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        name=f"gx_{SUITE_BY_MART[table]}",
        asset=dg.AssetKey(["marts", table]),
        blocking=True,
        description=f"Great Expectations suite expectations/{SUITE_BY_MART[table]}.json",
    )


@dg.multi_asset_check(
    specs=[_spec(table) for table in SUITE_BY_MART],
    description="Great Expectations suites over the marts (one GX context for all).",
)
def mart_expectations(warehouse: WarehouseResource):
    with warehouse.state_connection() as conn:
        region_codes = [
            r[0] for r in conn.execute("select region_code from marts.dim_region").fetchall()
        ]
        for table, suite in SUITE_BY_MART.items():
            frame = conn.sql(f"select * from marts.{table}").df()
            outcome = run_suite(suite, frame, {"region_codes": region_codes})
            yield dg.AssetCheckResult(
                asset_key=dg.AssetKey(["marts", table]),
                check_name=f"gx_{suite}",
                passed=outcome.success,
                severity=dg.AssetCheckSeverity.ERROR,
                metadata={
                    "rows": len(frame),
                    "expectations": outcome.evaluated,
                    "failed": dg.MetadataValue.json(
                        json.loads(json.dumps(outcome.failed, default=str))
                    ),
                },
            )
