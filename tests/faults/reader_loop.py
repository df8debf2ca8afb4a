"""A BI reader in a tight loop: open the warehouse read-only, read the run stamp and every
table's row count in one connection, close, repeat until `stop` exists. Prints one JSON
line per read: {"run": …, "counts": {…}} or {"error": …}."""

import json
import sys
import time
from pathlib import Path

import duckdb

TABLES = ("fct_online_dossier_rate", "fct_cashless_payment_share", "fct_ehealth_record_coverage",
          "dim_region", "dim_period", "submission_files", "data_quality_issues")  # fmt: skip


def main(warehouse: Path, stop: Path) -> None:
    while not stop.exists():
        if not warehouse.exists():
            time.sleep(0.05)
            continue
        try:
            conn = duckdb.connect(str(warehouse), read_only=True)
            try:
                run = conn.execute("select run_id from marts.publish_info").fetchone()[0]
                counts = {
                    t: conn.execute(f"select count(*) from marts.{t}").fetchone()[0] for t in TABLES
                }
                bad = conn.execute(
                    "select count(*) from marts.fct_online_dossier_rate where rate_pct not between 0 and 100"
                ).fetchone()[0]
            finally:
                conn.close()
            print(json.dumps({"run": run, "counts": counts, "bad_rates": bad}), flush=True)
        except Exception as error:  # every failure to read is what the test counts
            print(json.dumps({"error": f"{type(error).__name__}: {error}"}), flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
