"""Public review and chat corpora for measuring (never shipped, never copied here).

They live in ``../shared/data`` beside the checkout (see that folder's README): research
and evaluation data without a licence to redistribute, so tests read them in place and
keep nothing trained on them. Tests skip when the folder is absent on a developer's
machine, and fail under ``CI=true``, where it must be present.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest
from sklearn.model_selection import train_test_split

SHARED_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
SPLIT_SEED = 20251123  # the seed the corpora's own README splits use
TEST_SIZE = 0.2


def shared_data_dir(name: str) -> Path:
    """The folder of one corpus; skips the test (fails on CI) when it is missing."""
    folder = SHARED_DATA / name
    if not folder.is_dir():
        message = f"shared data set {name!r} not found at {folder}"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (required on CI)")
        pytest.skip(message)
    return folder


def load_reviews(name: str, folder: Path | None = None) -> tuple[list[str], list[str], list[str]]:
    """(texts, labels as positive/negative, strata) of a binary review corpus."""
    folder = folder or shared_data_dir(name)
    texts, labels, strata = [], [], []
    with (folder / "dev.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            label = "positive" if row["label"] == "1" else "negative"
            texts.append(row["review"])
            labels.append(label)
            strata.append(f"{row.get('cat', '')}/{label}")
    return texts, labels, strata


def split_reviews(name: str, folder: Path | None = None):
    """A fixed, stratified 80/20 split: (train texts, train labels, test texts, test labels)."""
    texts, labels, strata = load_reviews(name, folder)
    train_x, test_x, train_y, test_y = train_test_split(
        texts, labels, test_size=TEST_SIZE, stratify=strata, random_state=SPLIT_SEED
    )
    return train_x, train_y, test_x, test_y


def load_jddc_turns(role: str, folder: Path | None = None) -> list[str]:
    """The texts of every ``role`` ("agent" or "customer") turn of the JDDC sample."""
    folder = folder or shared_data_dir("jddc_sample")
    turns = []
    with (folder / "dev_dialogues.jsonl").open(encoding="utf-8") as f:
        for line in f:
            session = json.loads(line)
            turns += [t["text"] for t in session["turns"] if t["role"] == role]
    return turns
