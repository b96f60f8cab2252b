"""Pictograms for a scene: emoji art chosen from the scene's own words.

``choose_pictograms`` picks up to three emoji a scene's text names (the emoji
written in it first), ``draw_pictogram`` draws one as a transparent PNG (Twemoji
art, CC-BY 4.0: credit it with ``PICTOGRAM_CREDIT``). ``scene_keywords`` and
``headline`` give the scene's telling words and the few to show big.
All of it is CPU work: run it in the process pool.
"""

from __future__ import annotations

from aivideo.pipeline.pictograms.art import PICTOGRAM_CREDIT, draw_pictogram
from aivideo.pipeline.pictograms.choosing import choose_pictograms, drawn_pictograms
from aivideo.pipeline.pictograms.headline import headline
from aivideo.pipeline.pictograms.keywords import scene_keywords
from aivideo.pipeline.pictograms.pictogram import Pictogram

__all__ = [
    "PICTOGRAM_CREDIT",
    "Pictogram",
    "choose_pictograms",
    "draw_pictogram",
    "drawn_pictograms",
    "headline",
    "scene_keywords",
]
