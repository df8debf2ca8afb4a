"""Fixing a file-level rejection without changing the file's bytes works (contract section
5, issue 13 item 8), through real refreshes: the file moved into the folder its feedback
names, the size limit raised, the folder's region added to the registry, the metric added
to the catalog. The refresh after the fixes publishes exactly what a refresh from scratch
over the fixed landing zone and reference data publishes."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import REPO_ROOT, environment, published_tables, query, refresh

NEW_REGION = (
    "region_code,level,parent_code,country_code,name_en,name_local,aliases,valid_from,"
    "valid_to,successor_code\nVN-ZZ,province,VN,VN,Zeta,Zeta,,,,\n"
)


def csv_for(sector: str, region: str = "VN-HN") -> str:
    return (
        "region,period,metric,sector,value\n"
        f"{region},2024-Q1,online_dossiers,{sector},60\n{region},2024-Q1,total_dossiers,{sector},100\n"
    )


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("second_chances")
    root, reference = base / "landing", base / "reference"
    warehouse = base / "bi" / "digimetrics.duckdb"
    shutil.copytree(REPO_ROOT / "sources" / "reference", reference)
    files = {
        "HN/wrong_folder.csv": csv_for("moved"),
        "VN-ZZ/new_province.csv": csv_for("new_province", region="VN-ZZ"),
        "VN-HN/large.csv": csv_for("large")
        .replace("\n", "," + "x" * 300 + "\n")
        .replace("value," + "x" * 300, "value,note"),
        "VN-HN/new_metric.csv": 'region,period,metric,value\nVN-HN,2024-Q1,full_process_dossiers,"2,439"\n',
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    env = {"DIGIMETRICS_SOURCES_DIR": str(root), "DIGIMETRICS_REFERENCE_DIR": str(reference)}
    with environment(**env, DIGIMETRICS_WAREHOUSE=str(warehouse), DIGIMETRICS_MAX_FILE_BYTES="500"):
        assert refresh().success
        before = published_tables(warehouse)
    # the fixes a province and the ministry make, no byte of a file changed
    (root / "VN-HN").mkdir(exist_ok=True)
    (root / "HN/wrong_folder.csv").rename(root / "VN-HN/wrong_folder.csv")
    (reference / "regions" / "zeta.csv").write_text(NEW_REGION, encoding="utf-8")
    with (reference / "metrics.csv").open("a", encoding="utf-8") as catalog:
        catalog.write("full_process_dossiers,count,sum,,,Dossiers processed fully online\n")
    with environment(
        **env, DIGIMETRICS_WAREHOUSE=str(warehouse), DIGIMETRICS_MAX_FILE_BYTES="5000"
    ):
        assert refresh().success
        after = published_tables(warehouse)
    scratch = base / "scratch" / "digimetrics.duckdb"
    with environment(**env, DIGIMETRICS_WAREHOUSE=str(scratch), DIGIMETRICS_MAX_FILE_BYTES="5000"):
        assert refresh().success
        from_scratch = published_tables(scratch)
    return before, after, from_scratch, warehouse


def statuses(tables: dict) -> dict[str, str]:
    return {row[1]: row[5] for row in tables["submission_files"]}


def test_every_file_level_decision_is_made_again(outcome) -> None:
    before, after, _, warehouse = outcome
    assert statuses(before) == {
        "HN/wrong_folder.csv": "rejected",
        "VN-ZZ/new_province.csv": "rejected",
        "VN-HN/large.csv": "rejected",
        "VN-HN/new_metric.csv": "rejected",
    }
    assert statuses(after) == {
        "HN/wrong_folder.csv": "rejected",  # the path it had: history
        "VN-HN/wrong_folder.csv": "accepted",  # not a duplicate of bytes only ever rejected
        "VN-ZZ/new_province.csv": "accepted",
        "VN-HN/large.csv": "accepted",
        "VN-HN/new_metric.csv": "accepted",
    }
    sectors = {row[5] for row in after["fct_online_dossier_rate"]}
    assert sectors == {"moved", "new_province", "large"}
    rules = {(r[1], r[4]) for r in after["data_quality_issues"]}
    assert rules == {("HN/wrong_folder.csv", "submitter_mismatch")}
    value = query(
        warehouse,
        "select rows_accepted from marts.submission_files where file_path = 'VN-HN/new_metric.csv'",
    )
    assert value == [(1,)]


def test_the_refresh_after_the_fixes_equals_one_from_scratch(outcome) -> None:
    _, after, from_scratch, _ = outcome
    for table, rows in from_scratch.items():
        if table == "submission_files":
            kept = [r[:9] + r[10:] for r in after[table] if r[1] != "HN/wrong_folder.csv"]
            assert kept == [r[:9] + r[10:] for r in rows]
        elif table == "observation_history":  # first_seen_at (column 10) differs too
            assert sorted((r[:9] + r[10:] for r in after[table]), key=repr) == sorted(
                (r[:9] + r[10:] for r in rows), key=repr
            )
        elif table == "data_quality_issues":
            assert [r for r in after[table] if r[1] != "HN/wrong_folder.csv"] == rows
        else:
            assert after[table] == rows, table
