"""Text normalisation for matching chat messages against word lists.

Quality inspection matches words "after normalisation" (spec/qa.md): full-width forms
become half-width, letters are case-folded, and everything that is neither a letter nor a
digit is dropped, so that the usual evasions (``V 信``, ``ＶＸ``, ``加-V``, ``微.信``, an
emoji between two characters) read like the word they hide. ``%`` and ``+`` are kept:
``100%`` is a claim of its own and ``+V`` means "add on V(微信)".

Evidence must quote what the agent really wrote, so :func:`normalize_map` also keeps,
for every normalised character, the index of the original character it came from, and
where the original had a clause break (a sentence or clause punctuation mark, a space or
a line break): a phrase may be hidden across one, but an exception ("微信支付") or a
negation ("请勿……") only counts inside one clause.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Normalized", "is_cjk", "is_latin", "normalize", "normalize_map"]

# Kept although they are symbols: they carry meaning in the default word lists.
KEPT_SYMBOLS = frozenset("%+")

# Characters (after NFKC) that end a clause. Full stops are left out: "微.信" is an
# evasion far more often than a sentence end without a space.
CLAUSE_BREAKS = frozenset(",;!?~\n\r\t 、。！？；，…～")


@dataclass(frozen=True, slots=True)
class Normalized:
    """A normalised text with the way back to the original.

    ``positions[i]`` is the index in ``original`` of the character that normalised
    character ``i`` came from; ``clauses[i]`` counts the clause breaks before it, so two
    normalised characters are in the same clause when their ``clauses`` are equal.
    """

    original: str
    text: str
    positions: tuple[int, ...]
    clauses: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original-text span covering normalised characters ``start:end``."""
        if start >= end:
            raise ValueError("empty span")
        return self.positions[start], self.positions[end - 1] + 1

    def same_clause(self, start: int, end: int) -> bool:
        """Whether normalised characters ``start:end`` lie in one clause."""
        return end <= start or self.clauses[start] == self.clauses[end - 1]


@lru_cache(maxsize=4096)
def _fold(char: str) -> tuple[str, bool]:
    """(kept normalised characters, is a clause break) for one original character."""
    folded = unicodedata.normalize("NFKC", char).casefold()
    kept = "".join(c for c in folded if _keep(c))
    is_break = char in CLAUSE_BREAKS or char.isspace() or any(c in CLAUSE_BREAKS for c in folded)
    return kept, is_break


def _keep(char: str) -> bool:
    if char in KEPT_SYMBOLS:
        return True
    category = unicodedata.category(char)
    # Letters and digits only: punctuation (P*), symbols and emoji (S*), marks such as
    # variation selectors (M*), spaces (Z*) and zero-width/format characters (C*) go.
    return category[0] == "L" or category[0] == "N"


@lru_cache(maxsize=8192)  # inspection reads each message with a dozen rules: normalise it once
def normalize_map(text: str) -> Normalized:
    """Normalise ``text`` and keep the map back to its original positions."""
    out: list[str] = []
    positions: list[int] = []
    clauses: list[int] = []
    clause = 0
    for index, char in enumerate(text):
        kept, is_break = _fold(char)
        if is_break:
            clause += 1
        for c in kept:
            out.append(c)
            positions.append(index)
            clauses.append(clause)
    return Normalized(text, "".join(out), tuple(positions), tuple(clauses))


def normalize(text: str) -> str:
    """Full-width to half-width (NFKC), case folded, only letters, digits, ``%``, ``+``.

    >>> normalize("加 Ｖ-信：ABC")
    '加v信abc'
    """
    return "".join(_fold(char)[0] for char in text)


def is_cjk(char: str) -> bool:
    """A Chinese character (CJK unified ideographs and their extensions)."""
    code = ord(char)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x3134F
        or 0xF900 <= code <= 0xFAFF
    )


def is_latin(char: str) -> bool:
    """An ASCII letter (after normalisation, the only Latin letters that matter)."""
    return "a" <= char <= "z"
