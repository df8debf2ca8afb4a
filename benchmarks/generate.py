"""A deterministic generator of a national-scale landing zone, for the benchmark.

    python -m benchmarks.generate --rows 1000000 --out benchmarks/cache/1000000 [--seed N]

writes, for the same arguments always the same bytes:

- `<out>/reference/`: the repository's reference files, plus `regions/vn_communes_generated.csv`,
  a commune layer under the 63 Vietnamese provinces that existed until 2025-06-30 and under
  the 34 that exist from 2025-07-01 (both read from the registry, never hard-coded). The
  July 2025 reorganisation reaches the communes too: every old commune ends on 2025-06-30
  and its `successor_code` names a new commune of the province that took it over (its
  province's successor, or the province itself where it continues); at national scale
  about three old communes merge into each new one. The `current` geography restates them
  (contract sections 7 and 8);
- `<out>/landing/<submitter>/<year>/<period>.csv|.json`: one file per submitting province
  and month, 2023-01 to 2025-12 (36 months, across the July 2025 reorganisation): the old
  provinces until 2025-06, the new ones from 2025-07, each reporting monthly for itself and
  its communes; a few Mongolian aimags in Windows-1251; about 1% bad rows, each breaking one
  row rule of the contract (section 5); a few resubmitted months (`<period>_correction.csv`,
  or `<period>_resubmitted.json` with a later `submitted_at`);
- `<out>/landing/<submitter>/<year>/<year>-Qn.csv|.json`: every 7th Vietnamese submitter of
  each era (in code order) also sends its own quarterly totals: the province's own counts
  and rates for the quarter, the flows within about 1% of the sum of its months (a revised
  total, as provinces send), the stocks those of the quarter's last month. The pipeline
  takes them as `reported` rather than its `period_sum` of the months;
- `<out>/manifest.json`: the parameters and what was written (rows, files, bad rows by rule,
  warnings, resubmissions, the fact rows the pipeline should publish).

The number of communes per province is scaled so that the zone holds close to `--rows`
observations (within 2%); the time span never changes. Below about 130,000 rows, where even
the provinces alone would be too many, only some provinces submit (always `VN-01`, the
benchmark's incremental submitter, and a few merged provinces).

Public functions (the benchmark harness, benchmarks/bench.py, calls them):

- `generate(rows, out, seed)` writes a zone and returns its manifest;
- `ensure_generated(rows, cache_root)` returns `cache_root/<rows>`, generated once and
  reused while its manifest matches the parameters and this generator's version;
- `write_new_month_file(out, submitter, period)` lands one new province-month file;
- `write_resubmission(out, submitter, period)` lands a corrected file for a past month.

The two `write_*` functions add files and never change existing ones (the harness hard-links
the cached landing files into its work copy).
"""

from __future__ import annotations

import argparse
import codecs
import csv
import hashlib
import io
import json
import math
import multiprocessing
import os
import random
import shutil
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from orchestration.lib.names import loose_key, name_key

REPO_ROOT = Path(__file__).resolve().parents[1]
REFERENCE_SOURCE = REPO_ROOT / "sources" / "reference"
GENERATOR_VERSION = "3"  # 2: quarterly totals; rows budgeted for them. 3: a commune schedule
DEFAULT_SEED = 20261123
MANIFEST = "manifest.json"
COMMUNES_FILE = "vn_communes_generated.csv"
# beside the samples' schedules, the largest a ministry would keep: every commune of Vietnam
# reports its dossiers monthly, within 10 days (contract sections 7 and 9)
BENCH_SCHEDULE_DATASET = "dossiers_by_commune"
BENCH_SCHEDULE = (
    f"{BENCH_SCHEDULE_DATASET},online_dossiers;total_dossiers,VN,commune,month,10,2023-01,2025-12"
)

FIRST_YEAR = 2023
MONTHS = 36  # 2023-01 .. 2025-12
REORG_MONTH = 30  # 2025-07: the 34 provinces replace the 63
OLD_LAST_DAY = date(2025, 6, 30)
NEW_FIRST_DAY = date(2025, 7, 1)
OLD_MONTHS = REORG_MONTH
NEW_MONTHS = MONTHS - REORG_MONTH
HELPER_SUBMITTER = "VN-01"  # the benchmark's new-month and resubmission submitter
HELPER_RESUBMISSION_PERIOD = "2025-09"

SECTORS = (
    "land", "justice", "business", "civil_status", "construction", "transport", "health",
    "education",
)  # fmt: skip
SECTOR_WEIGHTS = (0.24, 0.13, 0.09, 0.25, 0.07, 0.08, 0.07, 0.07)
SECTOR_BIAS = (-0.06, 0.02, 0.06, 0.03, -0.04, 0.01, -0.02, 0.0)  # online uptake by sector
SEASON = (1.08, 0.72, 1.02, 1.0, 0.98, 1.0, 0.97, 1.0, 1.02, 1.03, 1.04, 1.14)  # Tết in Feb
KIND = {
    "online_dossiers": "count", "total_dossiers": "count", "online_dossier_rate": "rate",
    "cashless_payments": "count", "total_payments": "count", "cashless_payment_share": "rate",
    "ehr_people": "count", "population": "count", "ehr_coverage": "rate",
    "digitized_services": "count",
}  # fmt: skip
INDICATOR_OF = {
    "online_dossiers": "online_dossier_rate", "total_dossiers": "online_dossier_rate",
    "cashless_payments": "cashless_payment_share", "total_payments": "cashless_payment_share",
    "ehr_people": "ehr_coverage", "population": "ehr_coverage",
}  # fmt: skip
FACT_OF = {
    "online_dossier_rate": "fct_online_dossier_rate",
    "cashless_payment_share": "fct_cashless_payment_share",
    "ehr_coverage": "fct_ehealth_record_coverage",
}
NUMERATORS = ("online_dossiers", "cashless_payments", "ehr_people")  # the denominator follows
NUMERATORS_TO_DENOMINATORS = {
    "online_dossiers": "total_dossiers", "cashless_payments": "total_payments",
    "ehr_people": "population",
}  # fmt: skip
RATE_PAIRS = {
    "online_dossier_rate": ("online_dossiers", "total_dossiers"),
    "cashless_payment_share": ("cashless_payments", "total_payments"),
    "ehr_coverage": ("ehr_people", "population"),
}
BUNDLE = len(SECTORS) * 3 + 7  # observations per region and month: 31

FULL_OLD_COMMUNES = 10_000  # at 10M rows, roughly the real pre-2025 count
NEW_PER_OLD_COMMUNE = 0.33  # ~3,300 communes after the July 2025 merger
MN_SHARE = 0.0025
MAX_CORRECTED_COMMUNES = 8
QUARTERLY_EVERY = 7  # every 7th submitter of each era (in code order) sends quarterly totals
QUARTER_REVISION_SD = 0.004  # a quarterly flow = the sum of its months x N(1, this)
STOCKS = ("ehr_people", "population", "digitized_services")  # over_time `last` in metrics.csv

# per region-month: the share with one bad row, one identical duplicate, one rate mismatch
BAD_BUNDLE_SHARE = 0.27
DUPLICATE_IDENTICAL_SHARE = 0.005
RATE_MISMATCH_SHARE = 0.004
RULE_WEIGHTS = {
    "unparseable_value": 12, "missing_value": 10, "negative_count": 10, "not_an_integer": 10,
    "percent_out_of_range": 10, "unknown_region": 8, "bad_period": 8, "unknown_metric": 10,
    "numerator_exceeds_denominator": 6, "duplicate_conflict": 6,
}  # fmt: skip
RULES = tuple(RULE_WEIGHTS)
RULE_CUMULATIVE = tuple(
    sum(list(RULE_WEIGHTS.values())[: i + 1]) / sum(RULE_WEIGHTS.values())
    for i in range(len(RULE_WEIGHTS))
)
UNPARSEABLE = ("n/a", "#REF!", "NaN", "abc", "12..5", "~500", "x", "#VALUE!")
BAD_PERIODS = ("2024-13", "13/2024", "2024-Q5", "2024.03", "", "24-03", "2023-00", "H3 2024")
UNKNOWN_METRICS = (
    "online_dossier", "dossiers_online", "total_dossier", "cashless_payment", "ehr_persons",
    "populaton", "digitised_services", "online rate", "tong_ho_so",
)  # fmt: skip
UNKNOWN_REGIONS_VN = (
    "VN-00", "VN-99", "VN-36-ABC", "VN-HN-0000X", "Xã Không Xác Định", "Phường Mới Lập",
    "Tỉnh Chưa Rõ", "N/A", "", "VN_36?", "Xa Khong Ro", "Huyện Cũ", "VN-O1", "SG-01",
)  # fmt: skip
UNKNOWN_REGIONS_MN = ("MN-999", "MN-0", "Хархорин", "Эрдэнэт хот", "", "N/A")
NOTES_VN = (
    "số liệu sơ bộ", "đã đối chiếu, chờ phê duyệt", 'ghi chú "tạm tính"',
    "bao gồm hồ sơ liên thông",
)  # fmt: skip
NOTES_MN = ("урьдчилсан мэдээ", "засварласан", "нэгтгэсэн, шалгасан")
SYLLABLES = (
    "An", "Bình", "Tân", "Phú", "Hòa", "Thạnh", "Long", "Phước", "Hưng", "Thuận", "Mỹ", "Đông",
    "Tây", "Nam", "Bắc", "Trung", "Vĩnh", "Hiệp", "Lợi", "Thành", "Sơn", "Hải", "Quang", "Minh",
    "Đức", "Thái", "Yên", "Lạc", "Hồng", "Xuân", "Thọ", "Lộc", "Phong", "Cường", "Định",
    "Khánh", "Nghĩa", "Lập", "Điền", "Hậu", "Tiến", "Thắng", "Châu", "Giang", "Lâm", "Cát",
    "Kim", "Ngọc", "Liên", "Hội", "Đồng", "Tường", "Quý", "Trường", "Vạn", "Thịnh", "Hiếu",
    "Nhân", "Tín", "Lương", "Văn", "Hoàng", "Gia", "Quảng", "Diên", "Kỳ", "Mai", "Trà", "Cẩm",
    "Mường", "Chiềng", "Ea", "Nà", "Sen", "Tam",
)  # fmt: skip
REGION_COLUMNS = (
    "region_code", "level", "parent_code", "country_code", "name_en", "name_local",
    "aliases", "valid_from", "valid_to", "successor_code",
)  # fmt: skip
FIELDS = ("region", "period", "metric", "sector", "value", "unit", "note")
REGION, PERIOD, METRIC, SECTOR, VALUE, UNIT, NOTE = range(7)


# --------------------------------------------------------------------------- regions


@dataclass(frozen=True)
class Region:
    code: str
    level: str
    parent: str
    country: str
    name_en: str
    name_local: str
    aliases: str = ""
    valid_from: str = ""
    valid_to: str = ""
    successor: str = ""

    def valid_on(self, day: date) -> bool:
        return (not self.valid_from or date.fromisoformat(self.valid_from) <= day) and (
            not self.valid_to or date.fromisoformat(self.valid_to) >= day
        )

    def as_row(self) -> list[str]:
        return [
            self.code, self.level, self.parent, self.country, self.name_en, self.name_local,
            self.aliases, self.valid_from, self.valid_to, self.successor,
        ]  # fmt: skip


def read_regions(reference: Path) -> list[Region]:
    """Every region of every CSV in `<reference>/regions/`, as the pipeline's registry reads it."""
    regions = []
    for path in sorted((reference / "regions").glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                values = {c: (row.get(c) or "").strip() for c in REGION_COLUMNS}
                regions.append(
                    Region(
                        code=values["region_code"].upper(), level=values["level"],
                        parent=values["parent_code"].upper(),
                        country=values["country_code"].upper() or values["region_code"].upper(),
                        name_en=values["name_en"], name_local=values["name_local"],
                        aliases=values["aliases"], valid_from=values["valid_from"],
                        valid_to=values["valid_to"], successor=values["successor_code"].upper(),
                    )
                )  # fmt: skip
    return regions


def _ascii(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _cp1251_ok(text: str) -> bool:
    try:
        text.encode("cp1251")
    except UnicodeEncodeError:
        return False
    return True


def _vn_provinces(regions: list[Region]) -> tuple[list[Region], list[Region]]:
    provinces = [r for r in regions if r.country == "VN" and r.level == "province"]
    old = sorted((r for r in provinces if r.valid_on(OLD_LAST_DAY)), key=lambda r: r.code)
    new = sorted((r for r in provinces if r.valid_on(NEW_FIRST_DAY)), key=lambda r: r.code)
    return old, new


@dataclass(frozen=True)
class _Group:
    """A province from July 2025 (None if an old one has no successor) and the old provinces
    it continues or absorbs."""

    new: str | None
    old: tuple[str, ...]

    @property
    def province_rows(self) -> int:
        return (len(self.old) * OLD_MONTHS + (NEW_MONTHS if self.new else 0)) * BUNDLE


def _groups(old: list[Region], new: list[Region]) -> list[_Group]:
    new_codes = {r.code for r in new}
    members: dict[str | None, list[str]] = {r.code: [] for r in new}
    for region in old:
        if region.code in new_codes:
            members[region.code].append(region.code)
        elif region.successor in new_codes:
            members[region.successor].append(region.code)
        else:
            members.setdefault(None, []).append(region.code)
    groups = [_Group(code, tuple(sorted(codes))) for code, codes in members.items() if code]
    groups += [_Group(None, (code,)) for code in members.get(None, [])]

    def order(group: _Group) -> tuple[int, str]:
        if HELPER_SUBMITTER in group.old or group.new == HELPER_SUBMITTER:
            return (0, "")
        return (1 if len(group.old) > 1 else 2, group.new or group.old[0])

    return sorted(groups, key=order)


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class _Task:
    """One submitter over a run of months; `regions` starts with the submitter."""

    submitter: str
    first: int
    last: int  # inclusive
    regions: tuple[str, ...]
    era: str  # old, new, all
    quarterly: bool = False  # the submitter also sends its own quarterly totals

    @property
    def size(self) -> int:
        return len(self.regions) * (self.last - self.first + 1)


@dataclass
class _Plan:
    rows: int
    seed: int
    regions: list[Region]  # the registry plus the generated communes
    communes: list[Region]
    tasks: list[_Task]
    resubmissions: list[tuple[str, int]]
    old_submitters: list[str]
    new_submitters: list[str]
    mn_submitters: list[str]
    quarterly: list[tuple[str, str]]  # (submitter, era) sending quarterly totals


def _apportion(total: int, weights: dict[str, float]) -> dict[str, int]:
    """Split `total` over the keys in proportion to the weights (largest remainders)."""
    if not weights or total <= 0:
        return dict.fromkeys(weights, 0)
    scale = total / sum(weights.values())
    quotas = {k: w * scale for k, w in weights.items()}
    counts = {k: math.floor(q) for k, q in quotas.items()}
    left = total - sum(counts.values())
    for key in sorted(quotas, key=lambda k: (counts[k] - quotas[k], k))[:left]:
        counts[key] += 1
    return counts


def _full_sizes(seed: int, groups: list[_Group]) -> tuple[dict[str, float], dict[str, float]]:
    """Communes per province at the full (~10M rows) scale."""
    weights = {}
    for group in groups:
        for code in group.old:
            weights[code] = math.exp(random.Random(f"{seed}|size|{code}").gauss(0.0, 0.45))
    scale = FULL_OLD_COMMUNES / sum(weights.values())
    full_old = {code: w * scale for code, w in weights.items()}
    full_new = {
        g.new: NEW_PER_OLD_COMMUNE * sum(full_old[c] for c in g.old) for g in groups if g.new
    }
    return full_old, full_new


def _select_groups(groups: list[_Group], target: int) -> list[_Group]:
    """All groups when their provinces alone are at most half the target, else the first
    ones (in `_groups` order) up to half of it: the communes fill the rest."""
    if sum(g.province_rows for g in groups) <= target / 2:
        return groups
    selected, total = [], 0
    for group in groups:
        if selected and total >= target / 2:
            break
        selected.append(group)
        total += group.province_rows
    return selected


def _allocate(
    target: int, groups: list[_Group], full_old: dict[str, float], full_new: dict[str, float]
) -> dict[str, int]:
    """Communes per province (old codes and new codes) for `target` VN rows: old and new
    communes in proportion to their full-scale numbers, and a new commune in every new
    province whose predecessors have old ones (to take them over), as close to `target`
    as whole communes allow."""
    rest = max(0, target - sum(g.province_rows for g in groups))
    old_rows, new_rows = OLD_MONTHS * BUNDLE, NEW_MONTHS * BUNDLE
    old_w = {c: full_old[c] for g in groups for c in g.old}
    new_w = {g.new: full_new[g.new] for g in groups if g.new}
    fo, fn = sum(old_w.values()) * old_rows, sum(new_w.values()) * new_rows
    share = round(rest * fo / (fo + fn) / old_rows) if fo + fn else 0
    best: tuple[int, dict[str, int]] | None = None
    for n_old in range(share, max(-1, share - 4), -1):
        old_counts = _apportion(n_old, old_w)
        needed = {
            g.new for g in groups if g.new and any(old_counts[c] for c in g.old)
        }  # fmt: skip
        free = round((rest - n_old * old_rows) / new_rows) if new_w else 0
        new_counts = _apportion(max(free, len(needed)), new_w)
        for code in sorted(needed):  # a province the apportionment left without one
            if not new_counts[code]:
                donor = max(new_counts, key=lambda k: (new_counts[k] - (k in needed), k))
                new_counts[donor] -= 1
                new_counts[code] = 1
        error = abs(rest - n_old * old_rows - sum(new_counts.values()) * new_rows)
        if best is None or error < best[0]:
            best = (error, {
                **{f"old:{k}": v for k, v in old_counts.items()},
                **{f"new:{k}": v for k, v in new_counts.items()},
            })  # fmt: skip
    assert best is not None
    return best[1]


def _commune_names(seed: int, province: str, count: int, used: set[str]) -> list[str]:
    rng = random.Random(f"{seed}|names|{province}|{len(used)}")
    names: list[str] = []
    while len(names) < count:
        for attempt in range(200):
            words = rng.sample(SYLLABLES, 3 if attempt > 50 else 2)
            roll = rng.random()
            prefix = "Xã" if roll < 0.76 else "Phường" if roll < 0.95 else "Thị trấn"
            name = f"{prefix} {' '.join(words)}"
            key = name_key(name)
            if key not in used:
                used.add(key)
                names.append(name)
                break
        else:
            raise RuntimeError(f"cannot find {count} distinct commune names for {province}")
    return names


def _make_communes(
    seed: int, groups: list[_Group], counts: dict[str, int], by_code: dict[str, Region]
) -> list[Region]:
    """Old communes (until 2025-06-30) and new ones (from 2025-07-01), names unique per province."""
    used: dict[str, set[str]] = {}
    old_of: dict[str, list[tuple[str, str]]] = {}
    for group in groups:
        for province in group.old:
            n = counts[f"old:{province}"]
            rng = random.Random(f"{seed}|codes|{province}")
            numbers = sorted(rng.sample(range(1, 8 * n + 20), n))
            names = _commune_names(seed, province, n, used.setdefault(province, set()))
            old_of[province] = [
                (f"{province}-{num:05d}", nm) for num, nm in zip(numbers, names, strict=True)
            ]
    communes = []
    for group in groups:
        new_list: list[tuple[str, str]] = []
        if group.new:
            n = counts[f"new:{group.new}"]
            rng = random.Random(f"{seed}|codes|{group.new}|new")
            numbers = sorted(rng.sample(range(50_001, 50_001 + 8 * n + 20), n))
            names = _commune_names(seed, group.new, n, used.setdefault(group.new, set()))
            new_list = [
                (f"{group.new}-{num:05d}", nm) for num, nm in zip(numbers, names, strict=True)
            ]
        merged_old = [c for province in group.old for c in old_of[province]]
        for index, (code, name) in enumerate(merged_old):
            successor = new_list[index * len(new_list) // len(merged_old)][0] if new_list else ""
            communes.append(
                Region(code, "commune", code.rsplit("-", 1)[0], "VN", _ascii(name), name,
                       valid_to=OLD_LAST_DAY.isoformat(), successor=successor)
            )  # fmt: skip
        for code, name in new_list:
            communes.append(
                Region(code, "commune", group.new or "", "VN", _ascii(name), name,
                       valid_from=NEW_FIRST_DAY.isoformat())
            )  # fmt: skip
    assert all(by_code.get(c.parent) for c in communes)
    return sorted(communes, key=lambda c: (c.valid_from, c.code))


def _choose_resubmissions(seed: int, rows: int, tasks: list[_Task]) -> list[tuple[str, int]]:
    rng = random.Random(f"{seed}|resubmissions")
    wanted = max(2, min(8, rows // 250_000))
    helper_t = _month_index(HELPER_RESUBMISSION_PERIOD)
    chosen: list[tuple[str, int]] = []
    for era, share in (("old", (wanted + 1) // 2), ("new", wanted // 2)):
        candidates = [
            (task.submitter, t)
            for task in tasks
            if task.era == era
            for t in range(task.first + 1, task.last)
            if not (task.submitter == HELPER_SUBMITTER and t == helper_t)
        ]
        chosen += rng.sample(candidates, min(share, len(candidates)))
    return sorted(chosen)


def _correction_rows(task: _Task) -> int:
    return (1 + min(MAX_CORRECTED_COMMUNES, len(task.regions) - 1)) * BUNDLE


def _quarterly_submitters(groups: list[_Group]) -> list[tuple[str, str]]:
    """Every `QUARTERLY_EVERY`-th submitter of each era in code order, the first included
    (so that every scale has some): (submitter, era)."""
    old = sorted(code for g in groups for code in g.old)
    new = sorted(g.new for g in groups if g.new)
    return [(c, "old") for c in old[::QUARTERLY_EVERY]] + [
        (c, "new") for c in new[::QUARTERLY_EVERY]
    ]


def _quarterly_rows(quarterly: list[tuple[str, str]]) -> int:
    months = {"old": OLD_MONTHS, "new": NEW_MONTHS}
    return sum(months[era] // 3 for _, era in quarterly) * BUNDLE


def _build_tasks(
    groups: list[_Group], communes: list[Region], mn: list[str], quarterly: list[tuple[str, str]]
) -> list[_Task]:
    children: dict[str, list[str]] = {}
    for commune in communes:
        era = "new" if commune.valid_from else "old"
        children.setdefault(f"{era}:{commune.parent}", []).append(commune.code)
    quarterly_set = set(quarterly)
    tasks = []
    for group in groups:
        for province in group.old:
            regions = (province, *children.get(f"old:{province}", []))
            tasks.append(_Task(province, 0, REORG_MONTH - 1, regions, "old",
                               (province, "old") in quarterly_set))  # fmt: skip
        if group.new:
            regions = (group.new, *children.get(f"new:{group.new}", []))
            tasks.append(_Task(group.new, REORG_MONTH, MONTHS - 1, regions, "new",
                               (group.new, "new") in quarterly_set))  # fmt: skip
    tasks += [_Task(code, 0, MONTHS - 1, (code,), "all") for code in mn]
    return tasks


def _mn_aimags(regions: list[Region], rows: int) -> list[str]:
    """Mongolian provinces, those whose Cyrillic name Windows-1251 can hold first."""
    aimags = [r for r in regions if r.country == "MN" and r.level == "province"]
    aimags.sort(key=lambda r: (not _cp1251_ok(r.name_local), r.code))
    wanted = max(1, min(len(aimags), round(rows * MN_SHARE / (MONTHS * BUNDLE))))
    return [r.code for r in aimags[:wanted]]


def _plan(rows: int, seed: int, base: list[Region]) -> _Plan:
    by_code = {r.code: r for r in base}
    old, new = _vn_provinces(base)
    groups = _groups(old, new)
    full_old, full_new = _full_sizes(seed, groups)
    mn = _mn_aimags(base, rows)
    rule_extra = BAD_BUNDLE_SHARE * RULE_WEIGHTS["duplicate_conflict"] / sum(RULE_WEIGHTS.values())
    adjusted = round(rows / (1 + (rule_extra + DUPLICATE_IDENTICAL_SHARE) / BUNDLE))
    wanted_resubmissions = max(2, min(8, rows // 250_000))
    target = adjusted - len(mn) * MONTHS * BUNDLE
    selected = _select_groups(groups, target - wanted_resubmissions * 9 * BUNDLE)
    quarterly = _quarterly_submitters(selected)
    target -= _quarterly_rows(quarterly)  # the quarterly totals are clean, whole bundles
    counts = _allocate(target - wanted_resubmissions * 9 * BUNDLE, selected, full_old, full_new)
    communes = _make_communes(seed, selected, counts, by_code)
    tasks = _build_tasks(selected, communes, mn, quarterly)
    resubmissions = _choose_resubmissions(seed, rows, tasks)
    by_submitter = {(t.submitter, t.era): t for t in tasks}
    corrections = 0
    for submitter, month in resubmissions:
        corrections += _correction_rows(by_submitter[(submitter, _era(month))])
    counts = _allocate(target - corrections, selected, full_old, full_new)
    communes = _make_communes(seed, selected, counts, by_code)
    tasks = _build_tasks(selected, communes, mn, quarterly)
    return _Plan(
        rows=rows, seed=seed, regions=[*base, *communes], communes=communes, tasks=tasks,
        resubmissions=resubmissions,
        old_submitters=[c for g in selected for c in g.old],
        new_submitters=[g.new for g in selected if g.new], mn_submitters=mn,
        quarterly=quarterly,
    )  # fmt: skip


def _era(month: int) -> str:
    return "old" if month < REORG_MONTH else "new"


# --------------------------------------------------------------------------- periods


def _period(month: int) -> str:
    return f"{FIRST_YEAR + month // 12}-{month % 12 + 1:02d}"


def _quarter(month: int) -> str:
    """The quarter that `month` falls in, e.g. `2024-Q2`."""
    return f"{FIRST_YEAR + month // 12}-Q{month % 12 // 3 + 1}"


def _month_index(period: str) -> int:
    year, month = period.split("-")
    return (int(year) - FIRST_YEAR) * 12 + int(month) - 1


def _month_end(month: int) -> date:
    year, number = FIRST_YEAR + month // 12, month % 12 + 1
    following = date(year + number // 12, number % 12 + 1, 1)
    return following - timedelta(days=1)


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class _Params:
    pop0: float
    growth: float
    dossier_pc: float
    shares: tuple[float, ...]
    online: tuple[float, float, float, float]  # logistic: low, high, midpoint month, slope
    bias: tuple[float, ...]
    pay_pc: float
    cash: tuple[float, float, float, float]
    ehr: tuple[float, float, float, float]
    services0: int
    services_step: int
    services_every: int
    services_phase: int


def _logistic(curve: tuple[float, float, float, float], month: int) -> float:
    low, high, mid, slope = curve
    return low + (high - low) / (1.0 + math.exp(-slope * (month - mid)))


def _curve(rng: random.Random, low: tuple[float, float], high: tuple[float, float],
           mid: tuple[float, float], slope: tuple[float, float]) -> tuple[float, ...]:  # fmt: skip
    return (rng.uniform(*low), rng.uniform(*high), rng.uniform(*mid), rng.uniform(*slope))


class _Model:
    """Per-region parameters (from the seed and the region code only) and monthly values."""

    def __init__(self, seed: int, regions: Iterable[Region]) -> None:
        self.seed = seed
        self.regions = {r.code: r for r in regions}
        self.predecessors: dict[str, list[str]] = {}
        for region in self.regions.values():
            if region.successor and region.level == "province":
                self.predecessors.setdefault(region.successor, []).append(region.code)
        self._params: dict[str, _Params] = {}

    def population(self, code: str, month: int) -> float:
        params = self.params(code)
        return params.pop0 * (1.0 + params.growth) ** month

    def params(self, code: str) -> _Params:
        if code not in self._params:
            self._params[code] = self._make_params(code)
        return self._params[code]

    def _make_params(self, code: str) -> _Params:
        region = self.regions[code]
        rng = random.Random(f"{self.seed}|params|{code}")
        growth = rng.uniform(0.0004, 0.0012)
        if region.level == "commune":
            pop0 = math.exp(rng.gauss(math.log(27_000 if region.valid_from else 9_000), 0.5))
            dossier_pc, pay_pc = rng.uniform(0.012, 0.03), rng.uniform(0.004, 0.012)
            services = (rng.randint(40, 140), rng.randint(2, 8), rng.choice((3, 4, 6)))
        else:
            if region.country == "MN":
                pop0 = math.exp(rng.gauss(math.log(90_000), 0.4))
            elif self.predecessors.get(code) and region.valid_from:
                merged = sum(self.population(p, REORG_MONTH) for p in self.predecessors[code])
                pop0 = merged / (1.0 + growth) ** REORG_MONTH
            else:
                pop0 = math.exp(rng.gauss(math.log(1_150_000), 0.45))
            dossier_pc, pay_pc = rng.uniform(0.003, 0.007), rng.uniform(0.002, 0.005)
            services = (rng.randint(900, 1600), rng.randint(15, 60), rng.choice((3, 6)))
        weights = [w * math.exp(rng.gauss(0.0, 0.25)) for w in SECTOR_WEIGHTS]
        return _Params(
            pop0=pop0, growth=growth, dossier_pc=dossier_pc,
            shares=tuple(w / sum(weights) for w in weights),
            online=_curve(rng, (0.2, 0.42), (0.84, 0.97), (8, 30), (0.12, 0.3)),
            bias=tuple(b + rng.gauss(0.0, 0.03) for b in SECTOR_BIAS),
            pay_pc=pay_pc,
            cash=_curve(rng, (0.08, 0.22), (0.55, 0.88), (12, 34), (0.1, 0.25)),
            ehr=_curve(rng, (0.2, 0.45), (0.85, 0.97), (6, 24), (0.12, 0.3)),
            services0=services[0], services_step=services[1], services_every=services[2],
            services_phase=rng.randrange(services[2]),
        )  # fmt: skip

    def bundle(self, code: str, month: int, rng: random.Random) -> list[tuple[str, str, float]]:
        """The 31 observations of one region and month: (metric, sector, value)."""
        p = self.params(code)
        population = round(p.pop0 * (1.0 + p.growth) ** month)
        season = SEASON[month % 12]
        dossiers = population * p.dossier_pc * season
        online_base = _logistic(p.online, month)
        out: list[tuple[str, str, float]] = []
        for sector, share, bias in zip(SECTORS, p.shares, p.bias, strict=True):
            total = max(1, round(dossiers * share * rng.gauss(1.0, 0.08)))
            rate = min(0.995, max(0.01, online_base + bias + rng.gauss(0.0, 0.015)))
            online = round(total * rate)
            out.append(("online_dossiers", sector, online))
            out.append(("total_dossiers", sector, total))
            out.append(("online_dossier_rate", sector, round(100.0 * online / total, 2)))
        payments = max(1, round(population * p.pay_pc * season * rng.gauss(1.0, 0.06)))
        share = min(0.99, max(0.01, _logistic(p.cash, month) + rng.gauss(0.0, 0.01)))
        cashless = round(payments * share)
        ehr = round(population * _logistic(p.ehr, month))
        services = p.services0 + p.services_step * ((month + p.services_phase) // p.services_every)
        out += [
            ("cashless_payments", "all", cashless),
            ("total_payments", "all", payments),
            ("cashless_payment_share", "all", round(100.0 * cashless / payments, 2)),
            ("ehr_people", "all", ehr),
            ("population", "all", population),
            ("ehr_coverage", "all", round(100.0 * ehr / population, 2)),
            ("digitized_services", "all", services),
        ]
        return out


# --------------------------------------------------------------------------- file styles


@dataclass(frozen=True)
class _Style:
    fmt: str  # csv, json
    encoding: str  # utf-8, utf-8-sig, utf-16, cp1251
    delimiter: str = ","
    columns: tuple[int, ...] = (REGION, PERIOD, METRIC, SECTOR, VALUE)
    header_case: str = "lower"
    period_style: str = "iso"
    group_sep: str | None = None
    percent: bool = False
    percent_unit: str = "percent"
    name_share: float = 0.0
    all_sector: str | None = "all"  # what sector `all` is written as; None: left out (JSON)
    newline: str = "\n"
    strings: bool = False  # JSON numbers sometimes written as strings
    period_in_obs: bool = True
    submitted_at: str | None = None
    notes: tuple[str, ...] = NOTES_VN

    @property
    def label(self) -> str:
        if self.fmt == "json":
            return "json"
        delimiter = {",": "comma", ";": "semicolon", "\t": "tab"}[self.delimiter]
        return f"csv-{self.encoding}-{delimiter}"


PLAIN = _Style("csv", "utf-8")


def _submitted_at(rng: random.Random, month: int, extra_days: int = 0) -> str:
    day = _month_end(month) + timedelta(days=rng.randint(2, 15) + extra_days)
    return f"{day.isoformat()}T{rng.randint(7, 17):02d}:{rng.randint(0, 59):02d}:00+07:00"


def _columns(rng: random.Random, unit_share: float, note_share: float) -> tuple[int, ...]:
    columns = [REGION, PERIOD, METRIC, SECTOR, VALUE]
    if rng.random() < unit_share:
        columns.append(UNIT)
    if rng.random() < note_share:
        columns.append(NOTE)
    if rng.random() < 0.35:
        rng.shuffle(columns)
    return tuple(columns)


def _vn_style(rng: random.Random, month: int, needs_submitted_at: bool) -> _Style:
    roll = rng.random()
    columns = _columns(rng, 0.15, 0.25)
    common = {
        "columns": columns,
        "percent": rng.random() < 0.2,
        "percent_unit": rng.choice(("percent", "%")),
        "name_share": rng.choices((0.0, 0.25, 1.0), (0.6, 0.3, 0.1))[0],
    }
    if roll < 0.12:
        return _Style(
            "json", "utf-8", **common, strings=rng.random() < 0.3,
            period_in_obs=rng.random() < 0.4, all_sector=rng.choice((None, None, "all")),
            submitted_at=(_submitted_at(rng, month)
                          if needs_submitted_at or rng.random() < 0.9 else None),
        )  # fmt: skip
    encoding = "utf-16" if roll < 0.19 else "utf-8-sig" if roll < 0.30 else "utf-8"
    delimiter = rng.choices((",", ";", "\t"), (0.72, 0.16, 0.12))[0]
    group_sep = None
    if rng.random() < 0.3:
        options = {",": (",", " ", "\u00a0"), ";": (".", ".", " "), "\t": (",", " ")}
        group_sep = rng.choice(options[delimiter])
    return _Style(
        "csv", encoding, delimiter, **common, group_sep=group_sep,
        header_case=rng.choices(("lower", "title", "upper"), (0.85, 0.1, 0.05))[0],
        period_style=rng.choices(("iso", "mm/yyyy", "yyyy/mm"), (0.84, 0.08, 0.08))[0],
        all_sector=rng.choice(("all", "all", "")),
        newline=rng.choice(("\n", "\n", "\n", "\r\n")),
    )  # fmt: skip


def _mn_style(rng: random.Random) -> _Style:
    delimiter = rng.choices((",", ";"), (0.55, 0.45))[0]
    return _Style(
        "csv", "cp1251", delimiter, columns=(*_columns(rng, 0.0, 0.0), NOTE),
        group_sep=(" " if delimiter == "," else ".") if rng.random() < 0.4 else None,
        percent=rng.random() < 0.2, name_share=0.9, newline="\r\n", notes=NOTES_MN,
    )  # fmt: skip


def _period_text(month: int, style: str) -> str:
    year, number = FIRST_YEAR + month // 12, month % 12 + 1
    if style == "mm/yyyy":
        return f"{number:02d}/{year}"
    if style == "yyyy/mm":
        return f"{year}/{number:02d}"
    return f"{year}-{number:02d}"


def _header(style: _Style) -> list[str]:
    names = [FIELDS[c] for c in style.columns]
    if style.header_case == "title":
        return [n.title() for n in names]
    if style.header_case == "upper":
        return [n.upper() for n in names]
    return names


def _csv_value(value: object, kind: str | None, style: _Style, rng: random.Random) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if kind == "count":
        if style.group_sep and value >= 1000 and rng.random() < 0.6:
            return f"{value:,}".replace(",", style.group_sep)
        return str(value)
    text = f"{value:.2f}"
    if style.delimiter == ";":
        text = text.replace(".", ",")
    return text + "%" if style.percent else text


def _json_value(value: object, kind: str | None, style: _Style, rng: random.Random) -> object:
    if value is None or isinstance(value, str):
        return value
    if style.strings and rng.random() < 0.5:
        if kind == "count":
            return f"{value:,}" if value >= 1000 and rng.random() < 0.5 else str(value)
        return f"{value:.2f}" + ("%" if style.percent else "")
    return value


def _unit(metric: str, style: _Style) -> str:
    return style.percent_unit if KIND.get(metric) == "rate" else "count"


def _csv_bytes(rows: list[list], style: _Style, rng: random.Random) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=style.delimiter, lineterminator=style.newline)
    writer.writerow(_header(style))
    columns = style.columns
    all_sector = style.all_sector or ""
    for row in rows:
        metric = row[METRIC]
        cells = [
            row[REGION], row[PERIOD], metric,
            all_sector if row[SECTOR] == "all" else row[SECTOR],
            _csv_value(row[VALUE], KIND.get(metric), style, rng),
            _unit(metric, style), row[NOTE],
        ]  # fmt: skip
        writer.writerow([cells[c] for c in columns])
    text = buffer.getvalue()
    if style.encoding == "utf-16":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    return text.encode(style.encoding)


def _json_bytes(
    rows: list[list], style: _Style, submitter: str, period: str, rng: random.Random
) -> bytes:
    head = {"submitter": submitter, "period": period}
    if style.submitted_at:
        head["submitted_at"] = style.submitted_at
    lines = []
    for row in rows:
        metric = row[METRIC]
        item: dict[str, object] = {}
        for column in style.columns:
            if column == PERIOD and not style.period_in_obs and row[PERIOD] == period:
                continue
            if column == SECTOR and row[SECTOR] == "all":
                if style.all_sector is not None:
                    item["sector"] = style.all_sector
                continue
            if column == NOTE and not row[NOTE]:
                continue
            if column == VALUE:
                item["value"] = _json_value(row[VALUE], KIND.get(metric), style, rng)
            elif column == UNIT:
                item["unit"] = _unit(metric, style)
            else:
                item[FIELDS[column]] = row[column]
        lines.append(json.dumps(item, ensure_ascii=False))
    opening = json.dumps(head, ensure_ascii=False)[:-1] + ', "observations": [\n'
    return (opening + ",\n".join(lines) + "\n]}\n").encode("utf-8")


# --------------------------------------------------------------------------- bad rows


def _reject(stats: Counter, rule: str, rows: int, metric: str) -> None:
    stats[f"bad:{rule}"] += rows
    if metric in INDICATOR_OF:
        stats[f"reported_only:{INDICATOR_OF[metric]}"] += 1


def _pick(rng: random.Random, rows: list[list], kind: str | None = None) -> int:
    indices = [i for i, r in enumerate(rows) if kind is None or KIND[r[METRIC]] == kind]
    return rng.choice(indices)


def _inject(
    rows: list[list], rng: random.Random, style: _Style, stats: Counter, code: str, mn: bool
) -> None:
    """At most one event per region-month: one bad row (by rule), an identical duplicate,
    or a reported rate that disagrees with its counts."""
    roll = rng.random()
    if roll >= BAD_BUNDLE_SHARE:
        roll -= BAD_BUNDLE_SHARE
        if roll < DUPLICATE_IDENTICAL_SHARE:
            rows.append(list(rows[_pick(rng, rows)]))
            stats["warn:duplicate_identical"] += 1
        elif roll < DUPLICATE_IDENTICAL_SHARE + RATE_MISMATCH_SHARE:
            row = rows[_pick(rng, rows, "rate")]
            shift = round(rng.uniform(1.5, 6.0), 2)
            value = row[VALUE]
            row[VALUE] = round(value + shift if value + shift <= 100 else value - shift, 2)
            stats["warn:rate_mismatch"] += 1
        return
    draw = rng.random()
    rule = RULES[next(i for i, c in enumerate(RULE_CUMULATIVE) if draw < c)]
    if rule in ("negative_count", "not_an_integer"):
        row = rows[_pick(rng, rows, "count")]
        if rule == "negative_count":
            row[VALUE] = -max(1, row[VALUE])
        else:
            row[VALUE] = f"{row[VALUE]}{',' if style.delimiter == ';' else '.'}5"
        _reject(stats, rule, 1, row[METRIC])
    elif rule == "percent_out_of_range":
        row = rows[_pick(rng, rows, "rate")]
        row[VALUE] = round(
            100 + rng.uniform(0.5, 40) if rng.random() < 0.8 else -rng.uniform(0.5, 5), 2
        )
        _reject(stats, rule, 1, row[METRIC])
    elif rule == "numerator_exceeds_denominator":
        numerators = [i for i, r in enumerate(rows) if r[METRIC] in NUMERATORS]
        index = rng.choice(numerators)
        denominator = rows[index + 1][VALUE]
        rows[index][VALUE] = denominator + rng.randint(1, denominator // 10 + 1)
        stats[f"bad:{rule}"] += 2
        stats[f"reported_only:{INDICATOR_OF[rows[index][METRIC]]}"] += 1
    elif rule == "duplicate_conflict":
        copy = list(rows[_pick(rng, rows)])
        value = copy[VALUE]
        if KIND[copy[METRIC]] == "count":
            copy[VALUE] = value + rng.randint(1, 50)
        else:
            copy[VALUE] = round(value + 1.37 if value <= 98 else value - 1.37, 2)
        rows.append(copy)
        _reject(stats, rule, 2, copy[METRIC])
    else:
        row = rows[_pick(rng, rows)]
        metric = row[METRIC]
        if rule == "unparseable_value":
            row[VALUE] = rng.choice(UNPARSEABLE)
        elif rule == "missing_value":
            row[VALUE] = None
        elif rule == "unknown_region":
            row[REGION] = rng.choice(UNKNOWN_REGIONS_MN if mn else UNKNOWN_REGIONS_VN)
        elif rule == "bad_period":  # with the code: a name may need the period to resolve
            row[PERIOD], row[REGION] = rng.choice(BAD_PERIODS), code
        else:  # unknown_metric: a plain number, readable without knowing the metric
            value = row[VALUE]
            row[METRIC] = rng.choice(UNKNOWN_METRICS)
            row[VALUE] = str(value) if KIND[metric] == "count" else f"{value:.2f}"
        _reject(stats, rule, 1, metric)


# --------------------------------------------------------------------------- writing


@dataclass
class _Context:
    seed: int
    landing: Path
    model: _Model
    names: dict[str, dict[str, bool]]  # era -> region code -> its name may be written
    resubmitted: frozenset[tuple[str, int]]


_CONTEXT: _Context | None = None


def _init_worker(context: _Context) -> None:
    global _CONTEXT
    _CONTEXT = context


def _region_text(code: str, usable: bool, style: _Style, rng: random.Random) -> str:
    if not usable or style.name_share == 0 or rng.random() >= style.name_share:
        return code
    name = _CONTEXT.model.regions[code].name_local  # type: ignore[union-attr]
    roll = rng.random()
    if style.encoding == "cp1251" or roll < 0.6:
        return name
    if roll < 0.8:
        return unicodedata.normalize("NFD", name)
    return _ascii(name)


def _month_rows(
    task: _Task, month: int, style: _Style, rng: random.Random, stats: Counter | None,
    regions: tuple[str, ...] | None = None, own: list | None = None,
) -> list[list]:  # fmt: skip
    """All rows of one file; `stats` None means no bad rows (corrections, helper files).
    The submitter's own bundle, before any bad row is injected, is appended to `own`."""
    context = _CONTEXT
    assert context is not None
    usable = context.names[task.era]
    period = _period_text(month, style.period_style)
    mn = style.encoding == "cp1251"
    out: list[list] = []
    for code in regions or task.regions:
        region = _region_text(code, usable.get(code, False), style, rng)
        bundle = context.model.bundle(code, month, rng)
        if own is not None and code == task.submitter:
            own.append(bundle)
        rows = [
            [region, period, metric, sector, value, None, ""] for metric, sector, value in bundle
        ]
        if NOTE in style.columns:
            for row in rows:
                if rng.random() < 0.02:
                    row[NOTE] = rng.choice(style.notes)
            if mn and not out:  # a Cyrillic word in every Windows-1251 file
                rows[0][NOTE] = style.notes[0]
        if stats is not None:
            _inject(rows, rng, style, stats, code, mn)
            stats["bundles"] += 1
        out.extend(rows)
    return out


def _write(path: Path, rows: list[list], style: _Style, submitter: str, month: int,
           rng: random.Random, stats: Counter, period: str | None = None) -> None:  # fmt: skip
    if style.fmt == "json":
        data = _json_bytes(rows, style, submitter, period or _period(month), rng)
    else:
        data = _csv_bytes(rows, style, rng)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    stats["rows"] += len(rows)
    stats["files"] += 1
    stats["bytes"] += len(data)
    stats[f"format:{style.label}"] += 1
    stats[f"rows_format:{style.label}"] += len(rows)


def _run_task(task: _Task) -> Counter:
    context = _CONTEXT
    assert context is not None
    stats: Counter = Counter()
    own: list[list[tuple[str, str, float]]] = []  # the submitter's months of this quarter
    for month in range(task.first, task.last + 1):
        period = _period(month)
        rng = random.Random(f"{context.seed}|file|{task.submitter}|{period}")
        resubmitted = (task.submitter, month) in context.resubmitted
        style = _mn_style(rng) if task.era == "all" else _vn_style(rng, month, resubmitted)
        folder = context.landing / task.submitter / period[:4]
        extension = "json" if style.fmt == "json" else "csv"
        rows = _month_rows(task, month, style, rng, None if resubmitted else stats, own=own)
        if resubmitted:
            stats["bundles"] += len(task.regions)
        _write(folder / f"{period}.{extension}", rows, style, task.submitter, month, rng, stats)
        if resubmitted:
            _write_correction(task, month, style, folder, stats)
        if month % 3 == 2:
            if task.quarterly:
                _write_quarter(task, month, own, folder, stats)
            own = []
    return stats


def _quarter_bundle(months: list[list[tuple[str, str, float]]], rng: random.Random
                    ) -> list[tuple[str, str, float]]:  # fmt: skip
    """A province's own totals for a quarter from its three monthly bundles: each flow the
    sum of its months, revised by a fraction of a percent (the numerator never above its
    denominator), each stock its last month's, each rate computed from the quarter's pair."""
    flows: Counter = Counter()
    for bundle in months:
        for metric, sector, value in bundle:
            if KIND[metric] == "count" and metric not in STOCKS:
                flows[(metric, sector)] += value
    last = {(metric, sector): value for metric, sector, value in months[-1]}
    figures: dict[tuple[str, str], float] = {}
    for metric, sector, _ in months[-1]:
        key = (metric, sector)
        if metric in STOCKS:
            figures[key] = last[key]
        elif KIND[metric] == "count":
            figures[key] = max(1, round(flows[key] * rng.gauss(1.0, QUARTER_REVISION_SD)))
    for numerator in NUMERATORS:
        denominator = NUMERATORS_TO_DENOMINATORS[numerator]
        for key in [k for k in figures if k[0] == numerator]:
            figures[key] = min(figures[key], figures[(denominator, key[1])])
    out = []
    for metric, sector, _ in months[-1]:
        if KIND[metric] == "count":
            out.append((metric, sector, figures[(metric, sector)]))
        else:
            numerator, denominator = RATE_PAIRS[metric]
            pair = figures[(numerator, sector)], figures[(denominator, sector)]
            out.append((metric, sector, round(100.0 * pair[0] / pair[1], 2)))
    return out


def _write_quarter(
    task: _Task, month: int, own: list[list[tuple[str, str, float]]], folder: Path, stats: Counter
) -> None:
    """The submitter's own totals for the quarter ending with `month`, in a file of their
    own: a UTF-8 CSV, or a JSON file stating its `submitted_at` and the quarter as its
    default period."""
    context = _CONTEXT
    assert context is not None
    quarter = _quarter(month)
    assert len(own) == 3, (task.submitter, quarter)
    rng = random.Random(f"{context.seed}|quarter|{task.submitter}|{quarter}")
    if rng.random() < 0.3:
        style = _Style("json", "utf-8", submitted_at=_submitted_at(rng, month, extra_days=10),
                       period_in_obs=False, all_sector=None)  # fmt: skip
    else:
        style = PLAIN
    rows = [
        [task.submitter, quarter, metric, sector, value, None, ""]
        for metric, sector, value in _quarter_bundle(own, rng)
    ]
    name = f"{quarter}.{'json' if style.fmt == 'json' else 'csv'}"
    _write(folder / name, rows, style, task.submitter, month, rng, stats, period=quarter)
    stats["quarter_bundles"] += 1
    stats[f"quarterly:{task.submitter}|{task.era}"] += 1


def _write_correction(
    task: _Task, month: int, original: _Style, folder: Path, stats: Counter
) -> None:
    """A later file for the same month: the province and a few communes, new values."""
    context = _CONTEXT
    assert context is not None
    period = _period(month)
    rng = random.Random(f"{context.seed}|correction|{task.submitter}|{period}")
    regions = task.regions[: 1 + MAX_CORRECTED_COMMUNES]
    if original.fmt == "json":
        style = _Style("json", "utf-8", submitted_at=_submitted_at(rng, month, extra_days=20))
        name = f"{period}_resubmitted.json"
    else:
        style, name = PLAIN, f"{period}_correction.csv"
    rows = _month_rows(task, month, style, rng, None, regions)
    _write(folder / name, rows, style, task.submitter, month, rng, stats)
    stats[f"correction:{task.submitter}|{period}|{folder.name}/{name}"] += 1


# --------------------------------------------------------------------------- names


def _name_usability(regions: list[Region]) -> dict[str, dict[str, bool]]:
    """Per era, whether a region's local name names only that region among the regions
    valid then (else the pipeline would find it ambiguous)."""
    eras = {
        "old": (date(FIRST_YEAR, 1, 1), OLD_LAST_DAY),
        "new": (NEW_FIRST_DAY, _month_end(MONTHS - 1)),
    }
    result: dict[str, dict[str, bool]] = {}
    for era, (start, end) in eras.items():
        live = [r for r in regions if _overlaps(r, start, end)]
        owners: dict[str, set[str]] = {}
        for region in live:
            for spelling in (region.code, region.name_en, region.name_local,
                             *region.aliases.split(";")):  # fmt: skip
                if spelling.strip():
                    owners.setdefault(name_key(spelling), set()).add(region.code)
        result[era] = {
            r.code: len(owners.get(name_key(r.name_local), ())) == 1 and r.country in ("VN", "MN")
            for r in live
            if r.level != "country"
        }
    # submitters of every month write Windows-1251 files (Mongolia): names it can hold
    local = {r.code: r.name_local for r in regions}
    result["all"] = {
        code: ok and result["new"].get(code, False) and _cp1251_ok(local[code])
        for code, ok in result["old"].items()
    }
    return result


def _overlaps(region: Region, start: date, end: date) -> bool:
    return (not region.valid_from or date.fromisoformat(region.valid_from) <= end) and (
        not region.valid_to or date.fromisoformat(region.valid_to) >= start
    )


def _check_unknown_pools(regions: list[Region]) -> None:
    """The spellings used for unknown_region must not name any region."""
    keys = set()
    for region in regions:
        for spelling in (region.code, region.name_en, region.name_local,
                         *region.aliases.split(";")):  # fmt: skip
            if spelling.strip():
                keys.add(name_key(spelling))
    for spelling in (*UNKNOWN_REGIONS_VN, *UNKNOWN_REGIONS_MN):
        if spelling.strip():
            key = name_key(spelling)
            assert key not in keys and loose_key(key) not in keys, spelling


# --------------------------------------------------------------------------- generate


def _reference_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(REFERENCE_SOURCE.rglob("*.csv")):
        digest.update(path.relative_to(REFERENCE_SOURCE).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _parameters(rows: int, seed: int) -> dict[str, object]:
    return {
        "rows": rows,
        "seed": seed,
        "generator_version": GENERATOR_VERSION,
        "reference_sha256": _reference_digest(),
    }


def _write_reference(out: Path, communes: list[Region]) -> None:
    target = out / "reference"
    for path in sorted(REFERENCE_SOURCE.rglob("*.csv")):
        destination = target / path.relative_to(REFERENCE_SOURCE)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(REGION_COLUMNS)
    writer.writerows(c.as_row() for c in communes)
    (target / "regions" / COMMUNES_FILE).write_text(buffer.getvalue(), encoding="utf-8")
    with (target / "reporting_schedules.csv").open("a", encoding="utf-8") as schedules:
        schedules.write(BENCH_SCHEDULE + "\n")


def _workers(rows: int) -> int:
    if rows < 200_000:
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def _run_all(context: _Context, tasks: list[_Task], workers: int) -> Counter:
    ordered = sorted(tasks, key=lambda t: (-t.size, t.submitter, t.first))
    total: Counter = Counter()
    if workers == 1:
        _init_worker(context)
        for task in ordered:
            total.update(_run_task(task))
        return total
    methods = multiprocessing.get_all_start_methods()
    mp = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with mp.Pool(workers, initializer=_init_worker, initargs=(context,)) as pool:
        for stats in pool.imap_unordered(_run_task, ordered, chunksize=1):
            total.update(stats)
    return total


def _manifest(plan: _Plan, stats: Counter, out: Path) -> dict[str, object]:
    bad = {rule: stats.get(f"bad:{rule}", 0) for rule in RULES}
    warnings = {
        "duplicate_identical": stats.get("warn:duplicate_identical", 0),
        "rate_mismatch": stats.get("warn:rate_mismatch", 0),
        "legacy_encoding": sum(v for k, v in stats.items() if k.startswith("format:csv-cp1251")),
    }
    bundles = stats["bundles"] + stats["quarter_bundles"]
    facts = {}
    for indicator, fact in FACT_OF.items():
        keys = bundles * (len(SECTORS) if indicator == "online_dossier_rate" else 1)
        reported = stats.get(f"reported_only:{indicator}", 0)
        facts[fact] = {"rows": keys, "counts_based": keys - reported, "reported_only": reported}
    corrections = sorted(
        k.split(":", 1)[1].split("|") for k in stats if k.startswith("correction:")
    )
    rejected = sum(bad.values())
    return {
        "parameters": _parameters(plan.rows, plan.seed),
        "rows": stats["rows"],
        "files": stats["files"],
        "bytes": stats["bytes"],
        "region_months": stats["bundles"],
        "bad_rows": bad,
        "bad_rows_total": rejected,
        "bad_row_share": round(rejected / stats["rows"], 5) if stats["rows"] else 0.0,
        "warnings": warnings,
        "rows_accepted": stats["rows"] - rejected,  # as marts.submission_files counts them
        "expected_facts": facts,
        "resubmissions": [
            {"submitter": s, "period": p, "file": f"{s}/{p[:4]}/{name.split('/')[-1]}"}
            for s, p, name in corrections
        ],
        "files_by_format": {
            k.split(":", 1)[1]: v for k, v in sorted(stats.items()) if k.startswith("format:")
        },
        "rows_by_format": {
            k.split(":", 1)[1]: v for k, v in sorted(stats.items()) if k.startswith("rows_format:")
        },
        "periods": {
            "first": _period(0),
            "last": _period(MONTHS - 1),
            "reorganisation": _period(REORG_MONTH),
        },  # fmt: skip
        "submitters": {
            "vn_until_2025_06": plan.old_submitters,
            "vn_from_2025_07": plan.new_submitters,
            "mn": plan.mn_submitters,
        },
        "communes": _commune_summary(plan.communes),
        "quarterly_totals": {
            "submitters": [
                {"submitter": s, "era": era, "quarters": stats[f"quarterly:{s}|{era}"]}
                for s, era in plan.quarterly
            ],
            "files": sum(v for k, v in stats.items() if k.startswith("quarterly:")),
            "rows": stats["quarter_bundles"] * BUNDLE,
        },
        "layout": {
            "landing": "landing",
            "reference": "reference",
            "communes_file": f"reference/regions/{COMMUNES_FILE}",
        },
        "helpers": {
            "new_month": {"submitter": HELPER_SUBMITTER, "period": "2026-01"},
            "resubmission": {"submitter": HELPER_SUBMITTER, "period": HELPER_RESUBMISSION_PERIOD},
        },
    }


def _commune_summary(communes: list[Region]) -> dict[str, int]:
    merged = Counter(c.successor for c in communes if c.successor)
    return {
        "until_2025_06": sum(1 for c in communes if not c.valid_from),
        "from_2025_07": sum(1 for c in communes if c.valid_from),
        "with_successor": sum(merged.values()),
        "successors": len(merged),
        "most_merged_into_one": max(merged.values(), default=0),
    }


def generate(rows: int, out: Path, seed: int = DEFAULT_SEED) -> dict:
    """Write a landing zone of about `rows` observations to `out` (landing/, reference/,
    manifest.json; earlier contents of these are replaced) and return the manifest.

    The same arguments always give byte-identical files.
    """
    if rows < 10_000:
        raise ValueError("rows must be at least 10,000")
    out = Path(out)
    for stale in ("landing", "reference"):
        shutil.rmtree(out / stale, ignore_errors=True)
    (out / MANIFEST).unlink(missing_ok=True)
    base = read_regions(REFERENCE_SOURCE)
    plan = _plan(rows, seed, base)
    _check_unknown_pools(plan.regions)
    _write_reference(out, plan.communes)
    context = _Context(
        seed=seed, landing=out / "landing", model=_Model(seed, plan.regions),
        names=_name_usability(plan.regions), resubmitted=frozenset(plan.resubmissions),
    )  # fmt: skip
    stats = _run_all(context, plan.tasks, _workers(rows))
    manifest = _manifest(plan, stats, out)
    partial = out / f".{MANIFEST}.part"
    partial.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    partial.replace(out / MANIFEST)
    return manifest


def ensure_generated(rows: int, cache_root: Path) -> Path:
    """`cache_root/<rows>`, generated with the default seed unless its manifest shows it was
    already generated with the same parameters, generator version and reference files.

    Callers that land more files must work on a copy (see benchmarks/bench.py)."""
    zone = Path(cache_root) / str(rows)
    manifest = zone / MANIFEST
    if manifest.is_file():
        try:
            parameters = json.loads(manifest.read_text(encoding="utf-8")).get("parameters")
        except ValueError:
            parameters = None
        if parameters == _parameters(rows, DEFAULT_SEED):
            return zone
    zone.mkdir(parents=True, exist_ok=True)
    generate(rows, zone, DEFAULT_SEED)
    return zone


# --------------------------------------------------------------------------- helpers


def _helper_context(out: Path, seed: int) -> _Context:
    regions = read_regions(Path(out) / "reference")
    return _Context(
        seed=seed, landing=Path(out) / "landing", model=_Model(seed, regions),
        names={"plain": {}}, resubmitted=frozenset(),
    )  # fmt: skip


def _helper_task(context: _Context, submitter: str, period: str) -> tuple[_Task, int]:
    month = _month_index(period)
    first_day = _month_end(month).replace(day=1)
    regions = context.model.regions
    if submitter not in regions or not _overlaps(regions[submitter], first_day, _month_end(month)):
        raise ValueError(f"{submitter} is not a region valid in {period}")
    children = sorted(
        r.code
        for r in regions.values()
        if r.parent == submitter and r.level == "commune" and r.valid_on(first_day)
    )
    return _Task(submitter, month, month, (submitter, *children), "plain"), month


def _files_for(out: Path, submitter: str, period: str) -> list[Path]:
    folder = Path(out) / "landing" / submitter
    return sorted(p for p in folder.rglob(f"{period}*") if p.is_file())


def write_new_month_file(
    out: Path, submitter: str = HELPER_SUBMITTER, period: str = "2026-01", seed: int = DEFAULT_SEED
) -> Path:
    """Land one UTF-8 CSV for `submitter` and a month with no file yet: the province and its
    communes valid that month, no bad rows. Returns its path."""
    if _files_for(out, submitter, period):
        raise ValueError(f"{submitter} already has a file for {period}")
    if _month_end(_month_index(period)).replace(day=1) > date.today():
        raise ValueError(f"{period} is in the future: the pipeline would reject it")
    context = _helper_context(out, seed)
    task, month = _helper_task(context, submitter, period)
    _init_worker(context)
    rng = random.Random(f"{seed}|new-month|{submitter}|{period}")
    path = Path(out) / "landing" / submitter / period[:4] / f"{period}.csv"
    _write(path, _month_rows(task, month, PLAIN, rng, None), PLAIN, submitter, month, rng,
           Counter())  # fmt: skip
    return path


def write_resubmission(
    out: Path, submitter: str = HELPER_SUBMITTER, period: str = "2025-09", seed: int = DEFAULT_SEED
) -> Path:
    """Land a corrected UTF-8 CSV for a month `submitter` already sent: every region of the
    original month again, with new flows (stocks unchanged). Each call writes a new file
    (`<period>_resubmission_NNN.csv`) with different values. Returns its path."""
    existing = _files_for(out, submitter, period)
    if not existing:
        raise ValueError(f"{submitter} has no file for {period} to resubmit")
    number = 1 + sum(1 for p in existing if p.name.startswith(f"{period}_resubmission_"))
    context = _helper_context(out, seed)
    task, month = _helper_task(context, submitter, period)
    _init_worker(context)
    rng = random.Random(f"{seed}|resubmission|{submitter}|{period}|{number}")
    path = existing[0].parent / f"{period}_resubmission_{number:03d}.csv"
    _write(path, _month_rows(task, month, PLAIN, rng, None), PLAIN, submitter, month, rng,
           Counter())  # fmt: skip
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Generate a benchmark landing zone.")
    parser.add_argument("--rows", type=int, required=True, help="observations to generate")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    manifest = generate(args.rows, args.out, args.seed)
    elapsed = time.perf_counter() - started
    print(
        f"{manifest['rows']:,} rows in {manifest['files']:,} files "
        f"({manifest['bytes'] / 1e6:,.1f} MB), {manifest['bad_rows_total']:,} bad rows "
        f"({100 * manifest['bad_row_share']:.2f}%), written to {args.out} in {elapsed:.1f} s"
    )


if __name__ == "__main__":
    main()
