"""opsbook helpers: the tested logic behind the social-account operations notebooks.

Notebooks import this package (``import helpers``); every calculation lives in a submodule
here so it can be unit-tested, and the notebooks stay narrative, calls and charts.
"""

__version__ = "0.1.0"
