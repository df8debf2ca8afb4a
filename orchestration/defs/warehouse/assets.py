"""The warehouse: dbt models (staging → intermediate → marts) and the publish step."""

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from dagster_dbt.errors import DagsterDbtCliRuntimeError

from orchestration.defs.resources import WarehouseResource
from orchestration.defs.warehouse.check_results import (
    run_results_of,
    table_metadata,
    with_facts,
    with_failing_rows,
)
from orchestration.defs.warehouse.project import (
    DBT_PROJECT_DIR,
    dbt_project,
    mart_tables,
    models_tagged,
    nodes_without_landing_data,
    owners_of,
)
from orchestration.lib.dbt_tests import describe_test, strip_ansi
from orchestration.lib.expectations import warm_up as warm_up_expectations
from orchestration.lib.feedback import write_feedback
from orchestration.lib.model_refresh import (
    build_digest,
    last_build_was_by_key,
    mark_published,
    plan_build,
)
from orchestration.lib.publish import publish
from orchestration.lib.settings import storage_version
from orchestration.lib.table_facts import columns_of

# dbt keeps partial parsing state in its target folder; one fixed folder (rather than one
# per invocation) lets every run reuse it. Runs of one warehouse never overlap (the writer
# lock); DIGIMETRICS_DBT_TARGET_PATH separates processes that refresh different ones (the
# parallel test workers).
DBT_TARGET_PATH = Path(os.environ.get("DIGIMETRICS_DBT_TARGET_PATH") or Path("target") / "run")
MART_TABLES = mart_tables()  # every model of folder marts/, from the manifest
# the marts rebuilt by key, with the kind of their keys (publish.KEY_FILTERS)
MARTS_BY_KEY = {
    table: keys
    for tag, keys in (
        ("rebuilt_by_key", "observations"),
        ("rebuilt_by_figure_key", "figures"),
        ("rebuilt_by_rank_key", "ranks"),
    )
    for table in models_tagged(tag)
    if table in MART_TABLES
}


class DigimetricsTranslator(DagsterDbtTranslator):
    """Models are keyed and grouped by their layer: staging/…, intermediate/…, marts/…"""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "model":
            layer = dbt_resource_props["fqn"][1]
            return dg.AssetKey([layer, dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "model":
            return dbt_resource_props["fqn"][1]
        return super().get_group_name(dbt_resource_props)

    def get_asset_check_spec(
        self,
        asset_spec: dg.AssetSpec,
        manifest: Mapping[str, Any],
        unique_id: str,
        project: DbtProject | None,
    ) -> dg.AssetCheckSpec | None:
        """dagster-dbt reads a check's description from the test's meta only: take the
        test's own description, else its generic test's sentence (lib/dbt_tests.py)."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None:
            return None
        return spec._replace(description=describe_test(manifest["nodes"][unique_id]))


def mart_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["marts", table])


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=DigimetricsTranslator(),
)
def warehouse_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    """One `dbt build` (models and their tests) over the pipeline's state file: the large
    models rebuild only the (region, period) keys that changed, unless a full rebuild is
    due (see model_refresh.py)."""
    os.environ["DIGIMETRICS_STATE_DB"] = str(warehouse.settings().state_db)
    with warehouse.state_connection() as conn:
        plan = plan_build(conn, build_digest(conn, DBT_PROJECT_DIR))
    context.log.info(f"{'full rebuild' if plan.full else 'rebuild by key'}: {plan.reason}")
    args = ["build", "--full-refresh"] if plan.full else ["build"]
    # the unit tests (models/*/_unit_tests.yml) test the models' code, not the data: they
    # run in tests/unit/test_dbt_unit_tests.py, never in a refresh (each costs a node)
    args += ["--exclude-resource-type", "unit_test"]
    if not plan.full and not context.is_subset:
        # a build by key means the reference data and the code are those of the last full
        # build: what reads nothing else is built and tested as it was then. Excluded by
        # name alone ("empty"): a test that also reads a changed model still runs.
        exclude = " ".join(nodes_without_landing_data())  # one value: dagster-dbt parses it
        args += ["--indirect-selection", "empty", "--exclude", exclude]
    warm_up_expectations()  # the GX checks come next
    invocation = dbt.cli(args, context=context, target_path=DBT_TARGET_PATH)
    nodes = invocation.manifest["nodes"]
    facts: dict[str, Any] = {}  # model unique_id -> what its post-hook logged
    failed, failure = [], None
    try:
        # dagster-dbt's stream(), with the post-hooks' facts added to each event
        for raw in invocation.stream_raw_events():
            if raw.is_result_event and raw._event_history_metadata:
                facts[raw._unique_id] = raw._event_history_metadata
            for event in raw.to_default_asset_events(
                manifest=invocation.manifest,
                dagster_dbt_translator=invocation.dagster_dbt_translator,
                context=context,
                target_path=invocation.target_path,
                project=invocation.project,
            ):
                event = with_facts(event, facts, nodes)
                # a failed check's rows are in the state file, dbt's until it exits
                if isinstance(event, dg.AssetCheckResult) and not event.passed:
                    failed.append(event)
                else:
                    yield event
    except DagsterDbtCliRuntimeError as error:
        failure = error
    if failed:
        run_results = run_results_of(invocation.target_path, failed)
        with warehouse.state_connection() as conn:
            yield from with_failing_rows(conn, failed, run_results)
    if failure is not None:
        raise DagsterDbtCliRuntimeError(description=strip_ansi(failure.description)) from None


@dg.asset(
    key="published_warehouse",
    deps=[mart_key(t) for t in MART_TABLES],
    group_name="publish",
    kinds={"duckdb"},
    owners=owners_of(MART_TABLES),
)
def published_warehouse(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """$DIGIMETRICS_WAREHOUSE, the file BI tools open: the marts of this run, swapped in
    atomically once every blocking check has passed."""
    settings = warehouse.settings()
    with warehouse.state_connection() as conn:
        digest = build_digest(conn, DBT_PROJECT_DIR)
        by_key = MARTS_BY_KEY if last_build_was_by_key(conn, digest) else None
    published = publish(
        settings.state_db, settings.warehouse_path, context.run_id, settings.now(), by_key
    )
    # every check of the rebuilt keys passed (a failed one skips this step) and they are
    # published: they are no longer pending, unless this run built only some of the models
    # (a selection in the UI)
    selection = context.dagster_run.asset_selection  # empty or None: the whole job
    if not selection or selection >= warehouse_models.keys:
        with warehouse.state_connection() as conn:
            mark_published(conn, digest)
    for path in published.moved_aside:
        context.log.warning(
            f"moved aside stray {path}: it belonged to the previous file (a client that wrote "
            "to it did not close it cleanly) and may hold that client's writes"
        )
    # each mart as BI tools now see it: its rows and column types in the published file
    conn = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        [database] = conn.execute("select current_database()").fetchone()
        columns = columns_of(conn, database, ["marts"])
    finally:
        conn.close()
    for table in MART_TABLES:
        context.log_event(
            dg.AssetObservation(
                asset_key=mart_key(table),
                metadata={
                    **table_metadata(published.counts[table], columns[("marts", table)]),
                    "published_in": str(settings.warehouse_path),
                },
            )
        )
    how = "the rebuilt keys replaced" if published.by_key else "every table copied"
    context.log.info(f"published {settings.warehouse_path} ({how}): {published.counts}")
    return dg.MaterializeResult(
        metadata={
            "path": str(settings.warehouse_path),
            "storage_version": storage_version(),
            "publish": "by key" if published.by_key else "whole",
            "moved_aside": [str(p) for p in published.moved_aside],
            **{f"rows.{k}": v for k, v in published.counts.items()},
        }
    )


@dg.asset(
    key="province_feedback",
    deps=[published_warehouse],
    group_name="publish",
    kinds={"csv"},
    owners=owners_of(MART_TABLES),
)
def province_feedback(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """One CSV per submitter beside the warehouse (feedback/<submitter>.csv): each file's
    status and every finding with its message, safe to open in a spreadsheet."""
    settings = warehouse.settings()
    directory = settings.warehouse_path.parent / "feedback"
    written = write_feedback(settings.warehouse_path, directory)
    context.log.info(
        f"feedback for {written.submitters} submitters in {directory}: rewrote the "
        f"{len(written.rewritten)} whose findings changed"
    )
    return dg.MaterializeResult(
        metadata={
            "directory": str(directory),
            "submitters": written.submitters,
            "rewritten": len(written.rewritten),
        }
    )
