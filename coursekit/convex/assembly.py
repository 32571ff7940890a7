"""Hessians assembled from element terms, as in finite elements.

When f(x) = sum_e f_e(x[idx_e]) and each term touches a few coordinates idx_e, the Hessian
is a sum of small element Hessians scattered into place:

    H[idx_e, idx_e] += H_e,    H_e = the Hessian of f_e (|idx_e| x |idx_e|).

Most entries stay zero: a chain of springs gives a tridiagonal H, which Newton can solve
in O(d) instead of O(d^3).
"""
from __future__ import annotations

import numpy as np

__all__ = ["assemble_hessian", "SpringChain"]


def assemble_hessian(element_hessians, elements, dim, *, sparse=False):
    """Sum element Hessians into a (dim, dim) matrix.

    element_hessians: (E, m, m) array; elements: (E, m) integer indices into 0..dim-1.
    sparse=True returns a scipy.sparse CSR matrix (duplicates summed), else a dense NumPy array.
    """
    He = np.asarray(element_hessians, dtype=float)
    idx = np.asarray(elements)
    if idx.ndim != 2 or He.shape != idx.shape + (idx.shape[1],):
        raise ValueError(f"element_hessians must have shape (E, m, m) for elements (E, m), "
                         f"got {He.shape} and {idx.shape}")
    if idx.size and (idx.min() < 0 or idx.max() >= dim):
        raise ValueError(f"elements must index 0..{dim - 1}, got values in [{idx.min()}, {idx.max()}]")
    rows = np.repeat(idx[:, :, None], idx.shape[1], axis=2)
    cols = np.repeat(idx[:, None, :], idx.shape[1], axis=1)
    if sparse:
        import scipy.sparse
        return scipy.sparse.coo_matrix((He.ravel(), (rows.ravel(), cols.ravel())), shape=(dim, dim)).tocsr()
    H = np.zeros((dim, dim))
    np.add.at(H, (rows.ravel(), cols.ravel()), He.ravel())
    return H


class SpringChain:
    """A chain of nonlinear springs pinned at both ends, with a load on every node.

    f(x) = sum_{e=0}^{d} phi(x_{e+1} - x_e) - load^T x,  x_0 = x_{d+1} = 0 (pinned),
    phi(u) = u^2/2 + stiffening u^4/4 (convex). Element e couples nodes e and e+1 with the
    element Hessian phi''(u) [[1, -1], [-1, 1]], phi''(u) = 1 + 3 stiffening u^2.
    """

    def __init__(self, dim, stiffening=1.0, load=None, seed=0):
        self.dim, self.stiffening = int(dim), float(stiffening)
        rng = np.random.default_rng(seed)
        self.load = rng.normal(size=self.dim) if load is None else np.asarray(load, dtype=float)
        e = np.arange(self.dim + 1)                    # elements between padded nodes e, e+1
        self.elements = np.stack([e - 1, e], axis=1)   # -1 and dim are the pinned ends

    def _u(self, x):
        padded = np.concatenate([np.zeros(x.shape[:-1] + (1,)), x, np.zeros(x.shape[:-1] + (1,))], axis=-1)
        return np.diff(padded, axis=-1)

    def value(self, x):
        u = self._u(np.asarray(x, dtype=float))
        return np.sum(u ** 2 / 2 + self.stiffening * u ** 4 / 4, axis=-1) - x @ self.load

    def grad(self, x):
        dphi = (lambda u: u + self.stiffening * u ** 3)(self._u(np.asarray(x, dtype=float)))
        return dphi[..., :-1] - dphi[..., 1:] - self.load

    def element_hessians(self, x):
        """(d+1, 2, 2) element Hessians and their (d+1, 2) node indices, pinned ends dropped."""
        k = 1 + 3 * self.stiffening * self._u(np.asarray(x, dtype=float)) ** 2
        He = k[:, None, None] * np.array([[1.0, -1.0], [-1.0, 1.0]])
        return He, self.elements

    def sparse_hessian(self, x):
        """The assembled Hessian as a scipy.sparse CSC matrix (tridiagonal), pinned ends dropped."""
        He, idx = self.element_hessians(x)
        return assemble_hessian(He, idx + 1, self.dim + 2, sparse=True)[1:-1, 1:-1].tocsc()

    def hessian(self, x):
        """The assembled Hessian (dense), pinned-end rows and columns dropped."""
        He, idx = self.element_hessians(x)
        H = assemble_hessian(He, idx + 1, self.dim + 2)   # assemble with the two pinned nodes
        return H[1:-1, 1:-1]
