"""Measuring the default word lists: precision and recall on the hand-labelled set.

``data/rule_words_eval.csv`` holds short replies written for this purpose (not taken
from any corpus): for every rule, violations written plainly, evasions, and near misses
that must not match. Run ``python -m kefu.text.tests.evaluation`` for the table of
docs/text-accuracy.md and the misses.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from kefu.text.lexicon import RULE_WORDS, rule_matcher

EVAL_CSV = Path(__file__).parent / "data" / "rule_words_eval.csv"


@dataclass(frozen=True)
class RuleScore:
    rule: str
    positives: int
    negatives: int
    true_positives: int
    false_positives: int
    false_negatives: int
    errors: tuple[tuple[str, int], ...]  # (text, expected label) of every mistake

    @property
    def precision(self) -> float:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.positives if self.positives else 1.0


def eval_rows(path: Path = EVAL_CSV) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def score_rules(rows: list[dict[str, str]] | None = None) -> dict[str, RuleScore]:
    """Precision and recall of each default rule matcher on the labelled rows."""
    rows = eval_rows() if rows is None else rows
    scores = {}
    for rule in RULE_WORDS:
        matcher = rule_matcher(rule)
        tp = fp = fn = pos = neg = 0
        errors = []
        for row in (r for r in rows if r["rule"] == rule):
            expected = int(row["label"])
            found = matcher.search(row["text"]) is not None
            pos += expected
            neg += 1 - expected
            if found and expected:
                tp += 1
            elif found:
                fp += 1
                errors.append((row["text"], expected))
            elif expected:
                fn += 1
                errors.append((row["text"], expected))
        scores[rule] = RuleScore(rule, pos, neg, tp, fp, fn, tuple(errors))
    return scores


def main() -> None:
    print("| rule | lines (+/−) | precision | recall | false positives | missed |")
    print("|---|---|---|---|---|---|")
    scores = score_rules()
    for s in scores.values():
        fps = "; ".join(t for t, label in s.errors if not label) or "—"
        fns = "; ".join(t for t, label in s.errors if label) or "—"
        print(
            f"| `{s.rule}` | {s.positives + s.negatives} ({s.positives}/{s.negatives}) "
            f"| {s.precision:.2f} | {s.recall:.2f} | {fps} | {fns} |"
        )


if __name__ == "__main__":
    main()
