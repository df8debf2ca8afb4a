"""A BI reader in a tight loop: open the warehouse read-only, read the run stamp and every
table's row count in one connection, with the counts the publish recorded, close, repeat until `stop` exists. Prints one JSON
line per read: {"run": …, "counts": {…}} or {"error": …}."""

import json
import sys
import time
from pathlib import Path

import duckdb

# 10 ms between reads: still about a hundred reads a second, and on two cores the refresh
# being read keeps a share of the CPU (without it the loop takes a whole core).
PAUSE_S = 0.01


def main(warehouse: Path, stop: Path) -> None:
    while not stop.exists():
        if not warehouse.exists():
            time.sleep(0.05)
            continue
        try:
            conn = duckdb.connect(str(warehouse), read_only=True)
            try:
                run, published = conn.execute(
                    "select run_id, row_counts from marts.publish_info"
                ).fetchone()
                published = json.loads(published)  # every table this publish holds
                counts = {
                    t: conn.execute(f"select count(*) from marts.{t}").fetchone()[0]
                    for t in published
                }
                bad = conn.execute(
                    "select count(*) from marts.fct_online_dossier_rate where rate_pct not between 0 and 100"
                ).fetchone()[0]
            finally:
                conn.close()
            record = {
                "run": run,
                "counts": counts,
                "published_counts": published,
                "bad_rates": bad,
            }
            print(json.dumps(record), flush=True)
        except Exception as error:  # every failure to read is what the test counts
            print(json.dumps({"error": f"{type(error).__name__}: {error}"}), flush=True)
        time.sleep(PAUSE_S)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))


class BiReader:
    """This loop in a process of its own. Its reads go to a file, not a pipe: a pipe
    nobody drains fills up and would stall the reader."""

    def __init__(self, warehouse: Path, folder: Path) -> None:
        import subprocess

        self.stop, self.log = folder / "stop-reader", folder / "reads.jsonl"
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [sys.executable, __file__, str(warehouse), str(self.stop)], stdout=out
            )

    def finish(self) -> list[dict]:
        self.stop.touch()
        self.process.wait(timeout=60)
        return [json.loads(line) for line in self.log.read_text().splitlines()]
