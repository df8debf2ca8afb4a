"""Nothing in the landing zone can stop the pipeline (issue 13), through real refreshes.

One landing zone holds every hazard at once: names that are not UTF-8, a path longer
than the system allows, a 250-byte folder name, folders whose feedback names would clash,
a key repeated thousands of times, and files renamed, deleted or replaced by a pipe
between two steps of the refresh (the fail points of orchestration/lib/faults.py). The
refresh completes and publishes every valid row, records what it could not read, and the
next refresh recovers with no hand repair, to what a refresh from scratch gives.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from orchestration.lib import faults
from tests.conftest import environment, published_tables, refresh

SECTORS = ("control", "latin1", "renamed_hash", "deleted", "renamed_parse", "piped")
DUPLICATE_COPIES = 2_000


def csv_for(sector: str, online: int = 60, total: int = 100) -> bytes:
    return (
        "region,period,metric,sector,value\n"
        f"VN-HN,2024-Q1,online_dossiers,{sector},{online}\n"
        f"VN-HN,2024-Q1,total_dossiers,{sector},{total}\n"
    ).encode()


def put(root: Path, rel: str | bytes, data: bytes) -> Path:
    path = Path(os.fsdecode(os.path.join(os.fsencode(root), os.fsencode(rel))))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def deep_file(root: Path, data: bytes) -> str:
    """A file below VN-HN/ whose path is longer than PATH_MAX (built folder by folder)."""
    fd = os.open(root / "VN-HN", os.O_RDONLY)
    depth = 0
    try:
        while len(str(root)) + depth * 201 < 4300:
            os.mkdir("d" * 200, dir_fd=fd)
            next_fd = os.open("d" * 200, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd, depth = next_fd, depth + 1
        with os.fdopen(os.open("deep.csv", os.O_WRONLY | os.O_CREAT, dir_fd=fd), "wb") as f:
            f.write(data)
    finally:
        os.close(fd)
    return "VN-HN/" + "/".join(["d" * 200] * depth) + "/deep.csv"


@dataclass
class Zone:
    root: Path
    warehouse: Path
    first: dict[str, list[tuple]]  # published tables after the refresh with hazards
    second: dict[str, list[tuple]]  # after the next refresh, with the files put back
    scratch: dict[str, list[tuple]]  # a refresh from scratch over the final landing zone
    feedback: list[str]


@pytest.fixture(scope="module")
def zone(tmp_path_factory: pytest.TempPathFactory) -> Zone:
    base = tmp_path_factory.mktemp("hazards")
    root, warehouse = base / "landing", base / "bi" / "digimetrics.duckdb"
    put(root, "VN-HN/control.csv", csv_for("control"))
    put(root, b"VN-HN/b\xe1o_c\xe1o.csv", csv_for("latin1"))
    deep_file(root, csv_for("deep"))
    put(root, "X" * 250 + "/report.csv", csv_for("long_folder"))
    put(root, "VN HN/report.csv", csv_for("space_folder"))
    put(root, "VN_HN/report.csv", csv_for("underscore_folder"))
    hashing = put(root, "VN-HN/renamed_while_hashing.csv", csv_for("renamed_hash"))
    deleted = put(root, "VN-HN/deleted_before_parse.csv", csv_for("deleted"))
    renamed = put(root, "VN-HN/renamed_before_parse.csv", csv_for("renamed_parse"))
    piped = put(root, "VN-HN/replaced_by_pipe.csv", csv_for("piped"))
    rows = "".join(f"VN-HN,2024-Q1,total_dossiers,dup,{n}\n" for n in range(DUPLICATE_COPIES))
    put(
        root,
        "VN-HN/one_key_many_times.csv",
        ("region,period,metric,sector,value\n" + rows).encode(),
    )

    def between_ledger_and_parsing() -> None:
        deleted.unlink()
        renamed.rename(renamed.with_name("renamed_before_parse_2.csv"))
        piped.unlink()
        os.mkfifo(piped)

    with environment(DIGIMETRICS_SOURCES_DIR=str(root), DIGIMETRICS_WAREHOUSE=str(warehouse)):
        with faults.at("ledger.after_listing", lambda: hashing.rename(hashing.with_name(
                "renamed_while_hashing_2.csv"))), \
                faults.at("parse.before_reading", between_ledger_and_parsing):  # fmt: skip
            assert refresh().success
        first = published_tables(warehouse)
        feedback = sorted(p.name for p in (warehouse.parent / "feedback").glob("*.csv"))
        # the operator puts the deleted file back and the pipe's file back in place
        put(root, "VN-HN/deleted_before_parse.csv", csv_for("deleted"))
        piped.unlink()
        put(root, "VN-HN/replaced_by_pipe.csv", csv_for("piped"))
        assert refresh().success
        second = published_tables(warehouse)
    scratch_warehouse = base / "scratch" / "digimetrics.duckdb"
    with environment(
        DIGIMETRICS_SOURCES_DIR=str(root), DIGIMETRICS_WAREHOUSE=str(scratch_warehouse)
    ):
        assert refresh().success
        scratch = published_tables(scratch_warehouse)
    return Zone(root, warehouse, first, second, scratch, feedback)


def files(tables: dict[str, list[tuple]], zone: Zone) -> dict[str, tuple]:
    """file_path -> (status, rows_total, rows_accepted, has a SHA-256)."""
    return {
        path: (status, total, accepted, sha is not None)
        for sha, path, _, _, _, status, total, accepted, *_ in tables["submission_files"]
    }


def findings(tables: dict[str, list[tuple]], path: str) -> list[tuple[str, str]]:
    """(rule, message) of every finding about the file, in row order."""
    rows = [r for r in tables["data_quality_issues"] if r[1] == path]
    return [(r[4], r[8]) for r in sorted(rows, key=lambda r: (r[3] or 0, r[4]))]


def published_sectors(tables: dict[str, list[tuple]]) -> set[str]:
    return {row[5] for row in tables["fct_online_dossier_rate"]}


def test_the_refresh_with_every_hazard_completes_and_publishes_every_valid_row(zone: Zone) -> None:
    recorded = files(zone.first, zone)
    assert recorded["VN-HN/control.csv"] == ("accepted", 2, 2, True)
    assert recorded["VN-HN/b\\xe1o_c\\xe1o.csv"] == ("accepted", 2, 2, True)
    assert published_sectors(zone.first) >= {"control", "latin1"}


def test_a_path_longer_than_path_max_is_recorded_as_unreadable(zone: Zone) -> None:
    (deep,) = [p for p in files(zone.first, zone) if p.startswith("VN-HN/ddd")]
    assert len(deep.encode()) > 4096
    assert files(zone.first, zone)[deep] == ("rejected", 0, 0, False)
    ((rule, message),) = findings(zone.first, deep)
    assert rule == "unreadable_file" and "longer than this system allows" in message


def test_files_renamed_deleted_or_replaced_between_steps_are_recorded(zone: Zone) -> None:
    recorded = files(zone.first, zone)
    # renamed while the ledger hashed: neither name recorded yet, nothing failed
    assert not {p for p in recorded if "renamed_while_hashing" in p}
    for name, says in [
        ("deleted_before_parse", "removed or renamed before it could be read"),
        ("renamed_before_parse", "removed or renamed before it could be read"),
        ("replaced_by_pipe", "no longer a regular file"),
    ]:
        path = f"VN-HN/{name}.csv"
        assert recorded[path] == ("rejected", 0, 0, True)
        ((rule, message),) = findings(zone.first, path)
        assert rule == "unreadable_file" and says in message


def test_the_next_refresh_recovers_with_no_hand_repair(zone: Zone) -> None:
    recorded = files(zone.second, zone)
    for path in ("VN-HN/renamed_while_hashing_2.csv", "VN-HN/renamed_before_parse_2.csv",
                 "VN-HN/deleted_before_parse.csv", "VN-HN/replaced_by_pipe.csv"):  # fmt: skip
        assert recorded[path] == ("accepted", 2, 2, True), path
    assert published_sectors(zone.second) == set(SECTORS)


def test_recovered_relations_equal_a_refresh_from_scratch(zone: Zone) -> None:
    for table in ("fct_online_dossier_rate", "fct_cashless_payment_share", "dim_period"):
        assert zone.second[table] == zone.scratch[table], table

    # the renamed file's old path stays in the history, rejected; every other file is
    # recorded exactly as a refresh from scratch records it (first-seen times aside)
    def without_time(tables: dict) -> dict[str, tuple]:
        return {row[1]: row[:9] + row[10:] for row in tables["submission_files"]
                if row[1] != "VN-HN/renamed_before_parse.csv"}  # fmt: skip

    assert without_time(zone.second) == without_time(zone.scratch)
    history = [
        r for r in zone.second["data_quality_issues"] if r[1] != "VN-HN/renamed_before_parse.csv"
    ]
    assert history == zone.scratch["data_quality_issues"]


def test_folder_names_too_long_or_alike_get_feedback_files_of_their_own(zone: Zone) -> None:
    recorded = files(zone.first, zone)
    for folder in ("X" * 250, "VN HN", "VN_HN"):
        assert recorded[f"{folder}/report.csv"][0] == "rejected"
    assert "VN-HN.csv" in zone.feedback and "VN_HN.csv" in zone.feedback
    assert len(zone.feedback) == 4, zone.feedback  # VN-HN, VN_HN, VN HN and X…
    assert all(len(name.encode()) < 100 for name in zone.feedback)


def test_a_key_repeated_thousands_of_times_gives_findings_that_grow_linearly(zone: Zone) -> None:
    path = "VN-HN/one_key_many_times.csv"
    assert files(zone.first, zone)[path] == ("rejected", DUPLICATE_COPIES, 0, True)
    rows = findings(zone.first, path)
    assert len(rows) == DUPLICATE_COPIES and {rule for rule, _ in rows} == {"duplicate_conflict"}
    assert max(len(message) for _, message in rows) < 200
    assert "rows 1, 2, 3, 4, 5 and 1,995 more" in rows[0][1]
    feedback = zone.warehouse.parent / "feedback" / "VN-HN.csv"
    assert feedback.stat().st_size < 1_000 * DUPLICATE_COPIES
