"""Processes of the CPU pool do not carry the command line they were started from."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

COMMAND_LINE_MODULES = ("typer", "rich", "uvicorn", "aivideo.cli.main")


def test_the_aivideo_script_imports_no_command_line_until_it_runs() -> None:
    # A "spawn" pool process first imports its parent's main script under the name
    # __mp_main__ (multiprocessing.spawn does it with runpy.run_path): do the same.
    script = Path(sys.executable).with_name("aivideo")
    probe = (
        "import runpy, sys\n"
        f"runpy.run_path({str(script)!r}, run_name='__mp_main__')\n"
        f"print([name for name in {COMMAND_LINE_MODULES!r} if name in sys.modules])\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert loaded.stdout.strip() == "[]"


def test_the_aivideo_script_runs_the_command_line() -> None:
    script = Path(sys.executable).with_name("aivideo")
    shown = subprocess.run(
        [str(script), "--help"], capture_output=True, text=True, check=True, timeout=60
    )
    assert "generate" in shown.stdout
