"""The dbt unit tests (`unit_tests:` of models/*/_unit_tests.yml: the rules that compute the
figures of contract section 8, on hand-made rows) run for real, against a DuckDB file of
their own. The nightly `dbt build` excludes them (orchestration/defs/warehouse/assets.py)."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from orchestration.lib import state
from orchestration.lib.settings import REPO_ROOT

DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DBT = str(Path(sys.executable).with_name("dbt"))


def declared_unit_tests() -> set[str]:
    """The names of the unit tests the project's YAML declares, read without dbt."""
    names: set[str] = set()
    for path in sorted((DBT_PROJECT_DIR / "models").rglob("*.yml")):
        document = yaml.safe_load(path.read_text()) or {}
        names |= {test["name"] for test in document.get("unit_tests") or []}
    return names


def manifest_name(manifest: dict, unique_id: str) -> str:
    """How a unit test's `input` names a node: ref('name') or source('source', 'table')."""
    node = manifest["nodes"].get(unique_id) or manifest["sources"][unique_id]
    if node["resource_type"] == "source":
        return f"source('{node['source_name']}', '{node['name']}')"
    return f"ref('{node['name']}')"


def input_name(given: str) -> str:
    return re.sub(r"\s+", "", given).replace('"', "'").replace(",'", ", '")


def dbt(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    target, logs = tmp_path / "target", tmp_path / "logs"
    env = {
        **os.environ,
        "DIGIMETRICS_STATE_DB": str(tmp_path / "state.duckdb"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    project = ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    paths = ["--target-path", str(target), "--log-path", str(logs), "--no-use-colors"]
    return subprocess.run(
        [DBT, *args, *project, *paths],
        cwd=DBT_PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
    )


def test_every_dbt_unit_test_runs_and_passes(tmp_path: Path) -> None:
    # the sources (schema raw), empty, as a new pipeline state has them
    with state.connect(tmp_path / "state.duckdb"):
        pass
    # a unit test reads the column types of its inputs from their relations: build every
    # model the tests' models read from (and those models), without rows
    built = dbt(tmp_path, "run", "--empty", "--select", "+test_type:unit")
    assert built.returncode == 0, f"dbt run --empty failed:\n{built.stdout}\n{built.stderr}"
    # the unit tests alone, each independent of the others' results (in a `dbt build` a
    # failed one would skip those of the models downstream)
    tested = dbt(tmp_path, "test", "--select", "test_type:unit")
    output = f"{tested.stdout}\n{tested.stderr}"

    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    in_manifest = {test["name"] for test in manifest["unit_tests"].values()}
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    ran = {
        manifest["unit_tests"][r["unique_id"]]["name"]: r
        for r in results
        if r["unique_id"].startswith("unit_test.")
    }
    failed = {name: r["status"] for name, r in ran.items() if r["status"] != "pass"}
    assert not failed, f"dbt unit tests did not pass: {failed}\n{output}"
    assert tested.returncode == 0, f"dbt test failed:\n{output}"

    declared = declared_unit_tests()
    assert declared, "no unit_tests declared under dbt_project/models"
    assert in_manifest == declared, (
        f"declared in YAML but not in the manifest (disabled?): {declared - in_manifest}; "
        f"in the manifest only: {in_manifest - declared}"
    )
    assert set(ran) == declared, f"declared but not run: {declared - set(ran)}\n{output}"
    assert len(results) == len(declared), f"dbt ran more than the unit tests:\n{output}"

    # an input a unit test does not give is read from the real relation (here empty), so a
    # test would silently stop describing its rows: each gives every relation its model reads
    for test in manifest["unit_tests"].values():
        model = manifest["nodes"][test["depends_on"]["nodes"][0]]
        parents = {manifest_name(manifest, node) for node in model["depends_on"]["nodes"]}
        given = {input_name(g["input"]) for g in test["given"]}
        assert parents <= given, f"{test['name']} gives no rows for {parents - given}"
