"""Few labels: the frozen-encoder Pipeline, LatentClassifier, AutoencoderClassifier."""

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.semi_supervised import LabelSpreading, SelfTrainingClassifier

from skae import (AutoencoderClassifier, AutoencoderTransformer, ConvClassifier,
                  LatentClassifier, ManifoldLabelSpreading, config_context)
from skae.demo import few_label_indices


@pytest.fixture(scope="module")
def few_labels(digits):
    """Digits split in two; 5 labels per class in the training half, the rest -1."""
    X, y = digits
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0,
                                                        stratify=y)
    labeled = np.sort(few_label_indices(y_train, 5, random_state=0))
    y_few = np.full_like(y_train, -1)
    y_few[labeled] = y_train[labeled]
    return X_train, y_few, X_test, y_test, labeled


@pytest.fixture(scope="module")
def frozen_ae(few_labels):
    X_train = few_labels[0]
    # The textbook recipe these mechanism tests were measured on (no neighbour-graph term,
    # no batch norm): the features recipe is measured by benchmarks/features.py.
    ae = AutoencoderTransformer(latent_dim=32, hidden_layer_sizes=(256,), max_iter=200,
                                manifold_weight=0.0, latent_norm=None, hidden_norm=None,
                                noise=None, random_state=0)
    return FrozenEstimator(ae.fit(X_train))


def test_frozen_encoder_pipeline(few_labels, frozen_ae):
    """The documented Pipeline path: an encoder fit on every row, frozen, then the labels."""
    X_train, y_few, X_test, y_test, labeled = few_labels
    pipe = Pipeline([("ae", frozen_ae), ("clf", LogisticRegression(max_iter=1000))])
    pipe.fit(X_train[labeled], y_few[labeled])
    assert pipe.named_steps["ae"].estimator.n_features_in_ == 64
    # The frozen encoder was fit on all rows, not refit on the 50 labeled ones.
    assert pipe.named_steps["ae"].estimator.n_iter_ > 1
    assert pipe.score(X_test, y_test) > 0.75


# scikit-learn's LabelSpreading(kernel="knn") divides by zero in predict_proba for a row whose
# neighbours received no label mass, and warns from inside scikit-learn.
@pytest.mark.filterwarnings("ignore:invalid value encountered in divide:RuntimeWarning")
def test_beats_raw_pixels_with_the_same_labels(few_labels, frozen_ae):
    X_train, y_few, X_test, y_test, labeled = few_labels
    raw = LogisticRegression(max_iter=2000).fit(X_train[labeled], y_few[labeled])
    raw_accuracy = raw.score(X_test, y_test)
    spreading = LatentClassifier(frozen_ae, LabelSpreading(kernel="knn", n_neighbors=7),
                                 unlabeled="keep").fit(X_train, y_few)
    assert spreading.score(X_test, y_test) > raw_accuracy + 0.02


def test_drop_fits_the_classifier_on_labeled_rows_only(few_labels, frozen_ae):
    X_train, y_few, X_test, _, labeled = few_labels
    clf = LatentClassifier(frozen_ae).fit(X_train, y_few)
    assert clf.classes_.tolist() == list(range(10))
    expected = LogisticRegression(max_iter=1000).fit(
        frozen_ae.transform(X_train[labeled]), y_few[labeled])
    np.testing.assert_allclose(clf.predict_proba(X_test),
                               expected.predict_proba(frozen_ae.transform(X_test)))


# scikit-learn's LabelSpreading(kernel="knn") divides by zero in predict_proba for a row whose
# neighbours received no label mass, and warns from inside scikit-learn.
@pytest.mark.filterwarnings("ignore:invalid value encountered in divide:RuntimeWarning")
@pytest.mark.parametrize("classifier", [
    SelfTrainingClassifier(LogisticRegression(max_iter=1000)),
    LabelSpreading(kernel="knn", n_neighbors=7),
], ids=["self-training", "label-spreading"])
def test_semi_supervised_classifiers_downstream(few_labels, frozen_ae, classifier):
    X_train, y_few, X_test, y_test, _ = few_labels
    clf = LatentClassifier(frozen_ae, classifier, unlabeled="keep").fit(X_train, y_few)
    assert -1 not in clf.classes_
    # They saw the unlabeled rows and labeled some of them.
    fitted = clf.classifier_
    if isinstance(fitted, SelfTrainingClassifier):
        assert np.sum(fitted.labeled_iter_ > 0) > 100
    else:
        assert fitted.transduction_.shape == y_few.shape and np.all(fitted.transduction_ != -1)
    assert clf.score(X_test, y_test) > 0.8


def test_autoencoder_classifier_learns_from_labels(few_labels, frozen_ae):
    X_train, y_few, X_test, y_test, _ = few_labels
    clf = AutoencoderClassifier(frozen_ae, max_iter=20, random_state=0).fit(X_train, y_few)
    proba = clf.predict_proba(X_test)
    assert proba.shape == (len(X_test), 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    assert clf.score(X_test, y_test) > 0.8
    # Both terms were trained: the cross-entropy on the labeled rows fell, and the encoder
    # moved away from the pretrained one while the reconstruction stayed good.
    curve = [row["train_classification"] for row in clf.history_]
    assert curve[-1] < curve[0]
    assert clf.history_[-1]["train_reconstruction"] < 0.05
    before = frozen_ae.estimator.module_.encoder[0].weight
    after = clf.module_.autoencoder.encoder[0].weight
    assert not np.allclose(before.detach().numpy(), after.detach().numpy())


def test_autoencoder_classifier_with_a_hidden_head(few_labels, frozen_ae):
    X_train, y_few, X_test, y_test, _ = few_labels
    clf = AutoencoderClassifier(frozen_ae, hidden_layer_sizes=(32,), max_iter=10,
                                random_state=0).fit(X_train, y_few)
    assert clf.score(X_test, y_test) > 0.6


def test_labeled_rows_are_repeated_to_the_fraction():
    labeled = np.zeros(1000, dtype=bool)
    labeled[:10] = True
    rows = AutoencoderClassifier(labeled_fraction=0.2)._epoch_rows(labeled)
    share = np.isin(rows, np.flatnonzero(labeled)).mean()
    assert 0.2 <= share < 0.22
    assert set(range(1000)) <= set(rows.tolist())


def test_reproducible_and_joblib(few_labels, frozen_ae, tmp_path):
    X_train, y_few, X_test, _, _ = few_labels
    make = lambda: AutoencoderClassifier(frozen_ae, max_iter=3, random_state=0)  # noqa: E731
    # Exact repeats need one thread count (the thread policy's docs): under "auto" the two
    # fits may run on different counts when the load moves between them.
    with config_context(n_threads=1):
        a, b = make().fit(X_train, y_few), make().fit(X_train, y_few)
    np.testing.assert_array_equal(a.predict_proba(X_test), b.predict_proba(X_test))
    for clf in (a, LatentClassifier(frozen_ae).fit(X_train, y_few)):
        joblib.dump(clf, tmp_path / "clf.joblib")
        loaded = joblib.load(tmp_path / "clf.joblib")
        np.testing.assert_array_equal(loaded.predict(X_test), clf.predict(X_test))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_verbose_reaches_the_default_autoencoder_only(few_labels, capsys):
    X_train, y_few = few_labels[:2]
    quiet = LatentClassifier(random_state=0).fit(X_train[:100], y_few[:100])
    assert quiet.estimator_.verbose == 0 and capsys.readouterr().err == ""
    shown = LatentClassifier(random_state=0, verbose=1).fit(X_train[:100], y_few[:100])
    assert shown.estimator_.verbose == 1
    assert "AutoencoderTransformer:" in capsys.readouterr().err
    given = AutoencoderTransformer(max_iter=2, random_state=0)
    kept = LatentClassifier(given, verbose=1).fit(X_train[:100], y_few[:100])
    assert kept.estimator_.verbose == 0 and given.verbose == 0


def test_latent_classifier_seeds_its_classifier(few_labels, frozen_ae):
    from sklearn.ensemble import RandomForestClassifier

    X_train, y_few, X_test, _, _ = few_labels
    make = lambda seed: LatentClassifier(  # noqa: E731
        frozen_ae, make_pipeline(StandardScaler(), RandomForestClassifier(n_estimators=10)),
        random_state=seed).fit(X_train, y_few)
    first, again, other = make(0), make(0), make(1)
    assert isinstance(first.classifier_[-1].random_state, int)
    assert first.classifier.get_params()["randomforestclassifier__random_state"] is None
    np.testing.assert_array_equal(first.predict_proba(X_test), again.predict_proba(X_test))
    assert not np.array_equal(first.predict_proba(X_test), other.predict_proba(X_test))
    # A seed of the user's own is kept.
    fixed = LatentClassifier(frozen_ae, RandomForestClassifier(n_estimators=10, random_state=7),
                             random_state=0).fit(X_train, y_few)
    assert fixed.classifier_.random_state == 7


@pytest.mark.parametrize("cls", [LatentClassifier, AutoencoderClassifier])
def test_needs_a_label(few_labels, cls):
    X_train = few_labels[0]
    with pytest.raises(ValueError, match="at least one labeled row"):
        cls().fit(X_train, np.full(len(X_train), -1))


@pytest.mark.parametrize("cls", [LatentClassifier, AutoencoderClassifier,
                                 ManifoldLabelSpreading])
def test_labels_that_would_be_misread_are_refused(few_labels, frozen_ae, cls):
    """No y at all, and a string "-1" (which cannot be the int marker) in a string array:
    named errors, where the string would otherwise become a class of its own."""
    X_train, y_few = few_labels[:2]
    with pytest.raises(ValueError, match="requires y to be passed"):
        cls(frozen_ae).fit(X_train, None)
    y_text = np.where(y_few == -1, "-1", np.char.add("digit ", y_few.astype(str)))
    for y in (y_text, pd.Series(y_text), y_text.astype(object)):
        with pytest.raises(ValueError, match="y holds the string '-1'"):
            cls(frozen_ae).fit(X_train, y)
    # Missing values as the marker, pandas' and numpy's ways: they met unrelated errors
    # (a sort of None against str, "boolean value of NA is ambiguous").
    names = np.where(y_few == -1, None, np.char.add("digit ", y_few.astype(str))).astype(object)
    numbers = pd.array(np.where(y_few == -1, 0, y_few), dtype="Int64")
    numbers[y_few == -1] = pd.NA
    for y in (names, pd.Series(names, dtype="string"), pd.Categorical(names),
              np.where(y_few == -1, np.nan, y_few), numbers):
        with pytest.raises(ValueError, match="y holds missing values"):
            cls(frozen_ae).fit(X_train, y)


def test_a_float_minus_one_in_string_labels_marks_an_unlabeled_row(few_labels, frozen_ae):
    """-1.0 in an object array is the marker, as y == -1 reads it in scikit-learn."""
    X_train, y_few = few_labels[:2]
    y = np.where(y_few == -1, -1.0, np.char.add("digit ", y_few.astype(str)).astype(object))
    model = LatentClassifier(frozen_ae).fit(X_train, y.astype(object))
    assert len(model.classes_) == 10 and -1.0 not in list(model.classes_)


def test_keep_refuses_a_classifier_that_learns_the_marker(few_labels, frozen_ae):
    """unlabeled="keep" with a classifier that is not semi-supervised would predict -1."""
    X_train, y_few = few_labels[:2]
    clf = LatentClassifier(frozen_ae).fit(X_train, y_few)
    with pytest.raises(ValueError, match="learned -1 as a class"):
        clf.set_params(unlabeled="keep").fit(X_train, y_few)
    # The refused fit leaves the earlier classifier, not one that predicts -1.
    assert -1 not in clf.classifier_.classes_
    kept = LatentClassifier(frozen_ae, LabelSpreading(), unlabeled="keep").fit(X_train, y_few)
    assert -1 not in kept.classes_


def test_bad_head_sizes(few_labels, frozen_ae):
    X_train, y_few = few_labels[:2]
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        AutoencoderClassifier(frozen_ae, hidden_layer_sizes=(0,)).fit(X_train, y_few)


# -- ManifoldLabelSpreading: labels spread over UMAP's graph of the codes ------------------


@pytest.fixture(scope="module")
def cluster_then_label(few_labels, frozen_ae):
    from skae import ManifoldLabelSpreading

    X_train, y_few = few_labels[:2]
    return ManifoldLabelSpreading(frozen_ae, labeling="spread", random_state=0).fit(
        X_train, y_few)


def test_manifold_spreading_beats_spreading_on_the_codes(few_labels, frozen_ae,
                                                        cluster_then_label):
    X_train, y_few, X_test, y_test, _ = few_labels
    on_codes = LatentClassifier(frozen_ae, LabelSpreading(kernel="knn", n_neighbors=10),
                                unlabeled="keep").fit(X_train, y_few)
    assert cluster_then_label.score(X_test, y_test) > 0.8
    assert cluster_then_label.score(X_test, y_test) >= on_codes.score(X_test, y_test) - 0.01


def test_cluster_then_label_probabilities_are_proper(few_labels, cluster_then_label):
    X_test = few_labels[2]
    proba = cluster_then_label.predict_proba(X_test)
    assert proba.shape == (len(X_test), 10)
    assert np.all(np.isfinite(proba)) and np.all(proba >= 0)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(cluster_then_label.predict(X_test),
                                  cluster_then_label.classes_[proba.argmax(axis=1)])
    train = cluster_then_label.label_distributions_
    assert np.all(np.isfinite(train))
    np.testing.assert_allclose(train.sum(axis=1), 1.0)
    # Each cluster's class distribution is a distribution, smoothed: no zero, no NaN.
    table = cluster_then_label.cluster_class_proba_
    assert table.shape == (10, 10) and np.all(table > 0)
    np.testing.assert_allclose(table.sum(axis=1), 1.0)


def test_cluster_then_label_names_clusters_by_their_labeled_rows(few_labels,
                                                                 cluster_then_label):
    X_train, y_few, _, _, labeled = few_labels
    clustering = cluster_then_label.clustering_
    responsibilities = clustering.mixture_.predict_proba(clustering.embedding_)
    cluster = responsibilities.argmax(axis=1)
    # A cluster holding most of a class's labeled rows is named by that class.
    for k in range(10):
        named = y_few[labeled][cluster[labeled] == k]
        if len(named) >= 3 and np.bincount(named).max() > 0.8 * len(named):
            assert cluster_then_label.cluster_class_proba_[k].argmax() == np.bincount(
                named).argmax()


def test_cluster_then_label_string_classes_and_more_clusters(few_labels, frozen_ae):
    from skae import ManifoldLabelSpreading

    X_train, y_few, X_test, _, labeled = few_labels
    names = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven",
                      "eight", "nine"], dtype=object)
    y_named = np.where(y_few == -1, -1, names[np.maximum(y_few, 0)]).astype(object)
    clf = ManifoldLabelSpreading(frozen_ae, n_clusters=15, random_state=0)
    clf.fit(X_train, y_named)
    assert set(clf.classes_) == set(names)
    assert clf.cluster_class_proba_.shape == (15, 10)
    assert set(clf.predict(X_test)) <= set(names)


@pytest.mark.parametrize("labeling", ["clusters", "product"])
def test_labeling_takes_the_clusters_distribution(few_labels, frozen_ae, cluster_then_label,
                                                  labeling):
    """labeling="clusters" gives each unlabeled row its clusters' class distribution
    (cluster-then-label: 0.963 against the spread's 0.913 on MNIST's unlabeled training
    rows); "product" multiplies it into the spread's; a labeled row keeps the spread. The
    same seed gives the same clustering as the "spread" fit, whose distributions are the
    spread's."""
    from skae import ManifoldLabelSpreading

    X_train, y_few, X_test, y_test, labeled = few_labels
    clf = ManifoldLabelSpreading(frozen_ae, labeling=labeling, random_state=0)
    clf.fit(X_train, y_few)
    np.testing.assert_array_equal(clf.clustering_.labels_,
                                  cluster_then_label.clustering_.labels_)
    clustering = clf.clustering_
    clusters = (clustering.mixture_.predict_proba(clustering.embedding_)
                @ clf.cluster_class_proba_)
    spread = cluster_then_label.label_distributions_
    expected = clusters if labeling == "clusters" else spread * clusters
    expected = expected / expected.sum(axis=1, keepdims=True)
    expected[labeled] = spread[labeled]
    np.testing.assert_allclose(clf.label_distributions_, expected, rtol=1e-10, atol=1e-12)
    # Not the spread's answer: the clusters overrule it on some rows.
    assert np.any(clf.label_distributions_.argmax(axis=1) != spread.argmax(axis=1))
    # And a classifier: proper probabilities, new rows mostly right (here, 5 labels per
    # class on digits, below the spread's 0.924: clusters 0.850, product 0.889).
    proba = clf.predict_proba(X_test)
    assert np.all(np.isfinite(proba)) and np.all(proba >= 0)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert clf.score(X_test, y_test) > 0.8


def test_spreading_converges_to_the_closed_form():
    """Label spreading's fixed point is (1 - alpha) (I - alpha S)^-1 Y (Zhou et al. 2004).
    On a 300-node chain a bound on each entry's change stopped 5e-4 away from it (and on
    MNIST after 17 of ~360 iterations); the total change reaches it within 1e-4."""
    import scipy.sparse

    from skae.semi_supervised import _spread

    n = 300
    rows = np.arange(n - 1)
    chain = scipy.sparse.coo_matrix((np.ones(n - 1), (rows, rows + 1)), shape=(n, n))
    graph = (chain + chain.T).tocsr()
    seeds = np.zeros((n, 2))
    seeds[[0, 5], 0] = 1.0
    seeds[n - 1, 1] = 1.0
    scale = np.diag(1 / np.sqrt(np.asarray(graph.sum(axis=1)).ravel()))
    normalised = scale @ graph.toarray() @ scale
    closed = 0.01 * np.linalg.solve(np.eye(n) - 0.99 * normalised, seeds)
    spread, n_iter = _spread(graph, seeds, 0.99, 5000, 1e-3)
    assert n_iter < 5000
    np.testing.assert_allclose(spread, closed, atol=1e-4)


def test_more_clusters_than_samples_is_refused_as_latent_clustering_does(few_labels, frozen_ae):
    """It was capped at the number of samples without a word."""
    X_train, y_few, _, _, labeled = few_labels
    rows = np.concatenate([labeled[:10], np.flatnonzero(y_few == -1)[:20]])
    with pytest.raises(ValueError, match="n_clusters=100 must be at most the number of samples"):
        ManifoldLabelSpreading(frozen_ae, n_clusters=100).fit(X_train[rows], y_few[rows])


def test_a_few_dozen_rows_keep_their_two_clusters_apart():
    """On 20 rows (two blobs) UMAP's 19 neighbours joined the blobs into one graph and the
    spread gave every row one class (accuracy 0.50); the neighbours are now capped at half
    a cluster's rows on small data."""
    rng = np.random.RandomState(0)
    X = rng.randn(20, 4)
    X[10:] += 3
    y = np.r_[[0] * 10, [1] * 10]
    y_few = y.copy()
    y_few[rng.choice(20, 6, replace=False)] = -1
    model = ManifoldLabelSpreading(random_state=0).fit(X, y_few)
    assert model.clustering_.manifold_.n_neighbors == 5
    assert np.mean(model.predict(X) == y) >= 0.9


def test_a_classifier_predicts_new_rows_from_every_rows_label(few_labels, frozen_ae):
    # The classifier is fit on every training row with its most probable class, and its
    # probabilities are the estimator's; the nearest codes are not fit then.
    X_train, y_few, X_test, y_test, _ = few_labels
    model = ManifoldLabelSpreading(frozen_ae, random_state=0).fit(X_train, y_few)
    assert model.classifier_ is None and hasattr(model, "code_neighbors_")
    # Refit with a classifier: the nearest codes of the last fit are gone.
    model.set_params(classifier=LogisticRegression(max_iter=2000)).fit(X_train, y_few)
    assert not hasattr(model, "code_neighbors_")
    spread = model.classes_[model.label_distributions_.argmax(axis=1)]
    alone = LogisticRegression(max_iter=2000).fit(X_train, spread)
    np.testing.assert_allclose(model.predict_proba(X_test), alone.predict_proba(X_test))
    assert model.score(X_test, y_test) > 0.8


def test_the_classifier_is_seeded_inside_a_pipeline_and_checked(few_labels, frozen_ae):
    X, y_few, X_test = few_labels[0][:400], few_labels[1][:400], few_labels[2]
    pipe = make_pipeline(StandardScaler(), SGDClassifier(loss="log_loss"))
    first, second = (ManifoldLabelSpreading(frozen_ae, classifier=pipe, random_state=0).fit(
        X, y_few) for _ in range(2))
    assert isinstance(first.classifier_[-1].random_state, int)
    assert pipe[-1].random_state is None
    np.testing.assert_array_equal(first.predict_proba(X_test), second.predict_proba(X_test))
    # A classifier that renames the classes is refused, not read column by column.
    with pytest.raises(ValueError, match=r"must keep the labels it is fit on in classes_"):
        ManifoldLabelSpreading(frozen_ae, classifier=_Renaming(), random_state=0).fit(
            X, y_few)
    # One labeled class: no classifier to fit, every row takes that class.
    one = np.where(y_few == 3, 3, -1)
    model = ManifoldLabelSpreading(frozen_ae, classifier=LogisticRegression(),
                                   random_state=0).fit(X, one)
    assert model.classifier_ is None and set(model.predict(X_test)) == {3}


class _Renaming(ClassifierMixin, BaseEstimator):
    """Logistic regression that reports its classes as 100, 101, ..."""

    def fit(self, X, y):
        self.model_ = LogisticRegression(max_iter=200).fit(X, y)
        self.classes_ = 100 + np.arange(len(self.model_.classes_))
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(X)


class _WithoutFirstClass(ClassifierMixin, BaseEstimator):
    """Logistic regression that never sees the smallest class."""

    def fit(self, X, y):
        keep = y != np.min(y)
        self.model_ = LogisticRegression(max_iter=2000).fit(X[keep], y[keep])
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(X)


def test_a_class_the_classifier_never_saw_gets_probability_zero(few_labels, frozen_ae):
    X_train, y_few, X_test, _, _ = few_labels
    model = ManifoldLabelSpreading(frozen_ae, classifier=_WithoutFirstClass(),
                                   random_state=0).fit(X_train, y_few)
    proba = model.predict_proba(X_test)
    assert proba.shape == (len(X_test), 10)
    assert np.all(proba[:, 0] == 0)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(proba[:, 1:], model.classifier_.predict_proba(X_test))


def test_conv_classifier_learns_images_and_is_seeded_by_the_spreading(digits, few_labels,
                                                                     frozen_ae):
    X_train, y_few, X_test, y_test, _ = few_labels
    # Trained on the digits' true labels, as 8 x 8 images.
    X, y = digits
    X_fit, X_held, y_fit, y_held = train_test_split(X, y, test_size=0.3, random_state=0)
    clf = ConvClassifier(image_shape=(8, 8), max_iter=60, random_state=0)
    assert clf.fit(X_fit, y_fit).score(X_held, y_held) > 0.9
    assert clf.n_iter_ == 60 and len(clf.history_) == 60
    assert clf.image_shape_ == (1, 8, 8)
    # Seeded from the meta-estimator: two fits give one model.
    small = ConvClassifier(image_shape=(8, 8), max_iter=2)
    first, second = (ManifoldLabelSpreading(frozen_ae, classifier=small, random_state=0).fit(
        X_train, y_few) for _ in range(2))
    assert isinstance(first.classifier_.random_state, int) and small.random_state is None
    # Equal up to float32 rounding: on two threads a convolution's gradients are summed in
    # either order (3e-7 relative seen in CI).
    np.testing.assert_allclose(first.predict_proba(X_test), second.predict_proba(X_test),
                               rtol=1e-5)


def test_conv_classifier_refuses_bad_input_and_keeps_its_last_model():
    X = np.random.RandomState(0).uniform(size=(20, 64))
    y = np.arange(20) % 2
    clf = ConvClassifier(image_shape=(8, 8), max_iter=1, random_state=0).fit(X, y)
    before = clf.predict_proba(X)
    with pytest.raises(ValueError, match=r"image_shape=\(7, 7\) holds 49 values but X has 64"):
        clf.set_params(image_shape=(7, 7)).fit(X, np.arange(20) % 5)
    # The refused refit changed nothing: the classes still match the network.
    np.testing.assert_array_equal(clf.classes_, [0, 1])
    np.testing.assert_array_equal(clf.set_params(image_shape=(8, 8)).predict_proba(X), before)
    with pytest.raises(ValueError, match="y marks 5 rows -1, skae's mark of an unlabeled row"):
        ConvClassifier(image_shape=(8, 8)).fit(X, np.where(np.arange(20) < 5, -1, y))
    # Given to ManifoldLabelSpreading, a wrong shape is refused before the autoencoder's fit.
    spreading = ManifoldLabelSpreading(AutoencoderTransformer(max_iter=1000),
                                       classifier=ConvClassifier(image_shape=(7, 7)))
    with pytest.raises(ValueError, match=r"image_shape=\(7, 7\) holds 49 values"):
        spreading.fit(X, np.where(np.arange(20) < 5, -1, y))
    assert not hasattr(spreading, "clustering_")
