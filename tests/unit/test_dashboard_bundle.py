"""The dashboard shipped as code (orchestration/dashboard/bundle/) holds together: the
launcher puts the warehouse into its one connection, and every reference between its
files (dashboard -> chart -> dataset -> connection) resolves, so an edit that breaks one
fails here before Superset's import would."""

from pathlib import Path

import yaml

from orchestration.dashboard.serve import BUNDLE, WAREHOUSE_URI_PLACEHOLDER, bundle_contents


def load(tmp_path: Path) -> dict[str, dict]:
    warehouse = tmp_path / "bi" / "digimetrics.duckdb"
    return {name: yaml.safe_load(text) for name, text in bundle_contents(BUNDLE, warehouse).items()}


def of_kind(files: dict[str, dict], folder: str) -> list[dict]:
    return [doc for name, doc in files.items() if name.startswith(f"{folder}/")]


def test_the_connection_opens_this_warehouse_read_only(tmp_path: Path) -> None:
    (database,) = of_kind(load(tmp_path), "databases")
    assert database["sqlalchemy_uri"] == f"duckdb:///{tmp_path / 'bi' / 'digimetrics.duckdb'}"
    assert database["extra"]["engine_params"]["connect_args"] == {"read_only": True}
    assert database["allow_dml"] is False
    assert WAREHOUSE_URI_PLACEHOLDER in (BUNDLE / "databases" / "digimetrics.yaml").read_text()


def test_every_reference_resolves_and_every_chart_is_on_the_dashboard(tmp_path: Path) -> None:
    files = load(tmp_path)
    (database,) = of_kind(files, "databases")
    datasets = {d["uuid"] for d in of_kind(files, "datasets")}
    charts = {c["uuid"]: c for c in of_kind(files, "charts")}
    (dashboard,) = of_kind(files, "dashboards")
    assert {d["database_uuid"] for d in of_kind(files, "datasets")} == {database["uuid"]}
    assert {c["dataset_uuid"] for c in charts.values()} <= datasets
    placed = [
        item["meta"] for item in dashboard["position"].values()
        if isinstance(item, dict) and item.get("type") == "CHART"
    ]  # fmt: skip
    assert sorted(m["uuid"] for m in placed) == sorted(charts)
    assert all(m["sliceName"] == charts[m["uuid"]]["slice_name"] for m in placed)
    assert files["metadata.yaml"]["type"] == "Dashboard"
