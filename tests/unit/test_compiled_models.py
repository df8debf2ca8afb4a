"""The models' compiled SQL as the pre-submission check runs it (compiled_models.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from orchestration.lib.compiled_models import (
    ARTIFACT,
    _read_artifact,
    all_models,
    code_digest,
    dbt_project_dir,
    upstream_of,
)


def test_every_model_comes_after_the_models_it_reads() -> None:
    models = all_models()
    ordered = upstream_of(("data_quality_issues", "submission_files"), models)
    names = [m.name for m in ordered]
    assert len(names) == len(set(names))
    for position, model in enumerate(ordered):
        assert set(model.depends_on) <= set(names[:position]), model.name
    # the models that add findings are in, the figures nobody reads are not
    assert {"int_cross_row_findings", "int_total_mismatches", "int_outlier_values"} <= set(names)
    assert "fct_indicators" not in names
    # compiled as a full build on the in-memory database
    assert all(m.relation.startswith('"memory".') for m in ordered)
    assert "int_pending_figure_keys" not in next(
        m.sql for m in ordered if m.name == "int_total_mismatches"
    )


def test_an_artifact_of_other_code_is_not_used(tmp_path: Path) -> None:
    project = tmp_path / "dbt_project"
    shutil.copytree(dbt_project_dir(), project, ignore=shutil.ignore_patterns("target", "logs"))
    models = all_models()
    document = {"digest": code_digest(project), "models": [vars(m) for m in models]}
    (project / ARTIFACT).parent.mkdir()
    (project / ARTIFACT).write_text(json.dumps(document))
    assert _read_artifact(project / ARTIFACT, code_digest(project)) == models
    # any change to a model or macro changes the digest: the artifact is stale
    macro = project / "macros" / "figures.sql"
    macro.write_text(macro.read_text() + "\n")
    assert _read_artifact(project / ARTIFACT, code_digest(project)) is None
