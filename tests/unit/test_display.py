"""Invisible characters in messages: Python's shown() and SQL's raw.shown() agree."""

import sys
import unicodedata
from collections.abc import Callable, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestration.lib import state
from orchestration.lib.display import shown

# every code point of the categories shown() escapes, and a few that it keeps
SAMPLES = [chr(c) for c in range(sys.maxunicode + 1)
           if unicodedata.category(chr(c)) in {"Cc", "Cf", "Co", "Zl", "Zp", "Zs"}
           and not 0xE000 <= c < 0xF8FF and c < 0xF0000]  # fmt: skip
SAMPLES += ["\ue000", "\U000f0000", "a", " ", "é", "Ё", "٣", "😀", "\u0301"]


@pytest.fixture(scope="module")
def sql(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], str]]:
    with state.connect(tmp_path_factory.mktemp("display") / "state.duckdb") as conn:
        yield lambda value: conn.execute("select raw.shown(?)", [value]).fetchone()[0]


def test_python_and_sql_escape_the_same_characters(sql) -> None:
    for ch in SAMPLES:
        assert sql(f"VN-HN{ch}x") == shown(f"VN-HN{ch}x"), hex(ord(ch))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_agreement_on_any_text(sql, text: str) -> None:
    text = text.encode("utf-8", "ignore").decode("utf-8")  # no lone surrogates in SQL
    assert sql(text) == shown(text)


def test_what_a_clerk_sees() -> None:
    assert shown("VN-HN\u200b") == "VN-HN\\u200b"
    assert shown("Hà Nội") == "Hà Nội"
    assert shown("a\u00a0b c") == "a\\u00a0b c"
    assert shown("\u202eNH-NV") == "\\u202eNH-NV"
