"""Peak memory of parsing a large file (issue: a 200 MB JSON of one observation peaked at
2.3 GB). Measured in a fresh process, as the peak RSS it adds to the interpreter with the
modules loaded; the bounds are generous multiples of the file size, not timings. The peak
is the process's VmHWM: its ru_maxrss starts from the parent's peak (Linux keeps it across
exec), which would hide up to the size of the pytest process.

What such a file must cost at least: its bytes (the caller holds them), the note and the
raw record, each as long as the file: three times its size. Before JSON was read as a
stream, the decoded text and the whole document were held beside them: five times. (Many
small observations cost what their rows cost as Python objects, some 600 to 900 bytes a
row either way: no bound here separates them robustly.)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MEASURE = """
import re, sys
from pathlib import Path
from orchestration.lib.parsing import parse_submission
def peak():
    return int(re.search(r"VmHWM:\\s+(\\d+) kB", Path("/proc/self/status").read_text())[1])
before = peak()
path = Path(sys.argv[1])
parsed = parse_submission(path.read_bytes(), path.suffix[1:], {"population": "count"})
assert parsed.row_count == int(sys.argv[2]), parsed.row_count
print((peak() - before) * 1024)
"""
pytestmark = pytest.mark.skipif(
    not Path("/proc/self/status").exists(), reason="reads the peak from /proc (Linux)"
)


def _added_peak(path: Path, rows: int) -> int:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path), str(rows)],
        cwd=REPO, capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    return int(done.stdout)


@pytest.mark.parametrize("key", ["note", "attachment"])  # a field, or a key no field reads
def test_one_huge_observation_costs_about_three_times_the_file(tmp_path: Path, key: str) -> None:
    path = tmp_path / "huge.json"
    with path.open("w") as out:
        out.write('{"observations": [{"region": "VN-36", "metric": "population", "value": 5, ')
        out.write(f'"{key}": "')
        for _ in range(100):  # in pieces: this process stays small
            out.write("x" * 1_000_000)
        out.write('"}], "period": "2024"}')
    size = path.stat().st_size
    assert _added_peak(path, 1) < 4 * size
