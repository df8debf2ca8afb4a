"""The data-quality rule codes of the contract (section 5) and how severe each one is."""

from __future__ import annotations

from dataclasses import dataclass

FILE_REJECTED = "file_rejected"
ROW_REJECTED = "row_rejected"
WARNING = "warning"

FILE_RULES = (
    "unreadable_file",
    "empty_file",
    "missing_columns",
    "duplicate_columns",
    "submitter_mismatch",
    "file_too_large",
)
ROW_RULES = (
    "unknown_region",
    "region_not_owned",
    "region_not_valid_in_period",
    "bad_period",
    "future_period",
    "unknown_metric",
    "missing_value",
    "unparseable_value",
    "negative_count",
    "not_an_integer",
    "percent_out_of_range",
    "unit_mismatch",
    "duplicate_conflict",
    "numerator_exceeds_denominator",
)
WARNING_RULES = (
    "duplicate_identical",
    "rate_mismatch",
    "legacy_encoding",
    "future_submitted_at",
    "total_mismatch",
    "outlier_value",
)

SEVERITY_BY_RULE: dict[str, str] = {
    **{rule: FILE_REJECTED for rule in FILE_RULES},
    **{rule: ROW_REJECTED for rule in ROW_RULES},
    **{rule: WARNING for rule in WARNING_RULES},
}


@dataclass(frozen=True)
class Finding:
    """One data-quality finding about a file (row_number None) or one of its rows."""

    rule: str
    message: str
    row_number: int | None = None
    field: str | None = None
    raw_value: str | None = None

    @property
    def severity(self) -> str:
        return SEVERITY_BY_RULE[self.rule]


class FileRejected(Exception):
    """Raised by readers when a whole file must be rejected under a file-level rule."""

    def __init__(self, rule: str, message: str) -> None:
        assert rule in FILE_RULES, rule
        super().__init__(message)
        self.rule = rule
        self.message = message

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        """Pickle as (rule, message): rejections travel back from parsing processes."""
        return FileRejected, (self.rule, self.message)
