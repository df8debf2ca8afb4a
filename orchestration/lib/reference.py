"""Loading the reference data: the region registry and the metric catalog.

The registry is every CSV file in `<reference>/regions/`, so districts and communes
are added by dropping in another file with the same columns (see README).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from orchestration.lib.names import name_key

REGION_COLUMNS = (
    "region_code", "level", "parent_code", "country_code", "name_en", "name_local",
    "aliases", "valid_from", "valid_to", "successor_code",
)  # fmt: skip
LEVELS = ("country", "province", "district", "commune")
METRIC_COLUMNS = ("metric_code", "kind", "over_time", "indicator", "role", "description")


class ReferenceError(ValueError):
    """The reference data itself is inconsistent: fix the registry file named in the message."""


@dataclass(frozen=True)
class Registry:
    regions: list[dict[str, object]]
    names: list[dict[str, str]]  # name_key, region_code, name
    ancestors: list[dict[str, object]]  # region_code, ancestor_code, depth (0 = itself)


def _date(value: str, where: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ReferenceError(f"{where}: '{value}' is not a YYYY-MM-DD date") from None


def _read_csv(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise ReferenceError(f"{path.name}: missing column(s) {', '.join(missing)}")
        return [{c: (row.get(c) or "").strip() for c in columns} for row in reader]


def load_registry(reference_dir: Path) -> Registry:
    files = sorted((reference_dir / "regions").glob("*.csv"))
    if not files:
        raise ReferenceError(f"no region files in {reference_dir / 'regions'}")
    regions: dict[str, dict[str, object]] = {}
    names: dict[tuple[str, str], dict[str, str]] = {}
    for path in files:
        for line, row in enumerate(_read_csv(path, REGION_COLUMNS), start=2):
            where = f"{path.name} line {line}"
            code = row["region_code"].upper()
            if not code:
                raise ReferenceError(f"{where}: region_code is empty")
            if code in regions:
                raise ReferenceError(f"{where}: region_code {code} is defined twice")
            if row["level"] not in LEVELS:
                raise ReferenceError(f"{where}: level must be one of {', '.join(LEVELS)}")
            regions[code] = {
                "region_code": code,
                "name": row["name_en"] or row["name_local"],
                "name_local": row["name_local"] or row["name_en"],
                "level": row["level"],
                "parent_code": row["parent_code"].upper() or None,
                "country_code": row["country_code"].upper() or code,
                "valid_from": _date(row["valid_from"], where),
                "valid_to": _date(row["valid_to"], where),
                "successor_code": row["successor_code"].upper() or None,
                "source_file": path.name,
            }
            spellings = [code, row["name_en"], row["name_local"], *row["aliases"].split(";")]
            for spelling in spellings:
                if spelling.strip():
                    key = name_key(spelling)
                    names.setdefault(
                        (key, code),
                        {"name_key": key, "region_code": code, "name": spelling.strip()},
                    )
    for code, region in regions.items():
        for ref in ("parent_code", "successor_code"):
            target = region[ref]
            if target and target not in regions:
                raise ReferenceError(f"{region['source_file']}: {code} has unknown {ref} {target}")
    return Registry(list(regions.values()), list(names.values()), _ancestors(regions))


def _ancestors(regions: dict[str, dict[str, object]]) -> list[dict[str, object]]:
    rows = []
    for code in regions:
        seen, current, depth = set(), code, 0
        while current:
            if current in seen:
                raise ReferenceError(f"the parent chain of {code} loops through {current}")
            seen.add(current)
            rows.append({"region_code": code, "ancestor_code": current, "depth": depth})
            current = regions[current]["parent_code"]  # type: ignore[assignment]
            depth += 1
    return rows


def load_metrics(reference_dir: Path) -> list[dict[str, str]]:
    rows = _read_csv(reference_dir / "metrics.csv", METRIC_COLUMNS)
    for row in rows:
        if row["kind"] not in ("count", "rate"):
            raise ReferenceError(
                f"metrics.csv: {row['metric_code']} has unknown kind {row['kind']}"
            )
    return rows
