"""The outside world: script writers, voices, stock footage and media by URL over HTTP."""
