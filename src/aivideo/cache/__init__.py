"""Caching: one interface, an in-process or a Redis store behind it."""
