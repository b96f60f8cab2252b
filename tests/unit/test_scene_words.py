"""What a scene's words suggest showing, for every scene of a video in one call."""

from __future__ import annotations

from aivideo.pipeline.scene_words import describe_scenes


def test_each_scene_gets_its_pictograms_keywords_and_a_capitalised_headline() -> None:
    cycle, rain, rocket = describe_scenes(
        ["Together these steps form the water cycle.", "Rain falls on 70% of the land.", "🚀"],
        "en",
        with_pictograms=True,
    )

    assert cycle.headline == "Water cycle" and not cycle.headline_is_number
    assert [p.emoji for p in cycle.pictograms][:1] == ["💧"]
    assert rain.headline == "70%" and rain.headline_is_number
    assert "rain" in rain.keywords
    assert rocket.headline is None and [p.emoji for p in rocket.pictograms] == ["🚀"]


def test_without_pictograms_the_words_still_give_keywords_and_headlines() -> None:
    [scene] = describe_scenes(["The sun heats the ocean."], "en", with_pictograms=False)

    assert scene.pictograms == [] and scene.headline and scene.keywords
