"""Fitting a three-class logistic regression over sparse features: numpy, L-BFGS, deterministic.

Only training uses this (`ela sentiment train`); scoring is a dictionary walk in `model.py`. The
neutral class is the reference: its logit is fixed at 0, so each feature has two weights (negative and
positive against neutral), which is the same model as three free logits with one redundant degree of
freedom removed. The objective is the weighted mean cross-entropy plus an L2 penalty on the weights
(not on the bias). It is convex, so L-BFGS reaches the same optimum from the same start whatever the
order of the data: no learning rate, epoch count or shuffling seed to tune.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class SparseRows:
    """Rows of sparse features in coordinate form, with the names of the columns."""

    names: tuple[str, ...]
    row: IntArray  # row index of each stored value
    col: IntArray
    value: FloatArray
    n_rows: int

    @classmethod
    def build(
        cls,
        rows: Sequence[Mapping[str, float]],
        names: Sequence[str],
        column_scale: Sequence[float] | None = None,
    ) -> SparseRows:
        """`column_scale`: each column's values multiplied by its factor (default 1)."""
        index = {name: i for i, name in enumerate(names)}
        r: list[int] = []
        c: list[int] = []
        v: list[float] = []
        for i, feats in enumerate(rows):
            for name, value in feats.items():
                j = index.get(name)
                if j is not None and value:
                    r.append(i)
                    c.append(j)
                    v.append(value)
        columns = np.asarray(c, dtype=np.int64)
        values = np.asarray(v, dtype=np.float64)
        if column_scale is not None:
            values = values * np.asarray(column_scale, dtype=np.float64)[columns]
        return cls(tuple(names), np.asarray(r, dtype=np.int64), columns, values, len(rows))

    def dot(self, weights: FloatArray) -> FloatArray:
        """X @ W for W of shape (columns, 2)."""
        out = np.empty((self.n_rows, 2))
        for k in range(2):
            out[:, k] = np.bincount(
                self.row, weights=self.value * weights[self.col, k], minlength=self.n_rows
            )
        return out

    def tdot(self, errors: FloatArray) -> FloatArray:
        """X.T @ E for E of shape (rows, 2)."""
        out = np.empty((len(self.names), 2))
        for k in range(2):
            out[:, k] = np.bincount(
                self.col, weights=self.value * errors[self.row, k], minlength=len(self.names)
            )
        return out


def _loss_and_gradient(
    params: FloatArray, x: SparseRows, target: IntArray, weight: FloatArray, l2: float
) -> tuple[float, FloatArray]:
    n_features = len(x.names)
    w = params[: 2 * n_features].reshape(n_features, 2)
    bias = params[2 * n_features :]
    z = x.dot(w) + bias  # logits of negative and positive; neutral's is 0
    logits = np.column_stack((z[:, 0], np.zeros(x.n_rows), z[:, 1]))
    top = logits.max(axis=1, keepdims=True)
    exp = np.exp(logits - top)
    total = exp.sum(axis=1, keepdims=True)
    log_p = logits - top - np.log(total)
    loss = float(-(weight * log_p[np.arange(x.n_rows), target]).sum()) + 0.5 * l2 * float((w * w).sum())
    p = exp / total
    onehot = np.zeros_like(p)
    onehot[np.arange(x.n_rows), target] = 1.0
    err = (p - onehot)[:, (0, 2)] * weight[:, None]
    grad_w = x.tdot(err) + l2 * w
    grad_b = err.sum(axis=0)
    return loss, np.concatenate((grad_w.ravel(), grad_b))


def _dot(a: FloatArray, b: FloatArray) -> float:
    """a . b summed by numpy's own pairwise sum, not BLAS: BLAS splits a long dot product between
    as many threads as the machine has cores, and the order of its partial sums, so the fitted
    weights' last digits, would change with the machine."""
    return float(np.multiply(a, b).sum())


def lbfgs(
    x: SparseRows,
    target: IntArray,
    weight: FloatArray,
    l2: float,
    *,
    max_iter: int = 300,
    memory: int = 10,
    tolerance: float = 1e-6,
) -> tuple[FloatArray, FloatArray]:
    """Minimise the penalised weighted cross-entropy; returns (weights of shape (columns, 2), bias)."""
    n_features = len(x.names)
    params = np.zeros(2 * n_features + 2)
    loss, grad = _loss_and_gradient(params, x, target, weight, l2)
    steps: list[tuple[FloatArray, FloatArray, float]] = []
    for _ in range(max_iter):
        # Two-loop recursion: the direction from the last `memory` steps' curvature.
        q = grad.copy()
        alphas = []
        for s, y, rho in reversed(steps):
            a = rho * _dot(s, q)
            alphas.append(a)
            q -= a * y
        if steps:
            s, y, _ = steps[-1]
            q *= _dot(s, y) / _dot(y, y)
        for (s, y, rho), a in zip(steps, reversed(alphas), strict=True):
            b = rho * _dot(y, q)
            q += (a - b) * s
        direction = -q
        slope = _dot(grad, direction)
        if slope >= 0:  # not a descent direction: restart from the gradient
            steps.clear()
            direction, slope = -grad, -_dot(grad, grad)
        step = 1.0 if steps else min(1.0, 1.0 / max(float(np.abs(grad).sum()), 1e-12))
        # Backtracking line search with the Armijo condition.
        for _ in range(30):
            candidate = params + step * direction
            new_loss, new_grad = _loss_and_gradient(candidate, x, target, weight, l2)
            if new_loss <= loss + 1e-4 * step * slope:
                break
            step *= 0.5
        else:
            break
        s_k, y_k = candidate - params, new_grad - grad
        sy = _dot(s_k, y_k)
        if sy > 1e-12:
            steps.append((s_k, y_k, 1.0 / sy))
            if len(steps) > memory:
                steps.pop(0)
        improvement = loss - new_loss
        params, loss, grad = candidate, new_loss, new_grad
        if improvement <= tolerance * max(abs(loss), 1.0):
            break
    return params[: 2 * n_features].reshape(n_features, 2), params[2 * n_features :]
