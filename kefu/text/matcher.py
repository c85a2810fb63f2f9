"""A phrase matcher for quality-inspection word lists: hard to evade, quiet on innocent text.

Agents who steer customers off the platform write ``V 信``, ``ＶＸ``, ``薇信`` or ``扣扣号``
rather than 微信 or QQ号, so a listed phrase also matches (spec/qa.md):

* through inserted spaces, symbols and emoji, full-width forms and case (:mod:`.normalize`);
* through *variants* of its characters: a curated table of look-alike and known evasion
  characters and Latin abbreviations (:data:`CONFUSABLES`: 威/薇/徽 for 微, ``v``/``w`` for
  微, ``x`` for 信, 扣 for ``q`` ...), traditional forms (:data:`TRADITIONAL`), and the pinyin
  of a character spelt out (``weixin``);
* through *homophones*: a character that sounds like the listed one (pypinyin, toneless,
  with the usual zh/z, ing/in ... confusions), for phrases of two Chinese characters or more.

Homophones alone are where false positives come from: "为新用户" and "作为信誉" sound like
微信. So a window that uses a homophone is accepted only with stronger evidence: at least
one variant from the curated table in it as well (威新, v芯), or, for phrases of three
Chinese characters or more, a single homophone with every other character exact (验证马,
银行卡转帐, 神精病).

Each matcher can further require or refuse surroundings, which is what keeps the default
rules precise (see :mod:`.lexicon` for the defaults and why):

* ``whole``: phrases that only count as the whole reply (不知道);
* ``exceptions``: longer phrases that cancel a match they cover (微信支付, 您最好);
* ``context``: words that must be near (返现 only near 好评/晒图/五星 ...);
* ``negations``: words just before (or right after) that cancel it (请勿……透露验证码).

Positions in :class:`Match` are in the original text, so evidence quotes what was written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import Style, lazy_pinyin, pinyin

from kefu.text.normalize import Normalized, is_cjk, is_latin, normalize, normalize_map

__all__ = ["CONFUSABLES", "TRADITIONAL", "Match", "PhraseMatcher"]

# Look-alike characters, known evasion spellings and abbreviations, keyed by the
# normalised character they stand for. Curated: an entry here is strong evidence of an
# evasion, so it must not be a common character in innocent text at the same place.
CONFUSABLES: dict[str, tuple[str, ...]] = {
    "微": ("威", "薇", "徽", "溦", "嶶", "维", "v", "w"),
    "信": ("芯", "伈", "亻言", "x"),
    "v": ("微", "薇", "威", "徽"),
    "q": ("扣", "叩", "抠", "蔻"),
    "加": ("+",),
    "返": ("反",),
    "好": ("女子",),
    "评": ("平", "坪", "苹", "p"),
    "五": ("5", "伍"),
    "晒": ("洒",),
    "密": ("秘", "蜜"),
    "码": ("马", "玛", "石马", "m"),
    "验": ("y",),
    "证": ("z",),
    "账": ("帐",),
    # Initials: zfb (支付宝), yhk (银行卡), yzm (验证码).
    "支": ("z",),
    "付": ("f",),
    "宝": ("b",),
    "银": ("y",),
    "行": ("h",),
    "卡": ("k",),
}

# Traditional forms of the characters in the default word lists (matched as variants).
TRADITIONAL: dict[str, str] = dict(
    pair
    for pair in (
        "驗验 證证 碼码 號号 轉转 賬账 帳账 銀银 線线 評评 現现 曬晒 圖图 絕绝 對对 會会"
        " 國国 級级 頂顶 關关 麼么 聽听 嗎吗 煩烦 隨随 經经 滾滚 寶宝 訴诉 騙骗 貨货"
        " 謝谢 見见 歡欢 時时 還还 親亲 買买 賣卖 給给 過过"
    ).split()
)

# How a window matched a phrase character: the same character, a curated variant
# (table above or traditional form), the pinyin or an abbreviation in Latin letters, or
# a character that merely sounds alike.
_SAME, _VARIANT, _LATIN, _HOMOPHONE = 0, 1, 2, 3

# Dropped from both ends before a ``whole`` phrase is compared: "不知道呢" and "亲，不知道"
# are the same dismissive reply as "不知道".
_WHOLE_FILLERS = frozenset("啊呀呢哦哈了吧嘛噢额哎诶唉嗯喔亲的")


@dataclass(frozen=True, slots=True)
class Match:
    """One listed phrase found in a text: ``text[start:end] == matched``."""

    phrase: str
    matched: str
    start: int
    end: int


@lru_cache(maxsize=20000)
def _sounds(char: str) -> frozenset[str]:
    """Toneless readings of a Chinese character, folded for near-homophones."""
    if not is_cjk(char):
        return frozenset()
    readings = pinyin(char, style=Style.NORMAL, heteronym=True, errors="ignore")
    return frozenset(_fuzzy(r) for r in (readings[0] if readings else ()))


def _fuzzy(reading: str) -> str:
    # The confusions of southern Mandarin that evasions also play on: zh/z, ch/c, sh/s,
    # l/n, and front/back nasals (in/ing, en/eng, an/ang).
    for retroflex in ("zh", "ch", "sh"):
        if reading.startswith(retroflex):
            reading = reading[0] + reading[2:]
            break
    if reading.startswith("l"):
        reading = "n" + reading[1:]
    for back, front in (("ing", "in"), ("eng", "en"), ("ang", "an")):
        if reading.endswith(back):
            return reading[: -len(back)] + front
    return reading


@dataclass(frozen=True, slots=True)
class _Pattern:
    phrase: str  # as listed, for the Match
    units: str  # normalised
    alternatives: tuple[tuple[tuple[str, int], ...], ...]  # per unit: (text, kind)
    sounds: tuple[frozenset[str], ...]  # per unit; empty: no homophones
    cjk: int  # Chinese characters in the phrase

    def accepts(self, kinds: tuple[int, ...]) -> bool:
        homophones = kinds.count(_HOMOPHONE)
        if not homophones:
            return True
        if kinds.count(_VARIANT) + kinds.count(_LATIN):
            return True
        return self.cjk >= 3 and homophones == 1


def _compile(phrase: str, variants: bool) -> _Pattern:
    units = normalize(phrase)
    if not units:
        raise ValueError(f"phrase {phrase!r} has no letter or digit to match")
    cjk = sum(1 for u in units if is_cjk(u))
    # The phrase's own reading in context (信 in 微信 is xin, never its archaic shen);
    # the text's characters are compared with every reading they may have.
    readings = lazy_pinyin(units, errors=lambda chars: list(chars))
    alternatives: list[tuple[tuple[str, int], ...]] = []
    sounds: list[frozenset[str]] = []
    for unit, reading in zip(units, readings, strict=True):
        alts: dict[str, int] = {}
        # Traditional forms are the same word, so they match even without variants.
        for trad, simple in TRADITIONAL.items():
            if simple == unit:
                alts[trad] = _VARIANT
        if variants and len(units) > 1:
            # A one-character phrase (滚, 傻) gets no other variant: 沙 for 傻 would flag 沙发.
            for alt in CONFUSABLES.get(unit, ()):
                alts[alt] = _LATIN if alt.isascii() and alt.isalpha() else _VARIANT
            if cjk >= 2 and is_cjk(unit) and len(reading) > 1:
                # The pinyin spelt out (weixin, fanxian); not one-letter syllables such
                # as e (恶), which would read 京东e卡 as a word.
                alts.setdefault(reading, _LATIN)
        alternatives.append(tuple(alts.items()))
        homophones = variants and cjk >= 2 and is_cjk(unit)
        sounds.append(frozenset({_fuzzy(reading)}) if homophones else frozenset())
    return _Pattern(phrase, units, tuple(alternatives), tuple(sounds), cjk)


@dataclass(slots=True)
class _Candidate:
    pattern: _Pattern
    start: int  # normalised positions
    end: int
    kinds: tuple[int, ...]

    @property
    def weakness(self) -> int:
        return sum(1 for k in self.kinds if k != _SAME)


class PhraseMatcher:
    """Finds listed phrases in a text, evasions included, innocent look-alikes excluded.

    ``context_window`` is measured in normalised characters on either side of a match;
    ``negation_window`` is how many normalised characters may stand between a negation
    and the match after it (a negation right after the match, as in "验证码请勿外传",
    also counts).
    """

    def __init__(
        self,
        phrases: Iterable[str],
        *,
        whole: Iterable[str] = (),
        exceptions: Iterable[str] = (),
        context: Iterable[str] = (),
        context_window: int = 12,
        negations: Iterable[str] = (),
        negation_window: int = 6,
        variants: bool = True,
    ) -> None:
        self.phrases = tuple(phrases)
        self._patterns = tuple(_compile(p, variants) for p in dict.fromkeys(self.phrases))
        self._whole = {}
        for phrase in whole:
            key = normalize(phrase).strip("".join(_WHOLE_FILLERS)) or normalize(phrase)
            if not key:
                raise ValueError(f"phrase {phrase!r} has no letter or digit to match")
            self._whole.setdefault(key, phrase)
        self._exceptions = _normalised_words(exceptions)
        self._context = _normalised_words(context)
        self._negations = _normalised_words(negations)
        self.context_window = context_window
        self.negation_window = negation_window
        # The characters a match can start with, to skip most positions at once.
        self._starts: dict[str, list[_Pattern]] = {}
        self._sound_starts: list[_Pattern] = []
        self._by_char: dict[str, tuple[_Pattern, ...]] = {}
        for pattern in self._patterns:
            firsts = {pattern.units[0]} | {alt[0] for alt, _ in pattern.alternatives[0]}
            for char in firsts:
                self._starts.setdefault(char, []).append(pattern)
            if pattern.sounds[0]:
                self._sound_starts.append(pattern)

    def search(self, text: str) -> Match | None:
        """The first match in ``text``, or None."""
        found = self.find(text)
        return found[0] if found else None

    def find(self, text: str) -> list[Match]:
        """Every match in ``text``, in order; a match inside a longer one is dropped."""
        norm = normalize_map(text)
        matches = self._whole_match(norm)
        if self._patterns and norm.text:
            kept = [c for c in self._candidates(norm) if self._counts(norm, c)]
            matches += [self._to_match(norm, c) for c in _outermost(kept)]
        return sorted(matches, key=lambda m: (m.start, -m.end))

    # -- internals -------------------------------------------------------------------

    def _whole_match(self, norm: Normalized) -> list[Match]:
        if not self._whole or not norm.text:
            return []
        fillers = "".join(_WHOLE_FILLERS)
        core = norm.text.strip(fillers) or norm.text
        phrase = self._whole.get(core)
        if phrase is None:
            return []
        offset = norm.text.index(core)
        start, end = norm.span(offset, offset + len(core))
        return [Match(phrase, norm.original[start:end], start, end)]

    def _patterns_at(self, char: str) -> tuple[_Pattern, ...]:
        """The patterns a match may start with at this character (remembered per character:
        most characters start none, and a message is read by many matchers)."""
        patterns = self._by_char.get(char)
        if patterns is None:
            found = list(self._starts.get(char, ()))
            if self._sound_starts and is_cjk(char):
                sounds = _sounds(char)
                found += [p for p in self._sound_starts if p.sounds[0] & sounds]
            patterns = self._by_char[char] = tuple(dict.fromkeys(found))
        return patterns

    def _candidates(self, norm: Normalized) -> list[_Candidate]:
        text = norm.text
        found = []
        by_char = self._by_char
        for pos, char in enumerate(text):
            patterns = by_char.get(char)
            if patterns is None:
                patterns = self._patterns_at(char)
            for pattern in patterns:
                candidate = _best_path(pattern, norm, pos)
                if candidate is not None:
                    found.append(candidate)
        return found

    def _counts(self, norm: Normalized, cand: _Candidate) -> bool:
        if self._exceptions and self._excepted(norm, cand):
            return False
        if self._context and not self._in_context(norm.text, cand):
            return False
        return not (self._negations and self._negated(norm, cand))

    def _excepted(self, norm: Normalized, cand: _Candidate) -> bool:
        text, units = norm.text, cand.pattern.units
        for word in self._exceptions:
            # The exception read with the matched window in place of the phrase, so
            # "威信支付" is excused by 微信支付 as well.
            offset = word.find(units)
            while offset != -1:
                before, after = word[:offset], word[offset + len(units) :]
                lo, hi = cand.start - len(before), cand.end + len(after)
                if (
                    lo >= 0
                    and text[lo : cand.start] == before
                    and text[cand.end : hi] == after
                    and norm.same_clause(lo, hi)
                ):
                    return True
                offset = word.find(units, offset + 1)
            for start in _occurrences(text, word):
                end = start + len(word)
                if start <= cand.start and end >= cand.end and norm.same_clause(start, end):
                    return True
        return False

    def _in_context(self, text: str, cand: _Candidate) -> bool:
        if any(word in cand.pattern.units for word in self._context):
            # 好评返现 carries its own context, also when written 好平返现.
            return True
        lo = max(0, cand.start - self.context_window)
        hi = cand.end + self.context_window
        return any(word in text[lo:hi] for word in self._context)

    def _negated(self, norm: Normalized, cand: _Candidate) -> bool:
        text, clauses = norm.text, norm.clauses
        lo = max(0, cand.start - self.negation_window)
        for word in self._negations:
            # Before: ending at most negation_window characters before, same clause.
            for start in _occurrences(text, word, lo - len(word), cand.start):
                end = start + len(word)
                if end <= cand.start and clauses[start] == clauses[cand.start]:
                    return True
            # Right after ("验证码请勿外传", "最好不要"), at most one character between.
            for start in _occurrences(text, word, cand.end, cand.end + 1 + len(word)):
                if start - cand.end <= 1 and clauses[start] == clauses[cand.end - 1]:
                    return True
        return False

    def _to_match(self, norm: Normalized, cand: _Candidate) -> Match:
        start, end = norm.span(cand.start, cand.end)
        return Match(cand.pattern.phrase, norm.original[start:end], start, end)


def _normalised_words(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(w for w in dict.fromkeys(normalize(word) for word in words) if w)


def _occurrences(text: str, word: str, lo: int = 0, hi: int | None = None):
    """Start positions of ``word`` lying entirely within ``text[lo:hi]``."""
    lo = max(0, lo)
    hi = len(text) if hi is None else min(hi, len(text))
    start = text.find(word, lo, hi)
    while start != -1:
        yield start
        start = text.find(word, start + 1, hi)


def _best_path(pattern: _Pattern, norm: Normalized, pos: int) -> _Candidate | None:
    """The strongest acceptable reading of ``norm.text`` from ``pos`` as ``pattern``."""
    best: _Candidate | None = None
    text = norm.text
    n = len(text)

    def walk(k: int, p: int, kinds: tuple[int, ...]) -> None:
        nonlocal best
        if k == len(pattern.units):
            if pattern.accepts(kinds) and _bounded(norm, pos, p):
                cand = _Candidate(pattern, pos, p, kinds)
                if best is None or (cand.weakness, -cand.end) < (best.weakness, -best.end):
                    best = cand
            return
        if k:
            # "加+微+信": a kept "+" between two characters of a phrase is filler.
            while p < n and text[p] == "+":
                p += 1
        if p >= n:
            return
        unit, char = pattern.units[k], text[p]
        if char == unit:
            walk(k + 1, p + 1, (*kinds, _SAME))
            if best is not None and best.weakness == 0:
                return
        for alt, kind in pattern.alternatives[k]:
            if text.startswith(alt, p):
                walk(k + 1, p + len(alt), (*kinds, kind))
        sounds = pattern.sounds[k]
        if sounds and char != unit and is_cjk(char) and sounds & _sounds(char):
            walk(k + 1, p + 1, (*kinds, _HOMOPHONE))

    walk(0, pos, ())
    return best


def _bounded(norm: Normalized, start: int, end: int) -> bool:
    """A match does not cut a run of Latin letters or digits written together: ``vx`` is
    not in ``vxe`` nor ``100%`` in ``2100%``, but ``vx`` is in ``ＶＸ：abc``."""
    text, positions = norm.text, norm.positions
    if start > 0 and positions[start] - positions[start - 1] <= 1:
        first, before = text[start], text[start - 1]
        if (is_latin(first) and is_latin(before)) or (first.isdigit() and before.isdigit()):
            return False
    if end < len(text) and positions[end] - positions[end - 1] <= 1:
        last, after = text[end - 1], text[end]
        if (is_latin(last) and is_latin(after)) or (last.isdigit() and after.isdigit()):
            return False
    return True


def _outermost(cands: list[_Candidate]) -> list[_Candidate]:
    """Keeps one match per stretch of text: the longest, then the most literal.

    "好评返现" is reported once, not also as 返现; "加微信" as 微信 (exact), not as 加V
    (a variant) overlapping it.
    """
    ordered = sorted(cands, key=lambda c: (c.start - c.end, c.weakness, c.start))
    kept: list[_Candidate] = []
    for cand in ordered:
        if any(k.start < cand.end and cand.start < k.end for k in kept):
            continue
        kept.append(cand)
    return kept
