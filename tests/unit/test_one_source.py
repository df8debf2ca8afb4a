"""Each concept is declared once: the models rebuilt by key are the models tagged so in
dbt_project.yml, the marts are folder marts/, a mart's suite is its meta. Everything else
(the dbt test macro, the Dagster assets and checks) reads those declarations; these tests
fail when a model's configuration contradicts the declaration it carries."""

from pathlib import Path

from orchestration.defs.quality.mart_checks import SUITE_BY_MART
from orchestration.defs.warehouse.assets import MART_TABLES
from orchestration.defs.warehouse.project import (
    DBT_PROJECT_DIR,
    manifest_models,
    models_tagged,
)

EXPECTATIONS = Path(__file__).resolve().parents[2] / "expectations"


# each way of rebuilding by key: its tag, the tag of its tests, its pre-hook, and its
# filter with the macros that apply it for the model calling them
BY_KEY = {
    "rebuilt_by_key": (
        "tested_by_key",
        "delete_pending_keys()",
        ("is_pending_key()", "indicator_fact("),
    ),
    "rebuilt_by_figure_key": (
        "tested_by_figure_key",
        "delete_pending_keys('figures')",
        ("is_pending_figure_key(", "figures_in_both_geographies("),
    ),
    "rebuilt_by_rank_key": (
        "tested_by_rank_key",
        "delete_pending_keys('ranks')",
        ("keys='ranks'",),
    ),
    "rebuilt_by_series_key": (
        "tested_by_series_key",
        "delete_pending_keys('series')",
        ("keys='series'",),
    ),
}


def test_every_model_rebuilt_by_key_is_incremental_and_drops_its_pending_keys_first() -> None:
    for tag, (tested_tag, hook, _) in BY_KEY.items():
        rebuilt = set(models_tagged(tag))
        assert rebuilt, f"no model is tagged {tag}"
        for node in manifest_models():
            config = node["config"]
            hooks = " ".join(h["sql"] for h in config["pre-hook"])
            if node["name"] in rebuilt:
                assert config["materialized"] == "incremental", node["name"]
                assert hook in hooks.replace('"', "'"), node["name"]
                assert tested_tag in config["tags"], node["name"]
            else:
                assert hook not in hooks.replace('"', "'"), node["name"]
    rebuilt = [set(models_tagged(tag)) for tag in BY_KEY]
    assert sum(len(models) for models in rebuilt) == len(set().union(*rebuilt)), "one way each"


def test_models_rebuilt_by_key_filter_on_the_pending_keys() -> None:
    for tag, (_, _, filters) in BY_KEY.items():
        for name in models_tagged(tag):
            [path] = (DBT_PROJECT_DIR / "models").rglob(f"{name}.sql")
            text = path.read_text()
            assert any(pending_filter in text for pending_filter in filters), name


def test_the_published_tables_are_the_marts_folder() -> None:
    marts = sorted(p.stem for p in (DBT_PROJECT_DIR / "models" / "marts").glob("*.sql"))
    assert sorted(MART_TABLES) == marts


def test_every_suite_a_mart_names_exists_and_guards_a_mart() -> None:
    assert set(SUITE_BY_MART) <= set(MART_TABLES)
    for suite in set(SUITE_BY_MART.values()):
        assert (EXPECTATIONS / f"{suite}.json").is_file(), suite
    assert {"fct_online_dossier_rate", "submission_files", "data_quality_issues"} <= set(
        SUITE_BY_MART
    )
