#!/usr/bin/env python3
"""Writes lib/classify/fixtures/sklearn-text.json: scikit-learn's TfidfVectorizer and LinearSVC
outputs on a small corpus of product titles written for shoplab, the reference the tests of
lib/classify compare against. Not run by make: it needs scikit-learn (Debian `python3-sklearn`,
1.2.1 when the fixture was written), which the project does not install.

    /usr/bin/python3 scripts/reference/sklearn-text.py > lib/classify/fixtures/sklearn-text.json
"""
import json
import sys

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

# Titles in four classes, with the quirks real catalogues have: case, punctuation, digits and
# model numbers, accents and other scripts, underscores, runs of spaces and tabs, one-letter words,
# repeated words, characters outside the BMP.
TRAIN = [
    ("Hornby 00 Gauge Steam Locomotive R3410", "trains"),
    ("HORNBY Coach  R4410A BR Hawksworth Corridor", "trains"),
    ("Bachmann 37-662 14 Ton Tank Wagon", "trains"),
    ("Kato 3060-2 EF65 Electric Locomotive", "trains"),
    ("Model railway track set: curves & points", "trains"),
    ("Classic toy train set, battery operated, with smoke", "trains"),
    ("Lego City Police Station 60246", "bricks"),
    ("LEGO Technic Porsche 911 GT3 RS", "bricks"),
    ("Mega Bloks First Builders big building bag", "bricks"),
    ("Duplo my first train set (bricks)", "bricks"),
    ("Lego Star Wars X-Wing Fighter", "bricks"),
    ("K'NEX building set 35 models", "bricks"),
    ("Barbie Dreamhouse doll house with pool", "dolls"),
    ("Baby Born interactive doll - girl", "dolls"),
    ("Poupée mannequin Barbie édition spéciale", "dolls"),
    ("Sylvanian Families baby doll\tset", "dolls"),
    ("Rag doll doll doll, hand made", "dolls"),
    ("LOL Surprise dolls_series 3", "dolls"),
    ("Dino 🦖 surprise egg doll", "dolls"),
    ("Monopoly board game classic edition", "games"),
    ("Cluedo: the classic mystery game", "games"),
    ("Jigsaw puzzle 1000 pieces — Neuschwanstein Straße", "games"),
    ("Scrabble original board game", "games"),
    ("Uno card game, 2-10 players", "games"),
    ("Trivial Pursuit family edition game", "games"),
    ("a b c game", "games"),
]
TEST = [
    "Hornby train set with smoke",
    "Lego Duplo train",
    "Barbie doll",
    "🦖🦖 dino egg",
    "Chess board game, wooden",
    "Zzz unknown words only",
    "",
]

CONFIGS = {
    "word_1_2": dict(analyzer="word", ngram_range=(1, 2)),
    "char_2_5": dict(analyzer="char", ngram_range=(2, 5)),
    "char_wb_2_5": dict(analyzer="char_wb", ngram_range=(2, 5)),
    "word_1_1_sublinear_min_df_2": dict(analyzer="word", ngram_range=(1, 1), sublinear_tf=True, min_df=2),
}


def sparse_rows(m):
    m = sp.csr_matrix(m)
    return [
        {str(int(c)): float(v) for c, v in zip(m.indices[m.indptr[r] : m.indptr[r + 1]], m.data[m.indptr[r] : m.indptr[r + 1]])}
        for r in range(m.shape[0])
    ]


docs = [t for t, _ in TRAIN]
labels = [c for _, c in TRAIN]
out = {
    "source": f"scikit-learn {sklearn.__version__} (BSD-3-Clause), scripts/reference/sklearn-text.py",
    "train": docs,
    "labels": labels,
    "test": TEST,
    "tfidf": {},
}
for name, params in CONFIGS.items():
    v = TfidfVectorizer(**params)
    xtrain = v.fit_transform(docs)
    out["tfidf"][name] = {
        "params": {k: list(p) if isinstance(p, tuple) else p for k, p in params.items()},
        "vocabulary": {t: int(i) for t, i in v.vocabulary_.items()},
        "idf": v.idf_.tolist(),
        "train": sparse_rows(xtrain),
        "test": sparse_rows(v.transform(TEST)),
    }

# The classifier on word 1-2 grams beside char_wb 2-5 grams, each block l2-normalised on its own.
word = TfidfVectorizer(analyzer="word", ngram_range=(1, 2))
char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5))
xtrain = sp.hstack([word.fit_transform(docs), char.fit_transform(docs)]).tocsr()
xtest = sp.hstack([word.transform(TEST), char.transform(TEST)]).tocsr()
svc = LinearSVC(C=1.0, tol=1e-8, max_iter=100000).fit(xtrain, labels)
binary = [c if c == "trains" else "other" for c in labels]
svc2 = LinearSVC(C=0.5, tol=1e-8, max_iter=100000).fit(xtrain, binary)
out["linear_svc"] = {
    "blocks": ["word_1_2", "char_wb_2_5"],
    "C": 1.0,
    "classes": svc.classes_.tolist(),
    "intercept": svc.intercept_.tolist(),
    "decision_train": svc.decision_function(xtrain).tolist(),
    "decision_test": svc.decision_function(xtest).tolist(),
    "predict_test": svc.predict(xtest).tolist(),
    "binary": {
        "C": 0.5,
        "classes": svc2.classes_.tolist(),
        "intercept": svc2.intercept_.tolist(),
        "decision_test": svc2.decision_function(xtest).tolist(),
    },
}
json.dump(out, sys.stdout, ensure_ascii=False, indent=None)
sys.stdout.write("\n")
