"""Pinyin keys for searching Chinese names by full pinyin and by initials (张三 ← zhangsan, zs).

The keys are stored beside the name and searched as a prefix range (key >= q AND key < q + MAX), which
both SQLite and PostgreSQL answer from a B-tree index whatever the collation.
"""

from __future__ import annotations

import re

from pypinyin import Style, lazy_pinyin
from pypinyin.constants import RE_HANS
from pypinyin.seg import mmseg

# Higher than any character a key can hold; closes the prefix range.
PREFIX_END = "\U0010ffff"
_NON_KEY = re.compile(r"[^a-z0-9]")


def _syllables(name: str, style: Style) -> list[str]:
    return [_NON_KEY.sub("", s.lower()) for s in lazy_pinyin(name, style=style, errors="default")]


def keys(name: str) -> tuple[str, str]:
    """Both search keys of a name, (full pinyin, initials), from one reading of it."""
    syllables = _syllables(name, Style.NORMAL)
    return "".join(syllables), "".join(s[:1] for s in syllables if s)


class KeyCache:
    """`keys()` for many names, as a bulk writer (the roster import) needs them: each distinct name is
    read once, and a name of Chinese characters none of whose neighbouring pairs begins one of pypinyin's
    phrases is put together from its characters' readings, each read once.

    That shortcut gives exactly what `keys()` gives: pypinyin cuts such a name into single characters
    (its phrase matcher finds no phrase to start), and reads each on its own. Any other name (a phrase
    inside, Latin letters, a middle dot) goes through `keys()` whole. Keep one per batch of work, not
    for the life of the process: it holds every name it has seen."""

    def __init__(self):
        self._names: dict[str, tuple[str, str]] = {}
        self._chars: dict[str, str] = {}
        prefixes = getattr(mmseg.seg, "_prefix_set", None)
        self._prefixes = prefixes if prefixes is not None and hasattr(prefixes, "__contains__") else None

    def keys(self, name: str) -> tuple[str, str]:
        found = self._names.get(name)
        if found is None:
            found = self._names[name] = self._read(name)
        return found

    def _read(self, name: str) -> tuple[str, str]:
        prefixes = self._prefixes
        if (
            prefixes is None
            or not RE_HANS.fullmatch(name)
            or any(name[i : i + 2] in prefixes for i in range(len(name) - 1))
        ):
            return keys(name)
        chars = self._chars
        syllables = []
        for char in name:
            syllable = chars.get(char)
            if syllable is None:
                syllable = chars[char] = _syllables(char, Style.NORMAL)
                if len(syllable) != 1:
                    # Not one reading for one character: no shortcut for this name.
                    del chars[char]
                    return keys(name)
                syllable = chars[char] = syllable[0]
            syllables.append(syllable)
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
