"""aivideo: an async service that turns text into a narrated video."""

__version__ = "0.1.0"
