"""Chinese text tools for quality inspection and review insights, all offline.

* :mod:`kefu.text.normalize`: full-width/case/symbol folding with a map back to the
  original text (evidence quotes what was written);
* :mod:`kefu.text.matcher`: :class:`PhraseMatcher`, word lists that survive evasions
  (``V 信``, 薇信, 扣扣号) and stay quiet on innocent text (支持微信支付);
* :mod:`kefu.text.lexicon`: the default word lists of spec/qa.md's rules with the
  exceptions, context and negations that keep them precise;
* :mod:`kefu.text.sentiment`: complaint / negative-sentiment scoring, a model trained on
  the shop's own rated reviews and a word-list fallback.

Plain Python (no Django models): callers keep the rule configuration and the trained
model where they keep their data.
"""

from kefu.text.matcher import Match, PhraseMatcher
from kefu.text.normalize import Normalized, normalize, normalize_map

__all__ = ["Match", "Normalized", "PhraseMatcher", "normalize", "normalize_map"]
