"""Streams opened together start a few per turn of the loop, oldest first; others never wait."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from starlette.types import Receive, Scope, Send

from aivideo.api.middleware.stream_admission import StreamAdmissionMiddleware, is_progress_stream

PER_TURN = 10


class TurnCounter:
    """Which turn of the event loop this is: a callback that runs once in every turn."""

    def __init__(self) -> None:
        self.turn = 0
        self._stopped = False

    def _tick(self) -> None:
        if not self._stopped:
            self.turn += 1
            asyncio.get_running_loop().call_soon(self._tick)

    @contextmanager
    def counting(self) -> Iterator[TurnCounter]:
        asyncio.get_running_loop().call_soon(self._tick)
        try:
            yield self
        finally:
            self._stopped = True


class StartedRequests:
    """The app behind the middleware: notes each request's path and the turn it started in."""

    def __init__(self, turns: TurnCounter) -> None:
        self.turns = turns
        self.started: list[tuple[str, int]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.started.append((scope["path"], self.turns.turn))


async def _request(app: StreamAdmissionMiddleware, path: str) -> None:
    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b""}

    async def send(message: object) -> None:
        pass

    await app({"type": "http", "path": path}, receive, send)


def _stream(n: int) -> str:
    return f"/v1/videos/video-{n}/progress"


@contextmanager
def _admission() -> Iterator[tuple[StreamAdmissionMiddleware, StartedRequests, TurnCounter]]:
    """The middleware in front of an app that notes when each request started; turns counted."""
    with TurnCounter().counting() as turns:
        app = StartedRequests(turns)
        yield StreamAdmissionMiddleware(app, per_turn=PER_TURN), app, turns


def test_only_the_progress_route_s_paths_are_streams() -> None:
    assert is_progress_stream("/v1/videos/abc/progress")
    assert not is_progress_stream("/v1/videos/abc")
    assert not is_progress_stream("/v1/videos/abc/file")
    assert not is_progress_stream("/progress")


async def test_streams_opened_together_start_a_few_per_turn_in_the_order_they_came() -> None:
    with _admission() as (admission, app, turns):
        await asyncio.gather(*(_request(admission, _stream(n)) for n in range(95)))

    assert [path for path, _ in app.started] == [_stream(n) for n in range(95)]
    per_turn = Counter(turn for _, turn in app.started)
    assert max(per_turn.values()) == PER_TURN
    assert len(per_turn) == 10  # 95 streams: ten turns, the last with five


async def test_other_requests_go_straight_on_while_streams_wait() -> None:
    with _admission() as (admission, app, turns):
        streams = [_request(admission, _stream(n)) for n in range(50)]
        await asyncio.gather(*streams, _request(admission, "/v1/videos/video-1"))

    first_turn = app.started[0][1]
    assert ("/v1/videos/video-1", first_turn) in app.started
    last_stream_turn = max(turn for path, turn in app.started if is_progress_stream(path))
    assert last_stream_turn > first_turn  # streams still waited while it went on


async def _crowd_of_30(cancelled: range) -> list[tuple[str, int]]:
    """30 streams at once, those of ``cancelled`` given up while they wait; when each started."""
    with _admission() as (admission, app, turns):
        requests = [asyncio.create_task(_request(admission, _stream(n))) for n in range(30)]
        await asyncio.sleep(0)  # every request has come, and waits or has started
        for n in cancelled:
            requests[n].cancel()
        await asyncio.gather(*requests, return_exceptions=True)
    first_turn = app.started[0][1]
    return [(path, turn - first_turn) for path, turn in app.started]


async def test_a_waiting_stream_that_is_cancelled_gives_its_place_to_the_next() -> None:
    all_30 = await _crowd_of_30(cancelled=range(0))
    ten_gave_up = await _crowd_of_30(cancelled=range(PER_TURN, 2 * PER_TURN))

    assert [path for path, _ in ten_gave_up] == [
        _stream(n) for n in itertools.chain(range(10), range(20, 30))
    ]
    # The ten after those who gave up start when these would have: in the second turn.
    second_turn = dict(all_30)[_stream(PER_TURN)]
    assert {turn for _, turn in ten_gave_up[PER_TURN:]} == {second_turn}


async def test_a_stream_that_comes_alone_after_a_crowd_starts_at_once() -> None:
    with _admission() as (admission, app, turns):
        await asyncio.gather(*(_request(admission, _stream(n)) for n in range(25)))
        for _ in range(3):
            await asyncio.sleep(0)  # the crowd is long gone
        came_at = turns.turn
        await _request(admission, _stream(99))

    assert app.started[-1] == (_stream(99), came_at)
