"""Pinyin keys for searching Chinese names by full pinyin and by initials (张三 ← zhangsan, zs).

The keys are stored beside the name and searched as a prefix range (key >= q AND key < q + MAX), which
both SQLite and PostgreSQL answer from a B-tree index whatever the collation.
"""

from __future__ import annotations

import re

from pypinyin import Style, lazy_pinyin

# Higher than any character a key can hold; closes the prefix range.
PREFIX_END = "\U0010ffff"
_NON_KEY = re.compile(r"[^a-z0-9]")


def _syllables(name: str, style: Style) -> list[str]:
    return [_NON_KEY.sub("", s.lower()) for s in lazy_pinyin(name, style=style, errors="default")]


def keys(name: str) -> tuple[str, str]:
    """Both search keys of a name, (full pinyin, initials), from one reading of it."""
    syllables = _syllables(name, Style.NORMAL)
    return "".join(syllables), "".join(s[:1] for s in syllables if s)


def full_pinyin(name: str) -> str:
    return "".join(_syllables(name, Style.NORMAL))


def initials(name: str) -> str:
    return "".join(s[:1] for s in _syllables(name, Style.NORMAL) if s)


def search_key(query: str) -> str:
    """Normalise what a person typed into the form a pinyin key is stored in."""
    return _NON_KEY.sub("", query.strip().lower())


def is_pinyin_query(query: str) -> bool:
    return bool(query) and query.isascii() and bool(search_key(query))
