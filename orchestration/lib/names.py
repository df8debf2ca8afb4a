"""Region-name keys: one spelling-insensitive key per name, in any script.

"Ninh Thuận", "ninh thuan", "NINH-THUAN" and "Ninh  Thuận" (NFD) share a key, as do
"Дархан уул" and "Дархан-Уул". A Latin name typed with a few Cyrillic look-alike
letters is read as Latin.
"""

from __future__ import annotations

import re
import unicodedata

_LOOKALIKES = str.maketrans(
    {
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
        "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s",
    }
)  # fmt: skip
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_.,/()]+")
_APOSTROPHES = re.compile(r"[ʻʼ'’‘`´ŉ]")
# Generic designations a name may carry (contract section 3), as name_key spells them
# ("аймаг" without its breve): "Tỉnh Khánh Hòa", "TP. Hồ Chí Minh", "Төв аймаг",
# "Toshkent viloyati", "Ташкентская область", "Quận 1", "Huyện Mê Linh".
_PREFIXES = (
    "tinh ",
    "thanh pho ",
    "tp ",
    "quan ",
    "huyen ",
    "thi xa ",
    "xa ",
    "phuong ",
    "thi tran ",
    "province of ",
    "city of ",
    "г ",
    "город ",
)
_SUFFIXES = (
    " province",
    " city",
    " region",
    " district",
    " aimag",
    " aimak",
    " аимаг",
    " хот",
    " сум",
    " дүүрэг",
    " viloyati",
    " viloyat",
    " shahri",
    " tumani",
    " вилояти",
    " шаҳри",
    " тумани",
    " область",
    " обл",
    " город",
    " район",
)


def _is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff"


def name_key(name: str) -> str:
    """Return the comparison key of a region name or code."""
    text = unicodedata.normalize("NFKC", _APOSTROPHES.sub("", name)).casefold()
    text = text.replace("đ", "d")
    text = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
    text = unicodedata.normalize("NFC", text)
    letters = [ch for ch in text if ch.isalpha()]
    latin = sum(1 for ch in letters if ch.isascii())
    if latin and latin >= len(letters) - latin:
        text = text.translate(_LOOKALIKES)
    return _SEPARATORS.sub(" ", text).strip()


def loose_key(key: str) -> str:
    """A key without its generic designation ("Tỉnh …", "… province"): for a name and for
    every registry spelling, compared when the name's own key matches no spelling."""
    for prefix in _PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix):
            key = key[len(prefix) :]
            break
    for suffix in _SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            key = key[: -len(suffix)]
            break
    return key.strip()
