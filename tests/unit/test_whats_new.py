"""Whether a refresh has anything to do (orchestration/lib/whats_new.py), with the real
ledger recording the files as a refresh's first step does."""

import shutil
from pathlib import Path

import pytest

from orchestration.lib import ledger, state, whats_new
from orchestration.lib.settings import Settings
from tests.conftest import REPO_ROOT, write_file

ROW = "region,period,metric,value\nVN-HN,2024,online_dossiers,{}\n"


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    shutil.copytree(REPO_ROOT / "sources" / "reference", tmp_path / "reference")
    (tmp_path / "landing").mkdir()
    monkeypatch.setenv("DIGIMETRICS_SOURCES_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("DIGIMETRICS_WAREHOUSE", str(tmp_path / "bi" / "wh.duckdb"))
    monkeypatch.setenv("DIGIMETRICS_REFERENCE_DIR", str(tmp_path / "reference"))
    return Settings.from_env()


def _record_files(settings: Settings) -> None:
    with state.connect(settings.state_db) as conn:
        ledger.record_landed_files(conn, settings.sources_dir, settings.now(), settings.journal)


def _published(settings: Settings) -> None:
    """A refresh that recorded the files and published."""
    inputs = whats_new.inputs_digest(settings)
    _record_files(settings)
    settings.warehouse_path.touch()
    whats_new.record_refresh(settings, inputs)


def test_a_refresh_has_something_to_do_until_one_published_everything(settings: Settings):
    write_file(settings.sources_dir, "VN-HN/a.csv", ROW.format(1))
    assert whats_new.reason_to_refresh(settings).startswith("no warehouse at")
    settings.warehouse_path.parent.mkdir(parents=True)
    settings.warehouse_path.touch()
    assert whats_new.reason_to_refresh(settings) == "1 new or changed files in the landing zone"
    _record_files(settings)
    assert whats_new.reason_to_refresh(settings) == "no record of the last refresh"
    _published(settings)
    assert whats_new.reason_to_refresh(settings) is None
    assert [f.rel_path for f in whats_new.unrecorded_files(settings)] == []


def test_a_new_file_an_overwritten_one_and_a_failed_refresh_are_something_new(
    settings: Settings,
):
    write_file(settings.sources_dir, "VN-HN/a.csv", ROW.format(1))
    settings.warehouse_path.parent.mkdir(parents=True)
    _published(settings)
    write_file(settings.sources_dir, "VN-HN/b.csv", ROW.format(2))
    assert whats_new.reason_to_refresh(settings) == "1 new or changed files in the landing zone"
    # a refresh that recorded b.csv and then failed published nothing
    _record_files(settings)
    assert whats_new.reason_to_refresh(settings) == (
        "files were recorded after the last refresh that published"
    )
    _published(settings)
    write_file(settings.sources_dir, "VN-HN/a.csv", ROW.format(333))  # new bytes, old name
    assert [f.rel_path for f in whats_new.unrecorded_files(settings)] == ["VN-HN/a.csv"]


@pytest.mark.parametrize("change", ["reference", "setting"])
def test_a_change_of_what_every_file_is_read_against_is_something_new(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, change: str
):
    settings.warehouse_path.parent.mkdir(parents=True)
    _published(settings)
    if change == "reference":
        with (settings.reference_dir / "targets.csv").open("a") as targets:
            targets.write("online_dossier_rate,VN-HN,2024,95\n")
    else:
        monkeypatch.setenv("DIGIMETRICS_OUTLIER_THRESHOLD", "5")
    assert whats_new.reason_to_refresh(Settings.from_env()) == (
        "the reference data, the code, the settings or the day changed"
    )
