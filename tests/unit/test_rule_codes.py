"""The rule codes are declared once, in rules.py; the dbt tests that accept them must agree."""

from __future__ import annotations

from pathlib import Path

import yaml

from orchestration.lib.rules import FILE_RULES, SEVERITY_BY_RULE, WARNING, WARNING_RULES

MODELS = Path(__file__).resolve().parents[2] / "dbt_project" / "models"
# warnings about a whole file, recorded with the file's own findings (staging)
FILE_WARNINGS = {"legacy_encoding", "future_submitted_at"}


def _accepted(folder: str, model: str, column: str) -> set[str]:
    spec = yaml.safe_load((MODELS / folder / "_models.yml").read_text())
    (found,) = [m for m in spec["models"] if m["name"] == model]
    (col,) = [c for c in found["columns"] if c["name"] == column]
    (test,) = [t["accepted_values"] for t in col["data_tests"] if "accepted_values" in t]
    return set(test["arguments"]["values"])


def test_data_quality_issues_accepts_exactly_the_declared_rules() -> None:
    assert _accepted("marts", "data_quality_issues", "rule") == set(SEVERITY_BY_RULE)


def test_file_issues_accept_the_file_rules_and_the_file_warnings() -> None:
    assert set(WARNING_RULES) >= FILE_WARNINGS
    assert all(SEVERITY_BY_RULE[rule] == WARNING for rule in FILE_WARNINGS)
    expected = set(FILE_RULES) | FILE_WARNINGS
    assert _accepted("staging", "stg_landing__file_issues", "rule") == expected
