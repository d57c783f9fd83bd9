"""The fuzzy neighbour graph of the training rows (UMAP's fuzzy simplicial set), built with
scikit-learn's exact nearest neighbours and numpy: deterministic, and with no compilation."""

import numpy as np
import scipy.optimize
import scipy.sparse
from sklearn.neighbors import NearestNeighbors

_SIGMA_STEPS = 64
_SIGMA_TOLERANCE = 1e-5
_MIN_SIGMA_SCALE = 1e-3


def fuzzy_neighbor_graph(X, n_neighbors):
    """Edges and memberships of UMAP's fuzzy union of the rows' ``n_neighbors``-NN sets.

    For each row the distances to its neighbours (itself included, as in UMAP) are shifted
    by the distance to its nearest other row (``rho``) and scaled by ``sigma``, chosen by
    bisection so the memberships ``exp(-(d - rho) / sigma)`` sum to ``log2(n_neighbors)``;
    the directed graph ``P`` is then symmetrised as ``P + P.T - P * P.T``. This is
    umap-learn's ``fuzzy_simplicial_set`` (``local_connectivity=1``, ``bandwidth=1``,
    ``set_op_mix_ratio=1``) fed with exact euclidean neighbours.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        At least two rows.
    n_neighbors : int
        Neighbours per row, itself included; at most ``n_samples``.

    Returns
    -------
    head, tail : ndarray of shape (n_edges,), int64
    weight : ndarray of shape (n_edges,), float32
        Membership of each edge, in (0, 1]; both directions of an edge are listed.
    """
    distances, indices = exact_neighbors(X, n_neighbors)
    rho, sigma = _smooth_knn_distances(distances, n_neighbors)
    shifted = distances - rho[:, None]
    # The exponent clipped at 0: np.where computes both branches, and exp of the unused
    # positive exponents (rows with a tiny sigma) overflowed with a RuntimeWarning.
    membership = np.where(shifted <= 0, 1.0, np.exp(-np.maximum(shifted, 0) / sigma[:, None]))
    membership[indices == np.arange(len(X))[:, None]] = 0.0
    rows = np.repeat(np.arange(len(X)), n_neighbors)
    directed = scipy.sparse.coo_matrix((membership.ravel(), (rows, indices.ravel())),
                                       shape=(len(X), len(X))).tocsr()
    directed.eliminate_zeros()
    product = directed.multiply(directed.T)
    graph = (directed + directed.T - product).tocoo()
    graph.eliminate_zeros()
    return (graph.row.astype(np.int64), graph.col.astype(np.int64),
            graph.data.astype(np.float32))


def exact_neighbors(X, n_neighbors, *, chunk_rows=512):
    """Each row's ``n_neighbors`` nearest rows (itself included) and their distances, the
    same whatever the number of BLAS threads.

    scikit-learn finds twice as many candidates through a matrix product, whose rounding
    depends on the BLAS threads; their distances are then recomputed elementwise in float64
    and sorted by (distance, index), so equal distances (duplicate rows, common in
    integer-valued data) are broken the same way on every machine and thread count.
    """
    n_candidates = min(len(X), 2 * n_neighbors)
    candidates = NearestNeighbors(n_neighbors=n_candidates).fit(X).kneighbors(
        X, return_distance=False)
    X64 = np.asarray(X, dtype=np.float64)
    distances = np.empty((len(X), n_neighbors))
    indices = np.empty((len(X), n_neighbors), dtype=np.int64)
    for start in range(0, len(X), chunk_rows):
        rows = slice(start, start + chunk_rows)
        found = candidates[rows]
        exact = np.sqrt(((X64[rows, None, :] - X64[found]) ** 2).sum(axis=-1))
        order = np.lexsort((found, exact), axis=-1)[:, :n_neighbors]
        distances[rows] = np.take_along_axis(exact, order, axis=-1)
        indices[rows] = np.take_along_axis(found, order, axis=-1)
    return distances, indices


def _smooth_knn_distances(distances, n_neighbors):
    """``rho`` and ``sigma`` of each row, vectorised over rows (UMAP's smooth_knn_dist)."""
    target = np.log2(n_neighbors)
    positive = np.where(distances > 0, distances, np.inf)
    rho = positive.min(axis=1)
    rho = np.where(np.isfinite(rho), rho, 0.0)
    others = distances[:, 1:] - rho[:, None]
    low = np.zeros(len(distances))
    high = np.full(len(distances), np.inf)
    sigma = np.ones(len(distances))
    done = np.zeros(len(distances), dtype=bool)
    for _ in range(_SIGMA_STEPS):
        # Neighbours nearer than rho (duplicates) count 1; exp only sees the others.
        total = np.where(others > 0, np.exp(-np.maximum(others, 0) / sigma[:, None]),
                         1.0).sum(axis=1)
        done |= np.abs(total - target) < _SIGMA_TOLERANCE
        above = (total > target) & ~done
        below = (total <= target) & ~done
        high = np.where(above, sigma, high)
        low = np.where(below, sigma, low)
        sigma = np.where(above | (below & np.isfinite(high)), (low + high) / 2,
                         np.where(below, sigma * 2, sigma))
        if done.all():
            break
    floor = _MIN_SIGMA_SCALE * np.where(rho > 0, distances.mean(axis=1), distances.mean())
    return rho, np.maximum(sigma, floor)


def umap_curve(min_dist, spread=1.0):
    """UMAP's ``a`` and ``b``: ``1 / (1 + a d^(2b))`` fit to 1 below ``min_dist`` and
    ``exp(-(d - min_dist) / spread)`` above (umap-learn's ``find_ab_params``)."""
    d = np.linspace(0, spread * 3, 300)
    target = np.where(d < min_dist, 1.0, np.exp(-(d - min_dist) / spread))
    (a, b), _ = scipy.optimize.curve_fit(lambda d, a, b: 1.0 / (1.0 + a * d ** (2 * b)),
                                         d, target)
    return float(a), float(b)
