"""Unit tests for the benchmark's landing-zone generator (benchmarks/generate.py) and its
baseline SQL script (benchmarks/baseline.py), on a small zone of about 20,000 rows."""

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
from orchestration.lib.parsing import ParsedSubmission, parse_submission
from orchestration.lib.reference import load_metrics, load_registry

ROWS = 20_000


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
    registry = load_registry(zone / "reference")
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
        assert len(periods) == 1 and "2023-01" <= min(periods) <= "2025-12", path
        start = date.fromisoformat(f"{min(periods)}-01")
        assert registry[submitter].valid_on(start), path
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
