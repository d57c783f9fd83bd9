"""The options of ``skae fit`` for each estimator, read without importing torch.

Generated from the estimators' signatures and docstrings by ``skae.cli.live_specs``:
regenerate it after changing them with ``python -m skae._cli_options``. ``KEY`` is a
hash of the source files they come from (``skae.cli._SPEC_SOURCES``): while it
matches them, ``skae fit`` reads ``SPECS``; otherwise it asks the estimators (importing
torch) and caches the answer.
"""

KEY = '9dbb314e35338115bc40'

SPECS = {'AutoencoderClassifier': {'params': [{'name': 'estimator',
                                       'default': 'None',
                                       'type': 'estimator object, default=None',
                                       'doc': 'The autoencoder to start from, cloned and fit on '
                                              'all of ``X``. ``None`` means '
                                              '``AutoencoderTransformer()``. Any skae variant '
                                              'works: its own training objective (masking noise '
                                              'included, where its ``noise`` gives one) is kept '
                                              'during the joint training.',
                                       'role': 'estimator'},
                                      {'name': 'classification_weight',
                                       'default': '1.0',
                                       'type': 'float, default=1.0',
                                       'doc': 'Weight of the cross-entropy against the '
                                              "autoencoder's loss.",
                                       'role': 'value'},
                                      {'name': 'hidden_layer_sizes',
                                       'default': '()',
                                       'type': 'tuple of int, default=()',
                                       'doc': 'Hidden layers of the head; ``()`` is a linear '
                                              '(softmax) head.',
                                       'role': 'value'},
                                      {'name': 'labeled_fraction',
                                       'default': '0.1',
                                       'type': 'float in (0, 1), default=0.1',
                                       'doc': 'Minimum share of labeled rows in an epoch of the '
                                              'joint training.',
                                       'role': 'value'},
                                      {'name': 'max_iter',
                                       'default': '30',
                                       'type': 'int, default=30',
                                       'doc': 'Epochs of joint training.',
                                       'role': 'value'},
                                      {'name': 'batch_size',
                                       'default': '256',
                                       'type': 'int, default=256',
                                       'doc': '',
                                       'role': 'value'},
                                      {'name': 'learning_rate_init',
                                       'default': '0.001',
                                       'type': 'float, default=1e-3',
                                       'doc': "Adam's learning rate in the joint training.",
                                       'role': 'value'},
                                      {'name': 'random_state',
                                       'default': 'None',
                                       'type': 'int, RandomState instance or None, default=None',
                                       'doc': 'Seeds the head, the batch order, and the '
                                              'autoencoder when its own ``random_state`` is None.',
                                       'role': 'value'}],
                           'summary': 'An autoencoder whose latent code also feeds a '
                                      'classification head, trained jointly.',
                           'needs_y': True,
                           'has_verbose': True},
 'AutoencoderOutlierDetector': {'params': [{'name': 'estimator',
                                            'default': 'None',
                                            'type': 'estimator object, default=None',
                                            'doc': 'The autoencoder, cloned and fit on ``X``. '
                                                   '``None`` means, for images, '
                                                   '``AutoencoderTransformer(latent_dim=32, '
                                                   'manifold_weight=0)`` (images outside [0, 1] '
                                                   'brought there by one range, '
                                                   '``scaling="global"``); and for tables, '
                                                   '``AutoencoderTransformer(latent_dim=8, '
                                                   'scaling="minmax", manifold_weight=0, '
                                                   'noise="mask", noise_level=0.2, '
                                                   'early_stopping=True)`` (early stopping from 50 '
                                                   'rows on; each column scaled to its training '
                                                   'range and decoded through a sigmoid, so values '
                                                   'beyond that range cannot be reconstructed; see '
                                                   'Notes). Images are the data of '
                                                   '``image_shape``, or data drawn on a dark '
                                                   'background (a third or more of the values at '
                                                   'the smallest, and strokes rising from it), in '
                                                   '[0, 1] or on one scale such as 0-255; tables '
                                                   'are any other data, photographs without '
                                                   '``image_shape`` among them. Drawings on a '
                                                   'light background without ``image_shape`` count '
                                                   'as tables. A table scaled into [0, 1] whose '
                                                   'values sit at 0 a third of the time or more '
                                                   '(one-hot or count columns, columns constant '
                                                   'before scaling) looks drawn and counts as '
                                                   'images: give such a table unscaled (the '
                                                   'detector scales it itself), or pass '
                                                   '``distance="input"`` and an estimator. A '
                                                   '``sklearn.frozen.FrozenEstimator`` around a '
                                                   'fitted autoencoder is used as it is.',
                                            'role': 'estimator'},
                                           {'name': 'contamination',
                                            'default': "'auto'",
                                            'type': '"auto" or float in (0, 0.5], default="auto"',
                                            'doc': 'Expected fraction of outliers in the training '
                                                   'data; a float sets ``offset_`` as that '
                                                   'quantile of the training scores. ``"auto"`` '
                                                   "uses Tukey's fence on cross-fitted scores: a "
                                                   'sample is an outlier when its score falls more '
                                                   'than 1.5 interquartile ranges below the first '
                                                   'quartile of the scores that the training '
                                                   'samples get from autoencoders fit without them '
                                                   '(see ``cv``). Scores of the rows an '
                                                   'autoencoder was trained on are optimistic (on '
                                                   '100-row sets, held-out normal rows reconstruct '
                                                   '10-40 times worse), so a fence on them flags '
                                                   'most new normal rows.',
                                            'role': 'value'},
                                           {'name': 'distance',
                                            'default': "'auto'",
                                            'type': '{"auto", "input", "latent"} or None, '
                                                    'default="auto"',
                                            'doc': 'What is added to the reconstruction error. '
                                                   '``None``: nothing, the score is minus that '
                                                   "error (the autoencoder's ``score_samples``, or "
                                                   'the error of local means with '
                                                   '``image_shape``). ``"input"``: the mean '
                                                   'squared distance of the sample to the training '
                                                   "samples' means, each feature divided by its "
                                                   'training standard deviation, then (from 10 '
                                                   'training samples on) through the Yeo-Johnson '
                                                   'power that makes it most Gaussian on the '
                                                   'training samples '
                                                   "(``sklearn.preprocessing.PowerTransformer``'s "
                                                   'fit, on at most 10,000 of them; the power held '
                                                   'within [-10, 10]) and standardised again, so '
                                                   'that a long tail of normal values does not '
                                                   'pass for distance. Measured (one-class splits, '
                                                   'each class normal in turn, dev seeds 5-6, mean '
                                                   'ROC AUC, plain standardised distance then with '
                                                   'the power, IsolationForest in brackets): '
                                                   'breast cancer 0.884, 0.909 (0.897); wine '
                                                   '0.987, 0.986 (0.969); ``MASS::fgl`` glass '
                                                   '0.784, 0.775 (0.785); ``MASS::Pima`` 0.678, '
                                                   '0.669 (0.692); ``Ecdat::Crime`` regions 0.752, '
                                                   '0.764 (0.656); ``Ecdat::Mroz`` 0.556, 0.557 '
                                                   '(0.564); ``Ecdat::Fishing`` 0.708, 0.727 '
                                                   '(0.707); ``MASS::crabs`` 0.686, 0.684 (0.637); '
                                                   'iris 0.974, 0.977 (0.955); tables generated as '
                                                   "``benchmarks/features.py``'s ``make_tabular`` "
                                                   '(seeds 1-3) 0.674, 0.688 (0.622), 0.773, 0.786 '
                                                   '(0.757), 0.686, 0.696 (0.670); an 800-row '
                                                   '``make_classification`` set 0.663, 0.660 '
                                                   '(0.609). ``"latent"``: the squared Mahalanobis '
                                                   'distance of the code to the training codes '
                                                   '(Ledoit-Wolf covariance). The score is then '
                                                   'minus the sum of the error and the distance, '
                                                   'each divided by its median over the training '
                                                   'samples (their mean where the median is 0, 1 '
                                                   'where every one is). Constant features are '
                                                   'divided by 1. ``"auto"``: ``"input"`` on '
                                                   'tables, ``None`` on images (``image_shape`` '
                                                   'given, or data that the default estimator '
                                                   'treats as images, see ``estimator``). The '
                                                   'distance catches outliers that lie beyond the '
                                                   'normal rows, which a model of them may still '
                                                   'reconstruct; the error catches those between '
                                                   'clusters of normal rows; ``"latent"`` ranked '
                                                   'worse than ``"input"`` on clustered classes '
                                                   '(see Notes).',
                                            'role': 'value'},
                                           {'name': 'cv',
                                            'default': '5',
                                            'type': 'int or None, default=5',
                                            'doc': 'Folds of the cross-fitting that sets '
                                                   '``offset_`` when ``contamination="auto"``: '
                                                   '``cv`` more autoencoders are fit, each on all '
                                                   'folds but one, and score the fold left out; '
                                                   'they are then discarded. ``None`` puts the '
                                                   'fence on the training scores of the final '
                                                   'autoencoder, which costs nothing but flags '
                                                   'more normal samples. Unused with a float '
                                                   '``contamination`` or a ``FrozenEstimator`` '
                                                   '(whose scores of ``X`` are already those of a '
                                                   'model fit on other data).',
                                            'role': 'value'},
                                           {'name': 'image_shape',
                                            'default': 'None',
                                            'type': 'tuple of int or None, default=None',
                                            'doc': 'The shape of the images, ``(height, width)`` '
                                                   'or ``(channels, height, width)``, when the '
                                                   'rows are flattened drawings on a plain '
                                                   'background (handwriting, as in MNIST): the '
                                                   'score is then minus the mean squared '
                                                   'difference between the local means of each '
                                                   'image and of its reconstruction (each pixel '
                                                   'the mean of a window about a tenth of the '
                                                   "image's side: 3 x 3 pixels on 28 x 28 images; "
                                                   'below 20 pixels the window is one pixel, the '
                                                   'plain error), which forgives a stroke drawn a '
                                                   'pixel away and not a wrong shape. It replaces '
                                                   "the estimator's ``score_samples`` and needs "
                                                   "its ``inverse_transform``. On photographs' "
                                                   'textures it ranks worse (see Notes), so it is '
                                                   'not inferred from the data. ``None``: the '
                                                   "estimator's ``score_samples``.",
                                            'role': 'value'},
                                           {'name': 'random_state',
                                            'default': 'None',
                                            'type': 'int, RandomState instance or None, '
                                                    'default=None',
                                            'doc': 'Seeds the autoencoder when its own '
                                                   "``random_state`` is None, the cross-fitting's "
                                                   'folds and their autoencoders.',
                                            'role': 'value'}],
                                'summary': 'Flag samples that an autoencoder trained on normal '
                                           'data reconstructs badly.',
                                'needs_y': False,
                                'has_verbose': True},
 'AutoencoderTransformer': {'params': [{'name': 'latent_dim',
                                        'default': '2',
                                        'type': 'int, default=2',
                                        'doc': 'Size of the latent code, the number of output '
                                               'features of ``transform``.',
                                        'role': 'value'},
                                       {'name': 'hidden_layer_sizes',
                                        'default': '(128, 64, 16)',
                                        'type': 'tuple of int, default=(128, 64, 16)',
                                        'doc': "Widths of the encoder's hidden layers; the decoder "
                                               'mirrors them.',
                                        'role': 'value'},
                                       {'name': 'activation',
                                        'default': "'relu'",
                                        'type': '{"relu", "tanh", "logistic", "identity"}, '
                                                'default="relu"',
                                        'doc': 'Activation of the hidden layers.',
                                        'role': 'value'},
                                       {'name': 'scaling',
                                        'default': "'auto'",
                                        'type': '{"auto", "standard", "power", "minmax", "global"} '
                                                'or None, default="auto"',
                                        'doc': 'How inputs are scaled inside the model. '
                                               '``"standard"``: each feature to mean 0 and '
                                               'variance 1, decoded linearly. ``"power"``: the '
                                               'same, then each feature whose skewness exceeds 1 '
                                               'in magnitude (a long tail: amounts, sizes, counts; '
                                               'on fewer than about 50 rows, more than three '
                                               'standard errors of chance skew) goes through the '
                                               'Yeo-Johnson power that makes it most Gaussian (as '
                                               '``sklearn.preprocessing.PowerTransformer`` fits '
                                               'it, on the standardised values, the power held '
                                               'within [0, 2] so that every decoded value maps '
                                               "back: the heaviest tails, such as a log-normal's "
                                               'with sigma 4, keep some of their skew) and is '
                                               'standardised again; decoded linearly, the power '
                                               'undone on the way out (so ``inverse_transform`` '
                                               "answers in the input's units, though an error in a "
                                               'long tail grows on the way back) and '
                                               '``score_samples`` measured in the transformed '
                                               'space. A table with no skewed feature is scaled as '
                                               'by ``"standard"``. Measured (dev seeds 10-11, '
                                               '5-fold CV accuracy of StandardScaler + 8-D codes + '
                                               'LogisticRegression, ``"standard"`` then '
                                               '``"power"``, PCA(8) beside them): tables generated '
                                               "as ``benchmarks/features.py``'s ``make_tabular`` "
                                               '(half the columns exponentiated; 3,000 rows with '
                                               'seed 1, 2,000 with seeds 2 and 3) 0.419 and 0.457 '
                                               '(0.441), 0.650 and 0.770 (0.684), 0.544 and 0.596 '
                                               '(0.550); breast cancer (22 of 30 features skewed) '
                                               '0.964 and 0.968 (0.975); wine (2 of 13) 0.980 and '
                                               '0.975 (0.978); ``make_classification`` with 800 '
                                               'rows and no skewed feature 0.562 and 0.564 '
                                               '(0.532). ``"minmax"``: each feature to [0, 1] by '
                                               'its own range; ``"global"``: every feature to [0, '
                                               '1] by the one range of the whole array, which '
                                               "keeps the features' relative sizes (pixels); both "
                                               'decode through a sigmoid. ``None`` uses the raw '
                                               'values (with a sigmoid output if they lie in [0, '
                                               '1]). ``"auto"``: ``None`` for data in [0, 1]; '
                                               '``"global"`` for images in another range: data on '
                                               'one scale (most varying features, more than half '
                                               'and at least two, reach the smallest value of the '
                                               'array and most reach at least halfway up to its '
                                               'largest) with a background (a third or more of all '
                                               'entries at that smallest value) from which the '
                                               'values rise (the smallest value above it in the '
                                               'lower half of the range: faint strokes), as the '
                                               'pixels of images stored as integers are, and '
                                               'sparse non-negative features on one scale too; '
                                               '``"power"`` otherwise: tables in mixed units, and '
                                               'data on one scale without such a background '
                                               '(answers on a 1-5 scale, counts, a -999 code for '
                                               'missing values, which leaves a gap above it, '
                                               'photographs with no background, images of two '
                                               'levels only); with ``image_shape`` set, any data '
                                               'outside [0, 1] is ``"global"``, background or not '
                                               '(the user says they are images: uint8 photographs '
                                               'then decode into 0-255, not beyond). Pass '
                                               '``scaling="standard"`` to standardise in any case. '
                                               'Measured on the bundled 8 x 8 digits as '
                                               'scikit-learn gives them (0-16), 2 dev seeds, 5 '
                                               'labels per class + codes(16) + LogisticRegression '
                                               '/ k-means on codes(10): standardised 0.917 / 0.750 '
                                               'and 0.928 / 0.746, by the one range 0.939 / 0.894 '
                                               'and 0.957 / 0.893 (the same as dividing by 16 '
                                               'first), both without masking noise on images (the '
                                               'default then); by the one range with masking (the '
                                               'current default) 0.944 / 0.949 and 0.963 / 0.947.',
                                        'role': 'value'},
                                       {'name': 'alpha',
                                        'default': '0.0',
                                        'type': 'float, default=0.0',
                                        'doc': 'L2 penalty (weight decay) on the weights.',
                                        'role': 'value'},
                                       {'name': 'sparsity_weight',
                                        'default': '0.0',
                                        'type': 'float, default=0.0',
                                        'doc': 'Weight of the sparsity penalty on the latent code; '
                                               '0 turns it off. With it on, an overcomplete code '
                                               '(``latent_dim`` above the number of features) is '
                                               'useful.',
                                        'role': 'value'},
                                       {'name': 'sparsity_target',
                                        'default': '0.05',
                                        'type': 'float, default=0.05',
                                        'doc': 'Target mean activation ρ of each latent unit, in '
                                               '(0, 1), for the KL penalty.',
                                        'role': 'value'},
                                       {'name': 'sparsity_penalty',
                                        'default': "'kl'",
                                        'type': '{"kl", "l1"}, default="kl"',
                                        'doc': '``"kl"``: the KL divergence between ρ and each '
                                               "unit's mean activation over the batch, averaged "
                                               'over units; it needs codes in (0, 1), so the '
                                               'latent activation becomes a sigmoid (see '
                                               '``latent_activation``). ``"l1"``: the mean '
                                               'absolute activation, which drives codes toward '
                                               'zero (``sparsity_target`` is unused).',
                                        'role': 'value'},
                                       {'name': 'latent_activation',
                                        'default': "'auto'",
                                        'type': '{"auto", "relu", "tanh", "logistic", "identity"}, '
                                                'default="auto"',
                                        'doc': 'Activation of the code. ``"auto"`` is '
                                               '``"logistic"`` when the KL sparsity penalty is on '
                                               'and ``"identity"`` otherwise.',
                                        'role': 'value'},
                                       {'name': 'noise',
                                        'default': "'auto'",
                                        'type': '{"auto", "gaussian", "mask", "salt_and_pepper"} '
                                                'or None, default="auto"',
                                        'doc': "Denoising: corrupt the encoder's input during "
                                               'training (never in ``transform``) and compare the '
                                               'reconstruction with the clean input. '
                                               '``"gaussian"`` adds noise of standard deviation '
                                               '``noise_level``; ``"mask"`` zeroes a fraction '
                                               '``noise_level`` of the inputs; '
                                               '``"salt_and_pepper"`` sets a fraction '
                                               "``noise_level`` to the batch's minimum or maximum "
                                               "(0 or 1 for images). Noise applies in the model's "
                                               'working space (after ``scaling``). It is drawn '
                                               'from the generator seeded by ``random_state``. '
                                               '``"auto"`` is ``"mask"`` for the perceptron (no '
                                               '``image_shape``) when the neighbour-graph term is '
                                               'on (``manifold_weight > 0``: the features recipe, '
                                               'on any data) or when it decodes linearly '
                                               '(standardised tables, see ``scaling``), and None '
                                               '(no corruption) otherwise: images decoded through '
                                               'a sigmoid with the plain reconstruction '
                                               '(``manifold_weight=0``: for reconstruction and '
                                               'anomaly scores) and models with ``image_shape``; '
                                               'before ``fit`` (``training_objective`` of an '
                                               'unfitted model) it answers by the first rule '
                                               'alone. Measured on tables (3 dev seeds, 5-fold CV '
                                               'accuracy of StandardScaler + 8-D codes + '
                                               'LogisticRegression), None against ``"mask"`` at '
                                               '``noise_level=0.2``: 0.966 and 0.965 on breast '
                                               'cancer (PCA(8): 0.976), 0.970 and 0.979 on wine '
                                               '(PCA(8): 0.976), 0.943 and 0.943 on digits as a '
                                               'table, 0.693 and 0.700 on ``make_classification`` '
                                               '(800 rows, 20 features), 0.500 and 0.529 on a '
                                               'generated 1,500-row skewed table; at '
                                               '``noise_level=0.25``, 0.964 on breast cancer and '
                                               '0.979 on wine. On images with the neighbour-graph '
                                               'term, None against ``"mask"`` at 0.25 (means of '
                                               'dev seeds): the bundled digits (70/30 splits, '
                                               'seeds 10-12) 5 labels per class + codes(16) + '
                                               'LogisticRegression 0.944 and 0.949, k-means on '
                                               'codes(10) 0.895 and 0.948, ``LatentClustering`` '
                                               '0.919 and 0.925 (``noise_level=0.1``: 0.942, '
                                               '0.913, 0.923); 15,000 MNIST training images (20 '
                                               'epochs, 100 labels scored on 5,000 other training '
                                               'images, seeds 5-6) codes(16) + LogisticRegression '
                                               '0.894 and 0.897, k-means on codes(10) 0.745 and '
                                               '0.781, ``LatentClustering`` 0.825 and 0.870. Then '
                                               "on the benchmark's protocols "
                                               '(``benchmarks/features.py``, seeds 0-2, measured '
                                               'once after the choice): digits 5 labels per class '
                                               '0.941 and 0.936, k-means on codes(10) 0.943 and '
                                               '0.906 (it lands near 0.89 or 0.94 by seed either '
                                               'way), ``LatentClustering`` 0.925 and 0.935, '
                                               '``DeepEmbeddedClustering`` 0.916 and 0.922; MNIST '
                                               'with 100 labels codes(16) + LogisticRegression '
                                               '0.921 and 0.924, ``ManifoldLabelSpreading`` 0.930 '
                                               'and 0.939 (``labeling="clusters"``: 0.954 and '
                                               '0.958); MNIST clustering (all 70,000) '
                                               '``LatentClustering`` 0.968 and 0.969, '
                                               '``DeepEmbeddedClustering`` 0.967 and 0.964. Other '
                                               'figures in these docs for images with the '
                                               'neighbour-graph term were measured before masking '
                                               'became their default (with ``noise=None``) unless '
                                               'they say otherwise.',
                                        'role': 'value'},
                                       {'name': 'noise_level',
                                        'default': '0.25',
                                        'type': 'float, default=0.25',
                                        'doc': 'Standard deviation (``"gaussian"``) or fraction of '
                                               'corrupted inputs (``"mask"``, '
                                               '``"salt_and_pepper"``, at most 1).',
                                        'role': 'value'},
                                       {'name': 'contractive_weight',
                                        'default': '0.0',
                                        'type': 'float, default=0.0',
                                        'doc': 'Weight λ of the contractive penalty: the squared '
                                               "Frobenius norm of the encoder's Jacobian with "
                                               'respect to its input, exact for any depth, '
                                               'averaged over samples. Its cost grows with '
                                               '``latent_dim`` (one backward pass per latent '
                                               'unit).',
                                        'role': 'value'},
                                       {'name': 'latent_norm',
                                        'default': "'auto'",
                                        'type': '{"auto", "batch", "isotropic"} or None, '
                                                'default="auto"',
                                        'doc': '``"batch"``: the code is standardised over each '
                                               'training batch (batch normalisation with no '
                                               'learned scale or shift; running statistics in '
                                               '``transform``), so every latent unit has mean 0 '
                                               'and variance 1 and downstream estimators '
                                               '(``LogisticRegression``, k-means, k-NN graphs) see '
                                               'well-conditioned features. ``"auto"`` is '
                                               '``"batch"`` for a plain autoencoder and None when '
                                               'the neighbour-graph term is on (``manifold_weight '
                                               "> 0``: UMAP's curve sets the code's scale, and "
                                               'clusters must be free to move apart), a sparsity '
                                               'or contractive penalty is on, or '
                                               '``latent_activation`` is not the identity (the '
                                               "code keeps that activation's range). ``None``: the "
                                               'code is left as the encoder gives it. The '
                                               "penalties act on the code's own scale, which a "
                                               'latent norm resets, so with ``sparsity_weight > '
                                               '0`` or ``contractive_weight > 0`` only ``"auto"`` '
                                               'and None are accepted: behind a norm the KL '
                                               'sparsity penalty has no gradient, and the '
                                               'contractive penalty shrinks the code into the '
                                               "norm's epsilon, where the model reconstructs worse "
                                               'than predicting the mean. ``"isotropic"``: the '
                                               'code is centred and divided by one scale for all '
                                               'units (the root mean variance over the batch), '
                                               'which fixes its size but keeps its geometry. '
                                               'Measured on digits with the neighbour-graph term '
                                               '(weight 1, benchmark protocol of '
                                               '``benchmarks/features.py``, 3 seeds): k-means on '
                                               '10-D codes 0.942 free, 0.910 standardised, 0.907 '
                                               'isotropic; 5 labels per class + LogisticRegression '
                                               'on 16-D codes 0.941, 0.943 and 0.939.',
                                        'role': 'value'},
                                       {'name': 'hidden_norm',
                                        'default': "'auto'",
                                        'type': '{"auto", "batch"} or None, default="auto"',
                                        'doc': '``"batch"``: batch normalisation after every '
                                               'hidden linear layer of the encoder and the '
                                               'decoder, before the activation; it lets deep and '
                                               'wide perceptrons (such as '
                                               '``hidden_layer_sizes=(1000, 500, 250)``) train at '
                                               'the default learning rate. Not available with '
                                               '``image_shape``. ``"auto"`` is ``"batch"`` for the '
                                               'perceptron and None with ``image_shape``. '
                                               'Measured: the (1000, 500, 250) network with a 30-D '
                                               'code, 6 epochs on 10,000 MNIST rows, stays at a '
                                               'loss of 0.147 without it (worse than predicting '
                                               'the mean, 0.067) and reaches 0.016 with it; on '
                                               'digits it is neutral to slightly better.',
                                        'role': 'value'},
                                       {'name': 'linear_path',
                                        'default': "'auto'",
                                        'type': '"auto" or bool, default="auto"',
                                        'doc': '``True``: a linear layer from the input to the '
                                               "code beside the encoder's hidden layers, and one "
                                               "from the code to the output beside the decoder's, "
                                               "their outputs added; a linear code (PCA's) is then "
                                               'one the model can represent from the start, and '
                                               'the hidden layers learn what is not linear. Not '
                                               'available with ``image_shape``. ``"auto"`` is '
                                               '``True`` for the perceptron on data decoded '
                                               'linearly (standardised tables, see ``scaling``) '
                                               'and ``False`` for data decoded through a sigmoid '
                                               '(in [0, 1], or images brought there by '
                                               '``scaling``) and with ``image_shape``. Measured '
                                               'with the default recipe (3 seeds): 5-fold CV '
                                               'accuracy of StandardScaler + 8-D codes + '
                                               'LogisticRegression 0.978 with it and 0.966 without '
                                               'on wine (PCA(8): 0.976), 0.966 and 0.965 on breast '
                                               'cancer (PCA(8): 0.979); on digits '
                                               '(``benchmarks/features.py`` protocol) 5 labels per '
                                               'class + LogisticRegression on 16-D codes 0.948 and '
                                               '0.941, k-means on 10-D codes 0.913 and 0.942.',
                                        'role': 'value'},
                                       {'name': 'manifold_weight',
                                        'default': '1.0',
                                        'type': 'float, default=1.0',
                                        'doc': 'Weight of the neighbour-graph term (parametric '
                                               'UMAP, Sainburg et al., 2021): the fuzzy '
                                               '``n_neighbors``-nearest-neighbour graph of the '
                                               'training rows (exact euclidean neighbours in the '
                                               "model's working space, UMAP's memberships) is "
                                               'built once per fit, and every training step draws '
                                               '``8 * batch_size`` of its edges in proportion to '
                                               'their membership, encodes both ends and adds '
                                               "UMAP's cross-entropy (neighbours pulled together, "
                                               "5 random pairs per edge pushed apart, UMAP's curve "
                                               'for ``min_dist=0.1``) to the reconstruction error. '
                                               "Codes then keep the data's neighbourhoods, which "
                                               'is what few-label classifiers and clustering use. '
                                               '0 turns it off (a plain autoencoder). '
                                               '``partial_fit`` builds the graph of each chunk '
                                               '(none for a one-row chunk). The graph costs memory '
                                               'and time of order ``n_samples * n_neighbors`` (the '
                                               'neighbour search is exact, quadratic in time), and '
                                               "each step encodes the drawn edges' ends besides "
                                               "the batch (16 times the batch's rows: a step costs "
                                               'several times a plain one). Measured on digits '
                                               '(benchmark protocol, 3 seeds): k-means on 10-D '
                                               'codes 0.942 with weight 1 and ``8 * batch_size`` '
                                               'edges, 0.906 with ``4 * batch_size``; 0.867 with '
                                               'weight 0.5, ``2 * batch_size`` and a standardised '
                                               'code. The term trades reconstruction for '
                                               'neighbourhoods: for the lowest reconstruction '
                                               'error (or ``score_samples`` as an anomaly score) '
                                               "set it to 0. Measured on MNIST's 60,000 training "
                                               'images with ``hidden_layer_sizes=(1000, 500, 250), '
                                               "latent_dim=30`` (``benchmarks/features.py``'s "
                                               'mnist-reconstruction, seed 0, one thread): the '
                                               'setting ``manifold_weight=0, '
                                               'learning_rate="cosine", learning_rate_init=3e-3, '
                                               'max_iter=40, early_stopping=False`` reaches a test '
                                               'sum of squared errors of 3.21 per image (PCA(30): '
                                               '13.87) in 383 CPU-seconds (576 s of wall time '
                                               'beside other jobs, load 4.5; the ``tol`` rule on '
                                               'the training loss stopped it after 35 epochs), '
                                               'against 9.23 with the default weight of 1 and 20 '
                                               'epochs (799 s). It was chosen on 10,000 held-out '
                                               'training images: 3.38 there, against 4.14 for a '
                                               'constant 3e-3 over 30 epochs and 5.16 for a cosine '
                                               'from 1e-2 over 25.',
                                        'role': 'value'},
                                       {'name': 'n_neighbors',
                                        'default': '15',
                                        'type': 'int, default=15',
                                        'doc': 'Neighbours of each row in the graph, itself '
                                               "included (UMAP's meaning); fewer when there are "
                                               'fewer rows.',
                                        'role': 'value'},
                                       {'name': 'image_shape',
                                        'default': 'None',
                                        'type': 'tuple of int or None, default=None',
                                        'doc': '``(channels, height, width)`` of the images in the '
                                               'flat rows of ``X``: the encoder and decoder become '
                                               'convolutional, with ``hidden_layer_sizes`` the '
                                               'output channels of 3x3 stride-2 convolutions (e.g. '
                                               '``(32, 64)`` for MNIST with ``image_shape=(1, 28, '
                                               '28)``). ``None``: a multi-layer perceptron.',
                                        'role': 'value'},
                                       {'name': 'batch_size',
                                        'default': "'auto'",
                                        'type': 'int or "auto", default="auto"',
                                        'doc': 'Mini-batch size; ``"auto"`` is ``min(256, '
                                               "n_samples)``. Larger batches than the reference's "
                                               '32 cost less per sample (see '
                                               '``benchmarks/RESULTS.md``). On MNIST (the '
                                               'reference 2-D model, one thread) an epoch of '
                                               '48,000 rows costs about 1.1 CPU-seconds at 256 and '
                                               '1.0 at 512, but 512 needs more epochs to the same '
                                               'error (see ``learning_rate``); starting with '
                                               'batches of 64 and 128 for the first epochs did not '
                                               'help.',
                                        'role': 'value'},
                                       {'name': 'learning_rate_init',
                                        'default': '0.003',
                                        'type': 'float, default=3e-3',
                                        'doc': "Adam's learning rate (the peak with "
                                               '``learning_rate="cosine"``). Chosen by measurement '
                                               'with batch 256 at a constant rate: on MNIST '
                                               '(48,000 training rows, the reference 2-D model) '
                                               'the test MSE after 40 epochs was 0.0370 at 3e-3 '
                                               'against 0.0388 at 1e-3. A cosine decay makes a ten '
                                               'times higher peak pay: 3e-2 (see '
                                               '``learning_rate``).',
                                        'role': 'value'},
                                       {'name': 'max_iter',
                                        'default': '200',
                                        'type': 'int, default=200',
                                        'doc': 'Maximum number of epochs; with '
                                               '``learning_rate="cosine"`` the budget the decay '
                                               'spans.',
                                        'role': 'value'},
                                       {'name': 'shuffle',
                                        'default': 'True',
                                        'type': 'bool, default=True',
                                        'doc': 'Shuffle the samples every epoch.',
                                        'role': 'value'},
                                       {'name': 'tol',
                                        'default': '0.0001',
                                        'type': 'float, default=1e-4',
                                        'doc': 'Minimum decrease of the monitored loss that counts '
                                               'as an improvement.',
                                        'role': 'value'},
                                       {'name': 'early_stopping',
                                        'default': "'auto'",
                                        'type': '"auto" or bool, default="auto"',
                                        'doc': 'Hold out ``validation_fraction`` of the data, stop '
                                               'when its loss stops improving and restore the '
                                               'weights of the best epoch. Otherwise the training '
                                               'loss is watched. ``"auto"``: on when ``X`` has '
                                               'more than 10,000 samples (as in '
                                               '``HistGradientBoostingRegressor``); the choice is '
                                               'in ``do_early_stopping_``. With the '
                                               'neighbour-graph term on, the validation loss '
                                               'includes that term scored on one fixed sample of '
                                               "the graph's edges, so that epochs differ by the "
                                               'weights alone (a fresh sample each epoch moved it '
                                               "by more than an epoch's progress, and the rule "
                                               'stopped on the luck of the draw). What that costs: '
                                               "a default fit of MNIST's 60,000 x 784 training "
                                               'images (2-D latent, seed 0) stopped by itself '
                                               'after 72 epochs, 505 CPU-seconds on one thread '
                                               '(510 s of wall time, load 0.5-2), at test MSE '
                                               '0.0363 (with a fresh sample: 39 epochs, 321 '
                                               'CPU-seconds, 0.0369); most of it is the '
                                               'neighbour-graph term (``manifold_weight``). With '
                                               '``manifold_weight=0`` a fit of 48,000 rows stopped '
                                               'after 55 epochs in 51.5 s on two idle cores (101 '
                                               'CPU-seconds) at 0.0349 (``benchmarks/speed.py``, '
                                               'section 2).',
                                        'role': 'value'},
                                       {'name': 'validation_fraction',
                                        'default': '0.1',
                                        'type': 'float, default=0.1',
                                        'doc': 'Fraction of the data held out when early stopping.',
                                        'role': 'value'},
                                       {'name': 'n_iter_no_change',
                                        'default': '10',
                                        'type': 'int, default=10',
                                        'doc': 'Epochs without an improvement of at least ``tol`` '
                                               'before stopping.',
                                        'role': 'value'},
                                       {'name': 'random_state',
                                        'default': 'None',
                                        'type': 'int, RandomState instance or None, default=None',
                                        'doc': 'Seeds the weights, the batch order and the '
                                               'validation split: one int gives one model.',
                                        'role': 'value'},
                                       {'name': 'warm_start',
                                        'default': 'False',
                                        'type': 'bool, default=False',
                                        'doc': "Continue from the previous fit's weights instead "
                                               "of starting anew; the fit's epochs are added to "
                                               '``history_`` and the curves. Each fit draws its '
                                               'own validation set and stops on its own epochs.',
                                        'role': 'value'},
                                       {'name': 'device',
                                        'default': "'auto'",
                                        'type': 'str or torch.device, default="auto"',
                                        'doc': 'Where to train: ``"auto"`` picks CUDA when '
                                               'present, else the CPU.',
                                        'role': 'value'},
                                       {'name': 'learning_rate',
                                        'default': "'constant'",
                                        'type': '{"constant", "cosine"}, default="constant"',
                                        'doc': "How Adam's learning rate moves during ``fit``. "
                                               '``"constant"``: it stays at '
                                               '``learning_rate_init``. ``"cosine"``: it rises '
                                               'linearly to ``learning_rate_init`` over the first '
                                               '``max_iter // 20`` epochs, then falls along half a '
                                               'cosine to zero at epoch ``max_iter``, so '
                                               '``max_iter`` sets the training budget (see '
                                               '``skae.nn.callbacks.CosineSchedule``) and reaching '
                                               'it raises no ``ConvergenceWarning``. '
                                               '``partial_fit`` always uses '
                                               '``learning_rate_init``. The fast setting for the '
                                               'lowest reconstruction error, measured on MNIST '
                                               '(48,000 training rows, the reference 2-D model, '
                                               'one thread): ``manifold_weight=0, '
                                               'learning_rate="cosine", learning_rate_init=3e-2, '
                                               'max_iter=35, early_stopping=False`` ends at test '
                                               'MSE 0.0341, 0.0345 and 0.0348 (seeds 0, 1, 2), '
                                               "below the reference recipe's 0.0352 (batch 32, "
                                               'constant 1e-3, 60 epochs: about 610 CPU-seconds), '
                                               'after 35 epochs: 33.6 s on two idle cores (66.3 '
                                               'CPU-seconds; the recipe took 598.6 s in the same '
                                               'run, ``benchmarks/speed.py`` section 2). Beside it '
                                               '(seed 0): the constant 3e-3 needs 48 epochs to get '
                                               'there; a cosine over 40 epochs ends at 0.0353 from '
                                               'a peak of 3e-3 and at 0.0348 from 1e-2; over 20 '
                                               'epochs at 0.0348 from 3e-2 and 0.0352 from 5e-2 '
                                               '(seed 1: 0.0352 from 3e-2); over 30 epochs from '
                                               '3e-2 at 0.0344, 0.0345 and 0.0351 (seeds 0, 1, 2), '
                                               'too close to the target for a documented setting; '
                                               'over 40 epochs at 0.0343 on each seed, a wider '
                                               'margin for 5 more epochs. The batch norms are part '
                                               'of it: without them (``hidden_norm=None, '
                                               'latent_norm=None``) the cosine from 3e-3 over 40 '
                                               'epochs ends at 0.0368 instead of 0.0353.',
                                        'role': 'value'}],
                            'summary': 'Autoencoder as a scikit-learn transformer: ``transform`` '
                                       'gives the latent code.',
                            'needs_y': False,
                            'has_verbose': True},
 'ContractiveAutoencoder': {'params': [{'name': 'latent_dim',
                                        'default': '2',
                                        'type': '',
                                        'doc': '',
                                        'role': 'value'},
                                       {'name': 'hidden_layer_sizes',
                                        'default': '(128, 64, 16)',
                                        'type': '',
                                        'doc': '',
                                        'role': 'value'},
                                       {'name': 'activation',
                                        'default': "'relu'",
                                        'type': '',
                                        'doc': '',
                                        'role': 'value'},
                                       {'name': 'scaling',
                                        'default': "'auto'",
                                        'type': '',
                                        'doc': '',
                                        'role': 'value'},
                                       {'name': 'alpha',
                                        'default': '0.0',
                                        'type': '',
                                        'doc': '',
                                        'role': 'value'},
                                       {'name': 'sparsity_weight',
                                        'default': '0.0',
                                        'type': '',
                                        'doc': '',
                                        'role': 'value'},
                                       {'name': 'sparsity_target',
                                        'default': '0.05',
                                        'type': '',
                                        'doc': '',
                                        'role': 'value'},
                                       {'name': 'sparsity_penalty',
                                        'default': "'kl'",
                                        'type': '',
                                        'doc': '',
                                        'role': 'value'},
                                       {'name': 'latent_activation',
                                        'default': "'auto'",
                                        'type': '',
                                        'doc': '',
                                        'role': 'value'},
                                       {'name': 'noise',
                                        'default': 'None',
                                        'type': '',
                                        'doc': '',
                                        'role': 'value'},
                                       {'name': 'noise_level',
                                        'default': '0.25',
                                        'type': '',
                                        'doc': '',
                                        'role': 'value'},
                                       {'name': 'contractive_weight',
                                        'default': '0.001',
                                        'type': '',
                                        'doc': '',
                                        'role': 'value'},
                                       {'name': 'latent_norm',
                                        'default': 'None',
                                        'type': '',
                                        'doc': '',
                                        'role': 'value'},
                                       {'name': 'hidden_norm',
                                        'default': 'None',
                                        'type': '',
                                        'doc': '',
                                        'role': 'value'},
                                       {'name': 'linear_path',
                                        'default': 'False',
                                        'type': '',
                                        'doc': '',
                                        'role': 'value'},
                                       {'name': 'manifold_weight',
                                        'default': '0.0',
                                        'type': '',
                                        'doc': '',
                                        'role': 'value'},
                                       {'name': 'n_neighbors',
                                        'default': '15',
                                        'type': '',
                                        'doc': '',
                                        'role': 'value'},
                                       {'name': 'image_shape',
                                        'default': 'None',
                                        'type': '',
                                        'doc': '',
                                        'role': 'value'},
                                       {'name': 'batch_size',
                                        'default': "'auto'",
                                        'type': '',
                                        'doc': '',
                                        'role': 'value'},
                                       {'name': 'learning_rate_init',
                                        'default': '0.003',
                                        'type': '',
                                        'doc': '',
                                        'role': 'value'},
                                       {'name': 'max_iter',
                                        'default': '200',
                                        'type': '',
                                        'doc': '',
                                        'role': 'value'},
                                       {'name': 'shuffle',
                                        'default': 'True',
                                        'type': '',
                                        'doc': '',
                                        'role': 'value'},
                                       {'name': 'tol',
                                        'default': '0.0001',
                                        'type': '',
                                        'doc': '',
                                        'role': 'value'},
                                       {'name': 'early_stopping',
                                        'default': "'auto'",
                                        'type': '',
                                        'doc': '',
                                        'role': 'value'},
                                       {'name': 'validation_fraction',
                                        'default': '0.1',
                                        'type': '',
                                        'doc': '',
                                        'role': 'value'},
                                       {'name': 'n_iter_no_change',
                                        'default': '10',
                                        'type': '',
                                        'doc': '',
                                        'role': 'value'},
                                       {'name': 'random_state',
                                        'default': 'None',
                                        'type': '',
                                        'doc': '',
                                        'role': 'value'},
                                       {'name': 'warm_start',
                                        'default': 'False',
                                        'type': '',
                                        'doc': '',
                                        'role': 'value'},
                                       {'name': 'device',
                                        'default': "'auto'",
                                        'type': '',
                                        'doc': '',
                                        'role': 'value'},
                                       {'name': 'learning_rate',
                                        'default': "'constant'",
                                        'type': '',
                                        'doc': '',
                                        'role': 'value'}],
                            'summary': 'An autoencoder whose code is insensitive to small moves of '
                                       'the input.',
                            'needs_y': False,
                            'has_verbose': True},
 'ConvClassifier': {'params': [{'name': 'image_shape',
                                'default': 'None',
                                'type': 'tuple of int or None, default=None',
                                'doc': '``(height, width)`` or ``(channels, height, width)`` of '
                                       'the images in the flat rows of ``X`` (channels first). '
                                       '``None`` reads each row as a one-row image ``(1, 1, '
                                       'n_features)``, a signal convolved along its features, and '
                                       "never shifts it (for MNIST's flat rows pass ``(28, 28)``).",
                                'role': 'value'},
                               {'name': 'channels',
                                'default': '(32, 64)',
                                'type': 'tuple of int, default=(32, 64)',
                                'doc': 'Output channels of each convolution.',
                                'role': 'value'},
                               {'name': 'hidden_size',
                                'default': '128',
                                'type': 'int, default=128',
                                'doc': 'Width of the layer between the convolutions and the '
                                       'output.',
                                'role': 'value'},
                               {'name': 'max_shift',
                                'default': '2',
                                'type': 'int, default=2',
                                'doc': 'Largest shift, in pixels, along each axis of the image, at '
                                       'most an eighth of that axis (so none along an axis of '
                                       'fewer than 8 pixels, nor without ``image_shape``). ``0`` '
                                       'trains on the images as they are. Measured on MNIST, on '
                                       'training images only (50,000 labeled by '
                                       '``ManifoldLabelSpreading(labeling="clusters")`` from 100 '
                                       'labels, 0.968 of the others right; scored on the other '
                                       '10,000 training images; seed 5): 0.9706 with the defaults '
                                       '(27 s on two cores), 0.9646 with ``max_shift=0``, 0.9667 '
                                       'after 3 epochs, 0.9721 after 8; the nearest codes 0.9624, '
                                       'a perceptron on the pixels 0.9608. On small images with '
                                       'few rows it needs more epochs: trained on 1,257 of the '
                                       'bundled 8 x 8 digits with their true labels, 0.89 held-out '
                                       'accuracy after 30 epochs, above 0.9 after 60.',
                                'role': 'value'},
                               {'name': 'max_iter',
                                'default': '5',
                                'type': 'int, default=5',
                                'doc': 'Epochs of training (no early stopping).',
                                'role': 'value'},
                               {'name': 'batch_size',
                                'default': '256',
                                'type': 'int, default=256',
                                'doc': 'Rows per training step.',
                                'role': 'value'},
                               {'name': 'learning_rate_init',
                                'default': '0.001',
                                'type': 'float, default=1e-3',
                                'doc': "Adam's learning rate.",
                                'role': 'value'},
                               {'name': 'random_state',
                                'default': 'None',
                                'type': 'int, RandomState instance or None, default=None',
                                'doc': 'Seeds the weights, the batch order and the shifts.',
                                'role': 'value'},
                               {'name': 'device',
                                'default': "'auto'",
                                'type': 'str or torch.device, default="auto"',
                                'doc': 'Where to train: ``"auto"`` picks CUDA when present, else '
                                       'the CPU.',
                                'role': 'value'}],
                    'summary': 'A small convolutional network for images, trained with random '
                               'shifts of its inputs.',
                    'needs_y': True,
                    'has_verbose': True},
 'DeepEmbeddedClustering': {'params': [{'name': 'estimator',
                                        'default': 'None',
                                        'type': 'estimator object, default=None',
                                        'doc': 'The autoencoder, cloned and fit on ``X``. ``None`` '
                                               'means ``clustering_autoencoder(n_clusters, '
                                               'n_features)``: '
                                               '``AutoencoderTransformer(latent_dim=n_clusters)`` '
                                               '(at least 2 code units: DEC and IDEC code 10 '
                                               'clusters in 10 dimensions, as ``LatentClustering`` '
                                               'does), with hidden layers (256, 128, 32) from 256 '
                                               'features on. Any skae variant works.',
                                        'role': 'estimator'},
                                       {'name': 'n_clusters',
                                        'default': '8',
                                        'type': 'int, default=8',
                                        'doc': 'Number of clusters.',
                                        'role': 'value'},
                                       {'name': 'reconstruction_weight',
                                        'default': '1.0',
                                        'type': 'float, default=1.0',
                                        'doc': "Weight of the autoencoder's loss during refinement "
                                               '(its own training objective, masking noise '
                                               'included where its ``noise`` gives one); 0 gives '
                                               "DEC, positive IDEC. (IDEC's ``gamma = 0.1`` on the "
                                               'clustering loss is ``reconstruction_weight=10`` '
                                               'with a ten times larger learning rate.)',
                                        'role': 'value'},
                                       {'name': 'degrees_of_freedom',
                                        'default': '1.0',
                                        'type': 'float, default=1.0',
                                        'doc': 'Of the Student-t kernel of the soft assignments.',
                                        'role': 'value'},
                                       {'name': 'update_interval',
                                        'default': '1',
                                        'type': 'int, default=1',
                                        'doc': 'Epochs between refreshes of the target '
                                               'distribution.',
                                        'role': 'value'},
                                       {'name': 'tol',
                                        'default': '0.001',
                                        'type': 'float, default=1e-3',
                                        'doc': 'Stop when the fraction of samples changing cluster '
                                               'falls below it.',
                                        'role': 'value'},
                                       {'name': 'max_iter',
                                        'default': '30',
                                        'type': 'int, default=30',
                                        'doc': 'Maximum epochs of refinement; 0 keeps the initial '
                                               'centres (``init``), each sample then in the '
                                               'cluster of its nearest centre (with '
                                               '``init="manifold"`` the centres are the mixture '
                                               "components' mean codes, so a few samples may "
                                               "differ from the mixture's own clusters).",
                                        'role': 'value'},
                                       {'name': 'batch_size',
                                        'default': '256',
                                        'type': 'int, default=256',
                                        'doc': '',
                                        'role': 'value'},
                                       {'name': 'learning_rate_init',
                                        'default': '0.001',
                                        'type': 'float, default=1e-3',
                                        'doc': "Adam's learning rate during refinement.",
                                        'role': 'value'},
                                       {'name': 'n_init',
                                        'default': '10',
                                        'type': 'int, default=10',
                                        'doc': 'Runs of k-means for the initial centres '
                                               '(``init="k-means"``).',
                                        'role': 'value'},
                                       {'name': 'init',
                                        'default': "'manifold'",
                                        'type': '{"manifold", "k-means"}, default="manifold"',
                                        'doc': 'Where the refinement starts. ``"manifold"``: '
                                               '``LatentClustering(n_clusters)`` on the fitted '
                                               "autoencoder's codes (UMAP of the codes, a Gaussian "
                                               'mixture on the embedding: N2D), each centre the '
                                               'responsibility-weighted mean code of one mixture '
                                               'component; the refinement then goes on as usual. '
                                               '``"k-means"``: k-means on the codes (DEC and '
                                               "IDEC's start). On all 70,000 MNIST images (one "
                                               '``AutoencoderTransformer(latent_dim=10, '
                                               'max_iter=20)`` without masking noise, the default '
                                               'on images then, seed 0, the refinement with the '
                                               'defaults) ``"k-means"`` ends at 0.824 accuracy '
                                               '(NMI 0.880), where its k-means start caps it; '
                                               '``"manifold"`` at 0.969 (NMI 0.920; the mixture '
                                               'alone 0.969) after 12 epochs instead of 15, in 165 '
                                               'CPU-seconds against 51 (the UMAP is most of the '
                                               "difference). Starting also from the mixture's "
                                               'sharpened responsibilities as the first target '
                                               '``P`` gave the same (0.970). On the bundled digits '
                                               '(``benchmarks/features.py``, seeds 0-2, codes '
                                               'trained without masking noise) the manifold start '
                                               'cost accuracy: 0.916 against 0.943, as '
                                               '``LatentClustering`` (0.925) was there below '
                                               'k-means on the same codes (0.943); with masking '
                                               '(the current default) DEC gives 0.940, '
                                               '``LatentClustering`` 0.939 and k-means on the '
                                               'codes 0.924 (2026-12-02). The default follows the '
                                               'larger data, where k-means on the codes is the '
                                               'weak step. ``"manifold"`` needs umap-learn and at '
                                               'least 3 samples.',
                                        'role': 'value'},
                                       {'name': 'random_state',
                                        'default': 'None',
                                        'type': 'int, RandomState instance or None, default=None',
                                        'doc': 'Seeds k-means (or UMAP and the mixture), the batch '
                                               'order, and the autoencoder when its own '
                                               '``random_state`` is None.',
                                        'role': 'value'}],
                            'summary': 'Deep embedded clustering: clusters in a latent space, then '
                                       'the encoder refined for them.',
                            'needs_y': False,
                            'has_verbose': True},
 'DenoisingAutoencoder': {'params': [{'name': 'latent_dim',
                                      'default': '2',
                                      'type': '',
                                      'doc': '',
                                      'role': 'value'},
                                     {'name': 'hidden_layer_sizes',
                                      'default': '(128, 64, 16)',
                                      'type': '',
                                      'doc': '',
                                      'role': 'value'},
                                     {'name': 'activation',
                                      'default': "'relu'",
                                      'type': '',
                                      'doc': '',
                                      'role': 'value'},
                                     {'name': 'scaling',
                                      'default': "'auto'",
                                      'type': '',
                                      'doc': '',
                                      'role': 'value'},
                                     {'name': 'alpha',
                                      'default': '0.0',
                                      'type': '',
                                      'doc': '',
                                      'role': 'value'},
                                     {'name': 'sparsity_weight',
                                      'default': '0.0',
                                      'type': '',
                                      'doc': '',
                                      'role': 'value'},
                                     {'name': 'sparsity_target',
                                      'default': '0.05',
                                      'type': '',
                                      'doc': '',
                                      'role': 'value'},
                                     {'name': 'sparsity_penalty',
                                      'default': "'kl'",
                                      'type': '',
                                      'doc': '',
                                      'role': 'value'},
                                     {'name': 'latent_activation',
                                      'default': "'auto'",
                                      'type': '',
                                      'doc': '',
                                      'role': 'value'},
                                     {'name': 'noise',
                                      'default': "'mask'",
                                      'type': '',
                                      'doc': '',
                                      'role': 'value'},
                                     {'name': 'noise_level',
                                      'default': '0.25',
                                      'type': '',
                                      'doc': '',
                                      'role': 'value'},
                                     {'name': 'contractive_weight',
                                      'default': '0.0',
                                      'type': '',
                                      'doc': '',
                                      'role': 'value'},
                                     {'name': 'latent_norm',
                                      'default': 'None',
                                      'type': '',
                                      'doc': '',
                                      'role': 'value'},
                                     {'name': 'hidden_norm',
                                      'default': 'None',
                                      'type': '',
                                      'doc': '',
                                      'role': 'value'},
                                     {'name': 'linear_path',
                                      'default': 'False',
                                      'type': '',
                                      'doc': '',
                                      'role': 'value'},
                                     {'name': 'manifold_weight',
                                      'default': '0.0',
                                      'type': '',
                                      'doc': '',
                                      'role': 'value'},
                                     {'name': 'n_neighbors',
                                      'default': '15',
                                      'type': '',
                                      'doc': '',
                                      'role': 'value'},
                                     {'name': 'image_shape',
                                      'default': 'None',
                                      'type': '',
                                      'doc': '',
                                      'role': 'value'},
                                     {'name': 'batch_size',
                                      'default': "'auto'",
                                      'type': '',
                                      'doc': '',
                                      'role': 'value'},
                                     {'name': 'learning_rate_init',
                                      'default': '0.003',
                                      'type': '',
                                      'doc': '',
                                      'role': 'value'},
                                     {'name': 'max_iter',
                                      'default': '200',
                                      'type': '',
                                      'doc': '',
                                      'role': 'value'},
                                     {'name': 'shuffle',
                                      'default': 'True',
                                      'type': '',
                                      'doc': '',
                                      'role': 'value'},
                                     {'name': 'tol',
                                      'default': '0.0001',
                                      'type': '',
                                      'doc': '',
                                      'role': 'value'},
                                     {'name': 'early_stopping',
                                      'default': "'auto'",
                                      'type': '',
                                      'doc': '',
                                      'role': 'value'},
                                     {'name': 'validation_fraction',
                                      'default': '0.1',
                                      'type': '',
                                      'doc': '',
                                      'role': 'value'},
                                     {'name': 'n_iter_no_change',
                                      'default': '10',
                                      'type': '',
                                      'doc': '',
                                      'role': 'value'},
                                     {'name': 'random_state',
                                      'default': 'None',
                                      'type': '',
                                      'doc': '',
                                      'role': 'value'},
                                     {'name': 'warm_start',
                                      'default': 'False',
                                      'type': '',
                                      'doc': '',
                                      'role': 'value'},
                                     {'name': 'device',
                                      'default': "'auto'",
                                      'type': '',
                                      'doc': '',
                                      'role': 'value'},
                                     {'name': 'learning_rate',
                                      'default': "'constant'",
                                      'type': '',
                                      'doc': '',
                                      'role': 'value'}],
                          'summary': 'An autoencoder trained to restore corrupted inputs.',
                          'needs_y': False,
                          'has_verbose': True},
 'LatentClassifier': {'params': [{'name': 'estimator',
                                  'default': 'None',
                                  'type': 'estimator object, default=None',
                                  'doc': 'The autoencoder, cloned and fit on all of ``X``. '
                                         '``None`` means ``AutoencoderTransformer()``. A '
                                         '``FrozenEstimator`` around a fitted autoencoder is used '
                                         'as it is.',
                                  'role': 'estimator'},
                                 {'name': 'classifier',
                                  'default': 'None',
                                  'type': 'estimator object, default=None',
                                  'doc': 'Cloned and fit on the latent codes. ``None`` means '
                                         '``LogisticRegression(max_iter=1000)``.',
                                  'role': 'object'},
                                 {'name': 'unlabeled',
                                  'default': "'drop'",
                                  'type': '{"drop", "keep"}, default="drop"',
                                  'doc': 'Whether the classifier is fit on the labeled rows only, '
                                         'or on every row with the ``-1`` marks (for '
                                         'semi-supervised classifiers; a classifier that learns '
                                         '``-1`` as a class raises a ValueError).',
                                  'role': 'value'},
                                 {'name': 'random_state',
                                  'default': 'None',
                                  'type': 'int, RandomState instance or None, default=None',
                                  'doc': 'Seeds the autoencoder and the classifier (each '
                                         '``random_state`` of theirs that is None, in a pipeline '
                                         'too).',
                                  'role': 'value'}],
                      'summary': 'An autoencoder fit on every row, a classifier fit on the codes '
                                 'of the labeled rows.',
                      'needs_y': True,
                      'has_verbose': True},
 'SparseAutoencoder': {'params': [{'name': 'latent_dim',
                                   'default': '64',
                                   'type': '',
                                   'doc': '',
                                   'role': 'value'},
                                  {'name': 'hidden_layer_sizes',
                                   'default': '(128,)',
                                   'type': '',
                                   'doc': '',
                                   'role': 'value'},
                                  {'name': 'activation',
                                   'default': "'relu'",
                                   'type': '',
                                   'doc': '',
                                   'role': 'value'},
                                  {'name': 'scaling',
                                   'default': "'auto'",
                                   'type': '',
                                   'doc': '',
                                   'role': 'value'},
                                  {'name': 'alpha',
                                   'default': '0.0',
                                   'type': '',
                                   'doc': '',
                                   'role': 'value'},
                                  {'name': 'sparsity_weight',
                                   'default': '0.1',
                                   'type': '',
                                   'doc': '',
                                   'role': 'value'},
                                  {'name': 'sparsity_target',
                                   'default': '0.05',
                                   'type': '',
                                   'doc': '',
                                   'role': 'value'},
                                  {'name': 'sparsity_penalty',
                                   'default': "'kl'",
                                   'type': '',
                                   'doc': '',
                                   'role': 'value'},
                                  {'name': 'latent_activation',
                                   'default': "'auto'",
                                   'type': '',
                                   'doc': '',
                                   'role': 'value'},
                                  {'name': 'noise',
                                   'default': 'None',
                                   'type': '',
                                   'doc': '',
                                   'role': 'value'},
                                  {'name': 'noise_level',
                                   'default': '0.25',
                                   'type': '',
                                   'doc': '',
                                   'role': 'value'},
                                  {'name': 'contractive_weight',
                                   'default': '0.0',
                                   'type': '',
                                   'doc': '',
                                   'role': 'value'},
                                  {'name': 'latent_norm',
                                   'default': 'None',
                                   'type': '',
                                   'doc': '',
                                   'role': 'value'},
                                  {'name': 'hidden_norm',
                                   'default': 'None',
                                   'type': '',
                                   'doc': '',
                                   'role': 'value'},
                                  {'name': 'linear_path',
                                   'default': 'False',
                                   'type': '',
                                   'doc': '',
                                   'role': 'value'},
                                  {'name': 'manifold_weight',
                                   'default': '0.0',
                                   'type': '',
                                   'doc': '',
                                   'role': 'value'},
                                  {'name': 'n_neighbors',
                                   'default': '15',
                                   'type': '',
                                   'doc': '',
                                   'role': 'value'},
                                  {'name': 'image_shape',
                                   'default': 'None',
                                   'type': '',
                                   'doc': '',
                                   'role': 'value'},
                                  {'name': 'batch_size',
                                   'default': "'auto'",
                                   'type': '',
                                   'doc': '',
                                   'role': 'value'},
                                  {'name': 'learning_rate_init',
                                   'default': '0.003',
                                   'type': '',
                                   'doc': '',
                                   'role': 'value'},
                                  {'name': 'max_iter',
                                   'default': '200',
                                   'type': '',
                                   'doc': '',
                                   'role': 'value'},
                                  {'name': 'shuffle',
                                   'default': 'True',
                                   'type': '',
                                   'doc': '',
                                   'role': 'value'},
                                  {'name': 'tol',
                                   'default': '0.0001',
                                   'type': '',
                                   'doc': '',
                                   'role': 'value'},
                                  {'name': 'early_stopping',
                                   'default': "'auto'",
                                   'type': '',
                                   'doc': '',
                                   'role': 'value'},
                                  {'name': 'validation_fraction',
                                   'default': '0.1',
                                   'type': '',
                                   'doc': '',
                                   'role': 'value'},
                                  {'name': 'n_iter_no_change',
                                   'default': '10',
                                   'type': '',
                                   'doc': '',
                                   'role': 'value'},
                                  {'name': 'random_state',
                                   'default': 'None',
                                   'type': '',
                                   'doc': '',
                                   'role': 'value'},
                                  {'name': 'warm_start',
                                   'default': 'False',
                                   'type': '',
                                   'doc': '',
                                   'role': 'value'},
                                  {'name': 'device',
                                   'default': "'auto'",
                                   'type': '',
                                   'doc': '',
                                   'role': 'value'},
                                  {'name': 'learning_rate',
                                   'default': "'constant'",
                                   'type': '',
                                   'doc': '',
                                   'role': 'value'}],
                       'summary': 'An autoencoder whose latent units fire rarely: a KL sparsity '
                                  'penalty on the code.',
                       'needs_y': False,
                       'has_verbose': True},
 'VariationalAutoencoder': {'params': [{'name': 'latent_dim',
                                        'default': '2',
                                        'type': 'int, default=2',
                                        'doc': 'Size of the latent code, the number of output '
                                               'features of ``transform``.',
                                        'role': 'value'},
                                       {'name': 'hidden_layer_sizes',
                                        'default': '(128, 64, 16)',
                                        'type': 'tuple of int, default=(128, 64, 16)',
                                        'doc': "Widths of the encoder's hidden layers; the decoder "
                                               'mirrors them.',
                                        'role': 'value'},
                                       {'name': 'activation',
                                        'default': "'relu'",
                                        'type': '{"relu", "tanh", "logistic", "identity"}, '
                                                'default="relu"',
                                        'doc': 'Activation of the hidden layers.',
                                        'role': 'value'},
                                       {'name': 'beta',
                                        'default': '1.0',
                                        'type': 'float, default=1.0',
                                        'doc': 'Weight of the KL term: 1 is the ELBO, larger '
                                               'values trade reconstruction for a posterior closer '
                                               'to the prior (β-VAE).',
                                        'role': 'value'},
                                       {'name': 'scaling',
                                        'default': "'auto'",
                                        'type': '{"auto", "standard", "power", "minmax", "global"} '
                                                'or None, default="auto"',
                                        'doc': 'How inputs are scaled inside the model. '
                                               '``"standard"``: each feature to mean 0 and '
                                               'variance 1, decoded linearly. ``"power"``: the '
                                               'same, then each feature whose skewness exceeds 1 '
                                               'in magnitude (a long tail: amounts, sizes, counts; '
                                               'on fewer than about 50 rows, more than three '
                                               'standard errors of chance skew) goes through the '
                                               'Yeo-Johnson power that makes it most Gaussian (as '
                                               '``sklearn.preprocessing.PowerTransformer`` fits '
                                               'it, on the standardised values, the power held '
                                               'within [0, 2] so that every decoded value maps '
                                               "back: the heaviest tails, such as a log-normal's "
                                               'with sigma 4, keep some of their skew) and is '
                                               'standardised again; decoded linearly, the power '
                                               'undone on the way out (so ``inverse_transform`` '
                                               "answers in the input's units, though an error in a "
                                               'long tail grows on the way back) and '
                                               '``score_samples`` measured in the transformed '
                                               'space. A table with no skewed feature is scaled as '
                                               'by ``"standard"``. Measured (dev seeds 10-11, '
                                               '5-fold CV accuracy of StandardScaler + 8-D codes + '
                                               'LogisticRegression, ``"standard"`` then '
                                               '``"power"``, PCA(8) beside them): tables generated '
                                               "as ``benchmarks/features.py``'s ``make_tabular`` "
                                               '(half the columns exponentiated; 3,000 rows with '
                                               'seed 1, 2,000 with seeds 2 and 3) 0.419 and 0.457 '
                                               '(0.441), 0.650 and 0.770 (0.684), 0.544 and 0.596 '
                                               '(0.550); breast cancer (22 of 30 features skewed) '
                                               '0.964 and 0.968 (0.975); wine (2 of 13) 0.980 and '
                                               '0.975 (0.978); ``make_classification`` with 800 '
                                               'rows and no skewed feature 0.562 and 0.564 '
                                               '(0.532). ``"minmax"``: each feature to [0, 1] by '
                                               'its own range; ``"global"``: every feature to [0, '
                                               '1] by the one range of the whole array, which '
                                               "keeps the features' relative sizes (pixels); both "
                                               'decode through a sigmoid. ``None`` uses the raw '
                                               'values (with a sigmoid output if they lie in [0, '
                                               '1]). ``"auto"``: ``None`` for data in [0, 1]; '
                                               '``"global"`` for images in another range: data on '
                                               'one scale (most varying features, more than half '
                                               'and at least two, reach the smallest value of the '
                                               'array and most reach at least halfway up to its '
                                               'largest) with a background (a third or more of all '
                                               'entries at that smallest value) from which the '
                                               'values rise (the smallest value above it in the '
                                               'lower half of the range: faint strokes), as the '
                                               'pixels of images stored as integers are, and '
                                               'sparse non-negative features on one scale too; '
                                               '``"power"`` otherwise: tables in mixed units, and '
                                               'data on one scale without such a background '
                                               '(answers on a 1-5 scale, counts, a -999 code for '
                                               'missing values, which leaves a gap above it, '
                                               'photographs with no background, images of two '
                                               'levels only); with ``image_shape`` set, any data '
                                               'outside [0, 1] is ``"global"``, background or not '
                                               '(the user says they are images: uint8 photographs '
                                               'then decode into 0-255, not beyond). Pass '
                                               '``scaling="standard"`` to standardise in any case. '
                                               'Measured on the bundled 8 x 8 digits as '
                                               'scikit-learn gives them (0-16), 2 dev seeds, 5 '
                                               'labels per class + codes(16) + LogisticRegression '
                                               '/ k-means on codes(10): standardised 0.917 / 0.750 '
                                               'and 0.928 / 0.746, by the one range 0.939 / 0.894 '
                                               'and 0.957 / 0.893 (the same as dividing by 16 '
                                               'first), both without masking noise on images (the '
                                               'default then); by the one range with masking (the '
                                               'current default) 0.944 / 0.949 and 0.963 / 0.947.',
                                        'role': 'value'},
                                       {'name': 'alpha',
                                        'default': '0.0',
                                        'type': 'float, default=0.0',
                                        'doc': 'L2 penalty (weight decay) on the weights.',
                                        'role': 'value'},
                                       {'name': 'image_shape',
                                        'default': 'None',
                                        'type': 'tuple of int or None, default=None',
                                        'doc': '``(channels, height, width)`` of the images in the '
                                               'flat rows of ``X``: the encoder and decoder become '
                                               'convolutional, with ``hidden_layer_sizes`` the '
                                               'output channels of 3x3 stride-2 convolutions (e.g. '
                                               '``(32, 64)`` for MNIST with ``image_shape=(1, 28, '
                                               '28)``). ``None``: a multi-layer perceptron.',
                                        'role': 'value'},
                                       {'name': 'batch_size',
                                        'default': "'auto'",
                                        'type': 'int or "auto", default="auto"',
                                        'doc': 'Mini-batch size; ``"auto"`` is ``min(256, '
                                               "n_samples)``. Larger batches than the reference's "
                                               '32 cost less per sample (see '
                                               '``benchmarks/RESULTS.md``). On MNIST (the '
                                               'reference 2-D model, one thread) an epoch of '
                                               '48,000 rows costs about 1.1 CPU-seconds at 256 and '
                                               '1.0 at 512, but 512 needs more epochs to the same '
                                               'error (see ``learning_rate``); starting with '
                                               'batches of 64 and 128 for the first epochs did not '
                                               'help.',
                                        'role': 'value'},
                                       {'name': 'learning_rate_init',
                                        'default': '0.001',
                                        'type': 'float, default=1e-3',
                                        'doc': "Adam's learning rate.",
                                        'role': 'value'},
                                       {'name': 'max_iter',
                                        'default': '200',
                                        'type': 'int, default=200',
                                        'doc': 'Maximum number of epochs; with '
                                               '``learning_rate="cosine"`` the budget the decay '
                                               'spans.',
                                        'role': 'value'},
                                       {'name': 'shuffle',
                                        'default': 'True',
                                        'type': 'bool, default=True',
                                        'doc': 'Shuffle the samples every epoch.',
                                        'role': 'value'},
                                       {'name': 'tol',
                                        'default': '0.0001',
                                        'type': 'float, default=1e-4',
                                        'doc': 'Minimum decrease of the monitored loss that counts '
                                               'as an improvement.',
                                        'role': 'value'},
                                       {'name': 'early_stopping',
                                        'default': "'auto'",
                                        'type': '"auto" or bool, default="auto"',
                                        'doc': 'Hold out ``validation_fraction`` of the data, stop '
                                               'when its loss stops improving and restore the '
                                               'weights of the best epoch. Otherwise the training '
                                               'loss is watched. ``"auto"``: on when ``X`` has '
                                               'more than 10,000 samples (as in '
                                               '``HistGradientBoostingRegressor``); the choice is '
                                               'in ``do_early_stopping_``. With the '
                                               'neighbour-graph term on, the validation loss '
                                               'includes that term scored on one fixed sample of '
                                               "the graph's edges, so that epochs differ by the "
                                               'weights alone (a fresh sample each epoch moved it '
                                               "by more than an epoch's progress, and the rule "
                                               'stopped on the luck of the draw). What that costs: '
                                               "a default fit of MNIST's 60,000 x 784 training "
                                               'images (2-D latent, seed 0) stopped by itself '
                                               'after 72 epochs, 505 CPU-seconds on one thread '
                                               '(510 s of wall time, load 0.5-2), at test MSE '
                                               '0.0363 (with a fresh sample: 39 epochs, 321 '
                                               'CPU-seconds, 0.0369); most of it is the '
                                               'neighbour-graph term (``manifold_weight``). With '
                                               '``manifold_weight=0`` a fit of 48,000 rows stopped '
                                               'after 55 epochs in 51.5 s on two idle cores (101 '
                                               'CPU-seconds) at 0.0349 (``benchmarks/speed.py``, '
                                               'section 2).',
                                        'role': 'value'},
                                       {'name': 'validation_fraction',
                                        'default': '0.1',
                                        'type': 'float, default=0.1',
                                        'doc': 'Fraction of the data held out when early stopping.',
                                        'role': 'value'},
                                       {'name': 'n_iter_no_change',
                                        'default': '10',
                                        'type': 'int, default=10',
                                        'doc': 'Epochs without an improvement of at least ``tol`` '
                                               'before stopping.',
                                        'role': 'value'},
                                       {'name': 'random_state',
                                        'default': 'None',
                                        'type': 'int, RandomState instance or None, default=None',
                                        'doc': 'Seeds the weights, the batch order and the '
                                               'validation split: one int gives one model.',
                                        'role': 'value'},
                                       {'name': 'warm_start',
                                        'default': 'False',
                                        'type': 'bool, default=False',
                                        'doc': "Continue from the previous fit's weights instead "
                                               "of starting anew; the fit's epochs are added to "
                                               '``history_`` and the curves. Each fit draws its '
                                               'own validation set and stops on its own epochs.',
                                        'role': 'value'},
                                       {'name': 'device',
                                        'default': "'auto'",
                                        'type': 'str or torch.device, default="auto"',
                                        'doc': 'Where to train: ``"auto"`` picks CUDA when '
                                               'present, else the CPU.',
                                        'role': 'value'},
                                       {'name': 'learning_rate',
                                        'default': "'constant'",
                                        'type': '{"constant", "cosine"}, default="constant"',
                                        'doc': "How Adam's learning rate moves during ``fit``. "
                                               '``"constant"``: it stays at '
                                               '``learning_rate_init``. ``"cosine"``: it rises '
                                               'linearly to ``learning_rate_init`` over the first '
                                               '``max_iter // 20`` epochs, then falls along half a '
                                               'cosine to zero at epoch ``max_iter``, so '
                                               '``max_iter`` sets the training budget (see '
                                               '``skae.nn.callbacks.CosineSchedule``) and reaching '
                                               'it raises no ``ConvergenceWarning``. '
                                               '``partial_fit`` always uses '
                                               '``learning_rate_init``. The fast setting for the '
                                               'lowest reconstruction error, measured on MNIST '
                                               '(48,000 training rows, the reference 2-D model, '
                                               'one thread): ``manifold_weight=0, '
                                               'learning_rate="cosine", learning_rate_init=3e-2, '
                                               'max_iter=35, early_stopping=False`` ends at test '
                                               'MSE 0.0341, 0.0345 and 0.0348 (seeds 0, 1, 2), '
                                               "below the reference recipe's 0.0352 (batch 32, "
                                               'constant 1e-3, 60 epochs: about 610 CPU-seconds), '
                                               'after 35 epochs: 33.6 s on two idle cores (66.3 '
                                               'CPU-seconds; the recipe took 598.6 s in the same '
                                               'run, ``benchmarks/speed.py`` section 2). Beside it '
                                               '(seed 0): the constant 3e-3 needs 48 epochs to get '
                                               'there; a cosine over 40 epochs ends at 0.0353 from '
                                               'a peak of 3e-3 and at 0.0348 from 1e-2; over 20 '
                                               'epochs at 0.0348 from 3e-2 and 0.0352 from 5e-2 '
                                               '(seed 1: 0.0352 from 3e-2); over 30 epochs from '
                                               '3e-2 at 0.0344, 0.0345 and 0.0351 (seeds 0, 1, 2), '
                                               'too close to the target for a documented setting; '
                                               'over 40 epochs at 0.0343 on each seed, a wider '
                                               'margin for 5 more epochs. The batch norms are part '
                                               'of it: without them (``hidden_norm=None, '
                                               'latent_norm=None``) the cosine from 3e-3 over 40 '
                                               'epochs ends at 0.0368 instead of 0.0353. The other '
                                               'parameters mean what they mean for '
                                               '``AutoencoderTransformer``, with one addition: '
                                               '``random_state`` also seeds the reparameterisation '
                                               'noise.',
                                        'role': 'value'}],
                            'summary': 'Variational autoencoder (β-VAE): a generative model with a '
                                       'Gaussian latent space.',
                            'needs_y': False,
                            'has_verbose': True}}

if __name__ == "__main__":
    from skae.cli import write_option_specs

    write_option_specs()
