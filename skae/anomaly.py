"""Outlier detection by reconstruction error: an autoencoder fit on normal data only."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, OutlierMixin
from sklearn.covariance import LedoitWolf
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import KFold
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._base import (_SAMPLE_ROWS, auto_scaling, column_stats, constant_columns, drawn,
                    evenly_spaced_rows, in_unit_interval)
from ._bridge import shared_random_state
from ._compat import HasMethods, Interval, StrOptions, _fit_context
from ._images import check_image_shape, local_mean
from ._refine import codes_of, fit_autoencoder
from ._validation import ImageShape, validate_X
from .autoencoder import AutoencoderTransformer


def _errors(autoencoder, X, local):
    """Minus the autoencoder's ``score_samples``; with ``local = (image_shape, window)``, the
    mean squared difference of the local means of each image and its reconstruction, a
    chunk of rows at a time (the reconstructions and the means are as large as the rows)."""
    if local is None:
        return -np.asarray(autoencoder.score_samples(X), dtype=np.float64)
    image_shape, window = local
    errors = np.empty(X.shape[0])
    chunk = max(1, _CHUNK_VALUES // X.shape[1])
    for start in range(0, X.shape[0], chunk):
        rows = X[start:start + chunk]
        reconstruction = autoencoder.inverse_transform(codes_of(autoencoder, rows))
        difference = (local_mean(rows, image_shape, window)
                      - local_mean(reconstruction, image_shape, window))
        errors[start:start + chunk] = np.mean(difference**2, axis=1)
    return errors


# Values in a chunk of rows scored by local means: each float64 temporary is 128 MiB.
_CHUNK_VALUES = 2**24


def _score_scales(autoencoder, X, distance, local):
    """What the score of ``distance`` needs besides the autoencoder, learnt on its training
    rows: where they lie (their columns' means and spreads, or their codes' location and
    precision) and the typical error and distance (``_typical``) that scale the two terms."""
    if distance is None:
        return {}
    if distance == "latent":
        covariance = LedoitWolf().fit(codes_of(autoencoder, X))
        scales = {"latent_location_": covariance.location_,
                  "latent_precision_": covariance.precision_}
    else:
        _, _, location, spread = column_stats(X)
        constant = constant_columns(location, spread, X.shape[0])
        # A constant column is divided by 1, not by its spread of round-off.
        scales = {"input_location_": location,
                  "input_scale_": np.where(constant, 1.0, spread)}
        scales.update(_input_power(X, scales, varying=~constant))
    scales["error_scale_"] = _typical(_errors(autoencoder, X, local))
    scales["distance_scale_"] = _typical(_distance(autoencoder, X, scales, distance))
    return scales


def _input_power(X, scales, varying):
    """The power step of the ``"input"`` distance: for each ``varying`` column of the
    standardised rows, the Yeo-Johnson power (λ) that makes it most Gaussian
    (``sklearn.preprocessing.PowerTransformer``'s fit, on at most ``_SAMPLE_ROWS`` rows
    spread evenly over ``X``; from ``_POWER_MIN_ROWS`` rows on, λ = 1 below) and the mean
    and standard deviation of the transformed column, which standardise it again."""
    from sklearn.preprocessing import PowerTransformer

    power = np.ones(X.shape[1])
    location, scale = np.zeros(X.shape[1]), np.ones(X.shape[1])
    columns = np.flatnonzero(varying)
    if X.shape[0] >= _POWER_MIN_ROWS and columns.size:
        rows = evenly_spaced_rows(X.shape[0], _SAMPLE_ROWS)
        sample = _standardised(X[rows], scales)[:, columns]
        with np.errstate(all="ignore"):
            transformer = PowerTransformer(standardize=False).fit(sample)
        power[columns] = np.clip(np.nan_to_num(transformer.lambdas_, nan=1.0), *_POWER_RANGE)
        transformed = _yeo_johnson(sample, power[columns])
        spread = transformed.std(axis=0)
        location[columns] = transformed.mean(axis=0)
        scale[columns] = np.where(spread > 0, spread, 1.0)
    return {"input_power_": power, "input_power_location_": location,
            "input_power_scale_": scale}


# The fewest training rows from which the "input" distance fits its powers (below, each
# column is only standardised), and the range its powers are held in: beyond it the
# transform of a far row overflows float64.
_POWER_MIN_ROWS = 10
_POWER_RANGE = (-10.0, 10.0)


def _yeo_johnson(values, power):
    """The Yeo-Johnson transform of each column of ``values`` by its ``power``, in float64,
    finite (a row far beyond the training rows goes to ``_FAR``)."""
    import torch

    from .nn.modules import yeo_johnson

    with torch.no_grad():
        out = yeo_johnson(torch.as_tensor(values, dtype=torch.float64),
                          torch.as_tensor(power, dtype=torch.float64)).numpy()
    return np.clip(np.nan_to_num(out, nan=_FAR, posinf=_FAR, neginf=-_FAR), -_FAR, _FAR)


# Where the power step puts rows beyond float64: far, and still finite when squared.
_FAR = 1e150


def _standardised(rows, scales):
    return (rows - scales["input_location_"]) / scales["input_scale_"]


def _typical(values):
    """What divides a term of the score: the training rows' median, their mean where more
    than half are 0 (many identical rows), 1 where all are (one row, or all alike; or where
    neither is positive, as a custom ``score_samples`` may make them), so that a new row's
    score stays finite."""
    for value in (np.median(values), np.mean(values)):
        if value > np.finfo(np.float64).tiny:
            return float(value)
    return 1.0


def _distance(autoencoder, X, scales, distance):
    """The squared Mahalanobis distance of the codes (``"latent"``), or the mean squared
    standardised distance of the rows to the training rows' means (``"input"``, a chunk of
    rows at a time)."""
    if distance == "latent":
        centred = codes_of(autoencoder, X) - scales["latent_location_"]
        return np.einsum("ij,jk,ik->i", centred, scales["latent_precision_"], centred)
    distances = np.empty(X.shape[0])
    chunk = max(1, _CHUNK_VALUES // X.shape[1])
    # Detectors fitted before the power step have no powers: standardised only.
    power = scales.get("input_power_")
    powered = np.flatnonzero(power != 1) if power is not None else np.zeros(0, dtype=int)
    for start in range(0, X.shape[0], chunk):
        standardised = _standardised(X[start:start + chunk], scales)
        if powered.size:
            standardised[:, powered] = (
                (_yeo_johnson(standardised[:, powered], power[powered])
                 - scales["input_power_location_"][powered])
                / scales["input_power_scale_"][powered])
        distances[start:start + chunk] = np.mean(standardised**2, axis=1)
    return distances


def _scores(autoencoder, scales, X, distance, local):
    errors = _errors(autoencoder, X, local)
    if distance is None:
        return -errors
    return -(errors / scales["error_scale_"]
             + _distance(autoencoder, X, scales, distance) / scales["distance_scale_"])


def _is_table(X, image_shape):
    """Whether ``X`` is a table: no ``image_shape`` given, and neither images in another
    range (what ``scaling="auto"`` brings into [0, 1]) nor data in [0, 1] drawn on a
    background (``drawn``). Tables scaled into [0, 1] and photographs count as tables."""
    if image_shape is not None:
        return False
    lo, hi = X.min(axis=0), X.max(axis=0)
    scaling = auto_scaling(X, lo, hi)
    return scaling == "power" or (scaling is None and not drawn(X, lo, hi))


def _error_window(image_shape):
    """The side of the local mean the error compares: odd, about a tenth of the image's
    shorter side (3 on 28 x 28 images), 1 (the plain error) below 20 pixels."""
    return 2 * (min(image_shape[1:]) // 20) + 1


def _default_autoencoder(X, image_shape=None, table=None):
    """The autoencoder of ``estimator=None`` for the rows ``X`` of this fit. For images
    (``image_shape`` given, or drawn on a background, in [0, 1] or in another range such as
    0-255; see ``_is_table``): a 32-D code behind the default hidden layers, trained on the
    reconstruction error alone (the score is that error; see the class's Notes), images
    outside [0, 1] brought there by one range (``scaling="global"``). For any other data
    (tables, scaled to [0, 1] or not, and photographs without ``image_shape``):
    an 8-D code, each column scaled to its training range and decoded through a sigmoid,
    so that values beyond that range cannot be reconstructed, trained with masking noise
    and early stopping (from ``_EARLY_STOPPING_MIN_ROWS`` rows on), because on a few
    hundred rows the plain model learns its training rows by heart. ``table``:
    ``_is_table(X, image_shape)`` where the caller has it already.
    """
    if table is None:
        table = _is_table(X, image_shape)
    if not table:
        # Images drawn on a background: "auto" brings them into [0, 1] already; any other
        # data that image_shape calls images (photographs) by one range too.
        scaling = ("auto" if image_shape is None
                   or in_unit_interval(X.min(axis=0), X.max(axis=0)) else "global")
        return AutoencoderTransformer(latent_dim=_IMAGE_LATENT_DIM, manifold_weight=0.0,
                                      scaling=scaling)
    return AutoencoderTransformer(latent_dim=_TABLE_LATENT_DIM, scaling="minmax",
                                  manifold_weight=0.0, noise="mask",
                                  noise_level=_TABLE_MASK_LEVEL,
                                  early_stopping=X.shape[0] >= _EARLY_STOPPING_MIN_ROWS)


# The code size of the default autoencoder on images (behind the default hidden layers,
# whose last has 16 units) and on tables; masking noise of the default autoencoder on
# tables, and the fewest rows (of the fit, or of a cross-fitting fold) for which it holds
# out a validation set: 10% of 50 rows is 5.
_IMAGE_LATENT_DIM = 32
_TABLE_LATENT_DIM = 8
_TABLE_MASK_LEVEL = 0.2
_EARLY_STOPPING_MIN_ROWS = 50


def _renamed_latent_distance(params, fitted):
    """The parameters and fitted attributes of a detector saved before ``distance`` replaced
    ``latent_distance`` (whose ``True`` is ``distance="latent"``, ``False`` None), under
    today's names; as they are for any other."""
    if "latent_distance" not in params:
        return params, fitted
    distance = "latent" if params["latent_distance"] else None
    params = {**{k: v for k, v in params.items() if k != "latent_distance"},
              "distance": distance}
    if "offset_" in fitted and "distance_" not in fitted:
        fitted = {**fitted, "distance_": distance}
    return params, fitted


# What ``_score_scales`` may set, removed before each fit.
_SCALE_NAMES = ("latent_location_", "latent_precision_", "input_location_", "input_scale_",
                "input_power_", "input_power_location_", "input_power_scale_",
                "error_scale_", "distance_scale_")


class AutoencoderOutlierDetector(OutlierMixin, BaseEstimator):
    """Flag samples that an autoencoder trained on normal data reconstructs badly.

    Fit on normal samples only. Higher scores mean more normal, as for
    ``IsolationForest``. On images the score of a sample is the autoencoder's own
    ``score_samples`` (for ``AutoencoderTransformer``, the negative reconstruction error);
    with ``image_shape`` (drawings), minus the error of local means, which forgives a stroke
    drawn a pixel away. On tables the sample's standardised distance to the training rows'
    means is added (``distance``): a sample the decoder reconstructs well but that lies far
    from the normal rows is an outlier too. Any skae autoencoder variant can be passed as
    ``estimator``.

    Parameters
    ----------
    estimator : estimator object, default=None
        The autoencoder, cloned and fit on ``X``. ``None`` means, for images,
        ``AutoencoderTransformer(latent_dim=32, manifold_weight=0)`` (images outside [0,
        1] brought there by one range, ``scaling="global"``); and for tables,
        ``AutoencoderTransformer(latent_dim=8, scaling="minmax", manifold_weight=0,
        noise="mask", noise_level=0.2, early_stopping=True)`` (early stopping from 50 rows
        on; each column scaled to its training range and decoded through a sigmoid, so
        values beyond that range cannot be reconstructed; see Notes). Images are the data
        of ``image_shape``, or data drawn on a dark background (a third or more of the
        values at the smallest, and strokes rising from it), in [0, 1] or on one scale
        such as 0-255; tables are any other data, photographs without ``image_shape``
        among them. Drawings on a light background without ``image_shape`` count as
        tables. A table scaled into [0, 1] whose values sit at 0 a third of the time or
        more (one-hot or count columns, columns constant before scaling) looks drawn and
        counts as images: give such a table unscaled (the detector scales it itself), or
        pass ``distance="input"`` and an estimator. A ``sklearn.frozen.FrozenEstimator``
        around a fitted autoencoder is used as it is.
    contamination : "auto" or float in (0, 0.5], default="auto"
        Expected fraction of outliers in the training data; a float sets ``offset_`` as
        that quantile of the training scores. ``"auto"`` uses Tukey's fence on
        cross-fitted scores: a sample is an outlier when its score falls more than 1.5
        interquartile ranges below the first quartile of the scores that the training
        samples get from autoencoders fit without them (see ``cv``). Scores of the rows an
        autoencoder was trained on are optimistic (on 100-row sets, held-out normal rows
        reconstruct 10-40 times worse), so a fence on them flags most new normal rows.
    distance : {"auto", "input", "latent"} or None, default="auto"
        What is added to the reconstruction error. ``None``: nothing, the score is minus
        that error (the autoencoder's ``score_samples``, or the error of local means with
        ``image_shape``). ``"input"``: the mean squared distance of the sample to the
        training samples' means, each feature divided by its training standard deviation,
        then (from 10 training samples on) through the Yeo-Johnson power that makes it
        most Gaussian on the training samples (``sklearn.preprocessing.PowerTransformer``'s
        fit, on at most 10,000 of them; the power held within [-10, 10]) and standardised
        again, so that a long tail of normal values does not pass for distance. Measured
        (one-class splits, each class normal in turn, dev seeds 5-6, mean ROC AUC, plain
        standardised distance then with the power, IsolationForest in brackets): breast
        cancer 0.884, 0.909 (0.897); wine 0.987, 0.986 (0.969); ``MASS::fgl`` glass
        0.784, 0.775 (0.785); ``MASS::Pima`` 0.678, 0.669 (0.692); ``Ecdat::Crime``
        regions 0.752, 0.764 (0.656); ``Ecdat::Mroz`` 0.556, 0.557 (0.564);
        ``Ecdat::Fishing`` 0.708, 0.727 (0.707); ``MASS::crabs`` 0.686, 0.684 (0.637);
        iris 0.974, 0.977 (0.955); tables generated as ``benchmarks/features.py``'s
        ``make_tabular`` (seeds 1-3) 0.674, 0.688 (0.622), 0.773, 0.786 (0.757), 0.686,
        0.696 (0.670); an 800-row ``make_classification`` set 0.663, 0.660 (0.609).
        ``"latent"``: the squared Mahalanobis distance of the code to the training codes
        (Ledoit-Wolf covariance). The score is then minus the sum of the error and the
        distance, each divided by its median over the training samples (their mean where
        the median is 0, 1 where every one is). Constant features are divided by 1. ``"auto"``:
        ``"input"`` on tables, ``None`` on images (``image_shape`` given, or data that the
        default estimator treats as images, see ``estimator``). The distance catches
        outliers that lie beyond the normal rows, which a model of them may still
        reconstruct; the error catches those between clusters of normal rows; ``"latent"``
        ranked worse than ``"input"`` on clustered classes (see Notes).
    cv : int or None, default=5
        Folds of the cross-fitting that sets ``offset_`` when ``contamination="auto"``:
        ``cv`` more autoencoders are fit, each on all folds but one, and score the fold
        left out; they are then discarded. ``None`` puts the fence on the training scores
        of the final autoencoder, which costs nothing but flags more normal samples.
        Unused with a float ``contamination`` or a ``FrozenEstimator`` (whose scores of
        ``X`` are already those of a model fit on other data).
    image_shape : tuple of int or None, default=None
        The shape of the images, ``(height, width)`` or ``(channels, height, width)``,
        when the rows are flattened drawings on a plain background (handwriting, as in
        MNIST): the score is then minus the mean squared difference between the local
        means of each image and of its reconstruction (each pixel the mean of a window
        about a tenth of the image's side: 3 x 3 pixels on 28 x 28 images; below 20 pixels
        the window is one pixel, the plain error), which forgives a stroke drawn a pixel
        away and not a wrong shape. It replaces the estimator's ``score_samples`` and needs
        its ``inverse_transform``. On photographs' textures it ranks worse (see Notes), so
        it is not inferred from the data. ``None``: the estimator's ``score_samples``.
    random_state : int, RandomState instance or None, default=None
        Seeds the autoencoder when its own ``random_state`` is None, the cross-fitting's
        folds and their autoencoders.
    verbose : int, default=0
        ``1`` shows a progress bar of the default autoencoder's fits (``estimator=None``;
        the cross-fitting's too); a given estimator keeps its own ``verbose``.

    Attributes
    ----------
    estimator_ : estimator object
        The fitted autoencoder.
    offset_ : float
        The threshold: ``decision_function = score_samples - offset_``.
    latent_location_ : ndarray of shape (latent_dim,)
        Mean of the training codes (``distance_="latent"`` only).
    latent_precision_ : ndarray of shape (latent_dim, latent_dim)
        Inverse of their Ledoit-Wolf covariance (``distance_="latent"`` only).
    input_location_ : ndarray of shape (n_features_in_,)
        Means of the training samples' features (``distance_="input"`` only).
    input_scale_ : ndarray of shape (n_features_in_,)
        Their standard deviations, 1 for constant features (``distance_="input"`` only).
    input_power_ : ndarray of shape (n_features_in_,)
        The Yeo-Johnson power of each standardised feature, 1 (none) for constant features
        and below 10 training samples (``distance_="input"`` only).
    input_power_location_, input_power_scale_ : ndarray of shape (n_features_in_,)
        The means and standard deviations of the powered training features, which
        standardise them again (``distance_="input"`` only).
    error_scale_ : float
        Typical (median, see ``distance``) reconstruction error (of local means with
        ``image_shape``) of the training samples (``distance_`` not None only).
    distance_scale_ : float
        Typical (median) distance of the training samples (``distance_`` not None only).
    distance_ : {"input", "latent"} or None
        ``distance`` as used: ``"auto"`` resolved for the training data.
    image_shape_ : tuple of 3 int or None
        ``image_shape`` as ``(channels, height, width)``; None without it.
    error_window_ : int
        Side of the local mean of the error; 1 is the plain error.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen during fit, when ``X`` had string column names.

    See Also
    --------
    sklearn.ensemble.IsolationForest : The same conventions, with trees.

    Notes
    -----
    Measured on one-class splits (train on 70% of one class's rows, test on the other 30%
    and the other classes; breast cancer's benign class, each of wine's three classes and
    digits 0, 3 and 8; 3 seeds; ``AutoencoderTransformer()``): the cross-fitted fence
    flagged 0-9% of held-out normal rows (IsolationForest's ``"auto"``: 10-26%), where a
    fence on the training scores flagged 27% (breast cancer) to 96-100% (wine).

    The default autoencoder on images (scored by the plain reconstruction error). Measured
    on MNIST's training rows only (each digit normal in turn, trained on its about 5,400
    rows among 54,000, scored on 6,000 others, one seed), the mean ROC AUC over the ten
    digits was 0.940 with ``AutoencoderTransformer()`` (2-D code, neighbour-graph term, no
    masking noise then, 20 epochs, 16 s a fit). The gain came from the code's size: on four
    digits at 20 epochs a 16-D code scored 0.936 with the neighbour-graph term and 0.938
    without it, at 16 s a fit against 2-3 s, so the term is off (``manifold_weight=0``).
    With the default ``max_iter`` (each fit stops by itself): 0.966 (8-D code), 0.967
    (16-D), 0.971 (32-D; fits of 11-37 s), PCA(32)'s reconstruction error 0.952. The default
    hidden layers end in 16 units, so the 32-D code is a linear image of 16: that narrow
    passage matters, since hidden layers that keep 32 dimensions to the code, ``(128, 64)``
    or ``(256, 128, 64)``, scored 0.953 and 0.963 with the default ``max_iter`` (0.959 and
    0.962 capped at 20 epochs; they reconstruct the other digits better too), and wider
    hidden layers before a 16-D code, ``(512, 256, 128)``, 0.967. On the 8 x 8 digits (each
    class normal in turn, 70/30 splits, 2 seeds): 0.991 (``AutoencoderTransformer()``
    without masking noise), 0.994 (16-D), 0.993 (32-D); PCA(16) 0.997. Tables, in [0, 1] or not,
    get the one below.

    The error of local means (``image_shape``): on the same MNIST split, the default
    autoencoder's fits scored by the mean squared difference of the 3 x 3 local means of
    each image and of its reconstruction instead of the plain error: 0.970 to 0.975 (seed 0)
    and 0.971 to 0.977 (seed 1); every digit but 1 gained or tied (digit 1: 0.999 to 0.998;
    digit 8: 0.905 to 0.919, 0.903 to 0.921). Other scores of the same fits, seed 1: 2 x 2
    means 0.976, 5 x 5 means 0.973, a Gaussian of width 1 pixel 0.977, the absolute error
    0.955, the cross-entropy 0.931. PCA(32) gains from it too (0.952 to 0.965). On the
    8 x 8 digits a 3 x 3 mean covers too much of the image: 0.993 to 0.985, so below 20
    pixels the window is one pixel. On photographs it ranks worse: 28 x 28 grey patches of
    scikit-learn's two sample photographs (3,000 patches of one for training, 1,000 of each
    scored; 3 draws), 0.865 / 0.935 / 0.882 with the plain error, 0.826 / 0.891 / 0.860
    with 3 x 3 means (PCA(32): 0.844 / 0.839 / 0.823 to 0.812 / 0.806 / 0.794): the fine
    texture that the local means smooth away is what tells the photographs apart. Hence
    the error of local means is for drawings and only where ``image_shape`` says so.

    The default autoencoder on tables: on a few hundred rows the plain model learns its
    training rows by heart (breast cancer's 148 training rows of the malignant class, seed
    0: a median error of 0.12 on them, 0.61 on held-out rows of the same class), so rows far
    from the normal class are ranked no worse than new normal rows. Masking noise and early
    stopping raised the mean ROC AUC of ``score_samples`` (the same 70/30 splits with each
    class normal in turn, 3 seeds; IsolationForest in brackets) on wine from 0.948 to 0.966
    (0.965), breast cancer 0.759 to 0.803 (0.912), iris 0.970 to 0.979 (0.976),
    ``make_classification`` sets of 300 rows 0.763 to 0.774 (0.684) and of 1,000 rows 0.739
    to 0.802 (0.759), a 3,000-row covtype-like generated set (skewed and binary columns)
    0.723 to 0.737 (0.722) and digits 0, 3 and 8 as a 0-16 table (standardised: since then
    ``scaling="auto"`` treats 0-16 digits as images) 0.963 to 0.978 (0.968); it lowered it
    on the generated set of ``benchmarks/features.py`` from 0.785 to 0.759 (0.692).

    The default autoencoder and score on tables since then, chosen on dev splits (the same
    protocol, seeds 5 and 6) of iris, wine, breast cancer, four ``make_classification``
    sets, a generated set like ``benchmarks/features.py``'s (``random_state=1``, 3,000 rows)
    and diabetes with its target cut in thirds; mean ROC AUC in the order iris / wine /
    breast cancer / 300 rows, 2 classes / 1,000 rows, 3 classes / generated / 500 rows, one
    cluster a class / 800 rows, three clusters a class (diabetes in the text). The
    standardised 2-D model above with the neighbour-graph term: 0.948 / 0.965 / 0.788 /
    0.734 / 0.691 / 0.706 / 0.857 / 0.702. Columns scaled to their training range and
    decoded through a sigmoid, an 8-D code, no neighbour-graph term (the default now): 0.969
    / 0.982 / 0.828 / 0.745 / 0.718 / 0.715 / 0.934 / 0.682, and fits up to 7 times shorter.
    The same fits with the standardised distance to the means added (``distance="input"``,
    the default now): 0.972 / 0.982 / 0.885 / 0.776 / 0.689 / 0.671 / 0.981 / 0.691; with
    the codes' Mahalanobis distance instead (``"latent"``): 0.972 / 0.982 / 0.871 / 0.713 /
    0.646 / 0.641 on the first six. IsolationForest: 0.955 / 0.969 / 0.897 / 0.777 / 0.627 /
    0.622 / 0.980 / 0.672. The error alone ranks best where the normal class is several
    clusters and outliers fall between them (the 1,000-row and generated sets); the distance
    where outliers lie beyond the normal rows (breast cancer's benign rows, small tumours,
    are reconstructed well by a model of malignant ones). The sum is within 0.012 of
    IsolationForest on every one of these sets (diabetes: 0.653 against 0.661) and ahead of
    it on six; the error alone trails it by 0.07 on breast cancer, the older model by up to
    0.12. On images ``distance="auto"`` adds nothing: on the MNIST split above (seed 5, the
    default image autoencoder) the mean ROC AUC over the ten digits was 0.971 with the error
    alone, 0.948 with the distance to the mean image added, 0.883 with that distance alone
    (every digit lost with it). The codes' distance loses on clustered classes because a
    model of one class encodes the other classes' rows inside its own codes (the Mahalanobis
    distance alone ranked them as more normal than new normal rows: ROC AUC 0.43 on the
    1,000-row set).

    Examples
    --------
    >>> from skae import AutoencoderOutlierDetector, AutoencoderTransformer
    >>> from skae.datasets import load_digits
    >>> X, y = load_digits()
    >>> ae = AutoencoderTransformer(latent_dim=4, hidden_layer_sizes=(32,), max_iter=20,
    ...                             batch_size=32, random_state=0)
    >>> detector = AutoencoderOutlierDetector(ae, contamination=0.05).fit(X[y == 0])
    >>> detector.predict(X[:5]).tolist()   # digits 0 to 4: only the 0 is normal
    [1, -1, -1, -1, -1]
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "transform"]), None],
        "contamination": [StrOptions({"auto"}), Interval(Real, 0, 0.5, closed="right")],
        "distance": [StrOptions({"auto", "input", "latent"}), None],
        "cv": [Interval(Integral, 2, None, closed="left"), None],
        "image_shape": [ImageShape(allow_2d=True), None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(self, estimator=None, *, contamination="auto", distance="auto", cv=5,
                 image_shape=None, random_state=None, verbose=0):
        self.estimator = estimator
        self.contamination = contamination
        self.distance = distance
        self.cv = cv
        self.image_shape = image_shape
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Fit the autoencoder on ``X`` (normal data) and set the threshold.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, assumed normal (or with about ``contamination`` outliers).
        y : None
            Ignored.

        Returns
        -------
        self : object
        """
        X = validate_X(self, X, reset=True)
        # Rank 0's stream on every data-parallel rank: the folds must be the same everywhere.
        rng = shared_random_state(check_random_state(self.random_state))
        table = _is_table(X, self.image_shape)
        estimator = (_default_autoencoder(X, self.image_shape, table).set_params(
                         verbose=self.verbose)
                     if self.estimator is None else self.estimator)
        self.image_shape_ = self._image_shape(estimator, X)
        self.error_window_ = 1 if self.image_shape_ is None else _error_window(self.image_shape_)
        self.distance_ = ("input" if table else None) if self.distance == "auto" else self.distance
        self.estimator_ = fit_autoencoder(estimator, X, "estimator", rng)
        for name in _SCALE_NAMES:
            self.__dict__.pop(name, None)  # from an earlier fit with another distance
        scales = _score_scales(self.estimator_, X, self.distance_, self._local())
        for name, value in scales.items():
            setattr(self, name, value)
        if self.contamination != "auto":
            self.offset_ = float(np.percentile(self._own_scores(X), 100.0 * self.contamination))
            return self
        if self.cv is None or isinstance(estimator, FrozenEstimator) or X.shape[0] < 4:
            scores = self._own_scores(X)
        else:
            scores = self._cross_fitted_scores(estimator, X, rng)
        q1, q3 = np.percentile(scores, [25, 75])
        self.offset_ = float(q1 - 1.5 * (q3 - q1))
        return self

    # Detectors saved before ``distance`` replaced ``latent_distance``: skae.load renames
    # their parameters with this, a pickle's state in ``__setstate__``.
    _upgrade_saved = staticmethod(_renamed_latent_distance)

    def __setstate__(self, state):
        params, fitted = _renamed_latent_distance(state, state)
        state = {**fitted, **params}
        state.pop("latent_distance", None)
        super().__setstate__(state)

    def _image_shape(self, estimator, X):
        """``image_shape`` as ``(channels, height, width)``, checked against ``X``, or None."""
        if self.image_shape is None:
            return None
        if not hasattr(estimator, "inverse_transform"):
            raise ValueError(
                f"image_shape={self.image_shape!r} compares images with their "
                f"reconstructions, but the estimator {type(estimator).__name__} has no "
                "inverse_transform; pass image_shape=None to score with its "
                "score_samples.")
        return check_image_shape(self.image_shape, X.shape[1], allow_2d=True)

    def _local(self):
        """``(image_shape, window)`` of the error of local means, or None: the plain error."""
        return None if self.error_window_ == 1 else (self.image_shape_, self.error_window_)

    def _cross_fitted_scores(self, estimator, X, rng):
        """Each sample's score from an autoencoder fit on the other folds."""
        n_splits = min(self.cv, X.shape[0] // 2)
        folds = KFold(n_splits, shuffle=True, random_state=rng.randint(2**31 - 1))
        scores = np.empty(X.shape[0])
        for train, held_out in folds.split(X):
            autoencoder = fit_autoencoder(estimator, X[train], "estimator", rng)
            scales = _score_scales(autoencoder, X[train], self.distance_, self._local())
            scores[held_out] = _scores(autoencoder, scales, X[held_out], self.distance_,
                                       self._local())
        return scores

    def _own_scores(self, X):
        return _scores(self.estimator_, vars(self), X, self.distance_, self._local())

    def score_samples(self, X):
        """Normality of each sample, higher is more normal (see ``distance``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = validate_X(self, X, reset=False)
        return self._own_scores(X)

    def decision_function(self, X):
        """``score_samples(X) - offset_``: negative for outliers, positive for inliers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,)
        """
        return self.score_samples(X) - self.offset_

    def predict(self, X):
        """``+1`` for inliers, ``-1`` for outliers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        is_inlier : ndarray of shape (n_samples,)
        """
        return np.where(self.decision_function(X) < 0, -1, 1)
