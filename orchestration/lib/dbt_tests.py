"""What Dagster shows of a dbt test: its description and its messages.

A test's description is its own `description` (dbt 1.11 takes one on any data test) or,
for the many instances of a generic test, one sentence per generic test filled in with
the test's arguments."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# one per generic test the project uses (dbt's built-ins and dbt_project/tests/generic/);
# a test of any other has no description, which tests/unit/test_dbt_tests.py forbids
DESCRIPTIONS = {
    "not_null": "{column_name} is never null",
    "not_null_columns": "Never null: {columns}",
    "unique": "No two rows have the same {column_name}",
    "accepted_values": "{column_name} is one of: {values}",
    "relationships": "Every {column_name} is a {field} of {to}",
    "unique_combination": "No two rows have the same {columns}",
    "expression_true": "Every row satisfies: {expression}",
    "value_between": "{column_name} is between {min_value} and {max_value} (or null)",
}

_REF = re.compile(r"""^\s*ref\(\s*['"]([^'"]+)['"]\s*\)\s*$""")
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")


def _shown(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_shown(v) for v in value)
    text = " ".join(str(value).split())
    ref = _REF.match(text)
    return ref.group(1) if ref else text


def describe_test(test: Mapping[str, Any]) -> str | None:
    """The description of a dbt test node of the manifest: its own, or its generic test's
    sentence with its arguments (and its `where` config); None when it has neither."""
    if test.get("description"):
        return test["description"]
    metadata = test.get("test_metadata") or {}
    template = DESCRIPTIONS.get(metadata.get("name", ""))
    if template is None:
        return None
    arguments = {k: _shown(v) for k, v in metadata.get("kwargs", {}).items() if k != "model"}
    where = (test.get("config") or {}).get("where")
    return template.format_map(arguments) + (f" (rows where {_shown(where)})." if where else ".")


def strip_ansi(text: str) -> str:
    """`text` without terminal colour codes (dbt colours its console messages)."""
    return _ANSI.sub("", text)
