"""Where each scene's picture comes from: the sources, tried in order (``chain.py``)."""
