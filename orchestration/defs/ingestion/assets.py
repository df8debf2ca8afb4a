"""Ingestion: from the landing zone and reference files into the pipeline's DuckDB state."""

import dagster as dg

from orchestration.defs.resources import WarehouseResource
from orchestration.lib import ingest, ledger, reference, state, validation
from orchestration.lib.landing import LandingZoneMissing

landing_zone = dg.AssetSpec(
    key="landing_zone",
    description="Provincial submissions (CSV, JSON) under $DIGIMETRICS_SOURCES_DIR/<submitter>/.",
    group_name="sources",
    kinds={"file"},
)
reference_files = dg.AssetSpec(
    key="reference_files",
    description="The ministry's reference data: regions/*.csv, metrics.csv, indicators.csv, "
    "targets.csv and reporting_schedules.csv.",
    group_name="sources",
    kinds={"csv"},
)


@dg.asset(key_prefix="reference", deps=[reference_files], group_name="reference", kinds={"duckdb"})
def region_registry(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Every country, province and any added district or commune, with names, aliases,
    parents and validity dates (raw.regions, raw.region_names, raw.region_ancestors)."""
    registry = reference.load_registry(warehouse.settings().reference_dir)
    with warehouse.state_connection() as conn:
        conn.execute("begin transaction")
        state.replace_table(conn, "raw.regions", registry.regions)
        state.replace_table(conn, "raw.region_names", registry.names)
        state.replace_table(conn, "raw.region_ancestors", registry.ancestors)
        conn.execute("commit")
    levels: dict[str, int] = {}
    for region in registry.regions:
        levels[str(region["level"])] = levels.get(str(region["level"]), 0) + 1
    return dg.MaterializeResult(
        metadata={"regions": len(registry.regions), "names": len(registry.names), **levels}
    )


@dg.asset(key_prefix="reference", deps=[reference_files], group_name="reference", kinds={"duckdb"})
def metric_catalog(warehouse: WarehouseResource):
    """The metrics: code, kind and how each adds up over time (raw.metrics, metrics.csv)."""
    metrics = reference.load_metrics(warehouse.settings().reference_dir)
    with warehouse.state_connection() as conn:
        state.replace_table(conn, "raw.metrics", metrics)
    return dg.MaterializeResult(metadata={"metrics": len(metrics)})


@dg.asset(
    key_prefix="reference", deps=[reference_files, metric_catalog], group_name="reference",
    kinds={"duckdb"},
)  # fmt: skip
def indicator_catalog(warehouse: WarehouseResource):
    """The indicators, each 100 x numerator / denominator of two count metrics
    (raw.indicators, indicators.csv): every figure model and check derives from it."""
    reference_dir = warehouse.settings().reference_dir
    indicators = reference.load_indicators(reference_dir, reference.load_metrics(reference_dir))
    with warehouse.state_connection() as conn:
        state.replace_table(conn, "raw.indicators", indicators)
    return dg.MaterializeResult(
        metadata={"indicators": len(indicators), "codes": [i["indicator"] for i in indicators]}
    )


@dg.asset(
    key_prefix="reference", deps=[reference_files, region_registry, indicator_catalog],
    group_name="reference", kinds={"duckdb"},
)  # fmt: skip
def target_catalog(warehouse: WarehouseResource):
    """The targets each indicator should reach by unit and period (raw.targets,
    targets.csv), checked against the indicators and the registry the steps before it
    loaded."""
    with warehouse.state_connection() as conn:
        indicators = {r[0] for r in conn.execute("select indicator from raw.indicators").fetchall()}
        regions = {r[0] for r in conn.execute("select region_code from raw.regions").fetchall()}
        targets = reference.load_targets(warehouse.settings().reference_dir, indicators, regions)
        state.replace_table(conn, "raw.targets", targets)
    return dg.MaterializeResult(metadata={"targets": len(targets)})


@dg.asset(
    key_prefix="reference", deps=[reference_files, region_registry, metric_catalog],
    group_name="reference", kinds={"duckdb"},
)  # fmt: skip
def reporting_schedule_catalog(warehouse: WarehouseResource):
    """Who must report which metrics for which periods, by how many days after the period
    (raw.reporting_schedules, reporting_schedules.csv), with an open schedule's last period
    resolved to the last one that ended before today in DIGIMETRICS_TIMEZONE."""
    settings = warehouse.settings()
    with warehouse.state_connection() as conn:
        metrics = {r[0] for r in conn.execute("select metric_code from raw.metrics").fetchall()}
        countries: dict[str, set[str]] = {}
        for country, level in conn.execute(
            "select distinct country_code, level from raw.regions"
        ).fetchall():
            countries.setdefault(country, set()).add(level)
        schedules = reference.load_schedules(
            settings.reference_dir, metrics, countries, settings.today()
        )
        state.replace_table(conn, "raw.reporting_schedules", schedules)
    return dg.MaterializeResult(metadata={"schedules": len(schedules)})


@dg.asset(key_prefix="reference", group_name="reference", kinds={"duckdb"})
def model_settings(warehouse: WarehouseResource):
    """The settings the models read (raw.model_settings): DIGIMETRICS_TIMEZONE, in which
    deadlines are judged, and the outlier rule's DIGIMETRICS_OUTLIER_THRESHOLD and
    DIGIMETRICS_OUTLIER_MIN_VALUES. A change to one rebuilds every model."""
    row = warehouse.settings().model_settings()
    with warehouse.state_connection() as conn:
        state.replace_table(conn, "raw.model_settings", [row])
    return dg.MaterializeResult(metadata=row)


@dg.asset(key_prefix="ingestion", deps=[landing_zone], group_name="ingestion", kinds={"duckdb"})
def file_ledger(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Every file seen in the landing zone, by path and SHA-256 (raw.file_ledger). Files
    already seen are not read again; a path that cannot be read is recorded as such."""
    settings = warehouse.settings()
    with warehouse.state_connection() as conn:
        try:
            summary = ledger.record_landed_files(
                conn, settings.sources_dir, settings.now(), settings.journal
            )
        except LandingZoneMissing as missing:
            raise dg.Failure(str(missing)) from None
    context.log.info(
        f"landing zone {settings.sources_dir}: {summary.files_seen} files, "
        f"{summary.new_files} new ({summary.duplicates} duplicates)"
    )
    if summary.unreadable or summary.vanished:
        context.log.warning(
            f"{summary.unreadable} paths could not be read or listed (recorded as "
            f"unreadable_file); {summary.vanished} files vanished while the landing zone was "
            "read (renamed or removed: a new name is read by the next refresh)"
        )
    return dg.MaterializeResult(metadata=vars(summary) | {"root": str(settings.sources_dir)})


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["ingestion", "parsed_observations"],
            deps=[file_ledger, metric_catalog, region_registry],
            description="Rows of the files not read before, decoded and split into fields, "
            "each field read on its own (raw.parsed_observations).",
            group_name="ingestion",
            kinds={"duckdb"},
        ),
        dg.AssetSpec(
            ["ingestion", "file_issues"],
            deps=[file_ledger],
            description="File-level findings: rejected files and legacy encodings "
            "(raw.file_issues).",
            group_name="ingestion",
            kinds={"duckdb"},
        ),
    ]
)
def parsed_observations(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Read the files the ledger holds as pending; a file's rows commit with its status."""
    settings = warehouse.settings()
    with warehouse.state_connection() as conn:
        kinds = dict(conn.execute("select metric_code, kind from raw.metrics").fetchall())
        submitters = {r[0] for r in conn.execute("select region_code from raw.regions").fetchall()}
        summary = ingest.parse_pending_files(
            conn, settings.sources_dir, kinds, submitters, settings.max_file_bytes,
            settings.timezone,
        )  # fmt: skip
    context.log.info(
        f"parsed {summary.files_parsed} files ({summary.rows_parsed} rows), "
        f"rejected {summary.files_rejected}, {summary.duplicates} duplicates, "
        f"on {summary.processes} process(es); {summary.redecided} decided again"
    )
    if summary.kept:
        context.log.warning(
            f"{summary.kept} files decided before could not be read again (gone or "
            "changed); their earlier outcome stands"
        )
    yield dg.MaterializeResult(
        asset_key=["ingestion", "parsed_observations"], metadata=vars(summary)
    )
    yield dg.MaterializeResult(
        asset_key=["ingestion", "file_issues"],
        metadata={"files_rejected": summary.files_rejected},
    )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["ingestion", "validated_observations"],
            deps=[["ingestion", "parsed_observations"], region_registry, metric_catalog],
            description="Observations that pass every single-row rule and the in-file "
            "duplicate rules (raw.validated_observations).",
            group_name="ingestion",
            kinds={"duckdb"},
        ),
        dg.AssetSpec(
            ["ingestion", "row_issues"],
            deps=[["ingestion", "parsed_observations"]],
            description="Findings of the row rules, with field, raw value and message "
            "(raw.row_issues).",
            group_name="ingestion",
            kinds={"duckdb"},
        ),
        dg.AssetSpec(
            ["ingestion", "validation_date"],
            deps=[["ingestion", "parsed_observations"]],
            description="The day the rules were last applied for, in DIGIMETRICS_TIMEZONE: "
            "'today' for the models too (raw.validation_date).",
            group_name="ingestion",
            kinds={"duckdb"},
        ),
        dg.AssetSpec(
            ["ingestion", "pending_model_keys"],
            deps=[["ingestion", "parsed_observations"]],
            description="The (region, period) keys whose observations changed since the "
            "models' last complete build, for the incremental models to rebuild "
            "(raw.pending_model_keys).",
            group_name="ingestion",
            kinds={"duckdb"},
        ),
    ]
)
def validated_observations(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Apply the row rules to everything parsed so far, in bulk, so a registry change
    reaches old submissions too."""
    settings = warehouse.settings()
    with warehouse.state_connection() as conn:
        counts = validation.validate_observations(conn, settings.today())
    context.log.info(f"validated observations: {counts}")
    yield dg.MaterializeResult(
        asset_key=["ingestion", "validated_observations"],
        metadata=counts | {"today": str(settings.today())},
    )
    yield dg.MaterializeResult(
        asset_key=["ingestion", "row_issues"],
        metadata={"rejected_rows": counts["rejected_rows"], "warnings": counts["row_warnings"]},
    )
    yield dg.MaterializeResult(
        asset_key=["ingestion", "validation_date"], metadata={"today": str(settings.today())}
    )
    yield dg.MaterializeResult(
        asset_key=["ingestion", "pending_model_keys"],
        metadata={"pending_keys": counts["pending_model_keys"]},
    )
