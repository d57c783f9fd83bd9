"""``python -m skae``: the ``skae`` command (also ``torchrun ... -m skae fit ...``)."""

import sys

from .cli import main

sys.exit(main())
