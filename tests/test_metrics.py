"""clustering_accuracy on hand-checked numbers and against a brute-force search."""

from itertools import permutations

import numpy as np
import pytest

from skae.metrics import clustering_accuracy


def test_renamed_clusters_score_one():
    y = np.array([0, 0, 1, 1, 2, 2])
    assert clustering_accuracy(y, np.array([2, 2, 0, 0, 1, 1])) == 1.0
    assert clustering_accuracy(["a", "a", "b", "b"], [7, 7, 3, 3]) == 1.0


def test_hand_checked_values():
    # Two clusters for three classes: at most two classes can be matched, 4 of 6 samples.
    assert clustering_accuracy([0, 0, 1, 1, 2, 2], [0, 0, 0, 0, 1, 1]) == pytest.approx(4 / 6)
    # Cluster 2 -> class 0 (3 samples), cluster 0 -> class 1 (3); cluster 1 has no class left.
    assert clustering_accuracy([0, 0, 0, 0, 1, 1, 1, 1], [2, 2, 2, 0, 0, 0, 0, 1]) == 0.75
    # The best map is not the greedy one. Cluster 0 holds 4 samples of class 0 and 3 of
    # class 1, cluster 1 holds 3 of class 0: giving cluster 0 its largest class scores 4 of 10,
    # giving it class 1 and cluster 1 class 0 scores 3 + 3 = 6.
    assert clustering_accuracy([0, 0, 0, 0, 1, 1, 1, 0, 0, 0], [0] * 7 + [1] * 3) == 0.6

def test_matches_the_best_of_all_maps():
    rng = np.random.RandomState(0)
    for _ in range(20):
        y_true, y_pred = rng.randint(0, 4, 30), rng.randint(0, 4, 30)
        best = max(np.mean(np.asarray(p)[y_pred] == y_true) for p in permutations(range(4)))
        assert clustering_accuracy(y_true, y_pred) == pytest.approx(best)


def test_labels_of_different_lengths_are_refused():
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        clustering_accuracy([0, 1, 1], [0, 1])


@pytest.mark.parametrize("y_true, y_pred, match", [
    ([0, np.nan], [0, 1], "y_true contains NaN"),
    ([0, 1], [0.0, np.nan], "y_pred contains NaN"),
    ([], [], "0 sample"),
])
def test_nan_labels_and_no_samples_are_refused(y_true, y_pred, match):
    """A NaN label counted as one more class (a score of 1.0 for [0, nan] against [0, 1]),
    and no samples gave nan with a numpy warning."""
    with pytest.raises(ValueError, match=match):
        clustering_accuracy(y_true, y_pred)
