"""The submission corpus (tests/corpus/cases.py) through ONE real refresh.

Every case is a file a province could send. All of them land in one landing zone, one
nightly_refresh runs over it in-process, and the published warehouse is then read the way a
BI tool reads it. Each case must get exactly its expected status, findings and fact rows.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from orchestration.lib.checking import Checker
from orchestration.lib.rules import SEVERITY_BY_RULE
from orchestration.lib.settings import Settings
from tests.conftest import environment, query, refresh, write_file
from tests.corpus.cases import (
    BULK_OBSERVATIONS,
    CASES,
    FACT_TABLES,
    FILE_REJECTED,
    MAX_FILE_BYTES,
    ROW_REJECTED,
    Case,
)

# every rule code of contract section 5, as rules.py declares them
CONTRACT_RULES = set(SEVERITY_BY_RULE)


@dataclass
class Warehouse:
    path: Path
    files: dict[str, tuple[str, int, int, int]]  # file_path -> status, total, accepted, rejected
    findings: dict[str, set[tuple[int | None, str, str]]]
    facts: set[tuple]  # (table, region_code, period, sector, numerator, denominator)
    facts_by_sector: dict[str, set[tuple]]
    root: Path  # the landing zone
    # what the pre-submission check must reproduce, by file_path: every column of each
    # finding, when the file was first seen and what it duplicates, the accepted rows
    issues: dict[str, list[tuple]]
    arrival: dict[str, tuple[datetime, str | None]]
    history: dict[str, list[tuple]]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    base = tmp_path_factory.mktemp("corpus")
    root, path = base / "landing", base / "bi" / "digimetrics.duckdb"
    for case in CASES:
        write_file(root, case.path, case.content)
    with environment(
        DIGIMETRICS_SOURCES_DIR=str(root),
        DIGIMETRICS_WAREHOUSE=str(path),
        DIGIMETRICS_MAX_FILE_BYTES=str(MAX_FILE_BYTES),
    ):
        result = refresh()
    assert result.success

    files = {
        r[0]: r[1:]
        for r in query(
            path,
            "select file_path, status, rows_total, rows_accepted, rows_rejected "
            "from marts.submission_files",
        )
    }
    findings: dict[str, set] = defaultdict(set)
    for file_path, row_number, rule, severity in query(
        path, "select file_path, row_number, rule, severity from marts.data_quality_issues"
    ):
        findings[file_path].add((row_number, rule, severity))
    facts: set[tuple] = set()
    for table in FACT_TABLES:
        rows = query(
            path,
            f"select region_code, period, sector, numerator, denominator from marts.{table}",
        )
        facts.update((table, *r) for r in rows)
    by_sector: dict[str, set] = defaultdict(set)
    for fact in facts:
        by_sector[fact[3]].add(fact)
    issues: dict[str, list] = defaultdict(list)
    for file_path, *issue in query(
        path,
        "select file_path, row_number, severity, rule, field, raw_value, message, raw_record "
        "from marts.data_quality_issues",
    ):
        issues[file_path].append(tuple(issue))
    arrival = {
        r[0]: (r[1], r[2])
        for r in query(
            path, "select file_path, first_seen_at, duplicate_of from marts.submission_files"
        )
    }
    history: dict[str, list] = defaultdict(list)
    for file_path, *row in query(
        path,
        "select file_path, row_number, region_code, period, metric_code, sector, value "
        "from marts.observation_history",
    ):
        history[file_path].append(tuple(row))
    return Warehouse(
        path, files, dict(findings), facts, dict(by_sector), root, dict(issues), arrival,
        dict(history),
    )  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case_outcome(case: Case, warehouse: Warehouse) -> None:
    assert case.path in warehouse.files, "every file sent is recorded"
    status, total, accepted, rejected = warehouse.files[case.path]
    assert status == case.status
    assert warehouse.findings.get(case.path, set()) == set(case.findings)
    file_rejected = any(severity == FILE_REJECTED for _, _, severity in case.findings)
    if case.status == "duplicate" or file_rejected:
        assert (total, accepted, rejected) == (0, 0, 0)
    else:
        rejected_rows = {n for n, _, severity in case.findings if severity == ROW_REJECTED}
        assert rejected == len(rejected_rows)
        assert accepted == total - rejected
    missing = set(case.published) - warehouse.facts
    assert not missing, f"fact rows not published: {sorted(missing, key=repr)}"
    if case.sector is not None:
        assert warehouse.facts_by_sector.get(case.sector, set()) == set(case.published)


def test_corpus_is_large_and_covers_every_contract_rule() -> None:
    assert len(CASES) >= 100
    assert len({c.path for c in CASES}) == len(CASES), "every case has its own path"
    by_bytes: dict[bytes, list[Case]] = defaultdict(list)
    for c in CASES:
        by_bytes[c.content].append(c)
    for copies in by_bytes.values():
        # identical bytes only where the later copies are meant to be duplicates, or where
        # they were only ever rejected: such bytes get a decision of their own at each path
        expected = "rejected" if copies[0].status == "rejected" else "duplicate"
        assert all(c.status == expected for c in copies[1:]), [c.path for c in copies]
        assert copies[0].status != "duplicate"
    rules = {rule for c in CASES for _, rule, _ in c.findings}
    assert rules == CONTRACT_RULES, f"not covered: {sorted(CONTRACT_RULES - rules)}"
    statuses = {c.status for c in CASES}
    assert statuses == {"accepted", "partially_accepted", "rejected", "duplicate"}


def test_one_bad_file_never_drops_another_files_data(warehouse: Warehouse) -> None:
    # every file sent is recorded, bad ones included
    assert set(warehouse.files) == {c.path for c in CASES}
    # every fact any case promises is there, whatever its neighbours sent
    promised = {fact for c in CASES for fact in c.published}
    assert promised <= warehouse.facts
    for c in CASES:
        if c.status in ("accepted", "partially_accepted"):
            assert warehouse.files[c.path][2] > 0, f"{c.path} published no rows"
    # the 100,000-observation file is published in full: one fact per sector pair
    bulk = {f for f in warehouse.facts if f[3].startswith("bulk_")}
    assert len(bulk) == BULK_OBSERVATIONS // 2


# The cases whose outcome in the refresh pairs their rows with another file's, and the
# rule that pairs them: the check, which sees a file alone, cannot find those findings.
CROSS_FILE = {
    # the numerator is in one file and its denominator in the other (section 5's rule
    # holds across files): each file alone is accepted
    "VN-33/rules/online.csv": "numerator_exceeds_denominator",
    "VN-33/rules/total.json": "numerator_exceeds_denominator",
}


def test_pre_submission_check_finds_what_the_pipeline_recorded(warehouse: Warehouse) -> None:
    """`digimetrics check` on every case, alone, reports what this refresh recorded for it:
    each finding with its field, raw value, message and raw record, the file's status and
    row counts, and the observations accepted. Each case is checked as first seen when the
    refresh saw it (future_submitted_at's message names that moment).

    Two kinds of case depend on other files, and are compared explicitly:
    - a duplicate: the refresh records nothing of its own for it (its bytes were parsed
      at another path). It is checked at that path, where the check must give what the
      refresh gave the original (at its own path, in another submitter's folder, its rows
      would be judged for that submitter);
    - CROSS_FILE: the refresh's findings of the pairing rule are missing from the check,
      the rows they rejected are accepted by it, and everything else is equal."""
    settings = dataclasses.replace(Settings.from_env(), max_file_bytes=MAX_FILE_BYTES)
    first_seen = min(seen for seen, _ in warehouse.arrival.values())
    today = first_seen.astimezone(ZoneInfo(settings.timezone)).date()
    with Checker(settings, today) as checker:  # one in-memory state: a check leaves nothing
        mismatches = []
        for case in CASES:
            seen, duplicate_of = warehouse.arrival[case.path]
            at = duplicate_of or case.path
            result = checker.check(warehouse.root / case.path, at, seen)
            status, total, accepted, rejected = warehouse.files[at]
            findings = sorted(warehouse.issues.get(at, []), key=repr)
            history = sorted(warehouse.history.get(at, []), key=repr)
            if case.path in CROSS_FILE:
                paired = [f for f in findings if f[2] == CROSS_FILE[case.path]]
                assert paired and status == "rejected", "the refresh paired it with another file"
                findings = [f for f in findings if f not in paired]
                status, accepted, rejected = "accepted", total, 0
                # the rows the row rules accepted before the models paired them (the state)
                history = sorted(
                    query(
                        dataclasses.replace(settings, warehouse_path=warehouse.path).state_db,
                        "select v.row_number, region_code, period, metric, sector, value "
                        "from raw.validated_observations v join raw.file_ledger using (file_sha256) "
                        "where file_path = ?",
                        [at],
                    ),
                    key=repr,
                )
            got = (
                (result.file_path, result.status, result.rows_total, result.rows_accepted,
                 result.rows_rejected),
                sorted((tuple(f.values()) for f in result.findings), key=repr),
                sorted((tuple(r.values()) for r in result.accepted_rows), key=repr),
            )  # fmt: skip
            expected = (
                (at, status, total, accepted, rejected),
                findings,
                history,
            )
            if got != expected:
                mismatches.append((case.path, got, expected))
    assert not mismatches, "\n".join(map(repr, mismatches[:5]))
    # the comparison is not vacuous: the cases hold findings of every severity
    assert {s for issues in warehouse.issues.values() for _, s, *_ in issues} == {
        FILE_REJECTED,
        ROW_REJECTED,
        "warning",
    }
