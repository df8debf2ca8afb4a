"""What a dbt build's events need from the state file, added once dbt has exited (while it
runs, the file is dbt's alone): each table model's rows and column types on its
materialization, each check's rows tested and, for a failed one, the rows that failed and
the SQL that found them (dbt stores each test's failures as a view: dbt_project.yml)."""

import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

from orchestration.defs.quality.outcomes import check_result
from orchestration.lib.dbt_tests import strip_ansi
from orchestration.lib.table_facts import Column, columns_of, displayable, row_counts

FAILING_ROWS_SHOWN = 20
TABLE_MATERIALIZATIONS = ("table", "incremental")


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


def _tested_rows(
    conn: duckdb.DuckDBPyConnection, schema: str, invocation_id: str
) -> dict[str, int]:
    """test unique_id -> the rows it read, as dbt's on-run-end hook recorded them
    (macros/tested_rows.sql)."""
    try:
        return dict(
            conn.execute(
                f'select unique_id, rows_tested from "{schema}".tested_rows '
                "where invocation_id = ?",
                [invocation_id],
            ).fetchall()
        )
    except duckdb.CatalogException:  # no test ran yet
        return {}


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


def run_results_of(target_path: Path, events: list) -> dict[str, Any] | None:
    """dbt's run_results.json, when it is the one of the invocation that produced `events`
    (a dbt that failed early leaves the previous invocation's)."""
    path = target_path / "run_results.json"
    invocations = {e.metadata["invocation_id"].value for e in events}
    if not path.exists() or not invocations:
        return None
    results = json.loads(path.read_text())
    return results if results["metadata"]["invocation_id"] in invocations else None


def completed(
    conn: duckdb.DuckDBPyConnection,
    events: Iterable[dg.Output | dg.AssetCheckResult],
    manifest: Mapping[str, Any],
    run_results: Mapping[str, Any] | None,
) -> Iterator[dg.Output | dg.AssetCheckResult]:
    """`events` (held back while dbt ran) with what they need from the state file.
    `run_results`: dbt's run_results.json of the invocation that produced them, if any."""
    events = list(events)
    nodes = manifest["nodes"]
    [database] = conn.execute("select current_database()").fetchone()
    tables = {}  # unique_id -> (schema, table) of each table model built
    for event in events:
        if isinstance(event, dg.Output):
            node = nodes[_value(event.metadata, "unique_id")]
            if node["config"]["materialized"] in TABLE_MATERIALIZATIONS:
                tables[node["unique_id"]] = (node["schema"], node["alias"] or node["name"])
    columns = columns_of(conn, database, {schema for schema, _ in tables.values()})
    counts = row_counts(conn, database, tables.values())
    results = {r["unique_id"]: r for r in (run_results or {}).get("results", [])}
    tests = [
        nodes[_value(e.metadata, "unique_id")] for e in events if isinstance(e, dg.AssetCheckResult)
    ]
    tested = (
        _tested_rows(conn, tests[0]["schema"], run_results["metadata"]["invocation_id"])
        if tests and run_results
        else {}
    )
    for event in events:
        unique_id = _value(event.metadata, "unique_id")
        if isinstance(event, dg.Output):
            relation = tables.get(unique_id)
            metadata = dict(event.metadata)
            if relation in counts:
                metadata |= table_metadata(counts[relation], columns.get(relation, []))
            yield dg.Output(None, output_name=event.output_name, metadata=metadata)
            continue
        metadata = dict(event.metadata)
        description = event.description
        result = results.get(unique_id, {})
        if not event.passed:
            metadata["failing_rows_sql"] = dg.MetadataValue.md(
                f"```sql\n{result.get('compiled_code') or '(not compiled)'}\n```"
            )
            if result.get("relation_name"):
                metadata |= _failing_rows(conn, result["relation_name"])
            if result.get("message"):
                description = strip_ansi(result["message"])
        identity = {
            "passed": event.passed,
            "asset_key": event.asset_key,
            "check_name": event.check_name,
            "severity": event.severity,
            "metadata": metadata,
            "description": description,
        }
        if unique_id not in tested:  # a test whose model the hook did not count
            yield dg.AssetCheckResult(**identity)
            continue
        model = nodes[nodes[unique_id]["attached_node"]]
        yield check_result(
            rows_tested=tested[unique_id],
            what=f"{model['schema']}.{model['alias'] or model['name']}",
            **identity,
        )
