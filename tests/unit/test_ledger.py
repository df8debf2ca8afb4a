"""The ledger and the decisions on files, against a real state file, without Dagster:
whatever the landing zone holds or does between two steps, recording and parsing complete,
record what they could not read, and decide again when what a decision depended on changed."""

import errno
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from orchestration.lib import faults, ingest, journal, ledger, state
from orchestration.lib.landing import LandingZoneMissing, read_error_message
from orchestration.lib.reference import load_metrics, load_registry
from tests.conftest import REPO_ROOT

REFERENCE = REPO_ROOT / "sources" / "reference"
KINDS = {m["metric_code"]: m["kind"] for m in load_metrics(REFERENCE)}
SUBMITTERS = {str(r["region_code"]) for r in load_registry(REFERENCE).regions}
NOW = datetime(2026, 11, 23, 2, tzinfo=UTC)
GOOD = "region,period,metric,value\nVN-HN,2024-03,total_dossiers,{n}\n"


def write(root: Path, rel: str | bytes, content: str = GOOD.format(n=1)) -> Path:
    path = Path(os.fsdecode(os.path.join(os.fsencode(root), os.fsencode(rel))))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    return path


def ingest_all(
    conn, root: Path, submitters: set[str] = SUBMITTERS, max_bytes: int = 1 << 20,
    kinds: dict[str, str] = KINDS,
) -> ingest.ParseSummary:  # fmt: skip
    # the regions decisions compare a file's folder against
    state.replace_table(conn, "raw.regions", [{"region_code": c} for c in submitters])
    ledger.record_landed_files(conn, root, NOW)
    return ingest.parse_pending_files(conn, root, kinds, submitters, max_bytes)


def files(conn) -> dict[str, tuple]:
    """file_path -> (status, sha is known, rules of its file-level findings)."""
    rows = conn.execute(
        "select l.file_path, l.ingest_status, l.file_sha256 is not null, "
        "list(i.rule order by i.rule) filter (where i.rule is not null) "
        "from raw.file_ledger l left join raw.file_issues i using (file_seq) group by all"
    ).fetchall()
    return {path: (status, known, tuple(rules or ())) for path, status, known, rules in rows}


def messages(conn, path: str) -> list[str]:
    return [
        m
        for (m,) in conn.execute(
            "select i.message from raw.file_issues i join raw.file_ledger l using (file_seq) "
            "where l.file_path = ?",
            [path],
        ).fetchall()
    ]


@pytest.fixture
def conn(tmp_path: Path):
    with state.connect(tmp_path / "state.duckdb") as connection:
        yield connection


def test_a_name_that_is_not_utf8_is_read_and_shown_escaped(tmp_path: Path, conn) -> None:
    root = tmp_path / "landing"
    write(root, b"VN-HN/b\xe1o_c\xe1o.csv")
    write(root, b"VN-\xff/x.csv", GOOD.format(n=2))
    summary = ingest_all(conn, root)
    assert summary.files_parsed == 1
    assert files(conn) == {
        "VN-HN/b\\xe1o_c\\xe1o.csv": ("parsed", True, ()),
        "VN-\\xff/x.csv": ("rejected", True, ("submitter_mismatch",)),
    }
    assert "VN-\\xff" in messages(conn, "VN-\\xff/x.csv")[0]


def test_paths_longer_than_the_system_allows_are_recorded_as_unreadable(
    tmp_path: Path, conn
) -> None:
    root = tmp_path / "landing"
    write(root, "VN-HN/ok.csv")
    # build the deep folder relative to its parent: the whole path cannot be named at once
    fd = os.open(root / "VN-HN", os.O_RDONLY)
    depth = 0
    try:
        while len(str(root / "VN-HN")) + depth * 201 < 4200:
            os.mkdir("d" * 200, dir_fd=fd)
            next_fd = os.open("d" * 200, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd, depth = next_fd, depth + 1
        with os.fdopen(os.open("deep.csv", os.O_WRONLY | os.O_CREAT, dir_fd=fd), "w") as f:
            f.write(GOOD.format(n=3))
    finally:
        os.close(fd)
    summary = ingest_all(conn, root)
    recorded = files(conn)
    assert recorded.pop("VN-HN/ok.csv") == ("parsed", True, ())
    ((path, outcome),) = recorded.items()
    assert path.startswith("VN-HN/" + "d" * 200) and outcome == (
        "rejected",
        False,
        ("unreadable_file",),
    )
    assert "longer than this system allows" in messages(conn, path)[0]
    assert summary.files_parsed == 1
    # and a second refresh records nothing twice
    ingest_all(conn, root)
    assert len(files(conn)) == 2


def test_a_file_renamed_while_the_ledger_hashes_is_read_under_its_new_name(
    tmp_path: Path, conn
) -> None:
    root = tmp_path / "landing"
    write(root, "VN-HN/a.csv")
    moved = write(root, "VN-HN/b.csv", GOOD.format(n=2))
    with faults.at("ledger.after_listing", lambda: moved.rename(moved.with_name("c.csv"))):
        summary = ledger.record_landed_files(conn, root, NOW)
    assert (summary.new_files, summary.vanished) == (1, 1)
    ingest_all(conn, root)
    assert {p: s for p, (s, _, _) in files(conn).items()} == {
        "VN-HN/a.csv": "parsed",
        "VN-HN/c.csv": "parsed",
    }


def test_a_file_gone_before_parsing_is_rejected_and_its_new_name_gets_a_fresh_decision(
    tmp_path: Path, conn
) -> None:
    root = tmp_path / "landing"
    gone, moved = write(root, "VN-HN/gone.csv"), write(root, "VN-HN/moved.csv", GOOD.format(n=2))

    def operator() -> None:
        gone.unlink()
        moved.rename(moved.with_name("renamed.csv"))

    ledger.record_landed_files(conn, root, NOW)
    with faults.at("parse.before_reading", operator):
        ingest_all(conn, root)
    assert files(conn) == {
        "VN-HN/gone.csv": ("rejected", True, ("unreadable_file",)),
        "VN-HN/moved.csv": ("rejected", True, ("unreadable_file",)),
    }
    assert "removed or renamed" in messages(conn, "VN-HN/gone.csv")[0]
    # the next refresh: the renamed bytes were only ever rejected, so they are read; the
    # deleted file, once restored, is read again too
    write(root, "VN-HN/gone.csv")
    ingest_all(conn, root)
    assert files(conn) == {
        "VN-HN/gone.csv": ("parsed", True, ()),
        "VN-HN/moved.csv": ("rejected", True, ("unreadable_file",)),
        "VN-HN/renamed.csv": ("parsed", True, ()),
    }
    assert conn.execute("select count(*) from raw.parsed_observations").fetchone()[0] == 2


def test_a_pipe_that_takes_a_files_name_never_blocks_a_read(tmp_path: Path, conn) -> None:
    root = tmp_path / "landing"
    path = write(root, "VN-HN/a.csv")

    def swap() -> None:
        path.unlink()
        os.mkfifo(path)

    ledger.record_landed_files(conn, root, NOW)
    with faults.at("parse.before_reading", swap):
        ingest_all(conn, root)
    assert files(conn)["VN-HN/a.csv"] == ("rejected", True, ("unreadable_file",))
    assert "no longer a regular file" in messages(conn, "VN-HN/a.csv")[0]


def test_copies_are_decided_in_order_until_one_is_parsed(tmp_path: Path, conn) -> None:
    """The same bytes in an unknown folder and in the right one: the wrong copy is
    rejected, the right one parsed, a third copy is a duplicate of the parsed one."""
    root = tmp_path / "landing"
    for rel in ("VN-AA/x.csv", "VN-HN/x.csv", "VN-HN/copy/x.csv"):
        write(root, rel)
    summary = ingest_all(conn, root)
    assert files(conn) == {
        "VN-AA/x.csv": ("rejected", True, ("submitter_mismatch",)),
        "VN-HN/x.csv": ("parsed", True, ()),
        "VN-HN/copy/x.csv": ("duplicate", True, ()),
    }
    assert (summary.files_parsed, summary.files_rejected, summary.duplicates) == (1, 1, 1)


def test_registry_and_size_limit_changes_decide_again(tmp_path: Path, conn) -> None:
    root = tmp_path / "landing"
    write(root, "VN-ZZ/new_province.csv")
    write(root, "VN-HN/big.csv", GOOD.format(n=123456789))
    ingest_all(conn, root, max_bytes=50)
    assert files(conn) == {
        "VN-ZZ/new_province.csv": ("rejected", True, ("submitter_mismatch",)),
        "VN-HN/big.csv": ("rejected", True, ("file_too_large",)),
    }
    summary = ingest_all(conn, root, submitters=SUBMITTERS | {"VN-ZZ"}, max_bytes=1000)
    assert summary.redecided == 2
    assert files(conn) == {
        "VN-ZZ/new_province.csv": ("parsed", True, ()),
        "VN-HN/big.csv": ("parsed", True, ()),
    }
    # nothing changed since: nothing is decided again
    assert ingest_all(conn, root, submitters=SUBMITTERS | {"VN-ZZ"}, max_bytes=1000).redecided == 0


def test_a_parsed_owner_rejected_later_hands_its_bytes_to_a_copy(tmp_path: Path, conn) -> None:
    root = tmp_path / "landing"
    write(root, "VN-ZZ/x.csv")
    ingest_all(conn, root, submitters=SUBMITTERS | {"VN-ZZ"})
    write(root, "VN-HN/x.csv")  # the same bytes, later, in a folder that stays known
    ingest_all(conn, root, submitters=SUBMITTERS | {"VN-ZZ"})
    assert files(conn)["VN-HN/x.csv"][0] == "duplicate"
    ingest_all(conn, root)  # VN-ZZ left the registry
    assert files(conn) == {
        "VN-ZZ/x.csv": ("rejected", True, ("submitter_mismatch",)),
        "VN-HN/x.csv": ("parsed", True, ()),
    }
    assert conn.execute("select count(*) from raw.parsed_observations").fetchone()[0] == 1


def test_a_metric_added_to_the_catalog_gets_its_rows_read_again(tmp_path: Path, conn) -> None:
    root = tmp_path / "landing"
    write(
        root,
        "VN-HN/new_metric.csv",
        'region,period,metric,value\nVN-HN,2024-03,full_online,"2,439"\n',
    )
    ingest_all(conn, root)

    def reading() -> tuple:
        return conn.execute("select value, value_error from raw.parsed_observations").fetchone()

    assert reading() == (None, "unparseable_value")
    assert ingest_all(conn, root, kinds=KINDS | {"full_online": "count"}).redecided == 1
    assert reading() == (2439.0, None)


def test_a_decided_file_that_cannot_be_read_again_keeps_its_outcome(tmp_path: Path, conn) -> None:
    root = tmp_path / "landing"
    path = write(root, "VN-ZZ/x.csv")
    ingest_all(conn, root, submitters=SUBMITTERS | {"VN-ZZ"})
    path.unlink()
    summary = ingest_all(conn, root, kinds=KINDS | {"new_metric": "count"},
                         submitters=SUBMITTERS | {"VN-ZZ"}, max_bytes=10)  # fmt: skip
    assert (summary.redecided, summary.kept) == (1, 1)
    assert files(conn)["VN-ZZ/x.csv"] == ("parsed", True, ())
    assert conn.execute("select count(*) from raw.parsed_observations").fetchone()[0] == 1


def test_the_journal_restores_the_ledger_in_first_seen_order(tmp_path: Path, conn) -> None:
    root, journal_path = tmp_path / "landing", tmp_path / "ledger.jsonl"
    for n, rel in enumerate(["VN-HN/b.csv", "VN-HN/a.csv", "VN-HN/a/z.csv"]):
        write(root, rel, GOOD.format(n=n))
    ledger.record_landed_files(conn, root, NOW, journal_path)
    write(root, "VN-HN/0_later.csv", GOOD.format(n=9))
    ledger.record_landed_files(conn, root, datetime(2026, 11, 24, tzinfo=UTC), journal_path)
    with journal_path.open("ab") as handle:
        handle.write(b'{"file_seq": 99, "file_sha2')  # a line cut short by a kill
    query = "select file_seq, file_path, file_sha256, first_seen_at from raw.file_ledger order by 1"
    before = conn.execute(query).fetchall()
    assert [r[1] for r in before] == ["VN-HN/a.csv", "VN-HN/b.csv", "VN-HN/a/z.csv",
                                      "VN-HN/0_later.csv"]  # fmt: skip
    with state.connect(tmp_path / "fresh.duckdb") as fresh:
        # an empty ledger beside a journal lost its rows: they come back, as pending
        assert journal.catch_up(fresh, journal_path) == 0
        assert fresh.execute(query).fetchall() == before
        assert {
            s for (s,) in fresh.execute("select ingest_status from raw.file_ledger").fetchall()
        } == {"pending"}


def test_a_damaged_state_fails_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "state.duckdb"
    with state.connect(path) as conn:
        conn.execute(
            "create table raw.filler as select range as i, 'x' || range as s from range(200000)"
        )
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(state.StateDamaged, match="make recover-state"), state.connect(path):
        pass


def test_the_sources_folder_must_exist(tmp_path: Path, conn) -> None:
    with pytest.raises(LandingZoneMissing, match="DIGIMETRICS_SOURCES_DIR"):
        ledger.record_landed_files(conn, tmp_path / "nowhere", NOW)


def test_read_errors_say_why() -> None:
    err = OSError(errno.ENAMETOOLONG, "File name too long", "x")
    assert "longer than this system allows" in read_error_message(err, "folder")
    assert "permission" in read_error_message(PermissionError(errno.EACCES, "denied", "x"))


HANOI = "Asia/Ho_Chi_Minh"


@pytest.mark.parametrize(
    ("stated", "expected", "in_future"),
    [
        (None, None, False),
        # no offset: read in DIGIMETRICS_TIMEZONE, not UTC
        (datetime(2026, 11, 1, 9, 0), datetime(2026, 11, 1, 2, 0, tzinfo=UTC), False),
        (datetime(2026, 11, 1, 9, 0, tzinfo=UTC), datetime(2026, 11, 1, 9, 0, tzinfo=UTC), False),
        # later than the moment the file was first seen: ignored, flagged
        (datetime(2099, 1, 1, tzinfo=UTC), None, True),
        (datetime(2026, 11, 23, 2, 0, 1, tzinfo=UTC), None, True),
        (datetime(2026, 11, 23, 2, 0, 0, tzinfo=UTC), datetime(2026, 11, 23, 2, tzinfo=UTC), False),
        # year 9999 with a negative offset is year 10000 in UTC: never stored
        (datetime.fromisoformat("9999-12-31T23:00:00-05:00"), None, True),
        # before year 1 in UTC: no time to order by, and not in the future
        (datetime(1, 1, 1, 0, 30), None, False),
    ],
)
def test_effective_submitted_at(stated, expected, in_future) -> None:
    assert ingest.effective_submitted_at(stated, NOW, HANOI) == (expected, in_future)
