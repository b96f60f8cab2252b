"""The ``aivideo`` command's entry point: nothing is imported until it runs.

The CPU pool starts its processes with "spawn", and a spawned process imports
its parent's main module again before any work: for the ``aivideo`` command,
the script that imports this module. Were it the command line itself (typer,
rich, uvicorn, the settings), every pool process would carry ~30 MB it never
uses; importing the command line inside ``main`` keeps them out.
"""

from __future__ import annotations


def main() -> None:
    from aivideo.cli.main import main as run_command_line

    run_command_line()
