"""The dbt project, and its manifest, prepared once when it is missing."""

import os
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from orchestration.lib.settings import REPO_ROOT

# DIGIMETRICS_DBT_PROJECT_DIR points at another copy of the project (the tests use it to
# prove that a broken model stops the publish); normally the repository's own.
DBT_PROJECT_DIR = Path(os.environ.get("DIGIMETRICS_DBT_PROJECT_DIR") or REPO_ROOT / "dbt_project")
# the dbt of this environment, also when the environment is not activated
DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt"))

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def dbt_cli_resource() -> DbtCliResource:
    return DbtCliResource(
        project_dir=dbt_project,
        profiles_dir=str(DBT_PROJECT_DIR),
        dbt_executable=DBT_EXECUTABLE,
    )


# `dagster dev` re-parses on every load; elsewhere (job execute, daemon, tests) parse only
# when no manifest exists yet, as in a fresh clone (`make` targets parse beforehand).
if not dbt_project.manifest_path.exists() or dbt_project.preparer.using_dagster_dev():
    dbt_cli_resource().cli(["parse", "--quiet"], target_path=Path("target")).wait()
