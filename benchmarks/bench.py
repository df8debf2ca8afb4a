"""`make bench`: the national-scale benchmark (issue 4).

For each scale (1M and 10M observations unless `--rows` says otherwise) it generates a
landing zone once (cached in benchmarks/cache/), then measures, in order:

1. a full refresh from an empty warehouse: the contract's headless command, in its own
   process, timed from launch to exit, with the peak RSS of its whole process tree;
2. an incremental refresh after one new province-month file lands, then another after
   one province resubmits a past month (both end to end: process start, definitions,
   ingestion, dbt, checks and publish);
3. ten dashboard queries, 50 runs each on a read-only connection (p50 and p95): five
   over the section 6 facts and the file and issue tables, four over
   marts.fct_indicators (contract section 8: rates, ranks and targets) and one over
   marts.fct_reporting_completeness (section 9);
4. the time to load the Dagster definitions in a fresh interpreter;
5. the baseline: benchmarks/baseline.sql over the same landing zone.

Beside the times it reports, from the full refresh, the rows of the relations of contract
sections 8 to 10 (marts.fct_metrics, marts.fct_indicators, marts.fct_reporting_completeness,
marts.observation_history, as marts.publish_info counts them) and what dbt spent on the
models behind them (each refresh's run_results.json, kept beside its log).

It prints one table and writes benchmarks/results/latest.json (the largest scale's
figures at the top level, every scale under "runs").
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from benchmarks.baseline import run_baseline
from benchmarks.generate import (
    BENCH_SCHEDULE_DATASET,
    ensure_generated,
    write_new_month_file,
    write_resubmission,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
CACHE = REPO_ROOT / "benchmarks" / "cache"
WORK = REPO_ROOT / "benchmarks" / "work"
RESULTS = REPO_ROOT / "benchmarks" / "results" / "latest.json"
DEFAULT_SCALES = (1_000_000, 10_000_000)
REFRESH = [
    str(Path(sys.executable).with_name("dagster")),
    *("job", "execute", "-m", "orchestration.definitions", "-j", "nightly_refresh"),
]
QUERY_RUNS = 50
# the refreshes' dbt target folder, relative to the dbt project as dbt resolves it: fixed,
# so that dbt's partial parsing state carries over from one benchmark run to the next
DBT_TARGET = Path("target") / "bench"
DBT_PROJECT = Path(os.environ.get("DIGIMETRICS_DBT_PROJECT_DIR") or REPO_ROOT / "dbt_project")
# the relations of contract sections 8 to 10
NEW_MARTS = ("fct_metrics", "fct_indicators", "fct_reporting_completeness", "observation_history")
# models of section 9 that feed other relations, timed on their own rows of the table
SECTION_9_MODELS = ("int_scheduled_reports", "int_outlier_values")
# figures the full refresh and one new file are compared with, printed beside, never
# asserted: before sections 8 to 10 (benchmarks/results/latest.json of 69f2f5c; the
# target then was 1.5x), and the release with figures and history but not yet targets,
# ranks, completeness or outliers (d03e9d0; the target now is 1.15x)
EARLIER_RELEASES = {
    "before": {
        1_000_000: {"full_refresh_s": 61.73, "incremental_new_file_s": 28.3},
        10_000_000: {"full_refresh_s": 289.35, "incremental_new_file_s": 31.18},
    },
    "figures": {
        10_000_000: {"full_refresh_s": 419.7, "incremental_new_file_s": 37.7},
    },
}

# Questions a BI user asks; parameters are bound, never pasted in. Five over the section 6
# facts and the file and issue tables:
_ALL_FACTS = """
    with facts as (
        select 'online_dossier_rate' as indicator, * from marts.fct_online_dossier_rate
        union all
        select 'cashless_payment_share', * from marts.fct_cashless_payment_share
        union all
        select 'ehealth_record_coverage', * from marts.fct_ehealth_record_coverage
    )
"""
_RATES_OVER_TIME = (
    _ALL_FACTS
    + """
    select period, indicator, 100.0 * sum(numerator) / nullif(sum(denominator), 0) as rate_pct
    from facts
    where region_code = $region and period_type = 'month'
      and period_start >= $since
    group by period, indicator
    order by period, indicator
"""
)
_PROVINCE_RANKING = """
    select f.region_code, r.name,
        100.0 * sum(f.numerator) / nullif(sum(f.denominator), 0) as rate_pct,
        rank() over (order by 100.0 * sum(f.numerator) / nullif(sum(f.denominator), 0) desc)
            as rank
    from marts.fct_online_dossier_rate as f
    join marts.dim_region as r using (region_code)
    where r.country_code = $country and r.level = 'province' and f.period = $period
    group by f.region_code, r.name
    order by rank
"""
_COUNTRY_RATES = (
    _ALL_FACTS
    + """
    select indicator, 100.0 * sum(numerator) / nullif(sum(denominator), 0) as rate_pct
    from facts
    join marts.dim_region as r using (region_code)
    where r.country_code = $country and r.level = 'province' and facts.period = $period
    group by indicator
"""
)
_ISSUES_PER_SUBMITTER = """
    select submitter, rule, severity, count(*) as issues
    from marts.data_quality_issues
    group by submitter, rule, severity
    order by submitter, rule
"""
_FILE_STATUSES = """
    select submitter, status, count(*) as files, sum(rows_accepted) as rows_accepted,
        sum(rows_rejected) as rows_rejected
    from marts.submission_files
    where file_path like $pattern
    group by submitter, status
    order by submitter, status
"""


# Three over the figures at every level, period and geography (contract section 8).
_CURRENT_RATE_BY_QUARTER = """
    select period, sector, rate_pct, numerator, denominator, derivation, complete
    from marts.fct_indicators
    where indicator = $indicator and geography = 'current' and region_code = $region
      and period_type = 'quarter' and period_start >= $first and period_end <= $last
    order by period_start, sector
"""
_PROVINCES_RANKED_FOR_A_YEAR = """
    select f.indicator, f.sector, f.region_code, r.name, f.rate_pct, f.rank_in_parent,
        f.units_ranked, f.target_pct, f.target_gap_pp, f.target_met, f.derivation, f.complete
    from marts.fct_indicators as f
    left join marts.dim_region as r using (region_code)
    where f.geography = 'as_reported' and f.region_level = 'province'
      and f.country_code = $country and f.period = $year
    order by f.indicator, f.sector, f.rate_pct desc
"""
_COUNTRY_RATES_BY_MONTH = """
    select indicator, period, sector, rate_pct, numerator, denominator, derivation, complete
    from marts.fct_indicators
    where geography = 'as_reported' and region_code = $country and period_type = 'month'
      and period_start >= $since
    order by indicator, period_start, sector
"""
_PROVINCES_BELOW_TARGET = """
    select f.indicator, f.region_code, r.name, f.rate_pct, f.target_pct, f.target_gap_pp
    from marts.fct_indicators as f
    left join marts.dim_region as r using (region_code)
    where f.geography = 'current' and f.region_level = 'province'
      and f.country_code = $country and f.period = $year and f.sector = 'all'
      and not f.target_met
    order by f.indicator, f.target_gap_pp
"""


# One over reporting completeness and timeliness (contract section 9).
_PROVINCE_COMPLETENESS = """
    select c.region_code, r.name, c.expected_reports, c.received_reports, c.on_time_reports,
        c.completeness_pct, c.timeliness_pct
    from marts.fct_reporting_completeness as c
    left join marts.dim_region as r using (region_code)
    where c.dataset = $dataset and c.parent_code = $country and c.period = $period
    order by c.completeness_pct, c.region_code
"""


def bi_queries() -> dict[str, tuple[str, dict[str, object]]]:
    """The same questions at every scale. VN-25-02 (the new Lao Cai, from Lao Cai and Yen
    Bai) is in every generated zone, as is VN-01."""
    return {
        "province_rates_36_months": (
            _RATES_OVER_TIME,
            {"region": "VN-01", "since": date(2023, 1, 1)},
        ),
        "province_ranking": (_PROVINCE_RANKING, {"country": "VN", "period": "2025-03"}),
        "country_rates": (_COUNTRY_RATES, {"country": "VN", "period": "2025-03"}),
        "issues_per_submitter_rule": (_ISSUES_PER_SUBMITTER, {}),
        "file_statuses_one_period": (_FILE_STATUSES, {"pattern": "%2025-03%"}),
        "province_current_rate_by_quarter": (
            _CURRENT_RATE_BY_QUARTER,
            {
                "indicator": "online_dossier_rate",
                "region": "VN-25-02",
                "first": date(2023, 1, 1),
                "last": date(2025, 12, 31),
            },
        ),
        "provinces_ranked_one_year": (
            _PROVINCES_RANKED_FOR_A_YEAR,
            {"country": "VN", "year": "2024"},
        ),
        "country_rates_by_month": (
            _COUNTRY_RATES_BY_MONTH,
            {"country": "VN", "since": date(2023, 1, 1)},
        ),
        "provinces_below_target_one_year": (
            _PROVINCES_BELOW_TARGET,
            {"country": "VN", "year": "2024"},
        ),
        "province_completeness_one_month": (
            _PROVINCE_COMPLETENESS,
            {"dataset": BENCH_SCHEDULE_DATASET, "country": "VN", "period": "2025-03"},
        ),
    }


@dataclass
class Measured:
    wall_s: float
    peak_rss_mb: float


def _children(pid: int) -> list[int]:
    """Every descendant of `pid`, from /proc (Linux)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_measured(command: list[str], env: dict[str, str], log: Path) -> Measured:
    """Run a command to completion; wall time and the peak summed RSS of its tree. The
    tree's RSS over time goes beside the log (<log>.rss.tsv: UTC time, MB), to match
    against the step times in the log."""
    log.parent.mkdir(parents=True, exist_ok=True)
    peak = 0
    started = time.perf_counter()
    with log.open("w") as out, log.with_suffix(".rss.tsv").open("w") as timeline:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=out, stderr=out)
        while process.poll() is None:
            tree = [process.pid, *_children(process.pid)]
            rss = sum(_rss_kb(pid) for pid in tree)
            peak = max(peak, rss)
            timeline.write(f"{datetime.now(UTC):%H:%M:%S.%f}\t{rss // 1024}\n")
            time.sleep(0.1)
    wall = time.perf_counter() - started
    if process.returncode != 0:
        tail = log.read_text(errors="replace")[-3000:]
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}); see {log}\n{tail}")
    return Measured(wall, peak / 1024)


def fresh_copy(zone: Path, work: Path) -> Path:
    """A writable copy of the cached zone, laid out like it (landing/, reference/,
    manifest.json), where the benchmark lands its extra files. The landing files are hard
    links: nothing is duplicated, and the pipeline never writes to the landing zone."""
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(zone / "landing", work / "landing", copy_function=os.link)
    shutil.copytree(zone / "reference", work / "reference")
    shutil.copy(zone / "manifest.json", work / "manifest.json")
    return work / "landing"


def refresh_env(landing: Path, work: Path) -> dict[str, str]:
    home = work / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    return {
        **os.environ,
        "DIGIMETRICS_SOURCES_DIR": str(landing),
        "DIGIMETRICS_REFERENCE_DIR": str(work / "reference"),
        "DIGIMETRICS_WAREHOUSE": str(work / "warehouse" / "digimetrics.duckdb"),
        "DIGIMETRICS_DBT_TARGET_PATH": str(DBT_TARGET),
        "DAGSTER_HOME": str(home),
        "DAGSTER_DISABLE_TELEMETRY": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "GX_ANALYTICS_ENABLED": "False",
    }


def time_queries(warehouse: Path, runs: int = QUERY_RUNS) -> dict[str, dict[str, float]]:
    conn = duckdb.connect(str(warehouse), read_only=True)
    try:
        figures = {}
        for name, (sql, params) in bi_queries().items():
            conn.execute(sql, params).fetchall()  # warm-up, as a dashboard's first paint
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                conn.execute(sql, params).fetchall()
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            figures[name] = {
                "p50_ms": round(statistics.median(times), 2),
                "p95_ms": round(times[max(0, round(0.95 * len(times)) - 1)], 2),
            }
        return figures
    finally:
        conn.close()


_DEFS_LOAD = (
    "import time; t = time.perf_counter(); "
    "from orchestration.definitions import defs; defs().get_repository_def(); "
    "print(time.perf_counter() - t)"
)


def defs_load_s(env: dict[str, str], tries: int = 3) -> float:
    """Median over fresh interpreters of importing and building the definitions."""
    times = [
        float(
            subprocess.run(
                [sys.executable, "-c", _DEFS_LOAD],
                cwd=REPO_ROOT, env=env, check=True, capture_output=True, text=True,
            ).stdout.split()[-1]
        )
        for _ in range(tries)
    ]  # fmt: skip
    return statistics.median(times)


def observation_count(warehouse: Path) -> int:
    conn = duckdb.connect(str(warehouse), read_only=True)
    try:
        return conn.execute("select sum(rows_total) from marts.submission_files").fetchone()[0]
    finally:
        conn.close()


def published_row_counts(warehouse: Path) -> dict[str, int]:
    """Rows per published table, as the publish recorded them (marts.publish_info)."""
    conn = duckdb.connect(str(warehouse), read_only=True)
    try:
        (counts,) = conn.execute("select row_counts from marts.publish_info").fetchone()
    finally:
        conn.close()
    return dict(sorted((counts if isinstance(counts, dict) else json.loads(counts)).items()))


def dbt_target(env: dict[str, str]) -> Path:
    target = Path(env["DIGIMETRICS_DBT_TARGET_PATH"])
    return target if target.is_absolute() else DBT_PROJECT / target


def run_refresh(env: dict[str, str], log: Path) -> tuple[Measured, dict[str, object]]:
    """One refresh (run_measured) and what its `dbt build` spent, from the run_results.json
    it left (kept as <log>.run_results.json; the next refresh overwrites the original)."""
    target = dbt_target(env)
    (target / "run_results.json").unlink(missing_ok=True)  # never a previous refresh's
    measured = run_measured(REFRESH, env, log)
    figures: dict[str, object] = {}
    results = target / "run_results.json"
    if results.is_file():
        shutil.copy(results, log.with_suffix(".run_results.json"))
        manifest = target / "manifest.json"
        figures = dbt_figures(
            json.loads(results.read_text()),
            json.loads(manifest.read_text()) if manifest.is_file() else None,
        )
    return measured, figures


def _model_name(unique_id: str) -> str:
    return unique_id.rsplit(".", 1)[-1]


def dbt_figures(run_results: dict, manifest: dict | None) -> dict[str, object]:
    """Seconds dbt spent per model of one build, and on the models and tests that exist for
    the relations of sections 8 and 10: NEW_MARTS and every model only they depend on (per
    the manifest's lineage; without a manifest, NEW_MARTS alone). Execution times are per
    node; dbt runs several at once, so their sums exceed the build's wall time."""
    nodes = {r["unique_id"]: r for r in run_results.get("results", [])}
    models = {u: r for u, r in nodes.items() if u.startswith("model.")}
    described = {**(manifest or {}).get("nodes", {}), **(manifest or {}).get("unit_tests", {})}

    def parents(unique_id: str) -> list[str]:
        return described.get(unique_id, {}).get("depends_on", {}).get("nodes", [])

    def upstream(roots: set[str]) -> set[str]:
        seen, todo = set(roots), list(roots)
        while todo:
            for parent in parents(todo.pop()):
                if parent.startswith("model.") and parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    new = {u for u in models if _model_name(u) in NEW_MARTS}
    marts = {
        u for u, n in described.items()
        if u.startswith("model.") and n.get("fqn", [])[1:2] == ["marts"]
    }  # fmt: skip
    new = upstream(new) - upstream(marts - new)
    tests = {u: r for u, r in nodes.items() if not u.startswith("model.")}
    tests_of_new = [r for u, r in tests.items() if set(parents(u)) & new]
    return {
        "elapsed_s": round(run_results.get("elapsed_time", 0.0), 2),
        "models_s": {
            _model_name(u): round(r["execution_time"], 2) for u, r in sorted(models.items())
        },
        "models_total_s": round(sum(r["execution_time"] for r in models.values()), 2),
        "tests_total_s": round(sum(r["execution_time"] for r in tests.values()), 2),
        "new_models": sorted(_model_name(u) for u in new),
        "new_models_s": round(sum(models[u]["execution_time"] for u in new if u in models), 2),
        "new_models_tests_s": round(sum(r["execution_time"] for r in tests_of_new), 2),
        "failed": sorted(u for u, r in nodes.items() if r.get("status") in ("error", "fail")),
    }


def bench_scale(rows: int) -> dict[str, object]:
    print(f"\n== {rows:,} observations", flush=True)
    started = time.perf_counter()
    zone = ensure_generated(rows, CACHE)
    print(f"landing zone ready in {time.perf_counter() - started:.1f} s: {zone}", flush=True)
    manifest = json.loads((zone / "manifest.json").read_text())
    work = WORK / str(rows)
    landing = fresh_copy(zone, work)
    env = refresh_env(landing, work)
    warehouse = Path(env["DIGIMETRICS_WAREHOUSE"])
    logs = work / "logs"

    full, full_dbt = run_refresh(env, logs / "full_refresh.log")
    print(f"full refresh: {full.wall_s:.1f} s, peak RSS {full.peak_rss_mb:.0f} MB", flush=True)
    published = published_row_counts(warehouse)
    print(
        "  " + ", ".join(f"{t} {published.get(t, 0):,} rows" for t in NEW_MARTS)
        + f"; their models {full_dbt.get('new_models_s', 0):.1f} s in dbt",
        flush=True,
    )  # fmt: skip
    write_new_month_file(work, submitter="VN-01", period="2026-01")
    new_file, new_file_dbt = run_refresh(env, logs / "incremental_new_file.log")
    print(f"one new file: {new_file.wall_s:.1f} s", flush=True)
    write_resubmission(work, submitter="VN-01", period="2025-09")
    resubmission, resubmission_dbt = run_refresh(env, logs / "incremental_resubmission.log")
    print(f"one resubmission: {resubmission.wall_s:.1f} s", flush=True)
    queries = time_queries(warehouse)
    defs_s = defs_load_s(env)
    baseline_s = run_baseline(landing, work / "reference", work / "baseline.duckdb")
    print(f"baseline: {baseline_s:.1f} s", flush=True)

    ingested = observation_count(warehouse)
    over_earlier = {
        f"{figure}_over_{release}": round(measured.wall_s / earlier[rows][figure], 2)
        for release, earlier in EARLIER_RELEASES.items()
        if rows in earlier
        for figure, measured in (("full_refresh_s", full), ("incremental_new_file_s", new_file))
    }
    return {
        "rows": manifest["rows"],
        "rows_ingested": ingested,
        "files": manifest["files"],
        "full_refresh_s": round(full.wall_s, 2),
        "observations_per_s": round(manifest["rows"] / full.wall_s),
        "baseline_s": round(baseline_s, 2),
        "full_over_baseline": round(full.wall_s / baseline_s, 2),
        "incremental_new_file_s": round(new_file.wall_s, 2),
        "incremental_new_file_over_baseline": round(new_file.wall_s / baseline_s, 2),
        "incremental_resubmission_s": round(resubmission.wall_s, 2),
        "incremental_resubmission_over_baseline": round(resubmission.wall_s / baseline_s, 2),
        "peak_rss_mb": round(max(full.peak_rss_mb, new_file.peak_rss_mb, resubmission.peak_rss_mb)),
        "bi_p95_ms": max(q["p95_ms"] for q in queries.values()),
        "bi_queries": queries,
        "defs_load_s": round(defs_s, 2),
        "new_relations_rows": {t: published.get(t) for t in NEW_MARTS},
        "published_rows": published,
        "full_refresh_new_models_s": full_dbt.get("new_models_s"),
        "full_refresh_new_models_tests_s": full_dbt.get("new_models_tests_s"),
        "incremental_new_file_new_models_s": new_file_dbt.get("new_models_s"),
        **over_earlier,
        "dbt": {
            "full_refresh": full_dbt,
            "incremental_new_file": new_file_dbt,
            "incremental_resubmission": resubmission_dbt,
        },
    }


def _cell(run: dict[str, object], key: str | tuple[str, ...], fmt: str) -> str:
    value: object = run
    for part in (key,) if isinstance(key, str) else key:
        value = value.get(part) if isinstance(value, dict) else None
    return "n/a" if value is None else fmt.format(value)


def table(runs: list[dict[str, object]]) -> str:
    """The figures as a Markdown table, one column per scale (pasted into the README)."""
    rows = [
        ("observations", "rows", "{:,}"),
        ("full refresh (s)", "full_refresh_s", "{:.1f}"),
        ("observations per second", "observations_per_s", "{:,}"),
        ("baseline SQL script (s)", "baseline_s", "{:.1f}"),
        ("full refresh / baseline", "full_over_baseline", "{:.2f}x"),
        ("one new file, end to end (s)", "incremental_new_file_s", "{:.1f}"),
        ("new file / baseline", "incremental_new_file_over_baseline", "{:.2f}x"),
        ("one resubmission, end to end (s)", "incremental_resubmission_s", "{:.1f}"),
        ("resubmission / baseline", "incremental_resubmission_over_baseline", "{:.2f}x"),
        ("peak RSS, whole process tree (MB)", "peak_rss_mb", "{:,}"),
        ("definitions load (s)", "defs_load_s", "{:.2f}"),
        ("full refresh / before sections 8-10", "full_refresh_s_over_before", "{:.2f}x"),
        ("new file / before sections 8-10", "incremental_new_file_s_over_before", "{:.2f}x"),
        ("full refresh / figures release (d03e9d0)", "full_refresh_s_over_figures", "{:.2f}x"),
        ("new file / figures release (d03e9d0)", "incremental_new_file_s_over_figures",
         "{:.2f}x"),
        ("full refresh: dbt build wall (s)", ("dbt", "full_refresh", "elapsed_s"), "{:.1f}"),
        ("full refresh: section 8-10 models, dbt time (s)", "full_refresh_new_models_s",
         "{:.1f}"),
        ("full refresh: their tests, dbt time (s)", "full_refresh_new_models_tests_s", "{:.1f}"),
        *(
            (f"full refresh: `{t}` model (s)", ("dbt", "full_refresh", "models_s", t), "{:.1f}")
            for t in NEW_MARTS + SECTION_9_MODELS
        ),
        ("one new file: section 8-10 models, dbt time (s)", "incremental_new_file_new_models_s",
         "{:.1f}"),
        *((f"rows of `marts.{t}`", ("new_relations_rows", t), "{:,}") for t in NEW_MARTS),
    ]  # fmt: skip
    header = "| figure | " + " | ".join(f"{r['rows']:,} rows" for r in runs) + " |"
    lines = [header, "|---|" + "---:|" * len(runs)]
    lines += [
        f"| {label} | " + " | ".join(_cell(r, key, fmt) for r in runs) + " |"
        for label, key, fmt in rows
    ]
    for name in runs[0]["bi_queries"]:  # type: ignore[union-attr]
        lines.append(
            f"| BI `{name}` p50 / p95 (ms) | "
            + " | ".join(
                f"{r['bi_queries'][name]['p50_ms']:.1f} / {r['bi_queries'][name]['p95_ms']:.1f}"  # type: ignore[index]
                for r in runs
            )
            + " |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="*", default=list(DEFAULT_SCALES))
    scales = parser.parse_args().rows or list(DEFAULT_SCALES)
    runs = [bench_scale(rows) for rows in scales]
    largest = max(runs, key=lambda r: r["rows"])  # type: ignore[arg-type,return-value]
    result = {
        **largest,
        "runs": runs,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print()
    print(table(runs))
    print(f"\nwritten to {RESULTS.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
