"""The dbt project, and its manifest, prepared once when it is missing."""

import json
import os
import sys
from functools import cache, cached_property
from importlib.metadata import version as installed_version
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from packaging.version import Version

from orchestration.lib.settings import REPO_ROOT

# DIGIMETRICS_DBT_PROJECT_DIR points at another copy of the project (the tests use it to
# prove that a broken model stops the publish); normally the repository's own.
DBT_PROJECT_DIR = Path(os.environ.get("DIGIMETRICS_DBT_PROJECT_DIR") or REPO_ROOT / "dbt_project")
# the dbt of this environment, also when the environment is not activated
DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt"))

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


class DigimetricsDbtCliResource(DbtCliResource):
    """dagster-dbt's resource without two start-up costs of every `cli()` call that this
    project does not need (4.4 s of a 28 s one-file refresh, measured):

    - `dbt --version` in a subprocess (2.5 s) to learn the version: the executable is the
      dbt-core of this environment (DBT_EXECUTABLE), so its package metadata says it;
    - a dbt adapter built inside the Dagster process (1.9 s), which dagster-dbt uses only
      for `fetch_row_counts()` and `fetch_column_metadata()`: this project calls neither.
    """

    @cached_property
    def _cli_version(self) -> Version:
        return Version(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: object) -> None:
        return None


def dbt_cli_resource() -> DbtCliResource:
    return DigimetricsDbtCliResource(
        project_dir=dbt_project,
        profiles_dir=str(DBT_PROJECT_DIR),
        dbt_executable=DBT_EXECUTABLE,
        # dbt colours its messages with terminal codes, which Dagster's UI shows raw
        global_config_flags=["--no-use-colors"],
    )


def manifest_is_stale() -> bool:
    """True when there is no manifest yet (a fresh clone) or a project file changed since."""
    if not dbt_project.manifest_path.exists():
        return True
    built = dbt_project.manifest_path.stat().st_mtime
    sources = [DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml"]
    for folder in ("models", "macros", "tests", "seeds"):
        sources += (DBT_PROJECT_DIR / folder).rglob("*")
    return any(path.stat().st_mtime > built for path in sources if path.is_file())


# Parse when the manifest is missing or older than the project (`make` targets also parse
# beforehand), and on every load under `dagster dev`.
if dbt_project.preparer.using_dagster_dev() or manifest_is_stale():
    dbt_cli_resource().cli(["parse", "--quiet"], target_path=Path("target")).wait()


# What Python needs to know about the models is read from the manifest, never listed here:
# the marts are the models of folder marts/, and a model's tags and meta say the rest
# (dbt_project.yml and the folders' _models.yml declare them).
@cache  # read once per process: the assets and the checks both ask at definitions load
def _manifest() -> dict:
    return json.loads(dbt_project.manifest_path.read_text())


def manifest_models() -> tuple[dict, ...]:
    models = (n for n in _manifest()["nodes"].values() if n["resource_type"] == "model")
    return tuple(sorted(models, key=lambda n: n["name"]))


@cache
def nodes_without_landing_data() -> tuple[str, ...]:
    """The models and tests that read nothing of the landing zone (source `landing`), only
    reference data: what they build and find changes only with the reference data or the
    code, and either change makes the next build a full one (lib/model_refresh.py)."""
    manifest = _manifest()

    @cache
    def reads_landing(unique_id: str) -> bool:
        if unique_id in manifest["sources"]:
            return manifest["sources"][unique_id]["source_name"] == "landing"
        return any(map(reads_landing, manifest["nodes"][unique_id]["depends_on"]["nodes"]))

    return tuple(
        sorted(
            node["name"]
            for unique_id, node in manifest["nodes"].items()
            if node["resource_type"] in ("model", "test") and not reads_landing(unique_id)
        )
    )


def mart_tables() -> tuple[str, ...]:
    """The tables the warehouse publishes: every model of folder marts/."""
    return tuple(n["name"] for n in manifest_models() if n["fqn"][1] == "marts")


def models_tagged(tag: str) -> tuple[str, ...]:
    return tuple(n["name"] for n in manifest_models() if tag in n["config"]["tags"])


def suite_by_mart() -> dict[str, str]:
    """mart -> the Great Expectations suite that guards it (meta `gx_suite` of the model)."""
    return {
        n["name"]: n["config"]["meta"]["gx_suite"]
        for n in manifest_models()
        if "gx_suite" in n["config"].get("meta", {})
    }


def owners_of(tables: tuple[str, ...]) -> list[str]:
    """The owners of the models `tables` (meta dagster.owners, dbt_project.yml)."""
    return sorted(
        {
            owner
            for n in manifest_models()
            if n["name"] in tables
            for owner in n["config"]["meta"].get("dagster", {}).get("owners", [])
        }
    )
