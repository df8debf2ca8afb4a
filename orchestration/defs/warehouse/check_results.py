"""What the dbt build's events carry besides dagster-dbt's defaults.

Each model's post-hook (dbt_project/macros/table_facts.sql) logs its columns with their
types, its rows and the rows its tests will read; dagster-dbt hands that message to the
model's result event. From it a table model's materialization gets its row count (the
column schema dagster-dbt adds itself) and each check its rows tested, as the events
stream. A failed check also gets the rows that failed (dbt stores each test's failures
as a view: dbt_project.yml) and the SQL that found them: the state file is dbt's until it
exits, so failed checks alone wait for that."""

import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

from orchestration.defs.quality.outcomes import check_result
from orchestration.lib.dbt_tests import strip_ansi
from orchestration.lib.table_facts import Column, displayable

FAILING_ROWS_SHOWN = 20


def table_metadata(rows: int, columns: list[Column]) -> dict[str, Any]:
    return {
        "dagster/row_count": rows,
        "dagster/column_schema": dg.TableSchema(
            columns=[dg.TableColumn(c.name, c.type, description=c.comment) for c in columns]
        ),
    }


def _value(metadata: Mapping[str, Any], key: str) -> Any:
    value = metadata.get(key)
    return value.value if isinstance(value, dg.MetadataValue) else value


def with_facts(event: Any, facts: Mapping[str, Mapping[str, Any]], nodes: Mapping[str, Any]) -> Any:
    """`event` (a dagster-dbt event) with what the post-hooks logged: a table model's rows,
    a check's rows tested. `facts`: model unique_id -> its post-hook's message."""
    unique_id = _value(event.metadata, "unique_id")
    if isinstance(event, dg.Output):
        rows = facts.get(unique_id, {}).get("rows")
        if rows is None:
            return event
        metadata = {**event.metadata, "dagster/row_count": rows}
        return dg.Output(None, output_name=event.output_name, metadata=metadata)
    if not isinstance(event, dg.AssetCheckResult) or unique_id not in nodes:
        return event
    test = nodes[unique_id]
    model = test.get("attached_node")
    tested = facts.get(model, {}).get("tested_rows", {}).get(test["config"].get("where") or "")
    if tested is None:
        return event
    return check_result(
        passed=event.passed,
        rows_tested=tested,
        what=f"{nodes[model]['schema']}.{nodes[model]['alias'] or nodes[model]['name']}",
        metadata=event.metadata,
        description=event.description,
        asset_key=event.asset_key,
        check_name=event.check_name,
        severity=event.severity,
    )


def run_results_of(target_path: Path, events: list) -> dict[str, Any] | None:
    """dbt's run_results.json, when it is the one of the invocation that produced `events`
    (a dbt that failed early leaves the previous invocation's)."""
    path = target_path / "run_results.json"
    invocations = {_value(e.metadata, "invocation_id") for e in events}
    if not path.exists() or not invocations:
        return None
    results = json.loads(path.read_text())
    return results if results["metadata"]["invocation_id"] in invocations else None


def _failing_rows(conn: duckdb.DuckDBPyConnection, relation: str) -> dict[str, Any]:
    try:
        result = conn.execute(f"select * from {relation} limit {FAILING_ROWS_SHOWN}")
    except duckdb.Error as error:
        return {"failing_rows_error": strip_ansi(str(error))}
    names = [d[0] for d in result.description]
    rows = dg.MetadataValue.table(
        records=[
            dg.TableRecord(dict(zip(names, map(displayable, row), strict=True)))
            for row in result.fetchall()
        ],
        schema=dg.TableSchema(
            columns=[dg.TableColumn(d[0], str(d[1])) for d in result.description]
        ),
    )
    return {f"failing_rows (first {FAILING_ROWS_SHOWN})": rows, "failures_relation": relation}


def with_failing_rows(
    conn: duckdb.DuckDBPyConnection,
    failed: Iterable[dg.AssetCheckResult],
    run_results: Mapping[str, Any] | None,
) -> Iterator[dg.AssetCheckResult]:
    """Each failed check with dbt's message, the SQL that found the failures and the first
    rows of them. `run_results`: dbt's run_results.json of the invocation, if any."""
    results = {r["unique_id"]: r for r in (run_results or {}).get("results", [])}
    for check in failed:
        result = results.get(_value(check.metadata, "unique_id"), {})
        metadata = {
            **check.metadata,
            "failing_rows_sql": dg.MetadataValue.md(
                f"```sql\n{result.get('compiled_code') or '(not compiled)'}\n```"
            ),
        }
        if result.get("relation_name"):
            metadata |= _failing_rows(conn, result["relation_name"])
        yield dg.AssetCheckResult(
            passed=check.passed,
            asset_key=check.asset_key,
            check_name=check.check_name,
            severity=check.severity,
            metadata=metadata,
            description=strip_ansi(result.get("message") or "") or check.description,
        )
