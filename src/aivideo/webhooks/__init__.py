"""Telling the owner's server that a video finished: signed POSTs, retried."""
