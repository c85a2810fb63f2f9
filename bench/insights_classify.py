"""Customer-insight text models: accuracy on held-out public data, and classification speed.

    .venv/bin/python bench/insights_classify.py accuracy [--seeds 3]   # docs/insights-accuracy.md
    .venv/bin/python bench/insights_classify.py speed [--texts 100000] # docs/benchmarks.md

Reads the public corpora in place from ../shared/data (research/evaluation use only:
nothing read or trained here is saved in the repository; models go to a temporary
directory). Every figure compares Kefu's models (kefu.insights.text) with baselines
trained on the same split:

* sentiment: TF-IDF character 1-3-grams + logistic regression (C=4, Kefu's QA model),
  on online_shopping_10_cats and waimai_10k, 80/20 splits stratified by category×label,
  one split per seed; cross-domain: each online_shopping model on all of waimai_10k and
  each waimai model on the online_shopping test part;
* categories: per-review sets of zhijiang's 13 aspect categories, 5-fold by review,
  micro/macro F1; baseline one-vs-rest TF-IDF char 1-3 + LR at 0.5;
* aspects: aspect-term F1, (aspect, opinion) pair F1 and (aspect, category) F1 on the
  same folds; baseline: the training folds' aspect words matched naively, opinion = the
  rest of the clause.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data"

# zhijiang's aspect categories → Kefu's default issue taxonomy (整体 = the review as a
# whole: no issue category of its own).
ZHIJIANG_TO_TAXONOMY = {
    "物流": "物流-延迟", "包装": "包装", "价格": "价格/优惠", "服务": "服务态度", "功效": "功效/使用",
    "使用体验": "功效/使用", "尺寸": "尺码/规格", "成分": "质量", "气味": "质量", "新鲜度": "质量",
    "真伪": "描述不符", "其他": "其他", "整体": "其他",
}


def _need(name: str) -> Path:
    folder = DATA / name
    if not folder.is_dir():
        sys.exit(f"{folder} not found: this benchmark needs ../shared/data")
    return folder


def load_reviews(name: str):
    texts, labels, strata = [], [], []
    with (_need(name) / "dev.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            label = "positive" if row["label"] == "1" else "negative"
            texts.append(row["review"])
            labels.append(label)
            strata.append(f"{row.get('cat', '')}/{label}")
    return texts, labels, strata


def load_zhijiang():
    """(review ids, texts, per-review annotation lists (aspect, opinion, category, polarity))."""
    folder = _need("zhijiang_ecomm_opinion")
    with (folder / "dev_reviews.csv").open(encoding="utf-8", newline="") as f:
        reviews = {row["id"]: row["review"] for row in csv.DictReader(f)}
    notes = defaultdict(list)
    with (folder / "dev_labels.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            aspect = "" if row["AspectTerms"] == "_" else row["AspectTerms"]
            opinion = "" if row["OpinionTerms"] == "_" else row["OpinionTerms"]
            notes[row["id"]].append((aspect, opinion, row["Categories"], row["Polarities"]))
    ids = [i for i in reviews if notes[i]]
    return ids, [reviews[i] for i in ids], [notes[i] for i in ids]


def baseline_vectorizer():
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    from kefu.text.sentiment import _prepare

    return TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, max_features=300_000,
                           sublinear_tf=True, preprocessor=_prepare, dtype=np.float32)


def _mean_sd(values):
    values = list(values)
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return {"mean": round(statistics.fmean(values), 4), "sd": round(sd, 4), "runs": [round(v, 4) for v in values]}


# -- sentiment -----------------------------------------------------------------------

def sentiment_accuracy(seeds: int) -> dict:
    """Accuracy at score 0.5 (the corpora are binary), in-domain and cross-domain."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    from kefu.insights.text.features import prepare_texts
    from kefu.insights.text.models import SentimentModel

    corpora = {}
    for name in ("online_shopping_10_cats", "waimai_10k"):
        texts, labels, strata = load_reviews(name)
        t0 = time.perf_counter()
        prepared = prepare_texts(texts)
        print(f"{name}: {len(texts):,} texts prepared in {time.perf_counter() - t0:.1f} s", flush=True)
        corpora[name] = (texts, np.array(labels), strata, prepared)
    other = {"online_shopping_10_cats": "waimai_10k", "waimai_10k": "online_shopping_10_cats"}
    rows = defaultdict(list)
    for seed in range(seeds):
        for name, (texts, labels, strata, prepared) in corpora.items():
            idx = np.arange(len(texts))
            train, test = train_test_split(idx, test_size=0.2, stratify=strata, random_state=1000 + seed)
            o_texts, o_labels, o_strata, o_prepared = corpora[other[name]]
            if name == "online_shopping_10_cats":  # → all of waimai
                o_idx = np.arange(len(o_texts))
            else:  # → a test part of online_shopping (the same size as a seed's)
                _, o_idx = train_test_split(np.arange(len(o_texts)), test_size=0.2, stratify=o_strata,
                                            random_state=1000 + seed)
            t0 = time.perf_counter()
            vec = baseline_vectorizer()
            base = LogisticRegression(C=4.0, max_iter=2000).fit(vec.fit_transform([texts[i] for i in train]),
                                                                  labels[train])
            base_in = (base.predict(vec.transform([texts[i] for i in test])) == labels[test]).mean()
            base_out = (base.predict(vec.transform([o_texts[i] for i in o_idx])) == o_labels[o_idx]).mean()
            t1 = time.perf_counter()
            model = SentimentModel().fit(prepared.subset(train), labels[train])
            t2 = time.perf_counter()
            scores = np.array(model.scores(prepared.subset(test)))
            ours_in = (np.where(scores >= 0.5, "positive", "negative") == labels[test]).mean()
            band = np.abs(scores - 0.5) <= model.neutral_band
            decided = (np.where(scores >= 0.5, "positive", "negative") == labels[test])[~band].mean()
            o_scores = np.array(model.scores(o_prepared.subset(o_idx)))
            ours_out = (np.where(o_scores >= 0.5, "positive", "negative") == o_labels[o_idx]).mean()
            for key, value in (("base_in", base_in), ("ours_in", ours_in), ("base_out", base_out),
                               ("ours_out", ours_out), ("neutral_share", band.mean()),
                               ("acc_outside_band", decided)):
                rows[(name, key)].append(value)
            print(f"seed {seed} {name}: baseline {base_in:.4f} (→{other[name]} {base_out:.4f}) {t1 - t0:.0f} s; "
                  f"kefu {ours_in:.4f} (→ {ours_out:.4f}) fit {t2 - t1:.0f} s; neutral band {band.mean():.3f}, "
                  f"accuracy outside it {decided:.4f}", flush=True)
    return {f"{name}/{key}": _mean_sd(v) for (name, key), v in rows.items()}


# -- categories and aspects ------------------------------------------------------------

def _f1(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _multiset_counts(pred: list, gold: list):
    p, g = Counter(pred), Counter(gold)
    tp = sum((p & g).values())
    return tp, sum(p.values()) - tp, sum(g.values()) - tp


def _add(counts, key, pred, gold):
    tp, fp, fn = _multiset_counts(pred, gold)
    c = counts[key]
    c[0] += tp
    c[1] += fp
    c[2] += fn


def category_aspect_accuracy(seeds: int) -> dict:
    """Polarity of aspects is judged by the word lists here (no sentiment model is
    trained on this cosmetics data), as in a shop without a trained model."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import KFold

    from kefu.insights.text.aspects import AspectExtractor, naive_extract
    from kefu.insights.text.features import normalize_text, prepare_texts
    from kefu.insights.text.models import CategoryModel
    from kefu.insights.text.pipeline import _word_list_sentiment

    ids, texts, notes = load_zhijiang()
    prepared = prepare_texts(texts)
    cat_sets = [sorted({n[2] for n in ns}) for ns in notes]
    classes = sorted({c for cs in cat_sets for c in cs})
    y = np.array([[c in cs for c in classes] for cs in cat_sets])
    results = defaultdict(list)
    polarity_map = {"正面": "positive", "负面": "negative", "中性": "neutral"}

    def polarity(phrases):
        return [label for label, _s in _word_list_sentiment(phrases)]

    for seed in range(seeds):
        for fold, (train, test) in enumerate(KFold(5, shuffle=True, random_state=2000 + seed).split(texts)):
            # Baseline: one-vs-rest char 1-3 TF-IDF + LR, each category at 0.5.
            vec = baseline_vectorizer()
            xtr, xte = vec.fit_transform([texts[i] for i in train]), vec.transform([texts[i] for i in test])
            base_pred = np.zeros((len(test), len(classes)), dtype=bool)
            for j in range(len(classes)):
                if y[train, j].all() or not y[train, j].any():
                    base_pred[:, j] = y[train, j].all()
                    continue
                lr = LogisticRegression(C=4.0, max_iter=2000).fit(xtr, y[train, j])
                base_pred[:, j] = lr.predict_proba(xte)[:, 1] >= 0.5
            model = CategoryModel().fit(prepared.subset(train), [cat_sets[i] for i in train])
            ours = model.predict(prepared.subset(test))
            ours_pred = np.array([[c in cs for c in classes] for cs in ours])
            for key, pred in (("base", base_pred), ("ours", ours_pred)):
                gold = y[test]
                tp, fp, fn = (pred & gold).sum(), (pred & ~gold).sum(), (~pred & gold).sum()
                results[f"category/{key}/micro_f1"].append(_f1(tp, fp, fn)[2])
                per = [_f1((pred[:, j] & gold[:, j]).sum(), (pred[:, j] & ~gold[:, j]).sum(),
                           (~pred[:, j] & gold[:, j]).sum())[2] for j in range(len(classes)) if gold[:, j].any()]
                results[f"category/{key}/macro_f1"].append(float(np.mean(per)))
            # Aspects: learned lexicons vs naive matching of the training aspect words.
            train_notes = [n for i in train for n in notes[i]]
            extractor = AspectExtractor(aspects={}).fit([(a, o, c) for a, o, c, _p in train_notes])
            base_words = {a for a, _o, _c, _p in train_notes if a and len(a) >= 2}
            counts = defaultdict(lambda: [0, 0, 0])
            pol_right = pol_total = 0
            test_texts = [normalize_text(texts[i]) for i in test]
            found_all = extractor.extract_many(test_texts, polarity)
            for k, i in enumerate(test):
                gold = [(normalize_text(a), normalize_text(o), c, p) for a, o, c, p in notes[i] if a]
                found = found_all[k]
                naive = naive_extract(test_texts[k], base_words)
                _add(counts, ("ours", "term"), [f.aspect for f in found], [g[0] for g in gold])
                _add(counts, ("ours", "pair"), [(f.aspect, f.opinion) for f in found], [(g[0], g[1]) for g in gold])
                _add(counts, ("base", "term"), [a for a, _o in naive], [g[0] for g in gold])
                _add(counts, ("base", "pair"), naive, [(g[0], g[1]) for g in gold])
                _add(counts, ("ours", "aspect_category"), [(f.aspect, f.category) for f in found],
                     [(g[0], g[2]) for g in gold])
                gold_pol = {(g[0], g[1]): polarity_map[g[3]] for g in gold}
                for f in found:
                    if (f.aspect, f.opinion) in gold_pol:
                        pol_total += 1
                        pol_right += f.polarity == gold_pol[(f.aspect, f.opinion)]
            for (key, metric), (tp, fp, fn) in counts.items():
                results[f"aspects/{key}/{metric}_f1"].append(_f1(tp, fp, fn)[2])
            results["aspects/ours/polarity_accuracy_on_matched_pairs"].append(pol_right / max(pol_total, 1))
            print(f"seed {seed} fold {fold}: category micro-F1 base {results['category/base/micro_f1'][-1]:.4f} "
                  f"kefu {results['category/ours/micro_f1'][-1]:.4f}; pair F1 base "
                  f"{results['aspects/base/pair_f1'][-1]:.4f} kefu {results['aspects/ours/pair_f1'][-1]:.4f}",
                  flush=True)
    return {key: _mean_sd(v) for key, v in results.items()}


# -- speed -----------------------------------------------------------------------------

def speed(n_texts: int, note: str) -> dict:
    """Train on public data into a temporary data directory, then time a fresh process
    classifying ``n_texts`` review texts (jieba and model loading included)."""
    import subprocess

    ids, z_texts, notes = load_zhijiang()
    texts, labels, _strata = load_reviews("online_shopping_10_cats")
    w_texts, _w, _s = load_reviews("waimai_10k")
    with tempfile.TemporaryDirectory() as data_dir:
        from kefu.insights.text.pipeline import model_train

        t0 = time.perf_counter()
        model_train(task="sentiment", pairs=list(zip(texts, labels, strict=True)), data_dir=data_dir)
        t1 = time.perf_counter()
        cats = [tuple(sorted({ZHIJIANG_TO_TAXONOMY[n[2]] for n in ns})) for ns in notes]
        model_train(task="category", pairs=list(zip(z_texts, cats, strict=True)), data_dir=data_dir)
        t2 = time.perf_counter()
        pool = texts + w_texts
        corpus = [pool[i % len(pool)] for i in range(n_texts)]
        path = Path(data_dir) / "texts.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["id", "text"])
            writer.writerows((i, t) for i, t in enumerate(corpus))
        env = {**os.environ, "KEFU_DATA_DIR": data_dir, "PYTHONPATH": str(ROOT)}
        out = Path(data_dir) / "out.json"
        load_before = os.getloadavg()[0]
        t3 = time.perf_counter()
        with out.open("w") as f:
            subprocess.run([sys.executable, str(ROOT / "manage.py"), "insights", "classify", "--input", str(path),
                            "--format", "json"], check=True, stdout=f, env=env, cwd=ROOT)
        t4 = time.perf_counter()
        items = json.loads(out.read_text())
        counts = Counter(item["sentiment"] for item in items)
    return {
        "texts": n_texts, "mean_chars": round(sum(map(len, corpus)) / n_texts, 1),
        "train_sentiment_s": round(t1 - t0, 1), "train_category_s": round(t2 - t1, 1),
        "classify_s": round(t4 - t3, 1), "texts_per_s": round(n_texts / (t4 - t3)),
        "with_aspects": sum(1 for item in items if item["aspects"]), "sentiments": dict(counts),
        "load_before": load_before, "load_after": os.getloadavg()[0], "note": note,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mode", choices=["accuracy", "speed"])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--texts", type=int, default=100_000)
    parser.add_argument("--note", default="")
    parser.add_argument("--part", choices=["all", "sentiment", "categories"], default="all")
    args = parser.parse_args()
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    if args.mode == "speed":
        print(json.dumps(speed(args.texts, args.note), ensure_ascii=False, indent=2))
        return
    if args.part in ("all", "categories"):  # the short part first
        print(json.dumps(category_aspect_accuracy(args.seeds), indent=2, ensure_ascii=False), flush=True)
    if args.part in ("all", "sentiment"):
        print(json.dumps(sentiment_accuracy(args.seeds), indent=2), flush=True)


if __name__ == "__main__":
    main()
