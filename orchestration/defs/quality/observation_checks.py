"""Pandera checks beside the ingestion assets they guard. They are blocking: a failure
means the pipeline itself is wrong and stops the refresh before anything is published.

Pandera (and the pandas it brings) is imported when a check runs, not when Dagster loads
the definitions: loading stays fast for the UI, the daemon and every run's start."""

from typing import TYPE_CHECKING

import dagster as dg

from orchestration.defs.resources import WarehouseResource

if TYPE_CHECKING:
    import pandera.polars as pa


def validate_table(
    warehouse: WarehouseResource, table: str, schema: "pa.DataFrameSchema"
) -> dg.AssetCheckResult:
    """Validate the columns `schema` knows of `table` (read through polars, not pandas)."""
    import pandera.errors

    columns = ", ".join(schema.columns)
    with warehouse.state_connection() as conn:
        frame = conn.sql(f"select {columns} from {table}").pl()
    try:
        schema.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        return dg.AssetCheckResult(
            passed=False,
            metadata={
                "rows": len(frame),
                "failures": len(cases),
                "first_failures": dg.MetadataValue.md(
                    cases.head(20).to_pandas().to_string(index=False)
                ),
            },
        )
    return dg.AssetCheckResult(passed=True, metadata={"rows": len(frame)})


@dg.asset_check(
    asset=dg.AssetKey(["ingestion", "parsed_observations"]),
    blocking=True,
    description="Pandera: parsed rows have well-formed keys, periods, sectors and values.",
)
def parsed_observations_schema(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    from orchestration.lib.schemas import ParsedObservations

    return validate_table(warehouse, "raw.parsed_observations", ParsedObservations.to_schema())


@dg.asset_check(
    asset=dg.AssetKey(["ingestion", "validated_observations"]),
    blocking=True,
    description="Pandera: accepted rows satisfy every row rule (types, codes, ranges).",
)
def validated_observations_schema(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    import pandera.polars as pa

    from orchestration.lib.schemas import ValidatedObservations

    with warehouse.state_connection() as conn:
        metrics = [row[0] for row in conn.execute("select metric_code from raw.metrics").fetchall()]
    schema = ValidatedObservations.to_schema().update_column(
        "metric", checks=[pa.Check.isin(metrics)]
    )
    return validate_table(warehouse, "raw.validated_observations", schema)
