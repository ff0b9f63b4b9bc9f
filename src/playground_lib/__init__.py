"""Generative Playgrounds: the helper library behind the notebook series.

Notebooks stay thin (prose, pictures, a few calls); every piece of logic lives in the
modules here and is tested under ``tests/``. Modules are imported lazily by the notebooks
that need them, so that, for example, converting annotations never imports torch.
"""

__version__ = "0.1.0"
