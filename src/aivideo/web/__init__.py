"""The web page at ``/``: make a video in three clicks, served by the app itself."""
