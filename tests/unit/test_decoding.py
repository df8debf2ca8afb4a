"""Unit tests for orchestration.lib.decoding.decode_submission (contract section 3, encoding)."""

from __future__ import annotations

import codecs
import gzip
import io
import zipfile

import pytest

from orchestration.lib.decoding import (
    LEGACY_ENCODINGS,
    UTF8,
    UTF8_BOM,
    UTF16BE,
    UTF16LE,
    WINDOWS_1251,
    decode_submission,
)
from orchestration.lib.rules import FileRejected

CSV_VN = "region,period,metric,value\nNinh Thuận,2024-Q1,population,1000\n"
CSV_MN = "region,period,metric,value\nДархан-Уул,2024-Q1,population,1000\n"
CSV_UZ = "region,period,metric,value\nOʻzbekiston,2024-Q1,population,1000\n"


def test_labels():
    assert (UTF8, UTF8_BOM, UTF16LE, UTF16BE, WINDOWS_1251) == (
        "utf-8",
        "utf-8-bom",
        "utf-16le",
        "utf-16be",
        "windows-1251",
    )
    assert LEGACY_ENCODINGS == ("windows-1251",)


ACCEPTED = [
    # id, bytes, expected text, expected label
    ("ascii", b"a,b\n1,2\n", "a,b\n1,2\n", UTF8),
    ("utf8-vn", CSV_VN.encode(), CSV_VN, UTF8),
    ("utf8-mn", CSV_MN.encode(), CSV_MN, UTF8),
    ("utf8-uz", CSV_UZ.encode(), CSV_UZ, UTF8),
    ("utf8-nfd", "Ninh Thua\u0323\u0302n".encode(), "Ninh Thua\u0323\u0302n", UTF8),
    ("utf8-bom", codecs.BOM_UTF8 + CSV_VN.encode(), CSV_VN, UTF8_BOM),
    ("utf8-bom-only", codecs.BOM_UTF8, "", UTF8_BOM),
    ("utf16le-bom", codecs.BOM_UTF16_LE + CSV_VN.encode("utf-16-le"), CSV_VN, UTF16LE),
    ("utf16be-bom", codecs.BOM_UTF16_BE + CSV_VN.encode("utf-16-be"), CSV_VN, UTF16BE),
    ("utf16le-mn", codecs.BOM_UTF16_LE + CSV_MN.encode("utf-16-le"), CSV_MN, UTF16LE),
    ("utf16be-mn", codecs.BOM_UTF16_BE + CSV_MN.encode("utf-16-be"), CSV_MN, UTF16BE),
    ("cp1251-mn", CSV_MN.encode("cp1251"), CSV_MN, WINDOWS_1251),
    (
        "cp1251-punctuation",
        "region,note\nДархан,«тест» — №5 …\n".encode("cp1251"),
        "region,note\nДархан,«тест» — №5 …\n",
        WINDOWS_1251,
    ),
    ("cp1251-euro", "Цена 5€\n".encode("cp1251"), "Цена 5€\n", WINDOWS_1251),
    (
        "cp1251-russian-alias",
        "region\nДжизакская область\n".encode("cp1251"),
        "region\nДжизакская область\n",
        WINDOWS_1251,
    ),
]


@pytest.mark.parametrize(
    ("data", "text", "label"), [c[1:] for c in ACCEPTED], ids=[c[0] for c in ACCEPTED]
)
def test_accepted(data, text, label):
    assert decode_submission(data) == (text, label)


def test_utf16_helper_matches_python_utf16_codec():
    # Python's own 'utf-16' codec writes a BOM in native (little-endian here) order
    data = CSV_MN.encode("utf-16")
    text, label = decode_submission(data)
    assert text == CSV_MN
    assert label in (UTF16LE, UTF16BE)


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.csv", CSV_VN)
    return buffer.getvalue()


REJECTED = [
    # id, bytes, a fragment of the message
    ("latin1-muller", "region\nMüller\n".encode("latin-1"), "not valid UTF-8"),
    ("latin1-cafe", "region\nCafé\n".encode("latin-1"), "not valid UTF-8"),
    ("latin1-sao-paulo", "São Paulo,2024".encode("latin-1"), "not valid UTF-8"),
    ("latin1-strasse", "Straße".encode("latin-1"), "not valid UTF-8"),
    ("latin1-csv", "region,period\nMünchen,2024\n".encode("latin-1"), "not valid UTF-8"),
    ("cp1252-vn", "Khánh Hòa".encode("cp1252"), "not valid UTF-8"),
    ("sjis-katakana", "テスト".encode("shift_jis"), "not valid UTF-8"),
    ("sjis-data", "データ".encode("shift_jis"), "not valid UTF-8"),
    ("sjis-hokkaido", "北海道".encode("shift_jis"), "not valid UTF-8"),
    ("sjis-population", "人口".encode("shift_jis"), "not valid UTF-8"),
    ("sjis-online", "region\nオンライン申請\n".encode("shift_jis"), "not valid UTF-8"),
    ("utf8-stray-byte-vn", CSV_VN.encode().replace(b"Ninh", b"Ni\xffnh"), "not valid UTF-8"),
    ("utf8-stray-0x98-mn", CSV_MN.encode()[:-1] + b"\x98\n", "not valid UTF-8"),
    ("utf8-truncated", "Thuận".encode()[:-2], "not valid UTF-8"),
    ("cp1251-mixed-word", "region\nНinh Thuan\n".encode("cp1251"), "not valid UTF-8"),
    ("bom-then-invalid", codecs.BOM_UTF8 + b"abc\xff", "UTF-8 byte-order mark"),
    ("utf16le-odd-length", codecs.BOM_UTF16_LE + b"a\x00b", "UTF-16LE byte-order mark"),
    ("utf16le-lone-surrogate", codecs.BOM_UTF16_LE + b"\x00\xd8a\x00", "not valid UTF-16"),
    ("utf16be-lone-surrogate", codecs.BOM_UTF16_BE + b"\xd8\x00\x00a", "UTF-16BE"),
    ("gzip", gzip.compress(CSV_VN.encode(), mtime=0), "gzip"),
    ("zip", _zip_bytes(), "zip"),
    ("pdf", b"%PDF-1.4\n...", "PDF"),
    ("ole", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 8, "old Excel"),
    ("nul", b"region\x00,period\n", "NUL"),
    ("utf16le-no-bom", CSV_VN.encode("utf-16-le"), "NUL"),
    ("utf16be-no-bom", CSV_VN.encode("utf-16-be"), "NUL"),
]


@pytest.mark.parametrize(
    ("data", "fragment"), [c[1:] for c in REJECTED], ids=[c[0] for c in REJECTED]
)
def test_rejected(data, fragment):
    with pytest.raises(FileRejected) as info:
        decode_submission(data)
    assert info.value.rule == "unreadable_file"
    assert fragment in info.value.message
    assert str(info.value) == info.value.message


def test_invalid_byte_position_is_reported():
    data = b"abc,def\n" + b"\xff" + "Thuận".encode()
    with pytest.raises(FileRejected) as info:
        decode_submission(data)
    assert "byte 8 " in info.value.message


def test_magic_is_checked_before_nul_bytes():
    with pytest.raises(FileRejected) as info:
        decode_submission(gzip.compress(b"\x00" * 100))
    assert "gzip" in info.value.message


def test_bom_wins_over_magic_and_nul():
    # UTF-16 text is full of NUL bytes, which must not reject it when a BOM is present
    data = codecs.BOM_UTF16_LE + "a,b\n".encode("utf-16-le")
    assert decode_submission(data) == ("a,b\n", UTF16LE)


@pytest.mark.parametrize(
    "text", ["東京都", "日本語", "こんにちは", "大阪府", "名前", "沖縄県", "地域"]
)
def test_shift_jis_is_never_read_as_windows_1251(text: str) -> None:
    data = f"region,period,metric,value,note\nVN-HN,2024,online_dossiers,1,{text}\n".encode(
        "shift_jis"
    )
    with pytest.raises(FileRejected) as rejected:
        decode_submission(data)
    assert rejected.value.rule == "unreadable_file"


@pytest.mark.parametrize("name", ["Дархан-Уул", "Өвөрхангай", "Hà Nội"])
def test_utf8_with_one_bad_byte_is_rejected_not_read_as_windows_1251(name: str) -> None:
    data = f"region,period,metric,value\n{name},2024-Q1,population,1000\n".encode() + b"\xff"
    with pytest.raises(FileRejected) as rejected:
        decode_submission(data)
    assert rejected.value.rule == "unreadable_file"
    assert "not valid UTF-8" in rejected.value.message


def test_windows_1251_with_typographic_punctuation_is_read() -> None:
    text = "region;note\nУлаанбаатар;безналичные «платежи» — №5\n"
    assert decode_submission(text.encode("cp1251")) == (text, "windows-1251")
