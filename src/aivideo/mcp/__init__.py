"""aivideo as a Model Context Protocol server: tools an AI agent calls to make videos.

``tools.py`` declares the tools; a *backend* does the work behind them —
``embedded.py`` makes the videos in this process with the job system ``serve``
uses, ``remote.py`` asks a running API through ``aivideo.client``.
``stdio.py`` serves the tools over standard input and output (``aivideo mcp``).
"""
