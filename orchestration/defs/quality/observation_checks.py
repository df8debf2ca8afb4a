"""Pandera checks beside the ingestion assets they guard. They are blocking: a failure
means the pipeline itself is wrong and stops the refresh before anything is published.

Pandera (and the pandas it brings) is imported when a check runs, not when Dagster loads
the definitions: loading stays fast for the UI, the daemon and every run's start."""

from typing import TYPE_CHECKING

import dagster as dg

from orchestration.defs.quality.outcomes import check_result
from orchestration.defs.resources import WarehouseResource

if TYPE_CHECKING:
    import pandera.polars as pa


def validate_table(
    warehouse: WarehouseResource, table: str, schema: "pa.DataFrameSchema", scope: str
) -> dg.AssetCheckResult:
    """Validate the columns `schema` knows of the rows of `table` that match `scope` (the
    rows this refresh wrote), read through polars in slices of whole files."""
    import pandera.errors
    import polars as pl

    from orchestration.lib.slices import in_slices

    rows, failures = 0, []
    with warehouse.state_connection() as conn:
        for result in in_slices(conn, table, ", ".join(schema.columns), scope, "file_sha256"):
            frame = result.pl()
            rows += len(frame)
            try:
                schema.validate(frame, lazy=True)
            except pandera.errors.SchemaErrors as errors:
                failures.append(errors.failure_cases)
    what = f"{table} (the rows this refresh wrote)"
    if failures:
        cases = pl.concat(failures, how="diagonal_relaxed")
        return check_result(
            passed=False,
            rows_tested=rows,
            what=what,
            metadata={
                "failures": len(cases),
                "first_failures": dg.MetadataValue.md(
                    cases.head(20).to_pandas().to_string(index=False)
                ),
            },
        )
    return check_result(passed=True, rows_tested=rows, what=what)


# The rows each check reads: those parsed since the last validation, and those the last
# validation wrote (every row after a full revalidation, one file's after a new file).
NEWLY_PARSED = "file_sha256 not in (select file_sha256 from raw.validated_files)"
LAST_VALIDATED = "file_sha256 in (select file_sha256 from raw.validation_batch)"


@dg.asset_check(
    asset=dg.AssetKey(["ingestion", "parsed_observations"]),
    blocking=True,
    description="Pandera: parsed rows have well-formed keys, periods, sectors and values.",
)
def parsed_observations_schema(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    from orchestration.lib.schemas import ParsedObservations

    return validate_table(
        warehouse, "raw.parsed_observations", ParsedObservations.to_schema(), NEWLY_PARSED
    )


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
    return validate_table(warehouse, "raw.validated_observations", schema, LAST_VALIDATED)
