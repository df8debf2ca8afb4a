"""Turning a submission's bytes into text, or rejecting it (contract section 3, "Encoding").

Accepted: UTF-8 with or without BOM, UTF-16 with BOM, and Windows-1251. A file is
read as Windows-1251 only when every non-ASCII character it decodes to is Cyrillic
(or typographic punctuation Excel writes) and no word mixes Latin and Cyrillic
letters; Latin-1, Shift-JIS and the like are rejected rather than read as garbage.
"""

from __future__ import annotations

import codecs
import re

from orchestration.lib.rules import FileRejected

UTF8 = "utf-8"
UTF8_BOM = "utf-8-bom"
UTF16LE = "utf-16le"
UTF16BE = "utf-16be"
WINDOWS_1251 = "windows-1251"
LEGACY_ENCODINGS = (WINDOWS_1251,)

_CP1251_PUNCTUATION = set("\u00a0«»–—№‘’‚“”„•…€‰‹›§©®°±µ¶·")
_CYRILLIC_LETTERS = set(
    "АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдежзийклмнопрстуфхцчшщъыьэюяЁёЎўІіЇїЄєҐґ"
)
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_WORD = re.compile(r"\w+")
_LATIN = re.compile(r"[A-Za-z]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_MAGIC = {
    b"\x1f\x8b": "a gzip archive",
    b"PK\x03\x04": "a zip archive (perhaps an Excel workbook)",
    b"%PDF": "a PDF document",
    b"\xd0\xcf\x11\xe0": "an old Excel or Word document",
}


def _unreadable(message: str) -> FileRejected:
    return FileRejected("unreadable_file", message)


def _decode_utf16(data: bytes, codec: str, label: str) -> tuple[str, str]:
    try:
        return data[2:].decode(codec), label
    except UnicodeDecodeError as err:
        raise _unreadable(
            f"the file starts with a {label.upper()} byte-order mark but byte {err.start + 2} "
            "is not valid UTF-16"
        ) from None


def _plausible_cp1251(text: str) -> bool:
    """Cyrillic text as Excel writes it: letters of the Russian, Ukrainian, Belarusian and
    Uzbek alphabets, with a little typographic punctuation. Other encodings read as
    Windows-1251 give rare letters (Њ, ћ) and runs of punctuation instead."""
    letters = punctuation = 0
    for ch in text:
        if ch.isascii():
            continue
        if ch in _CYRILLIC_LETTERS:
            letters += 1
        elif ch in _CP1251_PUNCTUATION:
            punctuation += 1
        else:
            return False
    return letters >= 2 * punctuation and not any(
        _LATIN.search(word) and _CYRILLIC.search(word) for word in _WORD.findall(text)
    )


def _mostly_utf8(data: bytes) -> bool:
    """True when most non-ASCII bytes form valid UTF-8 sequences: UTF-8 with a stray bad
    byte, which must not be read as Windows-1251 mojibake."""
    high = sum(1 for b in data if b >= 0x80)
    in_sequences = sum(len(m) for m in _UTF8_SEQUENCE.findall(data))
    return high > 0 and in_sequences * 2 >= high


def decode_submission(data: bytes) -> tuple[str, str]:
    """Return (text, encoding label) or raise FileRejected('unreadable_file')."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise _unreadable("the file is UTF-32, which is not accepted; save it as UTF-8")
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[3:].decode(UTF8), UTF8_BOM
        except UnicodeDecodeError as err:
            raise _unreadable(
                f"the file starts with a UTF-8 byte-order mark but byte {err.start + 3} is not "
                "valid UTF-8"
            ) from None
    if data.startswith(codecs.BOM_UTF16_LE):
        return _decode_utf16(data, "utf-16-le", UTF16LE)
    if data.startswith(codecs.BOM_UTF16_BE):
        return _decode_utf16(data, "utf-16-be", UTF16BE)
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise _unreadable(f"the file is {what}, not CSV or JSON text")
    if b"\x00" in data:
        raise _unreadable(
            "the file contains NUL bytes: it is binary, or UTF-16 without a byte-order mark; "
            "save it as UTF-8"
        )
    try:
        return data.decode(UTF8), UTF8
    except UnicodeDecodeError as err:
        utf8_error = err
    if _mostly_utf8(data):
        raise _unreadable(
            f"byte {utf8_error.start} is not valid UTF-8 (the rest of the file is UTF-8): "
            "the file is damaged or mixes encodings; save it again as UTF-8"
        )
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        text = None
    if text is not None and _plausible_cp1251(text):
        return text, WINDOWS_1251
    raise _unreadable(
        f"byte {utf8_error.start} is not valid UTF-8 and the file is not Cyrillic Windows-1251 "
        "text; save it as UTF-8"
    )
