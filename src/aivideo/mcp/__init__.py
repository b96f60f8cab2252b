"""aivideo as a Model Context Protocol server: tools an AI agent calls to make videos.

``tools.py`` declares the tools, ``video_resources.py`` a finished video's files
as resources; a *backend* does the work behind them — ``embedded.py`` makes the
videos in this process with the job system ``serve`` uses, ``served.py`` is that
inside ``serve`` for one API caller (``api/mcp_mount.py`` serves it at ``/mcp``),
``remote.py`` asks a running API through ``aivideo.client``.
``stdio.py`` serves the tools over standard input and output (``aivideo mcp``).
"""
