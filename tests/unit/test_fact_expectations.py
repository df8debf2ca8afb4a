"""The GX suite on the facts, as the checks run it: a region code outside the registry fails
it, with the registry's codes narrowed to those in the slice (see known_codes)."""

from datetime import date

import pandas as pd
import pytest

from orchestration.defs.quality.mart_checks import known_codes
from orchestration.lib.expectations import run_suite

REGISTRY = {f"VN-{n:02d}" for n in range(1, 64)} | {"MN-035", "UZ-TK"}


def _facts(*region_codes: str) -> pd.DataFrame:
    rows = len(region_codes)
    return pd.DataFrame(
        {
            "region_code": list(region_codes),
            "period": ["2024-03"] * rows,
            "period_type": ["month"] * rows,
            "period_start": [date(2024, 3, 1)] * rows,
            "period_end": [date(2024, 3, 31)] * rows,
            "sector": ["all"] * rows,
            "numerator": [40] * rows,
            "denominator": [80] * rows,
            "rate_pct": [50.0] * rows,
            "reported_rate_pct": [None] * rows,
            "rate_source": ["counts"] * rows,
        }
    )


def test_known_codes_are_the_registrys_codes_in_the_frame() -> None:
    assert known_codes(_facts("VN-01", "VN-02", "VN-01", "XX-99"), REGISTRY) == ["VN-01", "VN-02"]
    assert known_codes(pd.DataFrame({"submitter": ["VN-01"]}), REGISTRY) == []


@pytest.mark.parametrize(
    ("codes", "passes"),
    [
        (("VN-01", "VN-02", "MN-035"), True),
        (("VN-01", "XX-99"), False),  # one unknown code among known ones
        (("XX-99", "XX-98"), False),  # no known code at all: an empty value set
    ],
)
def test_a_region_code_outside_the_registry_fails_the_suite(
    codes: tuple[str, ...], passes: bool
) -> None:
    frame = _facts(*codes)
    outcome = run_suite("indicator_fact", frame, {"region_codes": known_codes(frame, REGISTRY)})
    assert outcome.success is passes, outcome.failed
    if not passes:
        assert [f["column"] for f in outcome.failed] == ["region_code"]
    same = run_suite("indicator_fact", frame, {"region_codes": sorted(REGISTRY)})
    assert same.success is passes
