"""SIGKILL at every kill point (the list is in kill_trials.py): each time the previous
publish stays readable and whole, and the next refresh matches one that was never killed."""

from pathlib import Path

from tests.faults.kill_trials import KILL_POINTS, run_kill_trials


def test_refresh_survives_sigkill_at_every_kill_point(tmp_path: Path) -> None:
    run_kill_trials(tmp_path, list(enumerate(KILL_POINTS)))
