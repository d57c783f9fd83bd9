"""Safe saving and loading: a file that never runs code when it is read.

``pickle`` and ``joblib`` rebuild objects by calling whatever the file names, so loading an
untrusted pickle can run anything. ``save`` writes one `safetensors
<https://huggingface.co/docs/safetensors>`_ file instead: the weights (and any other tensor or
numeric array) as raw tensors, and the estimator's class name, parameters and fitted attributes
as JSON in the file's header. ``load`` parses that JSON, looks the class name up among skae's
public estimators, calls its constructor with the stored parameters, sets the fitted
attributes and rebuilds the torch module from them with the estimator's public
``untrained_module()`` before putting the stored weights in it; nothing named by the file is
imported or called.

What the JSON can hold: None, bool, int, float (NaN and inf included), str, lists, tuples,
dicts, numpy arrays (numbers, or strings such as ``feature_names_in_``), numpy RandomState
objects, torch devices and tensors, and nested skae estimators. An estimator holding anything
else (a fitted scikit-learn classifier, say) cannot be saved this way: ``save`` says which
attribute, and joblib remains the way to store it.
"""

import json
import re
from pathlib import Path

import numpy as np
import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save as _safetensors_bytes

from ._io import atomic_write
from ._versions import InconsistentVersionWarning, library_versions, warn_on_version_mismatch

__all__ = ["InconsistentVersionWarning", "load", "save"]

FORMAT = "skae-safe-1"
_HEADER_KEY = "skae"
_ATTRIBUTE = re.compile(r"^_?[A-Za-z][A-Za-z0-9_]*$")


def save(estimator, path):
    """Save a skae estimator to ``path`` in a format that loads without running code.

    Parameters
    ----------
    estimator : skae estimator
        Fitted or not; any public estimator of ``skae``.
    path : str or path-like
        The file to write (conventionally ``*.skae``). It is replaced only once the new
        content is written in full: a failed write leaves an existing file intact.

    Raises
    ------
    TypeError
        If ``estimator`` is not a skae estimator, or holds an attribute the safe format
        cannot store (the message names it; save such a model with joblib).

    See Also
    --------
    load : Read the file back.

    Examples
    --------
    >>> import os, tempfile
    >>> import skae
    >>> from skae.datasets import load_digits
    >>> X, _ = load_digits()
    >>> ae = skae.AutoencoderTransformer(hidden_layer_sizes=(16,), max_iter=2,
    ...                                  random_state=0).fit(X)
    >>> path = os.path.join(tempfile.mkdtemp(), "model.skae")
    >>> skae.save(ae, path)
    >>> bool((skae.load(path).transform(X) == ae.transform(X)).all())
    True
    """
    tensors = {}
    header = {
        "format": FORMAT,
        "versions": library_versions(),
        "estimator": _encode_estimator(estimator, "", tensors),
    }
    content = _safetensors_bytes(tensors, metadata={_HEADER_KEY: json.dumps(header)})
    with atomic_write(path) as f:  # a failed write leaves an existing file as it was
        f.write(content)


def has_safe_file_header(path):
    """Whether ``path`` starts as a safetensors file does: an 8-byte little-endian header
    length, then a JSON object. A file that does but fails to load is damaged, not a
    pickle."""
    try:
        with open(path, "rb") as f:
            start = f.read(9)
    except OSError:
        return False
    if len(start) < 9:
        return False
    # The header length itself may lie past a truncated end: it is only bounded.
    return start[8:9] == b"{" and 0 < int.from_bytes(start[:8], "little") < 2**32


def load(path):
    """Load an estimator written by ``save``; nothing in the file is executed.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    estimator : skae estimator
        Equal in parameters, fitted attributes and weights to the one saved; it transforms
        bit-identically on the same machine.

    Raises
    ------
    ValueError
        If the file is not a skae safe file (a pickle or joblib file, say: those are refused,
        never unpickled), is a damaged one (truncated or corrupt), or its content is
        inconsistent.
    IsADirectoryError
        If ``path`` is a folder.

    Warns
    -----
    InconsistentVersionWarning
        If the file was written under other skae, torch or scikit-learn versions.
    """
    if Path(path).is_dir():
        raise IsADirectoryError(f"'{path}' is a folder, not a file written by skae.save.")
    try:
        with safe_open(str(path), framework="pt", device="cpu") as f:
            metadata = f.metadata() or {}
            tensors = {key: f.get_tensor(key) for key in f.keys()}  # noqa: SIM118
    except SafetensorError as exc:
        if has_safe_file_header(path):
            raise ValueError(
                f"'{path}' is a damaged safe file, truncated or corrupt ({exc}): save the "
                "model again."
            ) from None
        raise ValueError(
            f"{path} is not a skae safe file ({exc}). skae.load reads files written by "
            "skae.save only and never unpickles; a pickle or joblib file from a source you "
            "trust loads with joblib.load."
        ) from None
    try:
        header = json.loads(metadata[_HEADER_KEY])
        if header.get("format") != FORMAT:
            raise ValueError(f"unknown format {header.get('format')!r}, expected {FORMAT!r}")
    except (KeyError, TypeError, AttributeError, ValueError, RecursionError) as exc:
        raise ValueError(
            f"{path} is a safetensors file but not one written by skae.save ({exc})."
        ) from None
    try:
        estimator = _decode_estimator(header.get("estimator"), "", tensors, path)
    except RecursionError:
        raise ValueError(f"{path} is inconsistent: its header is nested too deeply.") from None
    if isinstance(header.get("versions"), dict):
        warn_on_version_mismatch(header["versions"], f"The model in {path}")
    return estimator


# -- estimators ---------------------------------------------------------------------------


# scikit-learn estimators whose parameters and fitted attributes are plain data, so a
# Pipeline of skae features into a classifier saves safely too. Each is tested for a round
# trip; anything else is refused at save time with the attribute it could not store.
_SKLEARN_CLASSES = {
    "sklearn.pipeline.Pipeline": ("sklearn.pipeline", "Pipeline"),
    "sklearn.linear_model.LogisticRegression": ("sklearn.linear_model", "LogisticRegression"),
    "sklearn.preprocessing.StandardScaler": ("sklearn.preprocessing", "StandardScaler"),
    "sklearn.preprocessing.MinMaxScaler": ("sklearn.preprocessing", "MinMaxScaler"),
    "sklearn.decomposition.PCA": ("sklearn.decomposition", "PCA"),
    "sklearn.cluster.KMeans": ("sklearn.cluster", "KMeans"),
}
# Parameters that would make a loaded model read other files: they must keep these values.
_FIXED_PARAMS = {"sklearn.pipeline.Pipeline": {"memory": None}}


def _registry():
    """The classes ``load`` may build, by the name stored in the file: skae's public
    estimators and the fixed list above; nothing named by the file is imported."""
    import importlib

    from sklearn.base import BaseEstimator

    import skae

    classes = (getattr(skae, name, None) for name in skae.__all__)
    registry = {cls.__name__: cls for cls in classes
                if isinstance(cls, type) and issubclass(cls, BaseEstimator)}
    for key, (module, name) in _SKLEARN_CLASSES.items():
        registry[key] = getattr(importlib.import_module(module), name)
    return registry


def _registered_name(cls):
    for key, registered in _registry().items():
        if registered is cls:
            return key
    return None


def _encode_estimator(estimator, prefix, tensors):
    cls = type(estimator)
    key = _registered_name(cls)
    if key is None:
        raise TypeError(
            f"skae.save stores skae's public estimators (and a few plain scikit-learn ones: "
            f"{sorted(_SKLEARN_CLASSES)}), got {cls.__module__}.{cls.__qualname__}; use "
            "joblib for other objects."
        )
    if hasattr(estimator, "module_") and not hasattr(estimator, "untrained_module"):
        raise TypeError(
            f"skae.save cannot store a fitted {cls.__name__} yet: it has no untrained_module, "
            "so load could not rebuild its torch module from the file. Save it with joblib."
        )
    params = estimator.get_params(deep=False)
    _check_fixed_params(key, params, TypeError)
    encoded = {
        "class": key,
        "params": {name: _encode(value, f"{prefix}{name}", tensors)
                   for name, value in params.items()},
        "attributes": {},
        "module": hasattr(estimator, "module_"),
    }
    for name, value in vars(estimator).items():
        if name in params:
            continue
        if name == "module_":
            for weight, tensor in value.state_dict().items():
                tensors[f"{prefix}module_.{weight}"] = _cpu_tensor(tensor)
            continue
        encoded["attributes"][name] = _encode(value, f"{prefix}{name}", tensors)
    return encoded


def _decode_estimator(encoded, prefix, tensors, path):
    def fail(problem):
        return ValueError(f"{path} is inconsistent: {problem}.")

    if not isinstance(encoded, dict):
        raise fail("no estimator description")
    registry = _registry()
    name = encoded.get("class")
    if name not in registry:
        raise fail(f"unknown estimator class {name!r}; this skae knows {sorted(registry)}")
    cls = registry[name]
    params = encoded.get("params")
    if not isinstance(params, dict):
        raise fail("the parameters are not a mapping")
    params = {key: _decode(value, tensors, fail) for key, value in params.items()}
    attributes = encoded.get("attributes", {})
    if not isinstance(attributes, dict):
        raise fail("the fitted attributes are not a mapping")
    if hasattr(cls, "_upgrade_saved"):  # a class whose parameters were renamed since
        params, attributes = cls._upgrade_saved(params, attributes)
    valid = set(cls._get_param_names())
    unknown = set(params) - set(valid)
    if unknown:
        raise fail(f"{name} has no parameters {sorted(unknown)}")
    _check_fixed_params(name, params, fail)
    estimator = cls(**params)
    try:
        estimator._validate_params()
    except ValueError as exc:
        raise fail(str(exc)) from None
    for attribute, value in attributes.items():
        # Plain data attributes only: nothing may shadow a method, property or dunder.
        if (not isinstance(attribute, str) or not _ATTRIBUTE.match(attribute)
                or attribute in valid or hasattr(cls, attribute) or attribute == "module_"):
            raise fail(f"attribute name {attribute!r} is not allowed")
        setattr(estimator, attribute, _decode(value, tensors, fail))
    if encoded.get("module"):
        weights = {key[len(prefix) + len("module_."):]: tensor for key, tensor in tensors.items()
                   if key.startswith(f"{prefix}module_.")}
        try:
            # Built on the meta device: no memory is allocated until the stored weights,
            # whose shapes must match the architecture exactly, are put in place.
            with torch.device("meta"):
                module = estimator.untrained_module()
            module.load_state_dict(weights, strict=True, assign=True)
        except (RuntimeError, ValueError, TypeError, AttributeError, KeyError) as exc:
            raise fail(f"the stored weights do not fit {name}'s architecture ({exc})") from None
        estimator.module_ = module.eval()
    return estimator


# -- values -------------------------------------------------------------------------------


def _check_fixed_params(key, params, error):
    for param, required in _FIXED_PARAMS.get(key, {}).items():
        if params.get(param, required) is not required:
            message = (f"{key} must have {param}={required!r} to be saved safely, got "
                       f"{params[param]!r}")
            raise error(message)


def _cpu_tensor(tensor):
    return tensor.detach().to("cpu", copy=True).contiguous()


def _encode(value, where, tensors):
    """JSON-able form of ``value``; tensors and numeric arrays go to ``tensors``."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, np.bool_):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, list):
        return [_encode(v, f"{where}.{i}", tensors) for i, v in enumerate(value)]
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v, f"{where}.{i}", tensors) for i, v in enumerate(value)]}
    if isinstance(value, dict):
        return {"__dict__": [[_encode(k, where, tensors), _encode(v, f"{where}.{k}", tensors)]
                             for k, v in value.items()]}
    if isinstance(value, torch.Tensor):
        tensors[where] = _cpu_tensor(value)
        return {"__tensor__": where}
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "biuf":
            # Keep Fortran order (a transpose stored in C order): BLAS results depend on it.
            fortran = value.ndim > 1 and value.flags.f_contiguous and not value.flags.c_contiguous
            stored = value.T if fortran else value
            tensors[where] = torch.from_numpy(np.ascontiguousarray(stored).copy())
            return {"__ndarray__": where, "order": "F" if fortran else "C"}
        if value.dtype.kind in "OU" and all(isinstance(v, str) for v in value.flat):
            return {"__strings__": value.tolist(), "shape": list(value.shape),
                    "dtype": "object" if value.dtype.kind == "O" else value.dtype.str}
    if isinstance(value, np.random.RandomState):
        kind, keys, pos, has_gauss, gauss = value.get_state(legacy=True)
        return {"__random_state__": [kind, keys.tolist(), int(pos), int(has_gauss),
                                     float(gauss)]}
    if isinstance(value, torch.device):
        return {"__device__": str(value)}
    if _registered_name(type(value)) is not None:
        return {"__estimator__": _encode_estimator(value, f"{where}.", tensors),
                "prefix": f"{where}."}
    raise TypeError(
        f"skae.save cannot store {where!r}: a {type(value).__module__}."
        f"{type(value).__qualname__} is not one of the plain types the safe format holds "
        "(numbers, strings, lists, dicts, arrays, tensors, skae estimators). Save this model "
        "with joblib instead."
    )


def _decode(value, tensors, fail):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [_decode(v, tensors, fail) for v in value]
    if not isinstance(value, dict) or len(value) == 0:
        raise fail(f"unexpected value {value!r}")
    tag = next(iter(value))
    body = value[tag]
    try:
        if tag == "__tuple__":
            return tuple(_decode(v, tensors, fail) for v in body)
        if tag == "__dict__":
            return {_decode(k, tensors, fail): _decode(v, tensors, fail) for k, v in body}
        if tag == "__tensor__":
            return tensors[body]
        if tag == "__ndarray__":
            array = tensors[body].numpy()
            return array.T if value.get("order") == "F" else array
        if tag == "__strings__":
            dtype = object if value["dtype"] == "object" else np.dtype(value["dtype"])
            if np.dtype(dtype).kind not in "OU":
                raise ValueError(f"dtype {value['dtype']!r} is not a string dtype")
            return np.array(body, dtype=dtype).reshape(value["shape"])
        if tag == "__random_state__":
            kind, keys, pos, has_gauss, gauss = body
            state = np.random.RandomState()
            state.set_state((str(kind), np.asarray(keys, dtype=np.uint32), int(pos),
                             int(has_gauss), float(gauss)))
            return state
        if tag == "__device__":
            return torch.device(str(body))
        if tag == "__estimator__":
            return _decode_estimator(body, value["prefix"], tensors, "the file")
    except (KeyError, TypeError, ValueError, RuntimeError) as exc:
        if isinstance(exc, ValueError) and "is inconsistent" in str(exc):
            raise
        raise fail(f"bad {tag} entry ({exc})") from None
    raise fail(f"unknown tag {tag!r}")
