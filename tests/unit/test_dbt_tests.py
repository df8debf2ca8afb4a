"""What the Dagster UI shows of the dbt tests and the tables: every test described, messages
without terminal codes, tables' rows and column types read from DuckDB's catalog."""

import duckdb

from orchestration.defs.warehouse.project import dbt_project
from orchestration.lib.dbt_tests import describe_test, strip_ansi
from orchestration.lib.table_facts import Column, columns_of, displayable


def _tests() -> list[dict]:
    import json

    manifest = json.loads(dbt_project.manifest_path.read_text())
    return [n for n in manifest["nodes"].values() if n["resource_type"] == "test"]


def test_every_dbt_test_has_a_description() -> None:
    tests = _tests()
    assert len(tests) > 100
    undescribed = [t["name"] for t in tests if not describe_test(t)]
    assert undescribed == [], "give these tests a description (lib/dbt_tests.py)"


def test_a_description_names_the_test_arguments() -> None:
    described = {t["name"]: describe_test(t) for t in _tests()}
    not_null = next(d for n, d in described.items() if n.startswith("not_null_columns_dim_r"))
    assert not_null == "Never null: region_code, name, level, country_code."
    relationship = next(d for n, d in described.items() if n.startswith("relationships_fct_o"))
    assert relationship == "Every region_code is a region_code of dim_region."
    accepted = next(d for n, d in described.items() if n.startswith("accepted_values_dim_p"))
    assert accepted == "period_type is one of: year, half, quarter, month."
    where = [d for d in described.values() if "(rows where" in d]
    assert any("status <> 'rejected'" in d for d in where)
    own = {"name": "x", "description": "Said by the test itself.", "test_metadata": {}}
    assert describe_test(own) == "Said by the test itself."
    assert describe_test({"name": "x", "description": "", "test_metadata": {"name": "new"}}) is None


def test_terminal_codes_are_stripped() -> None:
    coloured = "\x1b[31mFailure in test x\x1b[0m (models/x.yml)\n  Got \x1b[1m2\x1b[0m results"
    assert strip_ansi(coloured) == "Failure in test x (models/x.yml)\n  Got 2 results"


def test_typed_columns_come_from_the_catalog() -> None:
    conn = duckdb.connect(":memory:")
    conn.execute("create schema marts")
    conn.execute("create table marts.t (code varchar, share double, day date)")
    conn.execute("comment on column marts.t.code is 'The code.'")
    conn.execute("insert into marts.t values ('a', 0.5, '2024-01-01'), ('b', null, null)")
    [database] = conn.execute("select current_database()").fetchone()
    assert columns_of(conn, database, ["marts"])[("marts", "t")] == [
        Column("code", "VARCHAR", "The code."),
        Column("share", "DOUBLE", None),
        Column("day", "DATE", None),
    ]


def test_failing_rows_show_every_cell() -> None:
    from datetime import date
    from decimal import Decimal

    cells = [None, 3, 2.5, True, "VN-1", date(2024, 1, 31), Decimal("1.50"), ["a"]]
    assert [displayable(c) for c in cells] == [
        "null",
        3,
        2.5,
        True,
        "VN-1",
        "2024-01-31",
        "1.50",
        "['a']",
    ]
