"""Aspect-level opinions: which aspect a text talks about, what it says, which polarity.

"包装太随便了" → aspect 包装, opinion 太随便了, category 包装, polarity negative.

:class:`AspectExtractor` works from two lexicons:

* aspect words → issue category: :data:`~kefu.insights.text.taxonomy.DEFAULT_ASPECTS`,
  plus the aspect words learned from annotated examples (:meth:`AspectExtractor.fit`);
* opinion words (很好, 太随便了, 差一些 ...): learned from the same annotations, plus a
  few defaults.

An aspect is the longest listed aspect word in a clause; its opinion is the longest
known opinion word in the rest of that clause (after the aspect, else before it), and
without one the words after the aspect up to the clause's end (at most
``max_opinion`` characters, filler such as 的/了 trimmed). The polarity comes from the
sentiment model on "aspect + opinion" when one is trained, else from the word lists of
:func:`kefu.text.sentiment.complaint_words_score`.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from kefu.insights.text.taxonomy import DEFAULT_ASPECTS

__all__ = ["AspectExtractor", "AspectOpinion", "naive_extract"]

_CLAUSE = re.compile(r"[^,.;!?~，。；！？、…～\s]+")
_TRIM = "的了啊呀哦吧呢啦哈嘛喔噢"
DEFAULT_OPINIONS = tuple(
    "很好 非常好 挺好 不错 很不错 还不错 满意 很满意 喜欢 很喜欢 很快 非常快 太慢 很慢 一般 还行 还可以 很差 太差"
    " 不好 太随便 破了 划算 实惠 便宜 贵 好闻 难闻 正品 合适 偏大 偏小 清爽 舒服 给力 好评 差评 热情 耐心".split()
)


@dataclass(frozen=True, slots=True)
class AspectOpinion:
    aspect: str
    opinion: str
    category: str
    polarity: str = "neutral"
    start: int = 0  # offset of the aspect in the normalised text

    def as_json(self) -> dict:
        return {"aspect": self.aspect, "opinion": self.opinion, "category": self.category, "polarity": self.polarity}


def _clauses(text: str) -> Iterable[tuple[int, str]]:
    for match in _CLAUSE.finditer(text):
        yield match.start(), match.group()


def _longest_at(text: str, words: dict | frozenset, longest: int) -> list[tuple[int, str]]:
    """Non-overlapping longest matches of ``words`` in ``text``, left to right."""
    found, i = [], 0
    while i < len(text):
        for size in range(min(longest, len(text) - i), 0, -1):
            if text[i : i + size] in words:
                found.append((i, text[i : i + size]))
                i += size
                break
        else:
            i += 1
    return found


def naive_extract(text: str, aspects: Iterable[str]) -> list[tuple[str, str]]:
    """The baseline: every listed aspect word found, opinion = the rest of its clause."""
    pairs = []
    for word in aspects:
        for clause_start, clause in _clauses(text):
            at = clause.find(word)
            if at >= 0:
                pairs.append((word, clause[at + len(word) :]))
    return pairs


class AspectExtractor:
    """Aspect words and opinion words, defaults plus what annotated examples taught."""

    def __init__(self, *, aspects: dict[str, str] | None = None, opinions: Iterable[str] = DEFAULT_OPINIONS,
                 max_opinion: int = 8) -> None:
        self.aspects: dict[str, str] = dict(DEFAULT_ASPECTS if aspects is None else aspects)
        self.opinions: frozenset[str] = frozenset(opinions)
        self.max_opinion = max_opinion
        self._index()

    def _index(self) -> None:
        self._aspect_len = max((len(w) for w in self.aspects), default=1)
        self._opinion_len = max((len(w) for w in self.opinions), default=1)

    def fit(self, examples: Iterable[tuple[str, str, str]], *, min_count: int = 1) -> AspectExtractor:
        """Learn from (aspect word, opinion word, category) annotations; '' = not named.

        An aspect word takes the category it was annotated with most often; learned
        words override the defaults' category.
        """
        categories: dict[str, Counter] = defaultdict(Counter)
        opinions: Counter = Counter()
        for aspect, opinion, category in examples:
            if aspect and len(aspect) >= 2:
                categories[aspect][category] += 1
            if opinion:
                opinions[opinion] += 1
        for word, counts in categories.items():
            if sum(counts.values()) >= min_count:
                self.aspects[word] = counts.most_common(1)[0][0]
        self.opinions = self.opinions | {w for w, n in opinions.items() if n >= min_count}
        self._index()
        return self

    def _opinion(self, clause: str, start: int, end: int) -> str:
        after, before = clause[end:], clause[:start]
        for part in (after, before):
            found = _longest_at(part, self.opinions, self._opinion_len)
            if found:
                # The longest known opinion; ties: the one nearest the aspect.
                return max(found, key=lambda f: (len(f[1]), -abs(f[0] - (0 if part is after else len(part)))))[1]
        return after[: self.max_opinion].strip(_TRIM) if after else ""

    def extract(self, text: str) -> list[tuple[str, str, str, int]]:
        """(aspect, opinion, category, offset) for each aspect named in a normalised text."""
        result = []
        for clause_start, clause in _clauses(text):
            for at, word in _longest_at(clause, self.aspects, self._aspect_len):
                opinion = self._opinion(clause, at, at + len(word))
                if opinion:
                    result.append((word, opinion, self.aspects[word], clause_start + at))
        return result

    def extract_many(self, texts: Sequence[str], polarity: Callable[[list[str]], list[str]]) -> list[list[AspectOpinion]]:
        """Aspects of each text, with polarities judged in one batch by ``polarity``
        (which maps "aspect+opinion" strings to positive/neutral/negative)."""
        found = [self.extract(t) for t in texts]
        phrases = [a + o for items in found for a, o, _c, _s in items]
        polarities = iter(polarity(phrases) if phrases else [])
        return [
            [AspectOpinion(a, o, c, next(polarities), s) for a, o, c, s in items] for items in found
        ]
