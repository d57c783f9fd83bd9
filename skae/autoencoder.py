"""AutoencoderTransformer and its family: sparse, denoising, contractive, convolutional
(parameters of AutoencoderTransformer, with convenience classes) and variational."""

import functools
import inspect
from numbers import Integral, Real

from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._base import BaseAutoencoder
from ._compat import Interval, StrOptions
from ._graph import fuzzy_neighbor_graph, umap_curve
from ._images import check_image_shape as _check_image_shape
from ._validation import ImageShape
from .nn.corruption import CORRUPTIONS
from .nn.losses import (
    gaussian_kl,
    jacobian_frobenius,
    kl_sparsity,
    l1_sparsity,
    negative_elbo,
    negative_log_likelihood,
)
from .nn.graph import NeighborGraphPenalty
from .nn.modules import ACTIVATIONS, HIDDEN_NORMS, LATENT_NORMS, Autoencoder, rowwise
from .nn.modules import VariationalAutoencoder as _VAEModule
from .nn.training import Objective


class AutoencoderTransformer(BaseAutoencoder):
    """Autoencoder as a scikit-learn transformer: ``transform`` gives the latent code.

    A multi-layer perceptron encoder (``hidden_layer_sizes`` then ``latent_dim``) and a
    mirrored decoder are trained with Adam to minimise the mean squared reconstruction
    error. Fit it on unlabeled data; use it in a Pipeline for dimensionality reduction,
    few-label classification or clustering in the latent space.

    Input scaling: with ``scaling="auto"``, data that lies in [0, 1] (such as images) is
    used as it is and decoded through a sigmoid, as in the reference model; images stored in
    another range (0-255 or 0-16 integers, or [-1, 1]) are brought into [0, 1] by that one
    range and treated the same; any other data is standardised per feature inside the model
    (its skewed features through a power transform first) and decoded linearly, so tabular
    columns of arbitrary scales and shapes train well.
    ``inverse_transform`` always returns the units of the input.

    Parameters
    ----------
    latent_dim : int, default=2
        Size of the latent code, the number of output features of ``transform``.
    hidden_layer_sizes : tuple of int, default=(128, 64, 16)
        Widths of the encoder's hidden layers; the decoder mirrors them.
    activation : {"relu", "tanh", "logistic", "identity"}, default="relu"
        Activation of the hidden layers.
    scaling : {"auto", "standard", "power", "minmax", "global"} or None, default="auto"
        How inputs are scaled inside the model. ``"standard"``: each feature to mean 0 and
        variance 1, decoded linearly. ``"power"``: the same, then each feature whose
        skewness exceeds 1 in magnitude (a long tail: amounts, sizes, counts; on fewer than
        about 50 rows, more than three standard errors of chance skew) goes through
        the Yeo-Johnson power that makes it most Gaussian (as
        ``sklearn.preprocessing.PowerTransformer`` fits it, on the standardised values,
        the power held within [0, 2] so that every decoded value maps back: the heaviest
        tails, such as a log-normal's with sigma 4, keep some of their skew) and is
        standardised again; decoded linearly, the power undone on the way out (so
        ``inverse_transform`` answers in the input's units, though an error in a long tail
        grows on the way back) and ``score_samples`` measured in the transformed space. A
        table with no skewed feature is scaled as by ``"standard"``. Measured (dev seeds
        10-11, 5-fold CV accuracy of StandardScaler + 8-D codes + LogisticRegression,
        ``"standard"`` then ``"power"``, PCA(8) beside them): tables generated as
        ``benchmarks/features.py``'s ``make_tabular`` (half the columns exponentiated;
        3,000 rows with seed 1, 2,000 with seeds 2 and 3) 0.419 and 0.457 (0.441), 0.650
        and 0.770 (0.684), 0.544 and 0.596 (0.550); breast cancer (22 of 30 features
        skewed) 0.964 and 0.968 (0.975); wine (2 of 13) 0.980 and 0.975 (0.978);
        ``make_classification`` with 800 rows and no skewed feature 0.562 and 0.564 (0.532).
        ``"minmax"``: each feature to [0, 1] by its own
        range; ``"global"``: every feature to [0, 1] by the one range of the whole array,
        which keeps the features' relative sizes (pixels); both decode through a sigmoid.
        ``None`` uses the raw values (with a sigmoid output if they lie in [0, 1]).
        ``"auto"``: ``None`` for data in [0, 1]; ``"global"`` for images in another range:
        data on one scale (most varying features, more than half and at least two, reach
        the smallest value of the array and most reach at least halfway up to its
        largest) with a background (a third or more of all entries at that smallest
        value) from which the values rise (the smallest value above it in the lower half of
        the range: faint strokes), as the pixels of images stored as integers are, and
        sparse non-negative features on one scale too; ``"power"`` otherwise: tables in
        mixed units, and data on one scale without such a background (answers on a 1-5
        scale, counts, a -999 code for missing values, which leaves a gap above it,
        photographs with no background, images of two levels only); with ``image_shape``
        set, any data outside [0, 1] is ``"global"``, background or not (the user says
        they are images: uint8 photographs then decode into 0-255, not beyond). Pass
        ``scaling="standard"`` to standardise in any case. Measured on the bundled 8 x 8
        digits as scikit-learn gives them (0-16), 2 dev seeds, 5 labels per class + codes(16)
        + LogisticRegression / k-means on codes(10): standardised 0.917 / 0.750 and 0.928
        / 0.746, by the one range 0.939 / 0.894 and 0.957 / 0.893 (the same as dividing by
        16 first), both without masking noise on images (the default then); by the one
        range with masking (the current default) 0.944 / 0.949 and 0.963 / 0.947.
    alpha : float, default=0.0
        L2 penalty (weight decay) on the weights.
    sparsity_weight : float, default=0.0
        Weight of the sparsity penalty on the latent code; 0 turns it off. With it on, an
        overcomplete code (``latent_dim`` above the number of features) is useful.
    sparsity_target : float, default=0.05
        Target mean activation ρ of each latent unit, in (0, 1), for the KL penalty.
    sparsity_penalty : {"kl", "l1"}, default="kl"
        ``"kl"``: the KL divergence between ρ and each unit's mean activation over the
        batch, averaged over units; it needs codes in (0, 1), so the latent activation
        becomes a sigmoid (see ``latent_activation``). ``"l1"``: the mean absolute
        activation, which drives codes toward zero (``sparsity_target`` is unused).
    latent_activation : {"auto", "relu", "tanh", "logistic", "identity"}, default="auto"
        Activation of the code. ``"auto"`` is ``"logistic"`` when the KL sparsity penalty
        is on and ``"identity"`` otherwise.
    noise : {"auto", "gaussian", "mask", "salt_and_pepper"} or None, default="auto"
        Denoising: corrupt the encoder's input during training (never in ``transform``) and
        compare the reconstruction with the clean input. ``"gaussian"`` adds noise of
        standard deviation ``noise_level``; ``"mask"`` zeroes a fraction ``noise_level`` of
        the inputs; ``"salt_and_pepper"`` sets a fraction ``noise_level`` to the batch's
        minimum or maximum (0 or 1 for images). Noise applies in the model's working
        space (after ``scaling``). It is drawn from the generator seeded by
        ``random_state``. ``"auto"`` is ``"mask"`` for the perceptron (no ``image_shape``)
        when the neighbour-graph term is on (``manifold_weight > 0``: the features recipe,
        on any data) or when it decodes linearly (standardised tables, see ``scaling``),
        and None (no corruption) otherwise: images decoded through a sigmoid with the
        plain reconstruction (``manifold_weight=0``: for reconstruction and anomaly
        scores) and models with ``image_shape``; before ``fit`` (``training_objective`` of
        an unfitted model) it answers by the first rule alone. Measured on tables (3 dev
        seeds, 5-fold CV accuracy of StandardScaler + 8-D codes + LogisticRegression),
        None against ``"mask"`` at ``noise_level=0.2``: 0.966 and 0.965 on breast cancer
        (PCA(8): 0.976), 0.970 and 0.979 on wine (PCA(8): 0.976), 0.943 and 0.943 on
        digits as a table, 0.693 and 0.700 on ``make_classification`` (800 rows, 20
        features), 0.500 and 0.529 on a generated 1,500-row skewed table; at
        ``noise_level=0.25``, 0.964 on breast cancer and 0.979 on wine. On images with the
        neighbour-graph term, None against ``"mask"`` at 0.25 (means of dev seeds): the
        bundled digits (70/30 splits, seeds 10-12) 5 labels per class + codes(16) +
        LogisticRegression 0.944 and 0.949, k-means on codes(10) 0.895 and 0.948,
        ``LatentClustering`` 0.919 and 0.925 (``noise_level=0.1``: 0.942, 0.913, 0.923);
        15,000 MNIST training images (20 epochs, 100 labels scored on 5,000 other training
        images, seeds 5-6) codes(16) + LogisticRegression 0.894 and 0.897, k-means on
        codes(10) 0.745 and 0.781, ``LatentClustering`` 0.825 and 0.870. Then on the
        benchmark's protocols (``benchmarks/features.py``, seeds 0-2, measured once after
        the choice): digits 5 labels per class 0.941 and 0.936, k-means on codes(10) 0.943
        and 0.906 (it lands near 0.89 or 0.94 by seed either way), ``LatentClustering``
        0.925 and 0.935, ``DeepEmbeddedClustering`` 0.916 and 0.922; MNIST with 100 labels
        codes(16) + LogisticRegression 0.921 and 0.924, ``ManifoldLabelSpreading`` 0.930
        and 0.939 (``labeling="clusters"``: 0.954 and 0.958); MNIST clustering (all 70,000)
        ``LatentClustering`` 0.968 and 0.969, ``DeepEmbeddedClustering`` 0.967 and 0.964.
        Other figures in
        these docs for images with the neighbour-graph term were measured before masking
        became their default (with ``noise=None``) unless they say otherwise.
    noise_level : float, default=0.25
        Standard deviation (``"gaussian"``) or fraction of corrupted inputs (``"mask"``,
        ``"salt_and_pepper"``, at most 1).
    contractive_weight : float, default=0.0
        Weight λ of the contractive penalty: the squared Frobenius norm of the encoder's
        Jacobian with respect to its input, exact for any depth, averaged over samples. Its
        cost grows with ``latent_dim`` (one backward pass per latent unit).
    latent_norm : {"auto", "batch", "isotropic"} or None, default="auto"
        ``"batch"``: the code is standardised over each training batch (batch
        normalisation with no learned scale or shift; running statistics in
        ``transform``), so every latent unit has mean 0 and variance 1 and downstream
        estimators (``LogisticRegression``, k-means, k-NN graphs) see well-conditioned
        features. ``"auto"`` is ``"batch"`` for a plain autoencoder and None when the
        neighbour-graph term is on (``manifold_weight > 0``: UMAP's curve sets the code's
        scale, and clusters must be free to move apart), a sparsity or contractive penalty
        is on, or ``latent_activation`` is not the identity (the code keeps that
        activation's range). ``None``: the code is left as the encoder gives it. The
        penalties act on the code's own scale, which a latent norm resets, so with
        ``sparsity_weight > 0`` or ``contractive_weight > 0`` only ``"auto"`` and None are
        accepted: behind a norm the KL sparsity penalty has no gradient, and the
        contractive penalty shrinks the code into the norm's epsilon, where the model
        reconstructs worse than predicting the mean. ``"isotropic"``: the code is
        centred and divided by one scale for all units (the root mean variance over the
        batch), which fixes its size but keeps its geometry. Measured on digits with the
        neighbour-graph term (weight 1, benchmark protocol of ``benchmarks/features.py``,
        3 seeds): k-means on 10-D codes 0.942 free, 0.910 standardised, 0.907 isotropic;
        5 labels per class + LogisticRegression on 16-D codes 0.941, 0.943 and 0.939.
    hidden_norm : {"auto", "batch"} or None, default="auto"
        ``"batch"``: batch normalisation after every hidden linear layer of the encoder
        and the decoder, before the activation; it lets deep and wide perceptrons (such
        as ``hidden_layer_sizes=(1000, 500, 250)``) train at the default learning rate.
        Not available with ``image_shape``. ``"auto"`` is ``"batch"`` for the perceptron
        and None with ``image_shape``. Measured: the (1000, 500, 250) network with a 30-D
        code, 6 epochs on 10,000 MNIST rows, stays at a loss of 0.147 without it (worse
        than predicting the mean, 0.067) and reaches 0.016 with it; on digits it is
        neutral to slightly better.
    linear_path : "auto" or bool, default="auto"
        ``True``: a linear layer from the input to the code beside the encoder's hidden
        layers, and one from the code to the output beside the decoder's, their outputs
        added; a linear code (PCA's) is then one the model can represent from the start,
        and the hidden layers learn what is not linear. Not available with
        ``image_shape``. ``"auto"`` is ``True`` for the perceptron on data decoded linearly
        (standardised tables, see ``scaling``) and ``False`` for data decoded through a
        sigmoid (in [0, 1], or images brought there by ``scaling``) and with
        ``image_shape``. Measured with the default
        recipe (3 seeds): 5-fold CV accuracy of
        StandardScaler + 8-D codes + LogisticRegression 0.978 with it and 0.966 without on
        wine (PCA(8): 0.976), 0.966 and 0.965 on breast cancer (PCA(8): 0.979); on digits
        (``benchmarks/features.py`` protocol) 5 labels per class + LogisticRegression on
        16-D codes 0.948 and 0.941, k-means on 10-D codes 0.913 and 0.942.
    manifold_weight : float, default=1.0
        Weight of the neighbour-graph term (parametric UMAP, Sainburg et al., 2021): the
        fuzzy ``n_neighbors``-nearest-neighbour graph of the training rows (exact
        euclidean neighbours in the model's working space, UMAP's memberships) is built
        once per fit, and every training step draws ``8 * batch_size`` of its edges in
        proportion to their membership, encodes both ends and adds UMAP's cross-entropy
        (neighbours pulled together, 5 random pairs per edge pushed apart, UMAP's curve
        for ``min_dist=0.1``) to the reconstruction error. Codes then keep the data's
        neighbourhoods, which is what few-label classifiers and clustering use. 0 turns
        it off (a plain autoencoder). ``partial_fit`` builds the graph of each chunk
        (none for a one-row chunk). The graph costs memory and time of order
        ``n_samples * n_neighbors`` (the neighbour search is exact, quadratic in time),
        and each step encodes the drawn edges' ends besides the batch (16 times the
        batch's rows: a step costs several times a plain one). Measured on digits
        (benchmark protocol, 3 seeds): k-means on 10-D codes 0.942 with weight 1 and
        ``8 * batch_size`` edges, 0.906 with ``4 * batch_size``; 0.867 with weight 0.5,
        ``2 * batch_size`` and a standardised code. The term trades
        reconstruction for neighbourhoods: for the lowest reconstruction error (or
        ``score_samples`` as an anomaly score) set it to 0. Measured on MNIST's 60,000
        training images with ``hidden_layer_sizes=(1000, 500, 250), latent_dim=30``
        (``benchmarks/features.py``'s mnist-reconstruction, seed 0, one thread): the
        setting ``manifold_weight=0, learning_rate="cosine", learning_rate_init=3e-3,
        max_iter=40, early_stopping=False`` reaches a test sum of squared errors of 3.21
        per image (PCA(30): 13.87) in 383 CPU-seconds (576 s of wall time beside other
        jobs, load 4.5; the ``tol`` rule on the training loss stopped it after 35
        epochs), against 9.23 with the default weight of 1 and 20 epochs (799 s). It was
        chosen on 10,000 held-out training images: 3.38 there, against 4.14 for a
        constant 3e-3 over 30 epochs and 5.16 for a cosine from 1e-2 over 25.
    n_neighbors : int, default=15
        Neighbours of each row in the graph, itself included (UMAP's meaning); fewer
        when there are fewer rows.
    image_shape : tuple of int or None, default=None
        ``(channels, height, width)`` of the images in the flat rows of ``X``: the encoder
        and decoder become convolutional, with ``hidden_layer_sizes`` the output channels of
        3x3 stride-2 convolutions (e.g. ``(32, 64)`` for MNIST with
        ``image_shape=(1, 28, 28)``). ``None``: a multi-layer perceptron.
    batch_size : int or "auto", default="auto"
        Mini-batch size; ``"auto"`` is ``min(256, n_samples)``. Larger batches than the
        reference's 32 cost less per sample (see ``benchmarks/RESULTS.md``). On MNIST
        (the reference 2-D model, one thread) an epoch of 48,000 rows costs about 1.1
        CPU-seconds at 256 and 1.0 at 512, but 512 needs more epochs to the same error (see
        ``learning_rate``); starting with batches of 64 and 128 for the first epochs did not
        help.
    learning_rate_init : float, default=3e-3
        Adam's learning rate (the peak with ``learning_rate="cosine"``). Chosen by
        measurement with batch 256 at a constant rate: on MNIST (48,000 training rows, the
        reference 2-D model) the test MSE after 40 epochs was 0.0370 at 3e-3 against 0.0388
        at 1e-3. A cosine decay makes a ten times higher peak pay: 3e-2 (see
        ``learning_rate``).
    max_iter : int, default=200
        Maximum number of epochs; with ``learning_rate="cosine"`` the budget the decay
        spans.
    shuffle : bool, default=True
        Shuffle the samples every epoch.
    tol : float, default=1e-4
        Minimum decrease of the monitored loss that counts as an improvement.
    early_stopping : "auto" or bool, default="auto"
        Hold out ``validation_fraction`` of the data, stop when its loss stops improving
        and restore the weights of the best epoch. Otherwise the training loss is watched.
        ``"auto"``: on when ``X`` has more than 10,000 samples (as in
        ``HistGradientBoostingRegressor``); the choice is in ``do_early_stopping_``.
        With the neighbour-graph term on, the validation loss includes that term scored on
        one fixed sample of the graph's edges, so that epochs differ by the weights alone
        (a fresh sample each epoch moved it by more than an epoch's progress, and the
        rule stopped on the luck of the draw). What that costs: a default fit of MNIST's
        60,000 x 784 training images (2-D latent, seed 0) stopped by itself after 72 epochs,
        505 CPU-seconds on one thread (510 s of wall time, load 0.5-2), at test MSE 0.0363 (with
        a fresh sample: 39 epochs, 321 CPU-seconds, 0.0369); most of it is the
        neighbour-graph term (``manifold_weight``). With ``manifold_weight=0`` a fit of
        48,000 rows stopped after 55 epochs in 51.5 s on two idle cores (101 CPU-seconds)
        at 0.0349 (``benchmarks/speed.py``, section 2).
    validation_fraction : float, default=0.1
        Fraction of the data held out when early stopping.
    n_iter_no_change : int, default=10
        Epochs without an improvement of at least ``tol`` before stopping.
    random_state : int, RandomState instance or None, default=None
        Seeds the weights, the batch order and the validation split: one int gives one model.
    verbose : int, default=0
        ``1`` shows a progress bar over epochs with the current losses.
    warm_start : bool, default=False
        Continue from the previous fit's weights instead of starting anew; the fit's
        epochs are added to ``history_`` and the curves. Each fit draws its own
        validation set and stops on its own epochs.
    device : str or torch.device, default="auto"
        Where to train: ``"auto"`` picks CUDA when present, else the CPU.
    learning_rate : {"constant", "cosine"}, default="constant"
        How Adam's learning rate moves during ``fit``. ``"constant"``: it stays at
        ``learning_rate_init``. ``"cosine"``: it rises linearly to ``learning_rate_init``
        over the first ``max_iter // 20`` epochs, then falls along half a cosine to zero at
        epoch ``max_iter``, so ``max_iter`` sets the training budget (see
        ``skae.nn.callbacks.CosineSchedule``) and reaching it raises no
        ``ConvergenceWarning``. ``partial_fit`` always uses ``learning_rate_init``. The
        fast setting for the lowest reconstruction error, measured on MNIST (48,000
        training rows, the reference 2-D model, one thread): ``manifold_weight=0,
        learning_rate="cosine", learning_rate_init=3e-2, max_iter=35,
        early_stopping=False`` ends at test MSE 0.0341, 0.0345 and 0.0348 (seeds 0, 1, 2),
        below the reference recipe's 0.0352 (batch 32, constant 1e-3, 60 epochs: about 610
        CPU-seconds), after 35 epochs: 33.6 s on two idle cores (66.3 CPU-seconds; the
        recipe took 598.6 s in the same run, ``benchmarks/speed.py`` section 2). Beside
        it (seed 0): the constant 3e-3 needs 48 epochs to get there; a cosine over 40
        epochs ends at 0.0353 from a peak of 3e-3 and at 0.0348 from 1e-2;
        over 20 epochs at 0.0348 from 3e-2 and 0.0352 from 5e-2 (seed 1: 0.0352 from
        3e-2); over 30 epochs from 3e-2 at 0.0344, 0.0345 and 0.0351 (seeds 0, 1, 2), too
        close to the target for a documented setting; over 40 epochs at 0.0343 on each
        seed, a wider margin for 5 more epochs. The batch norms are part of it: without
        them (``hidden_norm=None, latent_norm=None``) the cosine from 3e-3 over 40 epochs
        ends at 0.0368 instead of 0.0353.

    Attributes
    ----------
    module_ : torch.nn.Module
        The trained autoencoder (``module_.encoder``, ``module_.decoder``).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen during fit, when ``X`` had string column names.
    n_iter_ : int
        Number of epochs run since the model was built: a ``fit`` without ``warm_start``
        builds it afresh, ``warm_start`` fits and ``partial_fit`` calls add their epochs.
    loss_curve_ : list of float
        Training loss of each of those ``n_iter_`` epochs.
    validation_loss_curve_ : list of float
        Validation loss of each of those epochs that held out a validation set (the epochs
        of fits with ``do_early_stopping_``; ``partial_fit`` holds out nothing), in order,
        as MLPRegressor's ``validation_scores_``. Absent when no epoch held one out.
    do_early_stopping_ : bool
        Whether the last ``fit`` held out a validation set (``early_stopping`` resolved).
    best_loss_ : float
        The lowest finite loss that early stopping monitors, over all ``n_iter_`` epochs:
        ``min(validation_loss_curve_)`` when it exists, else ``min(loss_curve_)``;
        ``inf`` before a first complete epoch. (A ``fit`` with early stopping restores the
        weights of its own best epoch.)
    history_ : list of dict
        One dict per epoch (the same epochs as ``loss_curve_``) with its ``epoch``, counted
        from the model's build on across warm-start fits and ``partial_fit`` calls, and
        every loss term apart (``train_reconstruction``, ``train_loss``,
        ``train_sparsity``, ``train_contractive``, ``train_manifold``, ``valid_loss``,
        ...).
    output_activation_ : str
        ``"logistic"`` when the model decodes into [0, 1] (data in [0, 1], and
        ``"minmax"`` or ``"global"`` scaling), else ``"identity"``.

    See Also
    --------
    sklearn.decomposition.PCA : The linear counterpart.
    SparseAutoencoder, DenoisingAutoencoder, ContractiveAutoencoder : The same estimator
        with a regulariser on by default.
    VariationalAutoencoder : The generative autoencoder.

    Examples
    --------
    >>> from skae import AutoencoderTransformer
    >>> from skae.datasets import load_digits
    >>> X, y = load_digits()
    >>> ae = AutoencoderTransformer(latent_dim=8, max_iter=5, random_state=0)
    >>> Z = ae.fit_transform(X)
    >>> Z.shape
    (1797, 8)
    """

    def __init__(
        self,
        latent_dim=2,
        *,
        hidden_layer_sizes=(128, 64, 16),
        activation="relu",
        scaling="auto",
        alpha=0.0,
        sparsity_weight=0.0,
        sparsity_target=0.05,
        sparsity_penalty="kl",
        latent_activation="auto",
        noise="auto",
        noise_level=0.25,
        contractive_weight=0.0,
        latent_norm="auto",
        hidden_norm="auto",
        linear_path="auto",
        manifold_weight=1.0,
        n_neighbors=15,
        image_shape=None,
        batch_size="auto",
        learning_rate_init=3e-3,
        max_iter=200,
        shuffle=True,
        tol=1e-4,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change=10,
        random_state=None,
        verbose=0,
        warm_start=False,
        device="auto",
        learning_rate="constant",
    ):
        self.latent_dim = latent_dim
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.scaling = scaling
        self.alpha = alpha
        self.sparsity_weight = sparsity_weight
        self.sparsity_target = sparsity_target
        self.sparsity_penalty = sparsity_penalty
        self.latent_activation = latent_activation
        self.noise = noise
        self.noise_level = noise_level
        self.contractive_weight = contractive_weight
        self.latent_norm = latent_norm
        self.hidden_norm = hidden_norm
        self.linear_path = linear_path
        self.manifold_weight = manifold_weight
        self.n_neighbors = n_neighbors
        self.image_shape = image_shape
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.tol = tol
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.device = device
        self.learning_rate = learning_rate

    _parameter_constraints = {
        **BaseAutoencoder._parameter_constraints,
        "sparsity_weight": [Interval(Real, 0, None, closed="left")],
        "sparsity_target": [Interval(Real, 0, 1, closed="neither")],
        "sparsity_penalty": [StrOptions({"kl", "l1"})],
        "latent_activation": [StrOptions({"auto", *ACTIVATIONS})],
        "noise": [StrOptions({"auto", *CORRUPTIONS}), None],
        "noise_level": [Interval(Real, 0, None, closed="left")],
        "contractive_weight": [Interval(Real, 0, None, closed="left")],
        "latent_norm": [StrOptions({"auto", *LATENT_NORMS}), None],
        "hidden_norm": [StrOptions({"auto", *HIDDEN_NORMS}), None],
        "linear_path": ["boolean", StrOptions({"auto"})],
        "manifold_weight": [Interval(Real, 0, None, closed="left")],
        "n_neighbors": [Interval(Integral, 2, None, closed="left")],
        "image_shape": [ImageShape(), None],
    }

    def _build_module(self, n_features, output_activation):
        kwargs = {}
        hidden_norm = self._hidden_norm()
        if hidden_norm is not None:
            if self.image_shape is not None:
                raise ValueError(
                    f"hidden_norm applies to the multi-layer perceptron; with image_shape set "
                    f"it must be 'auto' or None, got {self.hidden_norm!r}.")
            kwargs["hidden_norm"] = hidden_norm
        if self._linear_path(output_activation):
            if self.image_shape is not None:
                raise ValueError(
                    f"linear_path applies to the multi-layer perceptron; with image_shape set "
                    f"it must be 'auto' or False, got {self.linear_path!r}.")
            kwargs["linear_path"] = True
        return _build(Autoencoder, self, n_features, output_activation,
                      latent_activation=self._latent_activation(),
                      latent_norm=self._latent_norm(), **kwargs)

    def _fit_objective(self, X, train_index, X_train):
        objective = self.training_objective()
        if self.manifold_weight > 0:
            penalty = self._manifold_penalty(X if train_index is None else X[train_index],
                                             X_train)
            if penalty is not None:
                objective.penalties["manifold"] = (self.manifold_weight, penalty)
        return objective

    def _manifold_penalty(self, X_rows, X_train):
        """The neighbour-graph penalty over the training rows, or None for fewer than two
        (no graph). The graph is built in the model's working space (after ``scaling``)."""
        n_samples = X_rows.shape[0]
        if n_samples < 2:
            return None
        working = self._map_batches(X_rows, _normalize, X_rows.dtype)
        head, tail, weight = fuzzy_neighbor_graph(working, min(self.n_neighbors, n_samples))
        if len(weight) == 0:
            return None
        a, b = _umap_curve()
        batch_size = min(256 if self.batch_size == "auto" else self.batch_size, n_samples)
        return NeighborGraphPenalty(X_train, head, tail, weight, a=a, b=b,
                                    n_edges=_EDGES_PER_BATCH_ROW * batch_size)

    def _linear_path(self, output_activation):
        if self.linear_path != "auto":
            return self.linear_path
        # On for standardised tables, where it was measured to help; on images in [0, 1]
        # (sigmoid output) it cost k-means on digits' codes 3 points.
        return self._decodes_table(output_activation)

    def _decodes_table(self, output_activation):
        """Whether the perceptron decodes a standardised table (identity output, no image
        shape): where the "auto" settings for tables apply."""
        return self.image_shape is None and output_activation == "identity"

    def _noise(self):
        if self.noise != "auto":
            return self.noise
        # Masking helps codes as features (see noise): the perceptron's with the
        # neighbour-graph term on any data, and on standardised tables in any case. Images
        # with the plain reconstruction (reconstruction, anomaly scores) keep it clean.
        # Unfitted, the data's kind is unknown: only the first rule can answer.
        if self.image_shape is None and self.manifold_weight > 0:
            return "mask"
        output_activation = getattr(self, "output_activation_", None)
        return "mask" if self._decodes_table(output_activation) else None

    def _hidden_norm(self):
        if self.hidden_norm != "auto":
            return self.hidden_norm
        return None if self.image_shape is not None else _AUTO_HIDDEN_NORM

    def _latent_norm(self):
        # A penalty on the code (sparsity, contractive) or a chosen code activation (relu,
        # sigmoid, tanh) wants the code's own range, which standardising would undo; the
        # neighbour-graph term sets the code's scale itself (UMAP's curve), and clusters
        # need to move apart freely.
        penalties = [name for name in ("sparsity_weight", "contractive_weight")
                     if getattr(self, name) > 0]
        if self.latent_norm != "auto":
            if penalties and self.latent_norm is not None:
                raise ValueError(
                    f"latent_norm={self.latent_norm!r} resets the code's scale, which the "
                    f"penalty of {' and '.join(f'{name}>0' for name in penalties)} acts on "
                    "(behind it the KL sparsity penalty has no gradient and the contractive "
                    "penalty shrinks the code until it no longer reconstructs): use "
                    "latent_norm='auto' or None with these penalties."
                )
            return self.latent_norm
        plain = (not penalties and self._latent_activation() == "identity"
                 and self.manifold_weight == 0)
        return "batch" if plain else None

    def training_objective(self):
        penalties = {}
        if self.sparsity_weight > 0:
            sparsity = (functools.partial(kl_sparsity, target=self.sparsity_target)
                        if self.sparsity_penalty == "kl" else l1_sparsity)
            penalties["sparsity"] = (self.sparsity_weight,
                                     lambda module, inputs, outputs: sparsity(outputs["latent"]))
        if self.contractive_weight > 0:
            penalties["contractive"] = (
                self.contractive_weight,
                lambda module, inputs, outputs: _contractive(module, inputs))
        return Objective(penalties, corruption=_corruption(self._noise(), self.noise_level))

    def _latent_activation(self):
        kl_on = self.sparsity_weight > 0 and self.sparsity_penalty == "kl"
        if self.latent_activation == "auto":
            return "logistic" if kl_on else "identity"
        if kl_on and self.latent_activation != "logistic":
            raise ValueError(
                f"The KL sparsity penalty needs codes in (0, 1): latent_activation must be "
                f"'auto' or 'logistic' with sparsity_penalty='kl', got "
                f"{self.latent_activation!r}. Use sparsity_penalty='l1' for other codes."
            )
        return self.latent_activation


_AUTO_HIDDEN_NORM = "batch"
# Edges of the neighbour graph drawn per row of a training batch (see manifold_weight).
_EDGES_PER_BATCH_ROW = 8
# UMAP's default min_dist: how close neighbours may be packed in the code.
_MIN_DIST = 0.1


@functools.cache
def _umap_curve():
    return umap_curve(_MIN_DIST)


def _contractive(module, inputs):
    # Per-row Jacobians: batch normalisation uses its running statistics here.
    with rowwise(module):
        return jacobian_frobenius(module.encode, inputs).mean()


def _normalize(module, x):
    return module.normalize(x)


def _build(module_class, estimator, n_features, output_activation, **kwargs):
    """An MLP, or a convolutional module when the estimator has an ``image_shape``."""
    hidden = estimator._hidden_layer_sizes()
    kwargs.update(activation=estimator.activation, output_activation=output_activation)
    if estimator.image_shape is None:
        return module_class.mlp(n_features, hidden, estimator.latent_dim, **kwargs)
    return module_class.conv(_check_image_shape(estimator.image_shape, n_features), hidden,
                             estimator.latent_dim, **kwargs)


def _corruption(noise, level):
    if noise is None:
        return None
    fn, name = CORRUPTIONS[noise]
    if name == "fraction" and level > 1:
        raise ValueError(f"noise_level is the fraction of inputs corrupted with "
                         f"noise={noise!r}, so it must be in [0, 1]; got {level}.")
    return functools.partial(fn, **{name: level})


def _with_defaults(signature, defaults):
    """``signature`` with the default values of ``defaults`` (each must be a parameter)."""
    unknown = set(defaults) - set(signature.parameters)
    if unknown:
        raise TypeError(f"Unknown parameters {sorted(unknown)}.")
    return signature.replace(parameters=[
        p.replace(default=defaults.get(p.name, p.default))
        for p in signature.parameters.values()
    ])


def _bind(signature, self, args, kwargs):
    try:
        bound = signature.bind(self, *args, **kwargs)
    except TypeError as exc:  # as Python words it, naming the class
        raise TypeError(f"{type(self).__name__}.__init__() {exc}") from None
    bound.apply_defaults()
    return bound


# The convenience classes are the textbook recipes: no neighbour-graph term, no
# normalisation layers (set these parameters to combine them with the features recipe).
_CLASSIC = {"manifold_weight": 0.0, "latent_norm": None, "hidden_norm": None,
            "linear_path": False, "noise": None}


def _init_with_defaults(init, **defaults):
    """``init`` with other default values, visible to ``inspect`` and so to ``get_params``.

    The convenience classes are the same estimator with different defaults; this keeps
    them from restating two dozen parameters while ``__init__`` still only stores them.
    """
    signature = _with_defaults(inspect.signature(init), defaults)

    def __init__(self, *args, **kwargs):
        bound = _bind(signature, self, args, kwargs)
        init(*bound.args, **bound.kwargs)

    __init__.__signature__ = signature
    __init__.__doc__ = init.__doc__
    return __init__


def _storing_init(init, *, without=(), extra=None, **defaults):
    """An ``__init__`` with ``init``'s parameters less ``without``, plus ``extra``
    (``{name: default}``, keyword-only, after ``activation``), with other ``defaults``.

    It only stores its arguments, as a scikit-learn ``__init__`` does, and its signature
    is what ``get_params`` and ``clone`` read: an estimator sharing most of another's
    parameters (the VAE) declares the difference, not the whole list.
    """
    signature = inspect.signature(init)
    parameters = [p for p in signature.parameters.values() if p.name not in without]
    at = [p.name for p in parameters].index("activation") + 1
    parameters[at:at] = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=value)
                         for name, value in (extra or {}).items()]
    signature = _with_defaults(signature.replace(parameters=parameters), defaults)

    def __init__(self, *args, **kwargs):
        bound = _bind(signature, self, args, kwargs)
        for name, value in list(bound.arguments.items())[1:]:
            setattr(self, name, value)

    __init__.__signature__ = signature
    return __init__


class SparseAutoencoder(AutoencoderTransformer):
    """An autoencoder whose latent units fire rarely: a KL sparsity penalty on the code.

    ``AutoencoderTransformer`` with ``latent_dim=64``, one hidden layer of 128 units,
    ``sparsity_weight=0.1`` and ``sparsity_target=0.05``: sigmoid codes whose mean
    activation over the data is pushed toward 0.05. Like the other convenience classes it
    is the textbook recipe: ``manifold_weight=0``, ``latent_norm=None``,
    ``hidden_norm=None``, ``noise=None``. Every parameter of
    ``AutoencoderTransformer`` applies, so it combines with ``noise`` (a sparse denoising
    autoencoder) or ``contractive_weight``; see there for their meaning.

    Examples
    --------
    >>> from skae import SparseAutoencoder
    >>> from skae.datasets import load_digits
    >>> X, _ = load_digits()
    >>> Z = SparseAutoencoder(max_iter=3, random_state=0).fit_transform(X)
    >>> Z.shape
    (1797, 64)
    """

    __init__ = _init_with_defaults(AutoencoderTransformer.__init__, latent_dim=64,
                                   hidden_layer_sizes=(128,), sparsity_weight=0.1,
                                   **_CLASSIC)


class DenoisingAutoencoder(AutoencoderTransformer):
    """An autoencoder trained to restore corrupted inputs.

    ``AutoencoderTransformer`` with ``noise="mask"`` and ``noise_level=0.25``: during
    training a quarter of the inputs of each batch are zeroed (Vincent et al., 2008) and
    the loss compares the reconstruction with the clean batch; ``transform`` sees clean
    inputs. ``noise`` may also be ``"gaussian"`` or ``"salt_and_pepper"``. The textbook
    recipe: ``manifold_weight=0``, ``latent_norm=None``, ``hidden_norm=None``. Every parameter
    of ``AutoencoderTransformer`` applies; see there for their meaning.

    Examples
    --------
    >>> from skae import DenoisingAutoencoder
    >>> from skae.datasets import load_digits
    >>> X, _ = load_digits()
    >>> Z = DenoisingAutoencoder(latent_dim=8, max_iter=3, random_state=0).fit_transform(X)
    >>> Z.shape
    (1797, 8)
    """

    __init__ = _init_with_defaults(AutoencoderTransformer.__init__,
                                   **{**_CLASSIC, "noise": "mask"})


class ContractiveAutoencoder(AutoencoderTransformer):
    """An autoencoder whose code is insensitive to small moves of the input.

    ``AutoencoderTransformer`` with ``contractive_weight=1e-3``: the loss adds λ times the
    squared Frobenius norm of the encoder's Jacobian at each training sample (Rifai et al.,
    2011), computed exactly for any depth. The textbook recipe: ``manifold_weight=0``,
    ``latent_norm=None``, ``hidden_norm=None``, ``noise=None``. Every parameter of
    ``AutoencoderTransformer`` applies; see there for their meaning.

    Examples
    --------
    >>> from skae import ContractiveAutoencoder
    >>> from skae.datasets import load_digits
    >>> X, _ = load_digits()
    >>> Z = ContractiveAutoencoder(latent_dim=8, max_iter=3, random_state=0).fit_transform(X)
    >>> Z.shape
    (1797, 8)
    """

    __init__ = _init_with_defaults(AutoencoderTransformer.__init__, contractive_weight=1e-3,
                                   **_CLASSIC)


# Standard normal draws per sample in the ELBO of score_samples. The same draws serve every
# sample (common random numbers), so scores are deterministic and do not depend on which
# other rows are scored with it, and each is still an unbiased estimate of that sample's ELBO.
_ELBO_DRAWS = 16


class VariationalAutoencoder(BaseAutoencoder):
    """Variational autoencoder (β-VAE): a generative model with a Gaussian latent space.

    The encoder gives the mean and log-variance of a diagonal Gaussian posterior q(z | x);
    a code drawn from it with the reparameterisation trick is decoded, and training
    minimises the negative evidence lower bound: the reconstruction's negative
    log-likelihood plus ``beta`` times KL(q(z | x) || N(0, I)), both summed over features
    and latent units and averaged over samples. The likelihood is Bernoulli (binary
    cross-entropy) for data decoded through a sigmoid (in [0, 1], or images brought there
    by ``scaling``) and a unit
    Gaussian in the standardised working space otherwise. The log-variance is clamped to
    [-10, 10], which keeps the loss finite.

    ``transform`` returns the posterior mean, ``sample`` draws new data through the decoder
    and ``score_samples`` is the per-sample ELBO (higher is better, as for every skae
    estimator), so ``GridSearchCV`` with no labels picks the model of highest mean ELBO.

    Parameters
    ----------
    beta : float, default=1.0
        Weight of the KL term: 1 is the ELBO, larger values trade reconstruction for a
        posterior closer to the prior (β-VAE).
    learning_rate_init : float, default=1e-3
        Adam's learning rate.
{shared_parameters}
    The other parameters mean what they mean for ``AutoencoderTransformer``, with one
    addition: ``random_state`` also seeds the reparameterisation noise.

    Attributes
    ----------
    module_ : torch.nn.Module
        The trained ``skae.nn.modules.VariationalAutoencoder``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen during fit, when ``X`` had string column names.
    n_iter_ : int
        Number of epochs run since the model was built (see ``AutoencoderTransformer``).
    loss_curve_ : list of float
        Training loss (the negative ELBO with weight ``beta``) of each of those epochs.
    validation_loss_curve_ : list of float
        Validation loss of each of those epochs that held out a validation set (see
        ``AutoencoderTransformer``). Absent when no epoch held one out.
    best_loss_ : float
        ``min(validation_loss_curve_)`` when it exists, else ``min(loss_curve_)`` (finite
        values; ``inf`` before a first complete epoch).
    history_ : list of dict
        One dict per epoch (the same epochs as ``loss_curve_``): ``train_reconstruction``
        (negative log-likelihood),
        ``train_kl``, ``train_loss`` and their ``valid_`` counterparts.
    output_activation_ : str
        ``"logistic"`` (Bernoulli likelihood) or ``"identity"`` (Gaussian likelihood).

    See Also
    --------
    AutoencoderTransformer : The deterministic autoencoder and its regularised variants.

    Examples
    --------
    >>> from skae import VariationalAutoencoder
    >>> from skae.datasets import load_digits
    >>> X, _ = load_digits()
    >>> vae = VariationalAutoencoder(latent_dim=2, max_iter=3, random_state=0).fit(X)
    >>> vae.transform(X).shape, vae.sample(5, random_state=0).shape
    ((1797, 2), (5, 64))
    """

    _parameter_constraints = {
        **BaseAutoencoder._parameter_constraints,
        "beta": [Interval(Real, 0, None, closed="left")],
        "image_shape": [ImageShape(), None],
    }

    # AutoencoderTransformer's parameters but its regularisers and the features recipe
    # (neighbour-graph term, normalisation layers), plus beta; a slower rate.
    __init__ = _storing_init(
        AutoencoderTransformer.__init__, learning_rate_init=1e-3, extra={"beta": 1.0},
        without=("sparsity_weight", "sparsity_target", "sparsity_penalty",
                 "latent_activation", "noise", "noise_level", "contractive_weight",
                 "latent_norm", "hidden_norm", "linear_path", "manifold_weight",
                 "n_neighbors"))

    def score_samples(self, X):
        """Evidence lower bound (ELBO) of each sample, in nats: higher is better.

        ``E_q[log p(x | z)] - KL(q(z | x) || N(0, I))`` with β = 1 whatever ``beta``,
        the expectation estimated with 16 fixed standard normal draws shared by all
        samples (deterministic, and unbiased for each sample). The likelihood is that of
        training, in the model's working space: for the Gaussian (standardised data) it
        leaves out the constant ``0.5 log(2 pi)`` per feature and the log of the
        standardisation's scales, so the score is the ELBO up to a constant of the fitted
        model: it ranks samples and compares models fit on the same data, not the
        densities of data on other scales. With a power step (``scaling="power"`` on a
        table with skewed features) the ELBO is that of the transformed values: the log
        of the transform's slope, which differs from sample to sample, is left out, so it
        ranks samples as they look in the working space.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,)
        """
        return super().score_samples(X)

    def sample(self, n_samples=1, random_state=None):
        """Draw new data: codes from the prior N(0, I), decoded to the input space.

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples.
        random_state : int, RandomState instance or None, default=None
            Seeds the codes.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features_in_)
            The decoder's mean for each code (Bernoulli probabilities for images in
            [0, 1]), in the units of the training data.
        """
        check_is_fitted(self)
        if not isinstance(n_samples, Integral) or isinstance(n_samples, bool) or n_samples < 1:
            raise ValueError(f"n_samples must be a positive int, got {n_samples!r}.")
        codes = check_random_state(random_state).standard_normal(
            (n_samples, self._n_features_out))  # the fitted width, not a parameter set since
        return self.inverse_transform(codes)

    def _build_module(self, n_features, output_activation):
        module = _build(_VAEModule, self, n_features, output_activation)
        module.likelihood = "bernoulli" if output_activation == "logistic" else "gaussian"
        return module

    def training_objective(self):
        likelihood = "bernoulli" if self.output_activation_ == "logistic" else "gaussian"
        return Objective(
            {"kl": (self.beta, lambda module, inputs, outputs:
                    gaussian_kl(outputs["mean"], outputs["logvar"]).mean())},
            reconstruction=lambda reconstruction, target: negative_log_likelihood(
                reconstruction, target, likelihood).mean(),
        )

    @staticmethod
    def _reconstruction_error(module, x):
        """The negative ELBO of each row (``score_samples`` negates it)."""
        return negative_elbo(module, x, n_draws=_ELBO_DRAWS)


def _parameter_docs(cls, names):
    """The numpydoc entries of ``names`` in ``cls``'s Parameters section, in that order."""
    doc = cls.__doc__
    section = doc[doc.index("    ----------\n", doc.index("    Parameters\n")) + 15:
                  doc.index("\n\n    Attributes\n")]
    entries, name = {}, None
    for line in section.split("\n"):
        if line.startswith("    ") and not line.startswith("     "):
            name = line.split(" : ")[0].strip()
            entries[name] = []
        entries[name].append(line)
    return "\n".join(line for name in names for line in entries[name])


VariationalAutoencoder.__doc__ = VariationalAutoencoder.__doc__.replace(
    "{shared_parameters}", _parameter_docs(AutoencoderTransformer, [
        name for name in inspect.signature(VariationalAutoencoder).parameters
        if name not in ("beta", "learning_rate_init")]))
