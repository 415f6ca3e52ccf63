"""A softmax (multinomial logistic) regression over sentence embeddings: each task's probability
for a message, learnt from the tasks' example requests when the meaning signal starts (a fraction
of a second for a few thousand examples; deterministic, numpy only)."""

from __future__ import annotations

import numpy as np

VERSION = 3  # saved weights of another version are learnt again
SCALE = 10.0  # unit-length rows: a sharper softmax learns in fewer steps
STEPS = 300
RATE = 2.0
L2 = 1e-3


def fit(rows: np.ndarray, labels: np.ndarray, classes: int) -> np.ndarray:
    """Weights (with a bias row) for `classes`, by full-batch gradient descent with L2. Classes
    with fewer examples than the median weigh as if they had the median (a plugin's task with
    four examples is not drowned by one with four hundred); larger ones keep their weight."""
    x = np.hstack([rows, np.ones((len(rows), 1), dtype=rows.dtype)]).astype(np.float64)
    target = np.eye(classes)[labels]
    counts = np.bincount(labels, minlength=classes).astype(np.float64)
    floor = float(np.median(counts[counts > 0])) if counts.any() else 1.0
    share = (np.maximum(counts, floor) / np.maximum(counts, 1.0))[labels]
    share = (share / share.sum())[:, None]  # a small class weighs as much as a median one
    weights = np.zeros((x.shape[1], classes))
    for _ in range(STEPS):
        probs = _softmax(x @ weights * SCALE)
        weights -= RATE * (x.T @ ((probs - target) * share) * SCALE + L2 * weights)
    return weights


def predict(weights: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Each row's probability of each class."""
    x = np.hstack([rows, np.ones((len(rows), 1), dtype=rows.dtype)]).astype(np.float64)
    return _softmax(x @ weights * SCALE)


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)
