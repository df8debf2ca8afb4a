"""`python -m orchestration.run` (what `make run` runs): one refresh, told in a few lines.

The refresh is the contract's headless command (`dagster job execute … nightly_refresh`)
in a process of its own. Its whole log goes to a file beside the working state (and to
Dagster's run storage when DAGSTER_HOME is set); the console gets one line per finished
step, the failure if there is one, and the summary of orchestration.report. When nothing
changed since the last refresh (whats_new.py) it runs nothing and says so.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

from orchestration import report
from orchestration.lib import whats_new
from orchestration.lib.settings import REPO_ROOT, Settings

REFRESH = [
    str(Path(sys.executable).with_name("dagster")),
    *("job", "execute", "-m", "orchestration.definitions", "-j", "nightly_refresh"),
]
_STEP = re.compile(r' - (STEP_SUCCESS|STEP_FAILURE) - .*?step "([^"]+)"(?: in ([0-9.]+\w+))?')


def step_line(log_line: str) -> str | None:
    """The console's line for a finished step of the refresh's log, else None."""
    match = _STEP.search(log_line)
    if match is None:
        return None
    event, step, took = match.groups()
    name = step.replace("__", "/")
    if event == "STEP_FAILURE":
        return f"  FAILED  {name}"
    return f"  done    {name:<58} {took or ''}"


def _refresh(log_path: Path) -> int:
    """Run the refresh with its log in `log_path`, echoing each finished step."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            REFRESH, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, encoding="utf-8", errors="replace",
        )  # fmt: skip
        assert process.stdout is not None
        for line in process.stdout:
            log.write(line)
            shown = step_line(line)
            if shown:
                print(shown, flush=True)
        return process.wait()


def main() -> None:
    settings = Settings.from_env()
    reason = whats_new.reason_to_refresh(settings)
    if reason is None:
        print(
            f"Nothing new: every file in {settings.sources_dir} is in the warehouse, and the "
            "reference data, code, settings and day are those of the last refresh."
        )
        report.main()
        return
    inputs = whats_new.inputs_digest(settings)
    log_path = settings.work_dir / "logs" / f"refresh-{time.strftime('%Y%m%dT%H%M%S')}.log"
    print(f"Refreshing ({reason}); the full log: {log_path}", flush=True)
    started = time.monotonic()
    code = _refresh(log_path)
    if code != 0:
        print(
            f"The refresh failed after {time.monotonic() - started:.0f} s (exit {code}); "
            f"the previous publish stays. Its log: {log_path}"
        )
        raise SystemExit(code)
    whats_new.record_refresh(settings, inputs)
    print(f"Refreshed in {time.monotonic() - started:.0f} s.")
    report.main()


if __name__ == "__main__":
    main()
