"""Unit tests for orchestration.lib.reference (region registry, metric catalog, indicators
and targets)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from orchestration.lib.names import name_key
from orchestration.lib.reference import (
    REGION_COLUMNS,
    ReferenceError,
    Registry,
    load_indicators,
    load_metrics,
    load_registry,
    load_schedules,
    load_targets,
)

REFERENCE = Path(__file__).resolve().parents[2] / "sources" / "reference"
HEADER = ",".join(REGION_COLUMNS)


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry(REFERENCE)


@pytest.fixture(scope="module")
def regions(registry: Registry) -> dict[str, dict[str, object]]:
    return {r["region_code"]: r for r in registry.regions}


# --- the bundled registry -------------------------------------------------------------------


def test_registry_size(registry: Registry, regions):
    assert len(registry.regions) == 125
    assert len(regions) == 125  # codes are unique
    assert Counter(r["level"] for r in registry.regions) == {"country": 3, "province": 122}
    assert Counter(r["country_code"] for r in registry.regions) == {"VN": 87, "MN": 23, "UZ": 15}


def test_new_khanh_hoa(regions):
    assert regions["VN-25-34"] == {
        "region_code": "VN-25-34",
        "name": "Khanh Hoa",
        "name_local": "Khánh Hòa",
        "level": "province",
        "parent_code": "VN",
        "country_code": "VN",
        "valid_from": date(2025, 7, 1),
        "valid_to": None,
        "successor_code": None,
        "source_file": "countries_and_provinces.csv",
    }


def test_ninh_thuan_merged_into_new_khanh_hoa(regions):
    vn36 = regions["VN-36"]
    assert vn36["name"] == "Ninh Thuan"
    assert vn36["name_local"] == "Ninh Thuận"
    assert vn36["valid_from"] is None
    assert vn36["valid_to"] == date(2025, 6, 30)
    assert vn36["successor_code"] == "VN-25-34"
    assert vn36["parent_code"] == "VN"
    assert regions["VN-34"]["valid_to"] == date(2025, 6, 30)
    assert regions["VN-34"]["successor_code"] == "VN-25-34"


@pytest.mark.parametrize("code", ["VN", "MN", "UZ"])
def test_countries(regions, code):
    country = regions[code]
    assert country["level"] == "country"
    assert country["parent_code"] is None
    assert country["country_code"] == code
    assert country["valid_from"] is None
    assert country["valid_to"] is None


def test_every_province_has_its_country_as_parent(registry: Registry):
    for region in registry.regions:
        if region["level"] == "province":
            assert region["parent_code"] == region["country_code"]


def test_ancestors(registry: Registry):
    assert len(registry.ancestors) == 125 + 122
    vn36 = sorted(
        (a["depth"], a["ancestor_code"]) for a in registry.ancestors if a["region_code"] == "VN-36"
    )
    assert vn36 == [(0, "VN-36"), (1, "VN")]
    mn = [a for a in registry.ancestors if a["region_code"] == "MN"]
    assert mn == [{"region_code": "MN", "ancestor_code": "MN", "depth": 0}]


@pytest.mark.parametrize(
    ("spelling", "codes"),
    [
        ("VN-36", {"VN-36"}),
        ("vn-36", {"VN-36"}),
        ("Ninh Thuận", {"VN-36"}),
        ("Ninh Thuan", {"VN-36"}),
        ("NINH-THUAN", {"VN-36"}),
        ("Khánh Hòa", {"VN-34", "VN-25-34"}),
        ("Дархан уул", {"MN-037"}),
        ("Darkhan-Uul", {"MN-037"}),
        ("Övörkhangai", {"MN-055"}),
        ("Өвөрхангай", {"MN-055"}),
        ("Fargʻona", {"UZ-FA"}),
        ("Farg'ona", {"UZ-FA"}),
        ("Фарғона", {"UZ-FA"}),
        ("Oʻzbekiston", {"UZ"}),
        ("Vietnam", {"VN"}),
        ("Монгол", {"MN"}),
    ],
)
def test_names_are_keyed(registry: Registry, spelling, codes):
    key = name_key(spelling)
    assert {n["region_code"] for n in registry.names if n["name_key"] == key} == codes


def test_names_are_unique_per_key_and_code(registry: Registry):
    pairs = [(n["name_key"], n["region_code"]) for n in registry.names]
    assert len(pairs) == len(set(pairs))
    assert all(n["name"] == n["name"].strip() and n["name"] for n in registry.names)


# --- a registry in a temporary folder ---------------------------------------------------------


def make_reference(tmp_path: Path, *files: tuple[str, list[str]]) -> Path:
    regions_dir = tmp_path / "regions"
    regions_dir.mkdir(parents=True)
    for name, lines in files:
        (regions_dir / name).write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return tmp_path


BASE = [
    "VN,country,,VN,Viet Nam,Việt Nam,Vietnam,,,",
    "VN-36,province,VN,VN,Ninh Thuan,Ninh Thuận,,,2025-06-30,VN-25-34",
    "VN-25-34,province,VN,VN,Khanh Hoa,Khánh Hòa,,2025-07-01,,",
]


def test_small_registry_loads(tmp_path: Path):
    reg = load_registry(make_reference(tmp_path, ("a.csv", BASE)))
    assert [r["region_code"] for r in reg.regions] == ["VN", "VN-36", "VN-25-34"]
    assert {r["region_code"]: r["valid_to"] for r in reg.regions}["VN-36"] == date(2025, 6, 30)


def test_codes_are_upper_cased_and_fields_stripped(tmp_path: Path):
    lines = ["vn,country,,vn,Viet Nam,Việt Nam,,,,", "vn-36,province,vn, vn ,Ninh Thuan,,,,,"]
    reg = load_registry(make_reference(tmp_path, ("a.csv", lines)))
    by_code = {r["region_code"]: r for r in reg.regions}
    assert set(by_code) == {"VN", "VN-36"}
    assert by_code["VN-36"]["parent_code"] == "VN"
    assert by_code["VN-36"]["country_code"] == "VN"
    assert by_code["VN-36"]["name_local"] == "Ninh Thuan"  # falls back to name_en


def test_registry_spread_over_several_files(tmp_path: Path):
    districts = ["VN-36-01,district,VN-36,VN,Phan Rang,Phan Rang–Tháp Chàm,,,,"]
    ref = make_reference(tmp_path, ("a_provinces.csv", BASE), ("b_districts.csv", districts))
    reg = load_registry(ref)
    by_code = {r["region_code"]: r for r in reg.regions}
    assert by_code["VN-36-01"]["source_file"] == "b_districts.csv"
    chain = sorted(
        (a["depth"], a["ancestor_code"]) for a in reg.ancestors if a["region_code"] == "VN-36-01"
    )
    assert chain == [(0, "VN-36-01"), (1, "VN-36"), (2, "VN")]


def test_utf8_bom_registry_file_is_read(tmp_path: Path):
    regions_dir = tmp_path / "regions"
    regions_dir.mkdir()
    (regions_dir / "a.csv").write_text(HEADER + "\n" + BASE[0] + "\n", encoding="utf-8-sig")
    assert [r["region_code"] for r in load_registry(tmp_path).regions] == ["VN"]


BROKEN = [
    # id, files, message fragment
    ("duplicate-code", [("a.csv", [*BASE, "VN-36,province,VN,VN,Again,,,,,"])],
     "a.csv line 5, column region_code: VN-36 is defined twice (a.csv line 3)"),
    ("duplicate-code-other-case", [("a.csv", [*BASE, "vn-36,province,VN,VN,Again,,,,,"])],
     "column region_code: VN-36 is defined twice"),
    ("duplicate-code-across-files",
     [("a.csv", BASE), ("b.csv", ["VN-36,province,VN,VN,Again,,,,,"])],
     "b.csv line 2, column region_code: VN-36 is defined twice (a.csv line 3)"),
    ("unknown-parent", [("a.csv", [*BASE, "VN-99,province,XX,VN,Nowhere,,,,,"])],
     "a.csv line 5, column parent_code: VN-99 names unknown region XX"),
    ("unknown-successor", [("a.csv", [*BASE, "VN-98,province,VN,VN,Gone,,,,2025-06-30,VN-77"])],
     "a.csv line 5, column successor_code: VN-98 names unknown region VN-77"),
    ("empty-code", [("a.csv", [*BASE, ",province,VN,VN,Nameless,,,,,"])],
     "a.csv line 5, column region_code: the code is empty"),
    ("bad-level", [("a.csv", [*BASE, "VN-97,state,VN,VN,State,,,,,"])],
     "a.csv line 5, column level: 'state' is not one of"),
    ("bad-date", [("a.csv", [*BASE, "VN-96,province,VN,VN,X,,,01/07/2025,,"])],
     "a.csv line 5, column valid_from: '01/07/2025' is not a YYYY-MM-DD date"),
    ("parent-loop",
     [("a.csv", ["A,province,B,A,A,,,,,", "B,province,A,A,B,,,,,"])],
     "a.csv line 2, column parent_code: the parent chain of A loops through A"),
    ("successor-cycle",
     [("a.csv", [*BASE, "VN-91,province,VN,VN,P,,,,2025-06-30,VN-92",
                 "VN-92,province,VN,VN,Q,,,,2025-06-30,VN-91"])],
     "a.csv line 5, column successor_code: successors loop: VN-91 -> VN-92 -> VN-91"),
    ("successor-of-a-unit-that-did-not-end",
     [("a.csv", [*BASE, "VN-93,province,VN,VN,P,,,,,VN-36"])],
     "a.csv line 5, column successor_code: VN-93 has a successor but no valid_to"),
    ("unknown-country", [("a.csv", [*BASE, "VN-94,province,VN,XX,P,,,,,"])],
     "a.csv line 5, column country_code: VN-94 names unknown region XX"),
]  # fmt: skip


@pytest.mark.parametrize(("files", "fragment"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_broken_registry(tmp_path: Path, files, fragment):
    with pytest.raises(ReferenceError) as info:
        load_registry(make_reference(tmp_path, *files))
    assert fragment in str(info.value)


def test_missing_column(tmp_path: Path):
    regions_dir = tmp_path / "regions"
    regions_dir.mkdir()
    (regions_dir / "a.csv").write_text("region_code,level\nVN,country\n", encoding="utf-8")
    with pytest.raises(
        ReferenceError,
        match=r"a\.csv line 1, column parent_code, country_code, .*: the header lacks",
    ):
        load_registry(tmp_path)


def test_no_region_files(tmp_path: Path):
    (tmp_path / "regions").mkdir()
    (tmp_path / "regions" / "notes.txt").write_text("not a csv")
    with pytest.raises(ReferenceError, match="no region files"):
        load_registry(tmp_path)


def test_reference_error_is_a_value_error():
    assert issubclass(ReferenceError, ValueError)


# --- the metric catalog ---------------------------------------------------------------------

CATALOG = [
    ("online_dossiers", "count", "sum"),
    ("total_dossiers", "count", "sum"),
    ("online_dossier_rate", "rate", "reported"),
    ("cashless_payments", "count", "sum"),
    ("total_payments", "count", "sum"),
    ("cashless_payment_share", "rate", "reported"),
    ("ehr_people", "count", "last"),
    ("population", "count", "last"),
    ("ehr_coverage", "rate", "reported"),
    ("digitized_services", "count", "last"),
]
INDICATORS = [  # contract section 4
    ("online_dossier_rate", "online_dossiers", "total_dossiers", "online_dossier_rate"),
    ("cashless_payment_share", "cashless_payments", "total_payments", "cashless_payment_share"),
    ("ehealth_record_coverage", "ehr_people", "population", "ehr_coverage"),
]
METRICS_HEADER = "metric_code,kind,over_time,description"
INDICATORS_HEADER = "indicator,numerator,denominator,reported_rate,description"


def test_load_metrics():
    metrics = load_metrics(REFERENCE)
    assert [(m["metric_code"], m["kind"], m["over_time"]) for m in metrics] == CATALOG
    assert all(m["description"] for m in metrics)
    assert metrics[2]["description"] == "Reported online dossier rate, percent"


def test_load_indicators():
    indicators = load_indicators(REFERENCE, load_metrics(REFERENCE))
    assert [
        (i["indicator"], i["numerator"], i["denominator"], i["reported_rate"]) for i in indicators
    ] == INDICATORS


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            "online_dossiers,amount,sum,x",
            "metrics.csv line 2, column kind: 'amount' is not count or rate",
        ),
        (
            "online_dossiers,count,reported,x",
            "metrics.csv line 2, column over_time: 'reported' is not sum or last",
        ),
        ("ehr_coverage,rate,sum,x", "metrics.csv line 2, column over_time: 'sum' is not reported"),
        (
            "a,count,sum,x\na,count,sum,y",
            "metrics.csv line 3, column metric_code: a is defined twice",
        ),
        (",count,sum,x", "metrics.csv line 2, column metric_code: the code is empty"),
    ],
)
def test_broken_metrics_name_file_line_and_column(tmp_path: Path, rows: str, message: str):
    (tmp_path / "metrics.csv").write_text(f"{METRICS_HEADER}\n{rows}\n", encoding="utf-8")
    with pytest.raises(ReferenceError, match=re.escape(message)):
        load_metrics(tmp_path)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            "r,online_dossiers,nope,,x",
            "indicators.csv line 2, column denominator: 'nope' is not a count metric",
        ),
        (
            "r,online_dossier_rate,total_dossiers,,x",
            "indicators.csv line 2, column numerator: 'online_dossier_rate' is not a count metric",
        ),
        (
            "r,ehr_people,total_dossiers,,x",
            "indicators.csv line 2, column denominator: total_dossiers is 'sum' over time but ehr_people is 'last'",
        ),
        (
            "r,online_dossiers,total_dossiers,population,x",
            "indicators.csv line 2, column reported_rate: 'population' is not a rate metric",
        ),
        (
            "r,online_dossiers,total_dossiers,,x\nr,cashless_payments,total_payments,,y",
            "indicators.csv line 3, column indicator: r is defined twice",
        ),
    ],
)
def test_broken_indicators_name_file_line_and_column(tmp_path: Path, rows: str, message: str):
    (tmp_path / "indicators.csv").write_text(f"{INDICATORS_HEADER}\n{rows}\n", encoding="utf-8")
    with pytest.raises(ReferenceError, match=re.escape(message)):
        load_indicators(tmp_path, load_metrics(REFERENCE))


def test_a_metric_may_serve_two_indicators(tmp_path: Path):
    rows = "full_online,online_dossiers,total_dossiers,,Full-process online rate"
    (tmp_path / "indicators.csv").write_text(f"{INDICATORS_HEADER}\n{rows}\n", encoding="utf-8")
    (indicator,) = load_indicators(tmp_path, load_metrics(REFERENCE))
    assert indicator["denominator"] == "total_dossiers"


def test_load_metrics_missing_column(tmp_path: Path):
    (tmp_path / "metrics.csv").write_text("metric_code,kind\nx,count\n", encoding="utf-8")
    with pytest.raises(
        ReferenceError, match="metrics.csv line 1, column over_time, description: the header lacks"
    ):
        load_metrics(tmp_path)


TARGETS_HEADER = "indicator,region_code,period,target_pct"


def _codes() -> tuple[set[str], set[str]]:
    """The indicator and region codes of the sample reference data."""
    indicators = load_indicators(REFERENCE, load_metrics(REFERENCE))
    regions = load_registry(REFERENCE).regions
    return {i["indicator"] for i in indicators}, {str(r["region_code"]) for r in regions}


def _targets(tmp_path: Path, rows: str) -> list[dict[str, object]]:
    (tmp_path / "targets.csv").write_text(f"{TARGETS_HEADER}\n{rows}\n", encoding="utf-8")
    return load_targets(tmp_path, *_codes())


def test_load_targets_reads_codes_and_periods_canonically(tmp_path: Path):
    rows = "online_dossier_rate,VN,2025,85\nonline_dossier_rate,vn-hn,2025 H1,90.5"
    assert _targets(tmp_path, rows) == [
        {"indicator": "online_dossier_rate", "region_code": "VN", "period": "2025",
         "target_pct": 85.0},
        {"indicator": "online_dossier_rate", "region_code": "VN-HN", "period": "2025-H1",
         "target_pct": 90.5},
    ]  # fmt: skip


def test_the_sample_targets_load():
    targets = load_targets(REFERENCE, *_codes())
    assert {t["region_code"] for t in targets} >= {"VN", "VN-HN"}


def test_no_targets_file_means_no_targets(tmp_path: Path):
    assert load_targets(tmp_path, set(), set()) == []


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("speed,VN,2025,85", "targets.csv line 2, column indicator: 'speed' is not in indicators.csv"),
        ("online_dossier_rate,VN-XX,2025,85",
         "targets.csv line 2, column region_code: 'VN-XX' is not in the registry"),
        ("online_dossier_rate,VN,2025-13,85", "targets.csv line 2, column period: '2025-13' is not a period"),
        ("online_dossier_rate,VN,2025,85%", "targets.csv line 2, column target_pct: '85%' is not a percentage"),
        ("online_dossier_rate,VN,2025,101", "targets.csv line 2, column target_pct: '101' is not a percentage"),
        ("online_dossier_rate,VN,2025,nan", "targets.csv line 2, column target_pct: 'nan' is not a percentage"),
        ("online_dossier_rate,VN,2025-Q1,85\nonline_dossier_rate,VN,2025 Q1,80",
         "targets.csv line 3, column period: online_dossier_rate VN 2025-Q1 already has a target (line 2)"),
    ],
)  # fmt: skip
def test_broken_targets_name_file_line_and_column(tmp_path: Path, rows: str, message: str):
    with pytest.raises(ReferenceError, match=re.escape(message)):
        _targets(tmp_path, rows)


def test_targets_missing_column(tmp_path: Path):
    (tmp_path / "targets.csv").write_text("indicator,region_code,period\n", encoding="utf-8")
    with pytest.raises(ReferenceError, match="targets.csv line 1, column target_pct: the header"):
        load_targets(tmp_path, set(), set())


SCHEDULES_HEADER = (
    "dataset,metrics,country_code,level,period_type,due_days,first_period,last_period"
)
COUNTRIES = {"VN": {"country", "province"}, "MN": {"country", "province"}}
METRICS = {"online_dossiers", "total_dossiers", "cashless_payments"}


def _schedules(tmp_path: Path, rows: str, today: date = date(2025, 8, 14)) -> list[dict]:
    (tmp_path / "reporting_schedules.csv").write_text(
        f"{SCHEDULES_HEADER}\n{rows}\n", encoding="utf-8"
    )
    return load_schedules(tmp_path, METRICS, COUNTRIES, today)


def test_load_schedules_reads_metrics_and_periods_canonically(tmp_path: Path):
    rows = "dossiers, online_dossiers ; total_dossiers ,vn,province,quarter,20,2024 Q4,2025-Q2"
    assert _schedules(tmp_path, rows) == [
        {"dataset": "dossiers", "metric_codes": ["online_dossiers", "total_dossiers"],
         "country_code": "VN", "level": "province", "period_type": "quarter", "due_days": 20,
         "first_period": "2024-Q4", "last_period": "2025-Q2"},
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("period_type", "first", "today", "last"),
    [
        # the last period that ended before today; one ending today has not
        ("month", "2025-01", date(2025, 8, 14), "2025-07"),
        ("month", "2025-01", date(2025, 8, 1), "2025-07"),
        ("month", "2025-01", date(2025, 7, 31), "2025-06"),
        ("quarter", "2024-Q4", date(2025, 8, 14), "2025-Q2"),
        ("half", "2024-H1", date(2025, 1, 1), "2024-H2"),
        ("year", "2023", date(2025, 8, 14), "2024"),
        # nothing has ended yet: nothing is due
        ("year", "2025", date(2025, 8, 14), None),
    ],
)  # fmt: skip
def test_an_open_schedule_runs_to_the_last_period_that_ended_before_today(
    tmp_path: Path, period_type: str, first: str, today: date, last: str | None
):
    [schedule] = _schedules(
        tmp_path, f"d,total_dossiers,VN,province,{period_type},10,{first},", today
    )
    assert schedule["first_period"] == first
    assert schedule["last_period"] == last


def test_the_sample_schedules_load():
    metrics = {m["metric_code"] for m in load_metrics(REFERENCE)}
    countries: dict[str, set[str]] = {}
    for region in load_registry(REFERENCE).regions:
        countries.setdefault(str(region["country_code"]), set()).add(str(region["level"]))
    schedules = load_schedules(REFERENCE, metrics, countries, date(2026, 12, 6))
    assert {s["dataset"] for s in schedules} >= {"payments", "dossiers"}


def test_no_schedules_file_means_no_schedules(tmp_path: Path):
    assert load_schedules(tmp_path, set(), {}, date(2025, 1, 1)) == []


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (",total_dossiers,VN,province,month,10,2025-01,", "line 2, column dataset: the dataset has no name"),
        ("d, ; ,VN,province,month,10,2025-01,", "line 2, column metrics: no metric is named"),
        ("d,total_dossiers;speed,VN,province,month,10,2025-01,", "line 2, column metrics: 'speed' is not in metrics.csv"),
        ("d,total_dossiers,VN-HN,province,month,10,2025-01,",
         "line 2, column country_code: 'VN-HN' is not a country of the registry"),
        ("d,total_dossiers,MN,commune,month,10,2025-01,", "line 2, column level: MN has no unit of level 'commune'"),
        ("d,total_dossiers,VN,province,week,10,2025-01,", "line 2, column period_type: 'week' is not one of month"),
        ("d,total_dossiers,VN,province,month,ten,2025-01,", "line 2, column due_days: 'ten' is not a number of days"),
        ("d,total_dossiers,VN,province,month,-1,2025-01,", "line 2, column due_days: '-1' is not a number of days"),
        ("d,total_dossiers,VN,province,month,10,,", "line 2, column first_period: the first period is empty"),
        ("d,total_dossiers,VN,province,month,10,2025-Q1,", "line 2, column first_period: '2025-Q1' is not a month"),
        ("d,total_dossiers,VN,province,month,10,2025-05,2025-04", "line 2, column last_period: 2025-04 is before 2025-05"),
        ("d,total_dossiers,VN,province,month,10,2025-01,\nd,online_dossiers,VN,province,month,5,2024-01,",
         "line 3, column dataset: d VN province month is already scheduled (line 2)"),
    ],
)  # fmt: skip
def test_broken_schedules_name_file_line_and_column(tmp_path: Path, rows: str, message: str):
    with pytest.raises(ReferenceError, match=re.escape(f"reporting_schedules.csv {message}")):
        _schedules(tmp_path, rows)
