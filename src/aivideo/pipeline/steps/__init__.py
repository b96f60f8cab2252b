"""The work of each stage, one module per stage; ``pipeline/stages.py`` is their table.

Each module has ``run`` (do the work, return the stage's record) and
``restore`` (put a record into the context). A fresh run and a resumed one
go through ``restore`` alike, so they cannot drift apart.
"""
