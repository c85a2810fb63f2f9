"""The trained text models of customer insights: sentiment, issue categories, intents.

All three read the same :class:`~kefu.insights.text.features.Prepared` batch and
:class:`~kefu.insights.text.features.TextVectorizer` features, and are linear (fast:
a 双11 day of texts in a minute or two on two cores):

* :class:`SentimentModel`: NB-weighted logistic regression ("NB-LR", Wang & Manning
  2012): each feature is scaled by its naive-Bayes log-count ratio between positive and
  negative texts before the regression, which lets the regression lean on the n-grams
  that separate the classes. Measured against TF-IDF + plain LR in
  docs/insights-accuracy.md.
* :class:`CategoryModel`: one logistic regression per category (multi-label); a text
  gets every category above 0.5, and at least its most likely one.
* :class:`IntentModel`: multinomial logistic regression over the intents the supervisor
  confirmed or corrected (see :mod:`kefu.insights.text.intents`).

Models are trained from the shop's own data or a CSV the user owns and saved with joblib
in the data directory (``DATA_DIR/models/insights/<task>.joblib``); none is shipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from kefu.insights.text.features import Prepared, TextVectorizer

__all__ = [
    "NEGATIVE",
    "NEUTRAL",
    "POSITIVE",
    "SENTIMENTS",
    "CategoryModel",
    "IntentModel",
    "SentimentModel",
    "load_model",
    "model_path",
]

NEGATIVE, NEUTRAL, POSITIVE = "negative", "neutral", "positive"
SENTIMENTS = (POSITIVE, NEUTRAL, NEGATIVE)
_FORMAT = "kefu.insights.text/1"
TASKS = ("sentiment", "category", "intent")


def model_path(task: str, data_dir: str | Path | None = None) -> Path:
    """Where the latest model of ``task`` lives in the data directory."""
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; use one of {TASKS}")
    if data_dir is None:
        from django.conf import settings

        data_dir = settings.DATA_DIR
    return Path(data_dir) / "models" / "insights" / f"{task}.joblib"


class _LinearModel:
    task = ""

    def __init__(self, *, c: float = 4.0, words: bool = True) -> None:
        self.c = c
        self.vectorizer = TextVectorizer(words=words)
        self.n_train = 0

    def save(self, path: str | Path) -> Path:
        """Writes the model with joblib (a pickle: load only files Kefu wrote itself)."""
        import joblib

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        joblib.dump({"format": _FORMAT, "task": self.task, "model": self}, tmp, compress=3)
        tmp.replace(path)  # a reader never sees half a file
        return path


def load_model(path: str | Path):
    """The model saved at ``path`` (a file written by :meth:`_LinearModel.save`)."""
    import joblib

    payload = joblib.load(Path(path))
    if not isinstance(payload, dict) or payload.get("format") != _FORMAT:
        raise ValueError(f"{path} is not a Kefu insights model")
    return payload["model"]


class SentimentModel(_LinearModel):
    """Positive / neutral / negative with a score: the probability that a text is positive.

    Trained on positive and negative texts only, it answers ``neutral`` for a score
    within ``neutral_band`` of 0.5 (most chat messages, "几号发货？"); trained with
    neutral examples too (3-star reviews), it predicts the three classes directly and
    the score is still P(positive) + P(neutral) / 2.
    """

    task = "sentiment"

    def __init__(self, *, c: float = 4.0, words: bool = True, neutral_band: float = 0.15) -> None:
        super().__init__(c=c, words=words)
        self.neutral_band = neutral_band
        self.classes: tuple[str, ...] = ()
        self._ratio = None
        self._lr = None

    def fit(self, batch: Prepared, labels: Sequence[str]) -> SentimentModel:
        import numpy as np
        from sklearn.linear_model import LogisticRegression

        labels = np.asarray(list(labels))
        if len(labels) != len(batch):
            raise ValueError("texts and labels differ in length")
        unknown = set(labels.tolist()) - set(SENTIMENTS)
        if unknown:
            raise ValueError(f"unknown sentiment labels {sorted(unknown)}; use {SENTIMENTS}")
        if not {POSITIVE, NEGATIVE} <= set(labels.tolist()):
            raise ValueError("training needs both positive and negative texts")
        x = self.vectorizer.fit_transform(batch)
        binary = (x > 0).astype(np.float32)
        # Log-count ratio with add-one smoothing, from the polar texts only.
        pos = np.asarray(binary[labels == POSITIVE].sum(axis=0)).ravel() + 1.0
        neg = np.asarray(binary[labels == NEGATIVE].sum(axis=0)).ravel() + 1.0
        self._ratio = np.log((pos / pos.sum()) / (neg / neg.sum())).astype(np.float32)
        self._lr = LogisticRegression(C=self.c, max_iter=3000).fit(x.multiply(self._ratio).tocsr(), labels)
        self.classes = tuple(str(c) for c in self._lr.classes_)
        self.n_train = len(labels)
        return self

    def _proba(self, batch: Prepared):
        x = self.vectorizer.transform(batch).multiply(self._ratio).tocsr()
        return self._lr.predict_proba(x)

    def scores(self, batch: Prepared) -> list[float]:
        """P(positive) (+ half of P(neutral) when trained with neutral texts)."""
        if self._lr is None:
            raise RuntimeError("the sentiment model is not trained yet")
        if not len(batch):
            return []
        proba = self._proba(batch)
        column = {c: i for i, c in enumerate(self.classes)}
        score = proba[:, column[POSITIVE]]
        if NEUTRAL in column:
            score = score + proba[:, column[NEUTRAL]] / 2
        return [float(s) for s in score]

    def predict(self, batch: Prepared) -> list[tuple[str, float]]:
        """(label, score) for each text."""
        if not len(batch):
            return []
        scores = self.scores(batch)
        if NEUTRAL in self.classes:
            labels = self._lr.classes_[self._proba(batch).argmax(axis=1)]
            return [(str(label), s) for label, s in zip(labels, scores, strict=True)]
        band = self.neutral_band
        return [
            (POSITIVE if s > 0.5 + band else NEGATIVE if s < 0.5 - band else NEUTRAL, s) for s in scores
        ]


class CategoryModel(_LinearModel):
    """Multi-label issue categories: one logistic regression per category."""

    task = "category"

    def __init__(self, *, c: float = 4.0, words: bool = True, threshold: float = 0.5) -> None:
        super().__init__(c=c, words=words)
        self.threshold = threshold
        self.classes: tuple[str, ...] = ()
        self._models = []

    def fit(self, batch: Prepared, labels: Sequence[Sequence[str]]) -> CategoryModel:
        import numpy as np
        from sklearn.linear_model import LogisticRegression

        labels = [list(dict.fromkeys(ls)) for ls in labels]
        if len(labels) != len(batch):
            raise ValueError("texts and labels differ in length")
        if any(not ls for ls in labels):
            raise ValueError("every training text needs at least one category")
        self.classes = tuple(sorted({c for ls in labels for c in ls}))
        if len(self.classes) < 2:
            raise ValueError("training needs at least two categories")
        x = self.vectorizer.fit_transform(batch)
        self._models = []
        for name in self.classes:
            y = np.array([name in ls for ls in labels])
            if y.all():  # every text has it: nothing to learn, always on
                self._models.append(True)
                continue
            self._models.append(LogisticRegression(C=self.c, max_iter=3000).fit(x, y))
        self.n_train = len(labels)
        return self

    def probabilities(self, batch: Prepared):
        import numpy as np

        if not self._models:
            raise RuntimeError("the category model is not trained yet")
        x = self.vectorizer.transform(batch)
        columns = [
            np.ones(x.shape[0]) if m is True else m.predict_proba(x)[:, 1] for m in self._models
        ]
        return np.column_stack(columns)

    def predict(self, batch: Prepared) -> list[list[str]]:
        if not len(batch):
            return []
        proba = self.probabilities(batch)
        result = []
        for row in proba:
            chosen = [self.classes[i] for i in row.argsort()[::-1] if row[i] >= self.threshold]
            result.append(chosen or [self.classes[int(row.argmax())]])
        return result


class IntentModel(_LinearModel):
    """One intent per text, learned from confirmed or corrected intents."""

    task = "intent"

    def __init__(self, *, c: float = 4.0, words: bool = True) -> None:
        super().__init__(c=c, words=words)
        self.classes: tuple[str, ...] = ()
        self._lr = None

    def fit(self, batch: Prepared, labels: Sequence[str]) -> IntentModel:
        from sklearn.linear_model import LogisticRegression

        labels = list(labels)
        if len(labels) != len(batch):
            raise ValueError("texts and labels differ in length")
        if len(set(labels)) < 2:
            raise ValueError("training needs at least two intents")
        x = self.vectorizer.fit_transform(batch)
        self._lr = LogisticRegression(C=self.c, max_iter=3000).fit(x, labels)
        self.classes = tuple(str(c) for c in self._lr.classes_)
        self.n_train = len(labels)
        return self

    def predict(self, batch: Prepared) -> list[tuple[str, float]]:
        """(intent, probability) for each text."""
        if self._lr is None:
            raise RuntimeError("the intent model is not trained yet")
        if not len(batch):
            return []
        proba = self._lr.predict_proba(self.vectorizer.transform(batch))
        best = proba.argmax(axis=1)
        return [(self.classes[i], float(proba[row, i])) for row, i in enumerate(best)]
