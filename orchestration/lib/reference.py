"""Loading the reference data: the region registry, the metric catalog, the indicators,
the targets and the reporting schedules.

The registry is every CSV file in `<reference>/regions/`, so districts and communes
are added by dropping in another file with the same columns (see README).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from orchestration.lib.names import loose_key, name_key
from orchestration.lib.periods import Period, parse_period, periods_of_type

REGION_COLUMNS = (
    "region_code", "level", "parent_code", "country_code", "name_en", "name_local",
    "aliases", "valid_from", "valid_to", "successor_code",
)  # fmt: skip
LEVELS = ("country", "province", "district", "commune")
METRIC_COLUMNS = ("metric_code", "kind", "over_time", "description")
INDICATOR_COLUMNS = ("indicator", "numerator", "denominator", "reported_rate", "description")
TARGET_COLUMNS = ("indicator", "region_code", "period", "target_pct")
SCHEDULE_COLUMNS = (
    "dataset", "metrics", "country_code", "level", "period_type", "due_days", "first_period",
    "last_period",
)  # fmt: skip
PERIOD_TYPES = ("month", "quarter", "half", "year")
# how each kind of metric may behave over time (contract section 7)
OVER_TIME = {"count": ("sum", "last"), "rate": ("reported",)}


class ReferenceError(ValueError):
    """The reference data itself is inconsistent: fix the registry file named in the message."""


@dataclass(frozen=True)
class Registry:
    regions: list[dict[str, object]]
    names: list[dict[str, str]]  # name_key, region_code, name
    ancestors: list[dict[str, object]]  # region_code, ancestor_code, depth (0 = itself)


def _located(file: str, line: int, column: str, problem: str) -> ReferenceError:
    """An error a clerk can fix from the message alone: file, line and column named."""
    return ReferenceError(f"{file} line {line}, column {column}: {problem}")


def _first_time(
    lines: dict[tuple[str, ...], int], key: tuple[str, ...], file: str, line: int, column: str,
    said: str,
) -> None:  # fmt: skip
    """Remember the line of `key`; a key met before is an error that names both lines."""
    if key in lines:
        raise _located(file, line, column, f"{' '.join(key)} {said} (line {lines[key]})")
    lines[key] = line


def _date(row: dict[str, str], column: str, file: str, line: int) -> date | None:
    value = row[column]
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _located(file, line, column, f"'{value}' is not a YYYY-MM-DD date") from None


def read_csv(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    """The rows of a reference CSV (UTF-8, with or without BOM), its `columns` required."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise _located(path.name, 1, ", ".join(missing), "the header lacks this column")
        return [{c: (row.get(c) or "").strip() for c in columns} for row in reader]


def load_registry(reference_dir: Path) -> Registry:
    files = sorted((reference_dir / "regions").glob("*.csv"))
    if not files:
        raise ReferenceError(f"no region files in {reference_dir / 'regions'}")
    regions: dict[str, dict[str, object]] = {}
    lines: dict[str, tuple[str, int]] = {}  # code -> (file, line) that defines it
    names: dict[tuple[str, str], dict[str, str]] = {}
    for path in files:
        for line, row in enumerate(read_csv(path, REGION_COLUMNS), start=2):
            code = row["region_code"].upper()
            if not code:
                raise _located(path.name, line, "region_code", "the code is empty")
            if code in regions:
                first = "{} line {}".format(*lines[code])
                raise _located(path.name, line, "region_code", f"{code} is defined twice ({first})")
            if row["level"] not in LEVELS:
                raise _located(
                    path.name, line, "level", f"'{row['level']}' is not one of {', '.join(LEVELS)}"
                )
            lines[code] = (path.name, line)
            regions[code] = {
                "region_code": code,
                "name": row["name_en"] or row["name_local"],
                "name_local": row["name_local"] or row["name_en"],
                "level": row["level"],
                "parent_code": row["parent_code"].upper() or None,
                "country_code": row["country_code"].upper() or code,
                "valid_from": _date(row, "valid_from", path.name, line),
                "valid_to": _date(row, "valid_to", path.name, line),
                "successor_code": row["successor_code"].upper() or None,
                "source_file": path.name,
            }
            spellings = [code, row["name_en"], row["name_local"], *row["aliases"].split(";")]
            for spelling in spellings:
                if spelling.strip():
                    key = name_key(spelling)
                    names.setdefault(
                        (key, code),
                        {
                            "name_key": key,
                            "loose_key": loose_key(key),
                            "region_code": code,
                            "name": spelling.strip(),
                        },
                    )
    _check_references(regions, lines)
    return Registry(list(regions.values()), list(names.values()), _ancestors(regions, lines))


def _check_references(
    regions: dict[str, dict[str, object]], lines: dict[str, tuple[str, int]]
) -> None:
    """Every parent and successor exists; a successor ends no chain in a cycle, and only a
    unit that ended has one."""
    for code, region in regions.items():
        for column in ("parent_code", "country_code", "successor_code"):
            target = region[column]
            if target and target not in regions:
                raise _located(*lines[code], column, f"{code} names unknown region {target}")
        successor = region["successor_code"]
        if successor and region["valid_to"] is None:
            raise _located(
                *lines[code], "successor_code", f"{code} has a successor but no valid_to"
            )
        seen, current = [code], successor
        while current:
            if current in seen:
                chain = " -> ".join([*seen, current])
                raise _located(*lines[code], "successor_code", f"successors loop: {chain}")
            seen.append(current)
            current = regions[current]["successor_code"]  # type: ignore[assignment]


def _ancestors(
    regions: dict[str, dict[str, object]], lines: dict[str, tuple[str, int]]
) -> list[dict[str, object]]:
    rows = []
    for code in regions:
        seen, current, depth = set(), code, 0
        while current:
            if current in seen:
                raise _located(
                    *lines[code],
                    "parent_code",
                    f"the parent chain of {code} loops through {current}",
                )
            seen.add(current)
            rows.append({"region_code": code, "ancestor_code": current, "depth": depth})
            current = regions[current]["parent_code"]  # type: ignore[assignment]
            depth += 1
    return rows


def load_metrics(reference_dir: Path) -> list[dict[str, str]]:
    """metrics.csv: every metric's code, kind (count or rate) and behaviour over time."""
    rows = read_csv(reference_dir / "metrics.csv", METRIC_COLUMNS)
    seen: set[str] = set()
    for line, row in enumerate(rows, start=2):
        code, kind, over_time = row["metric_code"], row["kind"], row["over_time"]
        if not code:
            raise _located("metrics.csv", line, "metric_code", "the code is empty")
        if code in seen:
            raise _located("metrics.csv", line, "metric_code", f"{code} is defined twice")
        seen.add(code)
        if kind not in OVER_TIME:
            raise _located("metrics.csv", line, "kind", f"'{kind}' is not count or rate")
        if over_time not in OVER_TIME[kind]:
            raise _located(
                "metrics.csv", line, "over_time",
                f"'{over_time}' is not {' or '.join(OVER_TIME[kind])}, as a {kind} needs",
            )  # fmt: skip
    return rows


def load_indicators(reference_dir: Path, metrics: list[dict[str, str]]) -> list[dict[str, str]]:
    """indicators.csv: each indicator's numerator and denominator (count metrics that add
    up over time alike: the pair is aggregated together) and the rate a region may report."""
    rows = read_csv(reference_dir / "indicators.csv", INDICATOR_COLUMNS)
    by_code = {m["metric_code"]: m for m in metrics}
    seen: set[str] = set()
    for line, row in enumerate(rows, start=2):
        code = row["indicator"]
        if not code:
            raise _located("indicators.csv", line, "indicator", "the code is empty")
        if code in seen:
            raise _located("indicators.csv", line, "indicator", f"{code} is defined twice")
        seen.add(code)
        for column, kind in (("numerator", "count"), ("denominator", "count")):
            metric = by_code.get(row[column])
            if metric is None or metric["kind"] != kind:
                raise _located(
                    "indicators.csv", line, column,
                    f"'{row[column]}' is not a {kind} metric of metrics.csv",
                )  # fmt: skip
        numerator, denominator = by_code[row["numerator"]], by_code[row["denominator"]]
        if numerator["over_time"] != denominator["over_time"]:
            raise _located(
                "indicators.csv", line, "denominator",
                f"{denominator['metric_code']} is '{denominator['over_time']}' over time but "
                f"{numerator['metric_code']} is '{numerator['over_time']}': a pair is added "
                "up over periods as one, so both must be sum or both last",
            )  # fmt: skip
        rate = row["reported_rate"]
        if rate and by_code.get(rate, {}).get("kind") != "rate":
            raise _located(
                "indicators.csv",
                line,
                "reported_rate",
                f"'{rate}' is not a rate metric of metrics.csv",
            )
    return rows


def _percent(text: str) -> float | None:
    """A reference file's percentage: a plain number (a point for decimals), 0 to 100."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if 0 <= value <= 100 else None  # NaN fails both comparisons


def load_targets(
    reference_dir: Path, indicator_codes: set[str], region_codes: set[str]
) -> list[dict[str, object]]:
    """targets.csv: the rate each indicator should reach in a unit and period (a target set
    for a unit holds below it, one set for a year holds for the periods within it), checked
    against the codes of indicators.csv and of the registry. A ministry without targets has
    no file: no targets then."""
    path = reference_dir / "targets.csv"
    if not path.exists():
        return []
    targets: list[dict[str, object]] = []
    lines: dict[tuple[str, ...], int] = {}
    for line, row in enumerate(read_csv(path, TARGET_COLUMNS), start=2):
        if row["indicator"] not in indicator_codes:
            raise _located(
                path.name, line, "indicator", f"'{row['indicator']}' is not in indicators.csv"
            )
        region = row["region_code"].upper()
        if region not in region_codes:
            raise _located(path.name, line, "region_code", f"'{region}' is not in the registry")
        period = parse_period(row["period"])
        if period is None:
            raise _located(
                path.name, line, "period",
                f"'{row['period']}' is not a period (2025, 2025-H1, 2025-Q3 or 2025-07)",
            )  # fmt: skip
        pct = _percent(row["target_pct"])
        if pct is None:
            raise _located(
                path.name, line, "target_pct", f"'{row['target_pct']}' is not a percentage 0-100"
            )
        key = (row["indicator"], region, period.label)
        _first_time(lines, key, path.name, line, "period", "already has a target")
        targets.append(
            {"indicator": key[0], "region_code": region, "period": key[2], "target_pct": pct}
        )
    return targets


def _schedule_period(
    row: dict[str, str], column: str, period_type: str, line: int
) -> Period | None:
    if not row[column]:
        return None
    period = parse_period(row[column])
    if period is None or period.period_type != period_type:
        raise _located(
            "reporting_schedules.csv", line, column,
            f"'{row[column]}' is not a {period_type} (period_type says {period_type})",
        )  # fmt: skip
    return period


def load_schedules(
    reference_dir: Path, metric_codes: set[str], countries: dict[str, set[str]], today: date
) -> list[dict[str, object]]:
    """reporting_schedules.csv: who must report which metrics for which periods, and how many
    days after a period ends. `countries` maps each country code of the registry to the
    levels its units have. An empty last_period is resolved here to the last period of the
    type that ended before `today`; a schedule whose first period has not ended yet is kept
    with no last period (nothing is due). A ministry without schedules has no file."""
    path = reference_dir / "reporting_schedules.csv"
    if not path.exists():
        return []
    schedules: list[dict[str, object]] = []
    lines: dict[tuple[str, ...], int] = {}
    for line, row in enumerate(read_csv(path, SCHEDULE_COLUMNS), start=2):
        if not row["dataset"]:
            raise _located(path.name, line, "dataset", "the dataset has no name")
        metrics = [m.strip() for m in row["metrics"].split(";") if m.strip()]
        if not metrics:
            raise _located(path.name, line, "metrics", "no metric is named")
        for metric in metrics:
            if metric not in metric_codes:
                raise _located(path.name, line, "metrics", f"'{metric}' is not in metrics.csv")
        country = row["country_code"].upper()
        if country not in countries:
            raise _located(
                path.name, line, "country_code", f"'{country}' is not a country of the registry"
            )
        if row["level"] not in countries[country]:
            raise _located(
                path.name, line, "level", f"{country} has no unit of level '{row['level']}'"
            )
        period_type = row["period_type"]
        if period_type not in PERIOD_TYPES:
            raise _located(
                path.name, line, "period_type",
                f"'{period_type}' is not one of {', '.join(PERIOD_TYPES)}",
            )  # fmt: skip
        if not row["due_days"].isascii() or not row["due_days"].isdigit():
            raise _located(
                path.name,
                line,
                "due_days",
                f"'{row['due_days']}' is not a number of days (0 or more)",
            )
        first = _schedule_period(row, "first_period", period_type, line)
        if first is None:
            raise _located(path.name, line, "first_period", "the first period is empty")
        last = _schedule_period(row, "last_period", period_type, line)
        if last is not None and last.start < first.start:
            raise _located(path.name, line, "last_period", f"{last.label} is before {first.label}")
        if last is None:
            ended = [p for p in periods_of_type(period_type, first.start, today) if p.end < today]
            last = ended[-1] if ended else None
        key = (row["dataset"], country, row["level"], period_type)
        _first_time(lines, key, path.name, line, "dataset", "is already scheduled")
        schedules.append(
            {
                "dataset": row["dataset"],
                "metric_codes": metrics,
                "country_code": country,
                "level": row["level"],
                "period_type": period_type,
                "due_days": int(row["due_days"]),
                "first_period": first.label,
                "last_period": last.label if last else None,
            }
        )
    return schedules
