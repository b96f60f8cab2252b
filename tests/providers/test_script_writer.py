"""The script writer against a fake OpenAI-compatible chat API on loopback."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from starlette.responses import JSONResponse, PlainTextResponse, Response

from aivideo.core.config import Settings
from aivideo.core.script import MAX_TEXT_CHARS
from aivideo.providers.errors import ProviderFailed, ProviderUnavailable
from aivideo.providers.script_writer import ScriptWriter
from aivideo.runtime.resources import Resources
from tests.support.cli import cli_env, run_cli
from tests.support.fake_llm import SCRIPT, FakeLlm, completion, error, ok
from tests.support.server import running_api, serve_on_loopback
from tests.support.video_state import event_kinds, wait_for_status
from tests.support.voice_files import add_voice, copy_bundled_model


@pytest.fixture
def llm() -> FakeLlm:
    return FakeLlm([ok()])


@pytest.fixture
async def writer(llm: FakeLlm, tmp_path: Path) -> AsyncIterator[ScriptWriter]:
    async with serve_on_loopback(llm.app()) as base_url:
        settings = Settings(
            data_dir=tmp_path / "data",
            llm_base_url=f"{base_url}/v1",
            llm_api_key="sk-test-key",
            llm_model="tiny-model",
            http_retry_attempts=3,
            http_retry_timeout=10,
            http_total_timeout=1,
        )
        async with Resources(settings) as resources:
            script_writer = resources.providers.script_writer
            assert script_writer is not None
            # No waiting between tries: the tests count tries, not time.
            script_writer.http.policy = type(script_writer.http.policy)(
                attempts=3, timeout=10, wait_initial=0.01, wait_max=0.02, attempt_timeout=1
            )
            yield script_writer


async def test_a_prompt_becomes_scenes_with_keywords(writer: ScriptWriter, llm: FakeLlm) -> None:
    script = await writer.write("the water cycle", target_seconds=40)

    assert script.title == "Where rain comes from"
    assert [scene.keywords for scene in script.scenes] == [["ocean"], ["clouds", "sky"]]
    assert script.narration.startswith("The sun warms the sea.")
    sent = llm.requests[0]
    assert sent["model"] == "tiny-model"
    assert sent["messages"][-1] == {"role": "user", "content": "the water cycle"}
    assert "100 words" in sent["messages"][0]["content"]  # 40 s at 2.5 words a second
    assert llm.headers[0]["authorization"] == "Bearer sk-test-key"


async def test_the_model_is_told_the_language_to_write_in(
    writer: ScriptWriter, llm: FakeLlm
) -> None:
    await writer.write("the water cycle", target_seconds=40)
    await writer.write("el ciclo del agua", target_seconds=40, language="Spanish (Mexico)")
    await writer.write("the water cycle", target_seconds=40, language="German")

    told = [request["messages"][0]["content"] for request in llm.requests]
    assert "narration in English" in told[0]
    assert "narration in Spanish (Mexico)" in told[1]
    assert "narration in German" in told[2]  # the language is part of the cache key
    assert "keywords stay in English" in told[1]  # stock footage is searched in English


async def test_the_same_prompt_is_written_once(writer: ScriptWriter, llm: FakeLlm) -> None:
    first = await writer.write("the water cycle", target_seconds=60)
    again = await writer.write("the water cycle", target_seconds=60)
    other_length = await writer.write("the water cycle", target_seconds=30)

    assert again == first
    assert other_length == first  # the fake says the same; the length is part of the key
    assert len(llm.requests) == 2


async def test_a_reply_in_a_code_fence_is_understood(writer: ScriptWriter, llm: FakeLlm) -> None:
    llm.replies = [JSONResponse(completion(f"```json\n{json.dumps(SCRIPT)}\n```"))]

    script = await writer.write("rain", target_seconds=30)

    assert len(script.scenes) == 2


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (error(401, "Incorrect API key provided: sk-test"), "refused the API key"),
        (error(402, "You exceeded your current quota"), "no credit left"),
        (error(404, "The model `tiny-model` does not exist"), "does not know the model"),
        (error(429, "You exceeded your current quota"), "quota is used up"),
        (error(400, "messages: too long"), "refused the request"),
    ],
)
async def test_a_refusal_says_what_happened_and_what_to_do(
    writer: ScriptWriter, llm: FakeLlm, reply: Response, expected: str
) -> None:
    llm.replies = [reply]

    with pytest.raises(ProviderFailed) as caught:
        await writer.write("rain", target_seconds=30)

    message = caught.value.message
    assert expected in message
    provider_said = json.loads(bytes(reply.body))["error"]["message"]
    assert provider_said in message  # the provider's own words
    # A 429 is retried (the HTTP layer cannot tell a quota from a rate limit); no other.
    assert len(llm.requests) == (3 if reply.status_code == 429 else 1)
    if reply.status_code == 401:
        assert "AIVIDEO_LLM_API_KEY" in message
    if reply.status_code == 404:
        assert "AIVIDEO_LLM_MODEL" in message


async def test_a_rate_limit_that_lasts_is_worth_another_attempt_later(
    writer: ScriptWriter, llm: FakeLlm
) -> None:
    llm.replies = [error(429, "Rate limit reached", **{"Retry-After": "3600"})]

    with pytest.raises(ProviderUnavailable, match="rate limit was reached.*Rate limit reached"):
        await writer.write("rain", target_seconds=30)
    assert len(llm.requests) == 1  # an hour's wait is not held inside one attempt


async def test_a_503_is_retried(writer: ScriptWriter, llm: FakeLlm) -> None:
    llm.replies = [error(503, "overloaded"), error(503, "overloaded"), ok()]

    script = await writer.write("rain", target_seconds=30)

    assert len(script.scenes) == 2
    assert len(llm.requests) == 3


async def test_a_server_that_keeps_failing_is_worth_another_attempt_later(
    writer: ScriptWriter, llm: FakeLlm
) -> None:
    llm.replies = [error(500, "internal error")]

    with pytest.raises(ProviderUnavailable, match="kept failing.*HTTP 500: internal error"):
        await writer.write("rain", target_seconds=30)
    assert len(llm.requests) == 3


async def test_a_timeout_is_retried_then_reported(writer: ScriptWriter, llm: FakeLlm) -> None:
    llm.delay = 3  # longer than the 1 s each try may take

    with pytest.raises(ProviderUnavailable, match="did not answer after 3 tries .timed out."):
        await writer.write("rain", target_seconds=30)
    assert len(llm.requests) == 3


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (JSONResponse(completion(None, "length")), "empty reply .finish reason: length"),
        (JSONResponse(completion("   ")), "empty reply"),
        (JSONResponse(completion("Sure! Here is a script about rain.")), "nor a narration: too"),
        (JSONResponse(completion('{"scenes": "none"}')), "not the JSON script"),
        (JSONResponse(completion('{"scenes": [{"narration": ""}]}')), "no narration"),
        (JSONResponse({"id": "x", "object": "chat.completion"}), "not an OpenAI-style"),
        (PlainTextResponse("<html>proxy error</html>"), "not an OpenAI-style"),
    ],
)
async def test_an_empty_or_malformed_reply_is_a_clear_error(
    writer: ScriptWriter, llm: FakeLlm, reply: Response, expected: str
) -> None:
    llm.replies = [reply]

    with pytest.raises(ProviderFailed, match=expected) as caught:
        await writer.write("rain", target_seconds=30)
    assert "NoneType" not in caught.value.message


PROSE = """Sure! Here is a narration about rain:

**Scene 1: The sea**
Narrator: The sun warms the sea, and water rises into the air as vapour.

[Soft music]
High above the ground, the vapour cools and gathers into clouds.

Let me know if you would like a longer version!"""


async def test_the_reply_is_bounded_by_max_tokens(writer: ScriptWriter, llm: FakeLlm) -> None:
    await writer.write("rain", target_seconds=40)
    await writer.write("rain", target_seconds=600)

    # 100 words, then 1500: twice as many tokens and some, for the JSON around them.
    assert [request["max_tokens"] for request in llm.requests] == [500, 3300]


async def test_a_reply_in_prose_becomes_the_narration(writer: ScriptWriter, llm: FakeLlm) -> None:
    llm.replies = [JSONResponse(completion(PROSE))]

    script = await writer.write("rain", target_seconds=10)

    assert script.from_prose and not script.shortened
    assert [scene.narration for scene in script.scenes] == [
        "The sun warms the sea, and water rises into the air as vapour.",
        "High above the ground, the vapour cools and gathers into clouds.",
    ]  # no lead-in, label, speaker, stage direction or sign-off
    assert all(scene.keywords == [] for scene in script.scenes)


async def test_a_refusal_in_prose_is_a_clear_error(writer: ScriptWriter, llm: FakeLlm) -> None:
    refusal = "I'm sorry, but I can't write a narration about that subject. " * 3
    llm.replies = [JSONResponse(completion(refusal))]

    with pytest.raises(ProviderFailed, match="nor a narration: declined to write it"):
        await writer.write("rain", target_seconds=30)


@pytest.mark.parametrize("as_prose", [False, True])
async def test_a_narration_over_the_text_limit_ends_at_the_last_sentence_that_fits(
    writer: ScriptWriter, llm: FakeLlm, as_prose: bool
) -> None:
    sentence = "Rain falls on the hills and runs down to the rivers below. "
    long_text = (sentence * (MAX_TEXT_CHARS // len(sentence) + 50)).strip()
    script_json = {"scenes": [{"narration": "A first scene.", "keywords": []}]}
    script_json["scenes"].append({"narration": long_text, "keywords": ["rain"]})
    reply = long_text if as_prose else json.dumps(script_json)
    llm.replies = [JSONResponse(completion(reply))]

    script = await writer.write("rain", target_seconds=600)

    assert script.shortened and script.from_prose is as_prose
    assert MAX_TEXT_CHARS - len(sentence) < len(script.narration) <= MAX_TEXT_CHARS
    assert script.narration.endswith("rivers below.")


async def test_a_script_cut_off_at_max_tokens_says_so(writer: ScriptWriter, llm: FakeLlm) -> None:
    llm.replies = [JSONResponse(completion('{"title": "Rain", "scenes": [{"narr', "length"))]

    with pytest.raises(ProviderFailed, match="stopped at its limit of 350 tokens"):
        await writer.write("rain", target_seconds=10)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_prose_reply_makes_the_video_and_its_log_says_so(
    llm: FakeLlm, settings: Settings, resources: Resources
) -> None:
    llm.replies = [JSONResponse(completion(PROSE))]
    async with serve_on_loopback(llm.app()) as llm_url:
        configured = settings.model_copy(
            update={"llm_base_url": f"{llm_url}/v1", "max_attempts": 1}
        )
        async with running_api(configured, resources) as api:
            created = await api.alice.post(
                "/v1/videos", json={"prompt": "rain", "target_seconds": 10, "quality": "low"}
            )
            video_id = created.json()["id"]
            video = await wait_for_status(resources, video_id, "completed", "failed")
            shown = (await api.alice.get(f"/v1/videos/{video_id}")).json()

    assert video.status == "completed", video.error_message
    assert shown["text"].startswith("The sun warms the sea, and water rises")
    assert "script_from_prose" in await event_kinds(resources, video_id)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_video_from_a_prompt_through_the_api(
    llm: FakeLlm, settings: Settings, resources: Resources
) -> None:
    # ``resources`` empties the database; the API opens its own resources.
    async with serve_on_loopback(llm.app()) as llm_url:
        configured = settings.model_copy(
            update={"llm_base_url": f"{llm_url}/v1", "max_attempts": 1}
        )
        async with running_api(configured, resources) as api:
            created = await api.alice.post(
                "/v1/videos",
                json={"prompt": "the water cycle", "target_seconds": 20, "quality": "low"},
            )
            assert created.status_code == 202, created.text
            video_id = created.json()["id"]
            video = await wait_for_status(resources, video_id, "completed", "failed")

            shown = (await api.alice.get(f"/v1/videos/{video_id}")).json()
            subtitles = await api.alice.get(f"/v1/videos/{video_id}/subtitles.vtt")

    assert video.status == "completed", video.error_message
    assert shown["prompt"] == "the water cycle"
    assert shown["text"].startswith("The sun warms the sea.")  # what was written, shown
    assert shown["title"] == "Where rain comes from"
    assert "The sun warms the sea." in subtitles.text
    assert "script_written" in await event_kinds(resources, video_id)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_prompt_without_a_script_writer_is_refused_at_once(
    settings: Settings, resources: Resources
) -> None:
    async with running_api(settings.model_copy(update={"render_slots": 0}), resources) as api:
        prompt_only = await api.alice.post("/v1/videos", json={"prompt": "the water cycle"})
        both = await api.alice.post("/v1/videos", json={"prompt": "rain", "text": "Rain."})
        neither = await api.alice.post("/v1/videos", json={"title": "nothing"})

    assert prompt_only.status_code == 422
    assert "no script writer" in prompt_only.json()["error"]["message"]
    assert both.status_code == 422 and neither.status_code == 422
    assert "one of `text`, `prompt` or `scenes`" in both.text
    assert "one of `text` (the narration" in neither.text


async def test_the_command_line_makes_a_video_from_a_prompt(llm: FakeLlm, tmp_path: Path) -> None:
    output = tmp_path / "rain.mp4"
    async with serve_on_loopback(llm.app()) as llm_url:
        env = cli_env(tmp_path / "data", AIVIDEO_LLM_BASE_URL=f"{llm_url}/v1")
        code, _, err = await run_cli(
            env, "generate", "--prompt", "the water cycle", "--seconds", "20",
            "--quality", "low", "-o", str(output),
        )  # fmt: skip
        llm.replies = [error(401, "Incorrect API key provided")]
        refused_code, _, refused = await run_cli(
            env, "generate", "--prompt", "another subject", "-o", str(tmp_path / "no.mp4")
        )

    assert code == 0, err
    srt = await asyncio.to_thread(output.with_suffix(".srt").read_text)
    assert "The sun warms the sea." in srt
    assert refused_code == 1
    assert "refused the API key" in refused and "Traceback" not in refused


SPANISH_VOICE = "es_ES-prueba-medium"
SPANISH_SCRIPT = {
    "title": "De dónde viene la lluvia",
    "scenes": [
        {"narration": "El sol calienta el mar. El agua sube como vapor.", "keywords": ["ocean"]},
        {"narration": "Arriba, el vapor forma nubes. ¿Y después? ¡Llueve!", "keywords": ["sky"]},
    ],
}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_video_from_a_prompt_in_spanish_is_written_said_and_pictured_in_spanish(
    llm: FakeLlm, settings: Settings, resources: Resources, tmp_path: Path
) -> None:
    llm.replies = [ok(SPANISH_SCRIPT)]
    folder = tmp_path / "voices"
    await add_voice(folder, await asyncio.to_thread(copy_bundled_model, tmp_path), SPANISH_VOICE)
    async with serve_on_loopback(llm.app()) as llm_url:
        configured = settings.model_copy(
            update={"llm_base_url": f"{llm_url}/v1", "max_attempts": 1, "voices_dir": folder}
        )
        async with running_api(configured, resources) as api:
            created = await api.alice.post(
                "/v1/videos",
                json={
                    "prompt": "el ciclo del agua", "target_seconds": 20, "language": "es",
                    "voice": SPANISH_VOICE, "quality": "low",
                },
            )  # fmt: skip
            assert created.status_code == 202, created.text
            video_id = created.json()["id"]
            video = await wait_for_status(resources, video_id, "completed", "failed")
            shown = (await api.alice.get(f"/v1/videos/{video_id}")).json()
            subtitles = (await api.alice.get(f"/v1/videos/{video_id}/subtitles.srt")).text
            board = (await api.alice.get(f"/v1/videos/{video_id}/scenes")).json()

    assert video.status == "completed", video.error_message
    assert (
        "Write the title and the narration in Spanish," in llm.requests[0]["messages"][0]["content"]
    )
    assert (shown["language"], shown["title"]) == ("es", "De dónde viene la lluvia")
    assert shown["text"].startswith("El sol calienta el mar.")
    cues = [block.splitlines()[2] for block in subtitles.strip().split("\n\n")]
    assert cues[-2:] == ["¿Y después?", "¡Llueve!"]  # split by Spanish rules
    clouds = board["scenes"][-1]
    assert {"nube", "lluvia"} <= {pictogram["name"] for pictogram in clouds["pictograms"]}
