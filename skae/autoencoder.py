"""AutoencoderTransformer: a scikit-learn transformer that trains a torch autoencoder."""

from ._base import BaseAutoencoder


class AutoencoderTransformer(BaseAutoencoder):
    """Autoencoder as a scikit-learn transformer: ``transform`` gives the latent code.

    A multi-layer perceptron encoder (``hidden_layer_sizes`` then ``latent_dim``) and a
    mirrored decoder are trained with Adam to minimise the mean squared reconstruction
    error. Fit it on unlabeled data; use it in a Pipeline for dimensionality reduction,
    few-label classification or clustering in the latent space.

    Input scaling: with ``scaling="auto"``, data that lies in [0, 1] (such as images) is
    used as it is and decoded through a sigmoid, as in the reference model; any other data
    is standardised per feature inside the model and decoded linearly, so tabular columns of
    arbitrary scales train well. ``inverse_transform`` always returns the units of the input.

    Parameters
    ----------
    latent_dim : int, default=2
        Size of the latent code, the number of output features of ``transform``.
    hidden_layer_sizes : tuple of int, default=(128, 64, 16)
        Widths of the encoder's hidden layers; the decoder mirrors them.
    activation : {"relu", "tanh", "logistic", "identity"}, default="relu"
        Activation of the hidden layers.
    scaling : {"auto", "standard", "minmax"} or None, default="auto"
        How inputs are scaled inside the model, see above. ``None`` uses the raw values
        (with a sigmoid output if they lie in [0, 1]).
    alpha : float, default=0.0
        L2 penalty (weight decay) on the weights.
    batch_size : int or "auto", default="auto"
        Mini-batch size; ``"auto"`` is ``min(256, n_samples)``.
    learning_rate_init : float, default=1e-3
        Adam's learning rate.
    max_iter : int, default=200
        Maximum number of epochs.
    shuffle : bool, default=True
        Shuffle the samples every epoch.
    tol : float, default=1e-4
        Minimum decrease of the monitored loss that counts as an improvement.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data, stop when its loss stops improving
        and restore the weights of the best epoch. Otherwise the training loss is watched.
    validation_fraction : float, default=0.1
        Fraction of the data held out when ``early_stopping`` is True.
    n_iter_no_change : int, default=10
        Epochs without an improvement of at least ``tol`` before stopping.
    random_state : int, RandomState instance or None, default=None
        Seeds the weights, the batch order and the validation split: one int gives one model.
    verbose : int, default=0
        ``1`` shows a progress bar over epochs with the current losses.
    warm_start : bool, default=False
        Continue from the previous fit's weights instead of starting anew.
    device : str or torch.device, default="auto"
        Where to train: ``"auto"`` picks CUDA when present, else the CPU.

    Attributes
    ----------
    module_ : torch.nn.Module
        The trained autoencoder (``module_.encoder``, ``module_.decoder``).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen during fit, when ``X`` had string column names.
    n_iter_ : int
        Number of epochs run.
    loss_curve_ : list of float
        Training loss per epoch.
    validation_loss_curve_ : list of float
        Validation loss per epoch of the last fit, when ``early_stopping`` is True.
    best_loss_ : float
        Best monitored loss: validation loss with early stopping, else training loss.
    history_ : list of dict
        One dict per epoch with every loss term apart (``train_reconstruction``,
        ``train_loss``, ``valid_loss``, ...).
    output_activation_ : str
        ``"logistic"`` when the model decodes into [0, 1], else ``"identity"``.

    See Also
    --------
    sklearn.decomposition.PCA : The linear counterpart.

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
        batch_size="auto",
        learning_rate_init=1e-3,
        max_iter=200,
        shuffle=True,
        tol=1e-4,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        random_state=None,
        verbose=0,
        warm_start=False,
        device="auto",
    ):
        self.latent_dim = latent_dim
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.scaling = scaling
        self.alpha = alpha
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
