"""The library versions a saved model records, and the warning when they differ on load."""

import warnings


class InconsistentVersionWarning(UserWarning):
    """A model saved under other skae or torch versions is being loaded.

    Outputs may differ or loading may fail in subtle ways; refit the model under the
    current versions, or install the versions the warning names.
    """


def library_versions():
    """The skae, torch and scikit-learn versions now running, as a dict of str."""
    import sklearn
    import torch

    from . import __version__

    return {"skae": __version__, "torch": torch.__version__, "scikit-learn": sklearn.__version__}


def warn_on_version_mismatch(saved, what):
    """Warn when ``saved`` (a dict like ``library_versions()``) differs from the running ones."""
    current = library_versions()
    differ = {name: (str(saved.get(name)), version) for name, version in current.items()
              if str(saved.get(name)) != version}
    if differ:
        listed = ", ".join(f"{name} {old} (now {new})" for name, (old, new) in differ.items())
        warnings.warn(
            f"{what} was saved under {listed}. It may behave differently under the installed "
            "versions; refit it, or install the versions it was saved with.",
            InconsistentVersionWarning, stacklevel=3,
        )
