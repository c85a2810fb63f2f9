"""The figures of docs/text-accuracy.md: ``python -m kefu.text.tests.measure``.

Sentiment: the TF-IDF + logistic-regression model, the word-list fallback, the majority
class and (when installed) snownlp, on a fixed stratified 80/20 split of each review
corpus, within and across domains, with speed. Word lists: the hand-labelled set and
hit counts on the real JD chats. Takes a few minutes on two cores; not part of the test
suite. Nothing it trains is written to disk.
"""

from __future__ import annotations

import collections
import datetime
import os
import platform
import tempfile
import time
from pathlib import Path

import sklearn
from sklearn.metrics import accuracy_score, f1_score

from kefu.text.lexicon import RULE_WORDS, rule_matcher
from kefu.text.sentiment import SentimentModel, complaint_words_score
from kefu.text.tests.datasets import load_jddc_turns, split_reviews
from kefu.text.tests.evaluation import score_rules

CORPORA = ("online_shopping_10_cats", "waimai_10k")
SNOWNLP_SAMPLE = 2000  # snownlp manages a few hundred texts a second


def _binary(scores: list[float]) -> list[str]:
    return ["negative" if s > 0.5 else "positive" for s in scores]


def _row(name: str, truth: list[str], predicted: list[str], speed: float | None) -> str:
    acc = accuracy_score(truth, predicted)
    f1 = f1_score(truth, predicted, average="macro")
    rate = f"{speed:,.0f}" if speed else "—"
    return f"| {name} | {len(truth):,} | {acc:.3f} | {f1:.3f} | {rate} |"


def measure_sentiment() -> None:
    splits = {name: split_reviews(name) for name in CORPORA}
    models = {}
    print("| corpus | train | test | negative share (test) |")
    print("|---|---|---|---|")
    for name, (train_x, _, test_x, test_y) in splits.items():
        share = test_y.count("negative") / len(test_y)
        print(f"| {name} | {len(train_x):,} | {len(test_x):,} | {share:.3f} |")
    for name, (train_x, train_y, test_x, test_y) in splits.items():
        print(f"\n#### {name} (held-out 20 %)\n")
        print("| method | texts | accuracy | macro-F1 | texts/s |")
        print("|---|---|---|---|---|")
        majority = collections.Counter(train_y).most_common(1)[0][0]
        print(_row("majority class", test_y, [majority] * len(test_y), None))

        start = time.perf_counter()
        fallback = [complaint_words_score(t) for t in test_x]
        speed = len(test_x) / (time.perf_counter() - start)
        name_ = "word-list fallback (`complaint_words_score`)"
        print(_row(name_, test_y, _binary(fallback), speed))
        undecided = sum(1 for s in fallback if s == 0.5) / len(fallback)

        start = time.perf_counter()
        model = SentimentModel().fit(train_x, train_y)
        train_seconds = time.perf_counter() - start
        models[name] = model
        start = time.perf_counter()
        scores = model.predict_proba(test_x)
        speed = len(test_x) / (time.perf_counter() - start)
        print(_row("TF-IDF char 1-3 + LR (`SentimentModel`)", test_y, _binary(scores), speed))

        snow = _snownlp(test_x, test_y)
        if snow:
            print(snow)

        three = model.predict(test_x)
        decided = [(t, p) for t, p in zip(test_y, three, strict=True) if p != "neutral"]
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "model.joblib"
            model.save(path)
            size = path.stat().st_size
        print(
            f"\nTraining on {len(train_x):,} reviews: {train_seconds:.1f} s; model file "
            f"{size / 1e6:.1f} MB. With the default neutral band (0.35-0.65) "
            f"{len(decided) / len(three):.1%} of texts get a polarity, "
            f"{accuracy_score(*zip(*decided, strict=True)):.3f} of them right. The "
            f"fallback has no clue (score 0.5) on {undecided:.1%} of texts."
        )

    print("\n#### Across domains (train on one corpus's 80 %, test on the other's 20 %)\n")
    print("| trained on → tested on | accuracy | macro-F1 |")
    print("|---|---|---|")
    for source in CORPORA:
        for target in CORPORA:
            if source == target:
                continue
            test_x, test_y = splits[target][2], splits[target][3]
            predicted = _binary(models[source].predict_proba(test_x))
            acc = accuracy_score(test_y, predicted)
            f1 = f1_score(test_y, predicted, average="macro")
            print(f"| {source} → {target} | {acc:.3f} | {f1:.3f} |")


def _snownlp(test_x: list[str], test_y: list[str]) -> str | None:
    try:
        from snownlp import SnowNLP
    except ImportError:
        return None
    step = max(1, len(test_x) // SNOWNLP_SAMPLE)
    sample_x, sample_y = test_x[::step], test_y[::step]
    start = time.perf_counter()
    predicted = [
        "positive" if SnowNLP(t).sentiments > 0.5 else "negative" if t.strip() else "positive"
        for t in sample_x
    ]
    speed = len(sample_x) / (time.perf_counter() - start)
    return _row(f"snownlp 0.12.3 (every {step}th test text)", sample_y, predicted, speed)


def measure_rules() -> None:
    print("\n#### Hand-labelled replies (kefu/text/tests/data/rule_words_eval.csv)\n")
    print("| rule | lines (+/−) | precision | recall | errors |")
    print("|---|---|---|---|---|")
    for s in score_rules().values():
        errors = "; ".join(f"{'FP' if not label else 'FN'} {text}" for text, label in s.errors)
        print(
            f"| `{s.rule}` | {s.positives + s.negatives} ({s.positives}/{s.negatives}) "
            f"| {s.precision:.2f} | {s.recall:.2f} | {errors or '—'} |"
        )
    agent, customer = load_jddc_turns("agent"), load_jddc_turns("customer")
    print(f"\n#### JDDC sample: {len(agent):,} agent turns, {len(customer):,} customer turns\n")
    print("| rule | turns read | turns with a hit | hits by phrase | turns/s |")
    print("|---|---|---|---|---|")
    for rule in RULE_WORDS:
        texts = customer if rule == "complaint" else agent
        matcher = rule_matcher(rule)
        start = time.perf_counter()
        found = [matcher.find(t) for t in texts]
        speed = len(texts) / (time.perf_counter() - start)
        phrases = collections.Counter(m.phrase for hits in found for m in hits)
        top = ", ".join(f"{p} {n}" for p, n in phrases.most_common(6)) or "—"
        with_hit = sum(1 for hits in found if hits)
        print(f"| `{rule}` | {len(texts):,} | {with_hit:,} | {top} | {speed:,.0f} |")


def main() -> None:
    print(
        f"Measured {datetime.date.today()} on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, scikit-learn {sklearn.__version__}.\n"
    )
    measure_rules()
    print()
    measure_sentiment()


if __name__ == "__main__":
    main()
