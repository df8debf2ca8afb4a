"""`make bench`: the national-scale benchmark (issue 4).

For each scale (1M and 10M observations unless `--rows` says otherwise) it generates a
landing zone once (cached in benchmarks/cache/), then measures, in order:

1. a full refresh from an empty warehouse: the contract's headless command, in its own
   process, timed from launch to exit, with the peak RSS of its whole process tree;
2. an incremental refresh after one new province-month file lands, then another after
   one province resubmits a past month (both end to end: process start, definitions,
   ingestion, dbt, checks and publish);
3. five dashboard queries, 50 runs each on a read-only connection (p50 and p95);
4. the time to load the Dagster definitions in a fresh interpreter;
5. the baseline: benchmarks/baseline.sql over the same landing zone.

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
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from benchmarks.baseline import run_baseline
from benchmarks.generate import ensure_generated, write_new_month_file, write_resubmission

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

# Five questions a BI user asks; parameters are bound, never pasted in.
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


def bi_queries() -> dict[str, tuple[str, dict[str, object]]]:
    """The same questions at every scale."""
    return {
        "province_rates_36_months": (
            _RATES_OVER_TIME,
            {"region": "VN-01", "since": datetime(2023, 1, 1).date()},
        ),
        "province_ranking": (_PROVINCE_RANKING, {"country": "VN", "period": "2025-03"}),
        "country_rates": (_COUNTRY_RATES, {"country": "VN", "period": "2025-03"}),
        "issues_per_submitter_rule": (_ISSUES_PER_SUBMITTER, {}),
        "file_statuses_one_period": (_FILE_STATUSES, {"pattern": "%2025-03%"}),
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
        "DIGIMETRICS_DBT_TARGET_PATH": "target/bench",
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

    full = run_measured(REFRESH, env, logs / "full_refresh.log")
    print(f"full refresh: {full.wall_s:.1f} s, peak RSS {full.peak_rss_mb:.0f} MB", flush=True)
    write_new_month_file(work, submitter="VN-01", period="2026-01")
    new_file = run_measured(REFRESH, env, logs / "incremental_new_file.log")
    print(f"one new file: {new_file.wall_s:.1f} s", flush=True)
    write_resubmission(work, submitter="VN-01", period="2025-09")
    resubmission = run_measured(REFRESH, env, logs / "incremental_resubmission.log")
    print(f"one resubmission: {resubmission.wall_s:.1f} s", flush=True)
    queries = time_queries(warehouse)
    defs_s = defs_load_s(env)
    baseline_s = run_baseline(landing, work / "reference", work / "baseline.duckdb")
    print(f"baseline: {baseline_s:.1f} s", flush=True)

    ingested = observation_count(warehouse)
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
    }


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
    ]
    header = "| figure | " + " | ".join(f"{r['rows']:,} rows" for r in runs) + " |"
    lines = [header, "|---|" + "---:|" * len(runs)]
    lines += [
        f"| {label} | " + " | ".join(fmt.format(r[key]) for r in runs) + " |"
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
