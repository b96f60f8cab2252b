"""Text to narrated video: script -> speech -> subtitles -> visuals -> render -> thumbnail."""
