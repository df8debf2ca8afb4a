"""Unit tests for the benchmark's landing-zone generator (benchmarks/generate.py) and its
baseline SQL script (benchmarks/baseline.py), on a small zone of about 20,000 rows, and for
what the harness (benchmarks/bench.py) reports beside its times."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import duckdb
import pytest

from benchmarks import generate as gen
from benchmarks.baseline import FACTS, run_baseline
from benchmarks.bench import NEW_MARTS, bi_queries, dbt_figures, table
from orchestration.lib.parsing import ParsedSubmission, parse_submission
from orchestration.lib.reference import (
    load_indicators,
    load_metrics,
    load_registry,
    load_schedules,
)

ROWS = 20_000
# the metrics of one region and period: the dossier pair and rate by sector, the rest once
BUNDLE_METRICS = Counter(
    {m: len(gen.SECTORS) if m.endswith(("_dossiers", "dossier_rate")) else 1 for m in gen.KIND}
)


@pytest.fixture(scope="module")
def zone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("zone") / str(ROWS)
    gen.generate(ROWS, out)
    return out


@pytest.fixture(scope="module")
def manifest(zone: Path) -> dict:
    return json.loads((zone / "manifest.json").read_text(encoding="utf-8"))


def landing_files(zone: Path) -> list[Path]:
    return sorted(p for p in (zone / "landing").rglob("*") if p.is_file())


def kinds_of(zone: Path) -> dict[str, str]:
    return {m["metric_code"]: m["kind"] for m in load_metrics(zone / "reference")}


@pytest.fixture(scope="module")
def parsed(zone: Path) -> dict[Path, ParsedSubmission]:
    kinds = kinds_of(zone)
    return {p: parse_submission(p.read_bytes(), p.suffix[1:], kinds) for p in landing_files(zone)}


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_same_arguments_give_byte_identical_trees(zone: Path, tmp_path: Path):
    again = tmp_path / "again"
    gen.generate(ROWS, again)
    assert tree(again) == tree(zone)


def test_manifest_counts_the_rows_in_the_files(manifest: dict, parsed: dict):
    assert manifest["rows"] == sum(p.row_count for p in parsed.values())
    assert manifest["files"] == len(parsed)
    assert abs(manifest["rows"] - ROWS) <= 0.02 * ROWS
    assert manifest["parameters"]["rows"] == ROWS


def test_reference_loads_with_a_commune_layer_on_both_sides_of_july_2025(
    zone: Path, manifest: dict
):
    # as the refresh's reference assets load it (orchestration/defs/ingestion/assets.py)
    registry = load_registry(zone / "reference")
    metrics = load_metrics(zone / "reference")
    assert load_indicators(zone / "reference", metrics)
    levels: dict[str, set[str]] = {}
    for region in registry.regions:
        levels.setdefault(str(region["country_code"]), set()).add(str(region["level"]))
    metric_codes = {str(m["metric_code"]) for m in metrics}
    schedules = load_schedules(zone / "reference", metric_codes, levels, date(2026, 1, 1))
    assert gen.BENCH_SCHEDULE_DATASET in {s["dataset"] for s in schedules}
    regions = {r["region_code"]: r for r in registry.regions}
    communes = [r for r in regions.values() if r["level"] == "commune"]
    old = [c for c in communes if c["valid_to"] == date(2025, 6, 30)]
    new = [c for c in communes if c["valid_from"] == date(2025, 7, 1)]
    assert len(old) == manifest["communes"]["until_2025_06"] > 0
    assert len(new) == manifest["communes"]["from_2025_07"] > 0
    assert len(old) + len(new) == len(communes)
    for commune in old:
        assert regions[commune["parent_code"]]["valid_from"] is None
    for commune in new:
        parent = regions[commune["parent_code"]]
        assert parent["valid_to"] is None and parent["country_code"] == "VN"
    names = Counter((c["parent_code"], c["name_local"]) for c in communes)
    assert max(names.values()) == 1
    assert all(c["name_local"].startswith(("Xã ", "Phường ", "Thị trấn ")) for c in communes)


def test_every_file_parses_in_every_encoding_and_layout(parsed: dict):
    seen = Counter((p.encoding, p.delimiter) for p in parsed.values())
    encodings = {encoding for encoding, _ in seen}
    assert {"utf-8", "utf-8-bom", "utf-16le", "windows-1251"} <= encodings
    assert {",", ";", "\t", None} <= {delimiter for _, delimiter in seen}
    json_files = [p for p in parsed if p.suffix == ".json"]
    assert json_files and all(parsed[p].declared_submitter == p.parts[-3] for p in json_files)


def test_row_rules_that_parsing_finds_match_the_manifest(manifest: dict, parsed: dict):
    found: Counter = Counter()
    for result in parsed.values():
        columns = result.columns
        found.update(e for e in columns["value_error"] if e)
        found["bad_period"] += sum(1 for p in columns["period"] if p is None)
        found["unknown_metric"] += sum(1 for m in columns["metric"] if m not in gen.KIND)
        assert not any(columns["row_problem"])
    for rule in ("unparseable_value", "missing_value", "bad_period", "unknown_metric"):
        assert found[rule] == manifest["bad_rows"][rule], rule


def test_about_one_percent_bad_rows_of_every_rule(manifest: dict):
    assert 0.006 <= manifest["bad_row_share"] <= 0.014
    assert manifest["bad_rows_total"] == sum(manifest["bad_rows"].values())
    assert set(manifest["bad_rows"]) == set(gen.RULES)
    assert all(count > 0 for count in manifest["bad_rows"].values())


def test_periods_follow_the_reorganisation(zone: Path, parsed: dict, manifest: dict):
    registry = {r.code: r for r in gen.read_regions(zone / "reference")}
    for path, result in parsed.items():
        submitter = path.relative_to(zone / "landing").parts[0]
        periods = {p for p in result.columns["period"] if p}
        assert len(periods) == 1, path
        (period,) = periods
        kinds = {t for t in result.columns["period_type"] if t}
        assert kinds == {"quarter" if "-Q" in period else "month"}, path
        start = min(d for d in result.columns["period_start"] if d)
        end = max(d for d in result.columns["period_end"] if d)
        assert date(2023, 1, 1) <= start <= end <= date(2025, 12, 31), path
        assert registry[submitter].valid_on(start) and registry[submitter].valid_on(end), path
    resubmitted = {(r["submitter"], r["period"]) for r in manifest["resubmissions"]}
    assert len(resubmitted) >= 2
    for submitter, period in resubmitted:
        assert len(list((zone / "landing" / submitter).rglob(f"{period}*"))) == 2


def test_helpers_land_a_new_month_and_a_resubmission(zone: Path, tmp_path: Path):
    work = tmp_path / "work"
    shutil.copytree(zone, work)
    before = set(tree(work / "landing"))
    kinds = kinds_of(work)

    new_file = gen.write_new_month_file(work, submitter="VN-01", period="2026-01")
    assert new_file.relative_to(work / "landing").as_posix() not in before
    assert not [name for name in before if "2026-01" in name]
    rows = parse_submission(new_file.read_bytes(), "csv", kinds).columns
    assert set(rows["period"]) == {"2026-01"}
    regions = set(rows["region_raw"])
    assert "VN-01" in regions and all(r.startswith("VN-01") for r in regions)
    with pytest.raises(ValueError):
        gen.write_new_month_file(work, submitter="VN-01", period="2026-01")

    original = sorted((work / "landing" / "VN-01").rglob("2025-09*"))
    assert original
    first = gen.write_resubmission(work, submitter="VN-01", period="2025-09")
    second = gen.write_resubmission(work, submitter="VN-01", period="2025-09")
    assert first.parent == original[0].parent and first != second
    assert first.read_bytes() != second.read_bytes() != original[0].read_bytes()
    assert set(parse_submission(first.read_bytes(), "csv", kinds).columns["period"]) == {"2025-09"}
    assert set(tree(work / "landing")) - before == {
        p.relative_to(work / "landing").as_posix() for p in (new_file, first, second)
    }


def test_ensure_generated_reuses_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    zone = gen.ensure_generated(ROWS, tmp_path)
    assert zone == tmp_path / str(ROWS) and (zone / "manifest.json").is_file()

    def must_not_run(*args: object) -> dict:
        raise AssertionError("regenerated a cached zone")

    monkeypatch.setattr(gen, "generate", must_not_run)
    assert gen.ensure_generated(ROWS, tmp_path) == zone


def test_baseline_computes_the_three_facts(zone: Path, manifest: dict, tmp_path: Path):
    seconds = run_baseline(zone / "landing", zone / "reference", tmp_path / "baseline.duckdb")
    assert seconds > 0
    conn = duckdb.connect(str(tmp_path / "baseline.duckdb"), read_only=True)
    try:
        for fact in FACTS:
            expected = manifest["expected_facts"][fact]["rows"]
            count, low, high = conn.execute(
                f"select count(*), min(rate_pct) filter (where rate_source = 'counts'), "
                f"max(rate_pct) filter (where rate_source = 'counts') from marts.{fact}"
            ).fetchone()
            assert 0.85 * expected <= count <= expected, fact
            assert 0 <= low <= high <= 100, fact
        read = conn.execute("select count(*) from raw_rows").fetchone()[0]
    finally:
        conn.close()
    assert read == manifest["rows"]


@pytest.fixture(scope="module")
def resolve(zone: Path):
    """A region as written in a file (its code, or a name in any spelling the generator
    uses) to its code among the regions valid in the period, as the pipeline resolves it."""
    registry = load_registry(zone / "reference")
    regions = {r["region_code"]: r for r in registry.regions}
    by_key: dict[str, set[str]] = {}
    for name in registry.names:
        by_key.setdefault(name["name_key"], set()).add(name["region_code"])
        by_key.setdefault(name["loose_key"], set()).add(name["region_code"])

    def resolve(key: str | None, loose: str | None, start: date, end: date) -> str | None:
        codes = {
            code
            for code in by_key.get(key or "", set()) or by_key.get(loose or "", set())
            if (regions[code]["valid_from"] or start) <= end
            and (regions[code]["valid_to"] or end) >= start
        }
        return codes.pop() if len(codes) == 1 else None

    return resolve


def own_values(result: ParsedSubmission, code: str, resolve) -> dict[tuple[str, str], float]:
    """(metric, sector) -> the number `code` reported for itself in a file, where it reported
    exactly one valid one (for a count, a whole number >= 0: not a bad row)."""
    columns = result.columns
    found: dict[tuple[str, str], set] = {}
    for i in range(result.row_count):
        value = columns["value"][i]
        if columns["period"][i] is None or columns["value_error"][i] or value is None:
            continue
        if gen.KIND.get(columns["metric"][i]) == "count" and (value < 0 or value % 1):
            continue
        region = resolve(
            columns["region_key"][i], columns["loose_region_key"][i],
            columns["period_start"][i], columns["period_end"][i],
        )  # fmt: skip
        if region == code:
            found.setdefault((columns["metric"][i], columns["sector"][i]), set()).add(value)
    return {key: values.pop() for key, values in found.items() if len(values) == 1}


def quarter_files(zone: Path, parsed: dict) -> dict[Path, ParsedSubmission]:
    return {p: r for p, r in parsed.items() if "-Q" in p.name}


def test_every_seventh_submitter_of_each_era_sends_its_own_quarterly_totals(
    zone: Path, manifest: dict, parsed: dict
):
    eras = {"old": manifest["submitters"]["vn_until_2025_06"],
            "new": manifest["submitters"]["vn_from_2025_07"]}  # fmt: skip
    expected = [(code, era) for era in ("old", "new") for code in sorted(eras[era])[::7]]
    quarterly = manifest["quarterly_totals"]
    assert [(q["submitter"], q["era"]) for q in quarterly["submitters"]] == expected
    files = quarter_files(zone, parsed)
    assert len(files) == quarterly["files"] == sum(q["quarters"] for q in quarterly["submitters"])
    assert sum(r.row_count for r in files.values()) == quarterly["rows"]
    assert {p.suffix for p in files} == {".csv", ".json"}
    sent: dict[tuple[str, str], list[str]] = {}
    for path, result in files.items():
        (quarter,) = set(result.columns["period"])
        assert path.stem == quarter and set(result.columns["period_type"]) == {"quarter"}
        submitter = path.relative_to(zone / "landing").parts[0]
        sent.setdefault((submitter, "new" if quarter >= "2025-Q3" else "old"), []).append(quarter)
    old_quarters = [f"{y}-Q{q}" for y in (2023, 2024) for q in (1, 2, 3, 4)] + [
        "2025-Q1", "2025-Q2",
    ]  # fmt: skip
    assert {key: sorted(quarters) for key, quarters in sent.items()} == {
        (code, era): old_quarters if era == "old" else ["2025-Q3", "2025-Q4"]
        for code, era in expected
    }


def test_quarterly_totals_are_the_provinces_own_and_agree_with_its_months(
    zone: Path, manifest: dict, parsed: dict, resolve
):
    checked = 0
    for path, result in quarter_files(zone, parsed).items():
        code = path.relative_to(zone / "landing").parts[0]
        columns = result.columns
        assert set(columns["region_raw"]) == {code} and not any(columns["value_error"])
        assert Counter(columns["metric"]) == BUNDLE_METRICS
        own = own_values(result, code, resolve)
        assert len(own) == gen.BUNDLE
        for rate, (numerator, denominator) in gen.RATE_PAIRS.items():
            for (metric, sector), value in own.items():
                if metric == rate:
                    pair = own[(numerator, sector)], own[(denominator, sector)]
                    assert pair[0] <= pair[1] and value == round(100 * pair[0] / pair[1], 2)
        # the same stocks as the quarter's last month, flows within a few tenths of a
        # percent of the months' sum (from each month's first file, without its bad rows)
        year, number = int(path.stem[:4]), int(path.stem[-1])
        months = [
            own_values(parsed[original], code, resolve)
            for month in range(3 * number - 2, 3 * number + 1)
            for original in parsed
            if original.parent == path.parent and original.stem == f"{year}-{month:02d}"
        ]
        assert len(months) == 3, path
        for key, value in own.items():
            metric, sector = key
            if gen.KIND[metric] != "count" or not all(key in m for m in months):
                continue
            denominator = gen.NUMERATORS_TO_DENOMINATORS.get(metric)
            if denominator and any(m[key] > m.get((denominator, sector), m[key]) for m in months):
                continue  # a bad row: a numerator above its denominator
            if metric in gen.STOCKS:
                assert value == months[-1][key], (path, key)
            else:
                total = sum(m[key] for m in months)
                assert abs(value - total) <= max(3, 0.025 * total), (path, key, value, total)
            checked += 1
    counts = sum(n for m, n in BUNDLE_METRICS.items() if gen.KIND[m] == "count")
    assert checked >= 0.8 * manifest["quarterly_totals"]["rows"] * counts / gen.BUNDLE


def test_old_communes_merge_into_new_communes_of_the_right_province(zone: Path, manifest: dict):
    registry = load_registry(zone / "reference")
    regions = {r["region_code"]: r for r in registry.regions}
    old = [
        r for r in regions.values() if r["level"] == "commune" and r["valid_to"] is not None
    ]  # fmt: skip
    assert old and all(c["valid_to"] == date(2025, 6, 30) for c in old)
    predecessors: Counter = Counter()
    for commune in old:
        successor = regions[commune["successor_code"]]
        assert successor["level"] == "commune" and successor["country_code"] == "VN"
        assert successor["valid_from"] == date(2025, 7, 1) and successor["valid_to"] is None
        assert successor["successor_code"] is None  # the end of the chain
        province = regions[commune["parent_code"]]
        # the old province's successor, or the province itself where it continues
        assert successor["parent_code"] == (province["successor_code"] or province["region_code"])
        predecessors[successor["region_code"]] += 1
    summary = manifest["communes"]
    assert summary["with_successor"] == len(old) == summary["until_2025_06"]
    assert summary["successors"] == len(predecessors)
    assert summary["most_merged_into_one"] == max(predecessors.values())


def test_at_national_scale_about_three_old_communes_merge_into_each_new_one():
    plan = gen._plan(1_000_000, gen.DEFAULT_SEED, gen.read_regions(gen.REFERENCE_SOURCE))
    old = [c for c in plan.communes if not c.valid_from]
    new = {c.code: c for c in plan.communes if c.valid_from}
    merged = Counter(c.successor for c in old)
    assert set(merged) == set(new)  # every old commune has a successor, every new one a predecessor
    assert 2.5 <= len(old) / len(new) <= 3.5 and max(merged.values()) >= 3
    assert len(plan.quarterly) == len(range(0, 63, 7)) + len(range(0, 34, 7))


def test_bench_attributes_dbt_time_to_the_models_only_the_new_relations_need():
    def model(name: str, layer: str, *parents: str) -> dict:
        return {"fqn": ["digimetrics", layer, name],
                "depends_on": {"nodes": [f"model.p.{p}" for p in parents]}}  # fmt: skip

    nodes = {
        "model.p.stg_obs": model("stg_obs", "staging"),
        "model.p.int_figures": model("int_figures", "intermediate", "stg_obs"),
        "model.p.fct_metrics": model("fct_metrics", "marts", "int_figures"),
        "model.p.fct_indicators": model("fct_indicators", "marts", "int_figures", "stg_obs"),
        "model.p.fct_online_dossier_rate": model("fct_online_dossier_rate", "marts", "stg_obs"),
        "test.p.not_null_fct_metrics_value": {"depends_on": {"nodes": ["model.p.fct_metrics"]}},
    }
    results = {
        "elapsed_time": 9.0,
        "results": [
            {"unique_id": u, "execution_time": t, "status": "success"}
            for u, t in zip(nodes, (1.0, 2.0, 3.0, 4.0, 5.0, 0.5), strict=True)
        ],
    }
    figures = dbt_figures(results, {"nodes": nodes})
    assert figures["new_models"] == ["fct_indicators", "fct_metrics", "int_figures"]
    assert figures["new_models_s"] == 9.0 and figures["new_models_tests_s"] == 0.5
    assert figures["models_total_s"] == 15.0 and figures["failed"] == []
    assert set(NEW_MARTS) >= {"fct_metrics", "fct_indicators"}

    queries = bi_queries()
    assert len(queries) == 10
    for sql, params in queries.values():
        assert all(f"${name}" in sql for name in params)
    indicators = [sql for sql, _ in queries.values() if "marts.fct_indicators" in sql]
    assert len(indicators) == 4
    assert sum("marts.fct_reporting_completeness" in sql for sql, _ in queries.values()) == 1
    run = {"rows": 1, "bi_queries": {}, "dbt": {"full_refresh": figures}}
    assert "| full refresh (s) | n/a |" in table([run])
