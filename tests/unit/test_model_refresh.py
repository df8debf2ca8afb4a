"""When the dbt models rebuild everything and when only the changed (region, period) keys."""

import shutil
from pathlib import Path

from orchestration.lib import state
from orchestration.lib.model_refresh import (
    RefreshPlan,
    build_digest,
    mark_published,
    models_digest,
    plan_build,
)
from orchestration.lib.settings import REPO_ROOT


def test_full_until_built_then_by_key_until_a_rebuild_is_requested(tmp_path: Path) -> None:
    with state.connect(tmp_path / "state.duckdb") as conn:
        conn.execute(
            "insert into raw.validated_observations (file_sha256, row_number, region_code, period) "
            "values ('a', 1, 'VN-HN', '2024-01'), ('a', 2, 'VN-HN', '2024-01'), "
            "('b', 1, 'VN-CT', '2024-01')"
        )
        conn.execute("insert into raw.validation_basis values ('rules-and-reference-1')")
        first = plan_build(conn, "code-1")
        assert first.full and first.reason == "no complete build of the models yet"
        # a full build makes every key pending, so the checks after it read every row
        assert first.pending_keys == 2
        assert sorted(conn.execute("select * from raw.pending_model_keys").fetchall()) == [
            ("VN-CT", "2024-01"),
            ("VN-HN", "2024-01"),
        ]

        mark_published(conn, "code-1")
        assert plan_build(conn, "code-1") == RefreshPlan(
            False, "0 changed (region, period) keys", 0
        )

        conn.execute(
            "insert into raw.pending_model_keys values "
            "('VN-HN', '2024-01'), ('VN-HN', '2024-01'), ('VN-HN', '2024-02')"
        )
        by_key = plan_build(conn, "code-1")
        assert not by_key.full and by_key.pending_keys == 2  # distinct keys, left as they are
        assert conn.execute("select count(*) from raw.pending_model_keys").fetchone() == (3,)

        changed_code = plan_build(conn, "code-2")
        assert changed_code.full
        assert (
            changed_code.reason
            == "the model code, indicators, targets, schedules or model settings changed since "
            "the last build"
        )
        assert changed_code.pending_keys == 2  # those of every validated observation
        assert conn.execute(
            "select count(*) from raw.pending_model_keys where period = '2024-02'"
        ).fetchone() == (0,)
        mark_published(conn, "code-1")

        # validation validated every file again (its basis changed)
        conn.execute("update raw.validation_basis set basis = 'rules-and-reference-2'")
        requested = plan_build(conn, "code-1")
        assert requested.full
        assert requested.reason == (
            "every file was validated again (registry, catalog, rules or date changed)"
        )
        assert plan_build(conn, "code-1").full, "until a complete build is published"

        mark_published(conn, "code-1")
        assert conn.execute("select count(*) from raw.pending_model_keys").fetchone() == (0,)
        assert conn.execute("select * from raw.published_basis").fetchall() == [
            ("code-1", "rules-and-reference-2")
        ]
        assert not plan_build(conn, "code-1").full


def test_the_digest_follows_model_code_and_nothing_else(tmp_path: Path) -> None:
    project = tmp_path / "dbt_project"
    shutil.copytree(
        REPO_ROOT / "dbt_project", project, ignore=shutil.ignore_patterns("target", "logs")
    )
    original = models_digest(project)
    assert models_digest(REPO_ROOT / "dbt_project") == original

    (project / "target").mkdir()
    (project / "target" / "run_results.json").write_text("{}")
    (project / "logs").mkdir()
    (project / "logs" / "dbt.log").write_text("a run")
    assert models_digest(project) == original, "build output is not model code"

    model = project / "models" / "marts" / "dim_period.sql"
    model.write_text(model.read_text() + "\n-- a comment is a change\n")
    changed_model = models_digest(project)
    assert changed_model != original

    macro = project / "macros" / "indicator_fact.sql"
    macro.write_text(macro.read_text().replace("rate_pct is not null", "rate_pct >= 0"))
    assert models_digest(project) not in (original, changed_model)


def test_the_build_digest_follows_the_model_code_and_the_targets(tmp_path: Path) -> None:
    project = REPO_ROOT / "dbt_project"
    with state.connect(tmp_path / "state.duckdb") as conn:
        before = build_digest(conn, project)
        assert build_digest(conn, project) == before
        state.replace_table(conn, "raw.targets", [
            {"indicator": "online_dossier_rate", "region_code": "VN", "period": "2025",
             "target_pct": 85.0},
        ])  # fmt: skip
        with_target = build_digest(conn, project)
        assert with_target != before
        conn.execute("update raw.targets set target_pct = 80")
        with_new_target = build_digest(conn, project)
        assert with_new_target not in (before, with_target)
        # an indicator added over metrics already known: no observation changes, every
        # model must still be rebuilt for it to appear
        conn.execute(
            "insert into raw.indicators values ('payments_online', 'cashless_payments', "
            "'total_payments', null, 'another ratio of known metrics')"
        )
        assert build_digest(conn, project) not in (before, with_target, with_new_target)
