"""Every rule of contract section 5, each triggered by a file a province could send, through
one real refresh (Dagster job → dbt build → checks → publish) read back from the published
warehouse as BI reads it."""

import os
from pathlib import Path

import pytest

from tests.conftest import environment, query, refresh, write_file, write_json

ROWS_CSV = """region,period,metric,sector,value,unit
VN-HN,2024-Q1,online_dossiers,land,"2,439",count
VN-HN,2024-Q1,total_dossiers,land,3000,
Atlantis,2024-Q1,total_dossiers,all,100,
Ha Noj,2024-Q1,total_dossiers,all,100,
VN-SG,2024-Q1,total_dossiers,all,100,
VN-HN,2024-13,total_dossiers,all,100,
VN-HN,2099-Q1,total_dossiers,all,100,
VN-HN,2024-Q1,paperless_dossiers,all,100,
VN-HN,2024-Q1,cashless_payments,all,,
VN-HN,2024-Q1,total_payments,all,lots,
VN-HN,2024-Q1,ehr_people,all,-5,
VN-HN,2024-Q1,population,all,100.5,
VN-HN,2024-Q1,ehr_coverage,all,101,
VN-HN,2024-Q1,digitized_services,all,12,percent
VN-HN,2024-Q1,online_dossiers,justice,10,
VN-HN,2024-Q1,online_dossiers,justice,11,
VN-HN,2024-Q1,digitized_services,justice,7,
VN-HN,2024-Q1,digitized_services,justice,7,
VN-HN,2024-Q1,cashless_payments,all,900,
VN-HN,2024-Q1,total_payments,all,800,
VN-HN,2024-Q1,online_dossier_rate,land,50,percent
"""

# (file, row_number, rule, severity) of every finding the landing zone below must produce
EXPECTED_FINDINGS = {
    ("VN-HN/rows.csv", 3, "unknown_region", "row_rejected"),
    ("VN-HN/rows.csv", 4, "unknown_region", "row_rejected"),
    ("VN-HN/rows.csv", 5, "region_not_owned", "row_rejected"),
    ("VN-HN/rows.csv", 6, "bad_period", "row_rejected"),
    ("VN-HN/rows.csv", 7, "future_period", "row_rejected"),
    ("VN-HN/rows.csv", 8, "unknown_metric", "row_rejected"),
    ("VN-HN/rows.csv", 9, "missing_value", "row_rejected"),
    ("VN-HN/rows.csv", 10, "unparseable_value", "row_rejected"),
    ("VN-HN/rows.csv", 11, "negative_count", "row_rejected"),
    ("VN-HN/rows.csv", 12, "not_an_integer", "row_rejected"),
    ("VN-HN/rows.csv", 13, "percent_out_of_range", "row_rejected"),
    ("VN-HN/rows.csv", 14, "unit_mismatch", "row_rejected"),
    ("VN-HN/rows.csv", 15, "duplicate_conflict", "row_rejected"),
    ("VN-HN/rows.csv", 16, "duplicate_conflict", "row_rejected"),
    ("VN-HN/rows.csv", 18, "duplicate_identical", "warning"),
    ("VN-HN/rows.csv", 19, "numerator_exceeds_denominator", "row_rejected"),
    ("VN-HN/rows.csv", 20, "numerator_exceeds_denominator", "row_rejected"),
    ("VN-HN/rows.csv", 21, "rate_mismatch", "warning"),
    ("VN-36/2026-Q1.json", 1, "region_not_valid_in_period", "row_rejected"),
    ("VN-33/online.csv", 1, "numerator_exceeds_denominator", "row_rejected"),
    ("VN-33/total.json", 1, "numerator_exceeds_denominator", "row_rejected"),
    ("MN-1/payments.csv", None, "legacy_encoding", "warning"),
    ("VN-44/latin1.csv", None, "unreadable_file", "file_rejected"),
    ("VN-44/garbage.csv", None, "unreadable_file", "file_rejected"),
    ("VN-44/report.xlsx", None, "unreadable_file", "file_rejected"),
    ("VN-44/empty.csv", None, "empty_file", "file_rejected"),
    ("VN-44/header_only.csv", None, "empty_file", "file_rejected"),
    ("VN-44/no_value_column.csv", None, "missing_columns", "file_rejected"),
    ("VN-29/declares_VN-30.json", None, "submitter_mismatch", "file_rejected"),
    ("loose_in_root.csv", None, "submitter_mismatch", "file_rejected"),
    ("XX-99/unknown_folder.csv", None, "submitter_mismatch", "file_rejected"),
    ("VN-44/too_large.csv", None, "file_too_large", "file_rejected"),
}

EXPECTED_STATUS = {
    "VN-HN/rows.csv": ("partially_accepted", 21, 5, 16),
    "VN-HN/copy/rows.csv": ("duplicate", 0, 0, 0),
    "VN-36/2026-Q1.json": ("rejected", 1, 0, 1),
    "VN-36/a_corrected.json": ("accepted", 1, 1, 0),
    "VN-36/b_original.json": ("accepted", 2, 2, 0),
    "VN-33/online.csv": ("rejected", 1, 0, 1),
    "VN-33/total.json": ("rejected", 1, 0, 1),
    "MN/ehr_utf16le.csv": ("accepted", 4, 4, 0),
    "MN-1/payments.csv": ("accepted", 2, 2, 0),
    "UZ/payments_utf16be.csv": ("accepted", 2, 2, 0),
    "VN-SG/semicolon_bom.csv": ("accepted", 3, 3, 0),
    "VN-31/UPPER_CASE.CSV": ("accepted", 2, 2, 0),
    "VN-44/latin1.csv": ("rejected", 0, 0, 0),
    "VN-44/garbage.csv": ("rejected", 0, 0, 0),
    "VN-44/report.xlsx": ("rejected", 0, 0, 0),
    "VN-44/empty.csv": ("rejected", 0, 0, 0),
    "VN-44/header_only.csv": ("rejected", 0, 0, 0),
    "VN-44/no_value_column.csv": ("rejected", 0, 0, 0),
    "VN-29/declares_VN-30.json": ("rejected", 0, 0, 0),
    "loose_in_root.csv": ("rejected", 0, 0, 0),
    "XX-99/unknown_folder.csv": ("rejected", 0, 0, 0),
    "VN-44/too_large.csv": ("rejected", 0, 0, 0),
}


def build_landing_zone(root: Path, outside: Path) -> None:
    write_file(root, "VN-HN/rows.csv", ROWS_CSV)
    write_file(root, "VN-HN/copy/rows.csv", ROWS_CSV)  # same bytes, another name
    # ignored: hidden, temporary, partial, symbolic links
    write_file(root, "VN-HN/.hidden.csv", ROWS_CSV)
    write_file(root, ".hidden_folder/VN-HN/a.csv", ROWS_CSV)
    write_file(root, "VN-HN/upload.csv.tmp", ROWS_CSV)
    write_file(root, "VN-HN/upload.CSV.PART", ROWS_CSV)
    target = write_file(
        outside, "elsewhere.csv", "region,period,metric,value\nVN-SG,2024,online_dossiers,1\n"
    )
    (root / "VN-HN" / "link.csv").symlink_to(target)
    (root / "VN-SG").mkdir()
    (root / "VN-SG" / "linked_folder").symlink_to(outside, target_is_directory=True)

    write_json(root, "VN-36/2026-Q1.json", {
        "submitter": "VN-36", "period": "2026-Q1",
        "observations": [{"region": "Ninh Thuận", "metric": "online_dossiers", "value": 5}],
    })  # fmt: skip
    # seen first but submitted later: its value supersedes the original's
    write_json(root, "VN-36/a_corrected.json", {
        "submitter": "VN-36", "period": "2023-H1", "submitted_at": "2023-07-20T09:30:00+07:00",
        "observations": [{"region": "VN-36", "metric": "online_dossiers", "value": 66120}],
    })  # fmt: skip
    write_json(root, "VN-36/b_original.json", {
        "submitter": "VN-36", "period": "2023-H1", "submitted_at": "2023-07-05T10:00:00+07:00",
        "observations": [
            {"region": "VN-36", "metric": "online_dossiers", "value": 64936},
            {"region": "Ninh Thuan", "metric": "total_dossiers", "value": "80 000"},
        ],
    })  # fmt: skip
    # a numerator above its denominator, sent in two different files
    write_file(
        root, "VN-33/online.csv", "region,period,metric,value\nĐắk Lắk,2024,online_dossiers,900\n"
    )
    write_json(
        root,
        "VN-33/total.json",
        [{"region": "VN-33", "period": "2024", "metric": "total_dossiers", "value": 800}],
    )

    write_file(root, "MN/ehr_utf16le.csv",
               "region,period,metric,value\r\nДархан уул,2024,ehr_people,88000\r\n"
               "Дархан-Уул,2024,population,110000\r\nОрхон,2024,ehr_coverage,81.5\r\n"
               "Хөвсгөл,2024,digitized_services,150\r\n",
               encoding="utf-16-le-bom")  # fmt: skip
    write_file(root, "MN-1/payments.csv",
               "region;period;metric;value\r\nУлаанбаатар;2024;cashless_payments;2 310 400\r\n"
               "Улаанбаатар;2024;total_payments;3.004.100\r\n", encoding="cp1251")  # fmt: skip
    write_file(root, "UZ/payments_utf16be.csv",
               "region\tperiod\tmetric\tvalue\nSamarqand\t2024-H1\tcashless_payments\t410000\n"
               "Самарқанд\tH1 2024\ttotal_payments\t620000\n", encoding="utf-16-be-bom")  # fmt: skip
    write_file(root, "VN-SG/semicolon_bom.csv",
               "Region;Period;Metric;Value;Unit\nTP.HCM;2024-H1;online_dossiers;96.310;\n"
               "Thành phố Hồ Chí Minh;2024-H1;total_dossiers;118.900;\n"
               "Saigon;2024-H1;online_dossier_rate;81,17;percent\n", encoding="utf-8-sig")  # fmt: skip
    write_file(
        root,
        "VN-31/UPPER_CASE.CSV",
        "REGION , Period,METRIC,Value,extra\n"
        "Bình Định,Q4 2024,online_dossiers,70500,x\nBinh Dinh,2024 Q4,total_dossiers,90100,y\n",
    )

    write_file(
        root,
        "VN-44/latin1.csv",
        "region,period,metric,value,note\nVN-44,2024,online_dossiers,1,café\n",
        encoding="latin-1",
    )
    write_file(root, "VN-44/garbage.csv", bytes(range(256)) * 4)
    write_file(root, "VN-44/report.xlsx", b"PK\x03\x04 not really a workbook")
    write_file(root, "VN-44/empty.csv", b"")
    write_file(root, "VN-44/header_only.csv", "region,period,metric,value\n")
    write_file(
        root,
        "VN-44/no_value_column.csv",
        "region,period,metric,amount\nVN-44,2024,online_dossiers,1\n",
    )
    write_json(root, "VN-29/declares_VN-30.json", {"submitter": "VN-30", "period": "2024",
               "observations": [{"region": "VN-29", "metric": "online_dossiers", "value": 1}]})  # fmt: skip
    write_file(
        root, "loose_in_root.csv", "region,period,metric,value\nVN-HN,2024,online_dossiers,1\n"
    )
    write_file(
        root,
        "XX-99/unknown_folder.csv",
        "region,period,metric,value\nVN-HN,2024,online_dossiers,2\n",
    )
    write_file(
        root,
        "VN-44/too_large.csv",
        "region,period,metric,value\n" + "VN-44,2024,online_dossiers,1\n" * 200,
    )


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("rules")
    root, warehouse = base / "landing", base / "bi" / "digimetrics.duckdb"
    build_landing_zone(root, base / "outside")
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and not p.is_symlink()}
    with environment(
        DIGIMETRICS_SOURCES_DIR=str(root),
        DIGIMETRICS_WAREHOUSE=str(warehouse),
        DIGIMETRICS_MAX_FILE_BYTES="4096",
    ):
        result = refresh()
    assert result.success
    after = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and not p.is_symlink()}
    assert after == before, "the landing zone must never be modified"
    return warehouse


def test_every_contract_rule_is_reported_where_it_applies(published: Path) -> None:
    findings = set(
        query(
            published, "select file_path, row_number, rule, severity from marts.data_quality_issues"
        )
    )
    assert findings == EXPECTED_FINDINGS


def test_file_statuses_and_row_counts(published: Path) -> None:
    rows = query(
        published,
        "select file_path, status, rows_total, rows_accepted, rows_rejected from marts.submission_files",
    )
    assert {r[0]: r[1:] for r in rows} == EXPECTED_STATUS


def test_ignored_files_are_not_recorded(published: Path) -> None:
    paths = {r[0] for r in query(published, "select file_path from marts.submission_files")}
    assert not {
        p for p in paths if ".hidden" in p or "link" in p or p.lower().endswith((".tmp", ".part"))
    }


def test_encodings_are_recorded(published: Path) -> None:
    encodings = dict(
        query(
            published,
            "select file_path, encoding from marts.submission_files where encoding is not null",
        )
    )
    assert encodings["MN/ehr_utf16le.csv"] == "utf-16le"
    assert encodings["UZ/payments_utf16be.csv"] == "utf-16be"
    assert encodings["MN-1/payments.csv"] == "windows-1251"
    assert encodings["VN-SG/semicolon_bom.csv"] == "utf-8-bom"
    assert encodings["VN-HN/rows.csv"] == "utf-8"


def test_messages_say_what_to_fix(published: Path) -> None:
    rows = query(
        published,
        "select file_path, row_number, rule, field, raw_value, message, raw_record from marts.data_quality_issues",
    )
    by_key = {(r[0], r[1], r[2]): r[3:] for r in rows}
    field, raw, message, record = by_key[("VN-HN/rows.csv", 4, "unknown_region")]
    assert (field, raw) == ("region", "Ha Noj")
    assert "did you mean Ha Noi (VN-HN)?" in message
    assert '"region": "Ha Noj"' in record
    _, raw, message, _ = by_key[("VN-36/2026-Q1.json", 1, "region_not_valid_in_period")]
    assert raw == "Ninh Thuận" and "VN-25-34" in message and "2025-06-30" in message
    _, raw, message, _ = by_key[("VN-HN/rows.csv", 10, "unparseable_value")]
    assert raw == "lots" and "whole number" in message
    _, _, message, _ = by_key[("VN-44/too_large.csv", None, "file_too_large")]
    assert "4,096" in message
    assert all(r[5] and len(r[5]) > 15 for r in rows)


def test_facts_are_computed_from_counts(published: Path) -> None:
    rows = query(
        published,
        """
        select region_code, period, period_type, sector, numerator, denominator, rate_pct,
               reported_rate_pct, rate_source
        from marts.fct_online_dossier_rate order by all""",
    )
    facts = {(r[0], r[1], r[3]): r for r in rows}
    land = facts[("VN-HN", "2024-Q1", "land")]
    assert land[4:6] == (2439, 3000) and land[6] == pytest.approx(81.3) and land[7] == 50.0
    assert land[8] == "counts"
    # the later submission (by submitted_at) wins although it was seen first
    assert facts[("VN-36", "2023-H1", "all")][4:7] == (66120, 80000, pytest.approx(82.65))
    assert facts[("VN-SG", "2024-H1", "all")][4:6] == (96310, 118900)
    assert facts[("VN-31", "2024-Q4", "all")][4:6] == (70500, 90100)
    assert ("VN-33", "2024", "all") not in facts  # numerator above denominator: both rejected
    cashless = query(
        published,
        "select region_code, period, numerator, denominator from marts.fct_cashless_payment_share order by 1",
    )
    assert cashless == [("MN-1", "2024", 2310400, 3004100), ("UZ-SA", "2024-H1", 410000, 620000)]
    ehr = query(
        published,
        "select region_code, numerator, denominator, rate_pct, rate_source from marts.fct_ehealth_record_coverage order by 1",
    )
    assert ehr == [
        ("MN-035", None, None, 81.5, "reported"),
        ("MN-037", 88000, 110000, 80.0, "counts"),
    ]


def test_published_relations_match_the_contract(published: Path) -> None:
    columns = query(
        published,
        """
        select table_name, column_name, data_type from duckdb_columns()
        where schema_name = 'marts'""",
    )
    by_table: dict[str, dict[str, str]] = {}
    for table, column, dtype in columns:
        by_table.setdefault(table, {})[column] = dtype
    fact = {"region_code": "VARCHAR", "period": "VARCHAR", "period_type": "VARCHAR",
            "period_start": "DATE", "period_end": "DATE", "sector": "VARCHAR",
            "numerator": "BIGINT", "denominator": "BIGINT", "rate_pct": "DOUBLE",
            "reported_rate_pct": "DOUBLE", "rate_source": "VARCHAR"}  # fmt: skip
    for table in (
        "fct_online_dossier_rate",
        "fct_cashless_payment_share",
        "fct_ehealth_record_coverage",
    ):
        assert fact.items() <= by_table[table].items()
    required = {
        "dim_region": ["region_code", "name", "level", "parent_code", "country_code", "valid_from", "valid_to"],
        "dim_period": ["period", "period_type", "period_start", "period_end", "year"],
        "submission_files": ["file_sha256", "file_path", "submitter", "format", "encoding", "status",
                             "rows_total", "rows_accepted", "rows_rejected", "first_seen_at"],
        "data_quality_issues": ["file_sha256", "file_path", "submitter", "row_number", "rule",
                                "severity", "field", "raw_value", "message"],
    }  # fmt: skip
    for table, names in required.items():
        assert set(names) <= set(by_table[table]), table
    assert by_table["dim_region"]["valid_from"] == "DATE"
    comments = dict(
        query(
            published, "select table_name, comment from duckdb_tables() where schema_name = 'marts'"
        )
    )
    assert all(comments[t] for t in by_table), "every published table is documented"
    undocumented = query(
        published,
        "select table_name, column_name from duckdb_columns() where schema_name = 'marts' and comment is null and table_name <> 'publish_info'",
    )
    assert undocumented == []


def test_registry_and_periods(published: Path) -> None:
    levels = dict(query(published, "select level, count(*) from marts.dim_region group by 1"))
    assert levels == {"country": 3, "province": 122}
    khanh_hoa = query(
        published,
        "select region_code, valid_from, valid_to from marts.dim_region where name = 'Khanh Hoa' order by 1",
    )
    assert [(r[0], str(r[1]), str(r[2])) for r in khanh_hoa] == [
        ("VN-25-34", "2025-07-01", "None"),
        ("VN-34", "None", "2025-06-30"),
    ]
    periods = query(
        published,
        "select period, period_type, period_start::varchar, period_end::varchar, year from marts.dim_period where period in ('2024-Q4', '2024-H1')",
    )
    assert sorted(periods) == [
        ("2024-H1", "half", "2024-01-01", "2024-06-30", 2024),
        ("2024-Q4", "quarter", "2024-10-01", "2024-12-31", 2024),
    ]


def test_warehouse_is_only_the_published_schema(published: Path) -> None:
    schemas = {r[0] for r in query(published, "select distinct schema_name from duckdb_tables()")}
    assert schemas == {"marts"}
    assert not list(published.parent.glob("*.tmp")), "no temp file left behind"
    assert os.access(published, os.R_OK)
