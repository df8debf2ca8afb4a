"""`python -m orchestration.report`: what the last refresh published, for `make run`."""

import json

import duckdb

from orchestration.lib.settings import Settings


def main() -> None:
    settings = Settings.from_env()
    path = settings.warehouse_path
    if not path.exists():
        print(f"No warehouse at {path} yet: the refresh did not publish.")
        raise SystemExit(1)
    conn = duckdb.connect(str(path), read_only=True)
    try:
        statuses = conn.execute(
            "select status, count(*) from marts.submission_files group by 1 order by 1"
        ).fetchall()
        (row_counts,) = conn.execute("select row_counts from marts.publish_info").fetchone()
        issues = conn.execute(
            "select severity, count(*) from marts.data_quality_issues group by 1 order by 1"
        ).fetchall()
    finally:
        conn.close()
    counts = row_counts if isinstance(row_counts, dict) else json.loads(row_counts)
    print()
    print(f"Warehouse published: {path}")
    print("  files:  " + ", ".join(f"{n} {s}" for s, n in statuses))
    print("  tables: " + ", ".join(f"{t} {n} rows" for t, n in sorted(counts.items())))
    print("  issues: " + ", ".join(f"{n} {s}" for s, n in issues))
    print("Open it read-only from any BI tool or DuckDB client, e.g.")
    print(f"  duckdb -readonly {path}")
    print(
        f"""  .venv/bin/python -c "import duckdb; duckdb.connect('{path}', read_only=True)"""
        """.sql('from marts.fct_indicators').show()\""""
    )
    print("Dagster UI:         make ui   (then http://127.0.0.1:3000)")


if __name__ == "__main__":
    main()
