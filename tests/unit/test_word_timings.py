"""Word times from timed phonemes (the voice's alignments) and estimated from the sound,
and the narration that carries them in video seconds.

The phonemes are espeak's own, through the phonemizer Piper reads with; the
"voice" that times them here gives every phoneme the same number of samples,
so a word's span can be checked against the phonemes it was said with.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from piper.phonemize_espeak import EspeakPhonemizer

from aivideo.pipeline.speech.narration import (
    PAUSE_BETWEEN_SCENES,
    Narration,
    SpokenWord,
    assemble_narration,
    spoken_form,
)
from aivideo.pipeline.speech.sound import sound_span, trim_to_sound
from aivideo.pipeline.speech.spoken_audio import SpokenAudio, WordSpan, word_tokens
from aivideo.pipeline.speech.word_estimates import (
    COMMA_PAUSE,
    STOP_PAUSE,
    estimated_word_spans,
    fill_unplaced,
    letter_weight,
    word_pauses,
)
from aivideo.pipeline.speech.word_timings import match_keys, timed_phonemes, word_spans
from aivideo.pipeline.steps.subtitles import words_json

ESPEAK_VOICE = "en-us"  # the bundled voice's
PER_PHONEME = 1000  # samples the fake alignment gives each phoneme
RATE = 20_000  # so a phoneme lasts 50 ms

HOSTILE = [
    "Dr. Smith paid $3.50 for a coffee in 2024, e.g. at noon.",
    "Well-known rock'n'roll — \"quotes\" and 'apostrophes' aren't rare; yes: no!",
    "Pneumonoultramicroscopicsilicovolcanoconiosis is a very long word.",
    "It's the U.S. government's 3rd plan 🎉 for 100% of people, isn't it?",
    "Call 555-0199 at 10:30 a.m. or visit example.com/help — soon.",
    "A B C. 1 2 3. Mr. and Mrs. Jones, Ph.D., left at 5 p.m.",
]


@pytest.fixture(scope="module")
def espeak() -> EspeakPhonemizer:
    return EspeakPhonemizer()


def phonemes(espeak: EspeakPhonemizer, text: str) -> list[list[str]]:
    return espeak.phonemize(ESPEAK_VOICE, text)


def aligned(espeak: EspeakPhonemizer, sentence: str) -> list[tuple[int, list[tuple[str, int]]]]:
    """The sentence's chunks as Piper times them: BOS, its phonemes and EOS, each 1000 samples."""
    chunks = []
    for chunk in phonemes(espeak, spoken_form(sentence)):
        alignment = [(p, PER_PHONEME) for p in ["^", *chunk, "$"]]
        chunks.append((len(alignment) * PER_PHONEME, alignment))
    return chunks


def spans_of(espeak: EspeakPhonemizer, sentence: str) -> list[WordSpan]:
    tokens = word_tokens(sentence)
    token_phonemes = [[p for part in phonemes(espeak, t) for p in part] for t in tokens]
    weights = [
        len(match_keys(p)) or letter_weight(t) for t, p in zip(tokens, token_phonemes, strict=True)
    ]
    timed = timed_phonemes(aligned(espeak, sentence))
    return word_spans(token_phonemes, timed, RATE, weights)


def assert_in_order(spans: Sequence[WordSpan], start: float, end: float) -> None:
    assert all(a < b for a, b in spans), "every word lasts"
    assert all(one[1] <= two[0] for one, two in pairwise(spans)), "no overlap"
    assert start <= spans[0][0] and spans[-1][1] <= end


def test_the_words_are_the_written_tokens_in_order_without_emoji_or_lone_marks() -> None:
    text = 'Hello 🎉 world — "quoted," Dr. $3.50 e.g. well-known 🎉🎉 - end.'

    assert word_tokens(text) == [
        "Hello", "world", '"quoted,"', "Dr.", "$3.50", "e.g.", "well-known", "end.",
    ]  # fmt: skip


@pytest.mark.parametrize("sentence", HOSTILE)
def test_every_word_gets_one_span_in_order_inside_the_sentence(
    espeak: EspeakPhonemizer, sentence: str
) -> None:
    spans = spans_of(espeak, sentence)

    assert len(spans) == len(word_tokens(sentence))
    total = sum(length for length, _ in aligned(espeak, sentence)) / RATE
    assert_in_order(spans, 0.0, total)


def test_merged_and_expanded_words_keep_one_span_each(espeak: EspeakPhonemizer) -> None:
    sentence = "Dr. Smith paid $3.50 for a coffee in 2024, at noon."
    spans = dict(zip(word_tokens(sentence), spans_of(espeak, sentence), strict=True))
    seconds = PER_PHONEME / RATE

    # espeak reads "Dr." as its own chunk ("doctor."): the word ends before that chunk does.
    first_chunk = aligned(espeak, sentence)[0][0] / RATE
    assert spans["Dr."][1] <= first_chunk < spans["Smith"][0]
    # "$3.50" is said as "dollar three point five zero", "2024" as "two thousand twenty four".
    assert spans["$3.50"][1] - spans["$3.50"][0] > 20 * seconds
    assert spans["2024,"][1] - spans["2024,"][0] > 15 * seconds
    # "for a" is said as one sound ("fɚɹə"): both words still get a part of it, in order.
    assert spans["for"][0] < spans["for"][1] <= spans["a"][0] < spans["a"][1]
    assert spans["a"][1] - spans["for"][0] < 6 * seconds
    # The comma's pause belongs to no word.
    assert spans["at"][0] - spans["2024,"][1] == pytest.approx(2 * seconds)  # ", "


def test_word_gaps_and_pauses_fall_between_words(espeak: EspeakPhonemizer) -> None:
    sentence = "Rivers, lakes and ice hold the rest."
    timed_marks = []
    position = 0
    for _, alignment in aligned(espeak, sentence):
        for phoneme, samples in alignment:
            if phoneme in (" ", ",", "^", "$", "."):
                timed_marks.append((position / RATE, (position + samples) / RATE))
            position += samples

    spans = spans_of(espeak, sentence)

    for mark_start, mark_end in timed_marks:
        assert not any(start < mark_end and mark_start < end for start, end in spans)


def test_a_chunk_is_placed_after_the_samples_of_the_chunks_before_it() -> None:
    # The first chunk's audio is longer than its alignment says: its length counts.
    chunks = [(5000, [("^", 1000), ("a", 2000), ("$", 1000)]), (3000, [("^", 1000), ("b", 1000)])]

    timed = timed_phonemes(chunks)

    assert [(t.phoneme, t.start, t.end) for t in timed] == [("a", 1000, 3000), ("b", 6000, 7000)]


def test_a_stress_mark_starts_the_sound_it_stresses() -> None:
    [vowel] = timed_phonemes([(3000, [("ˈ", 1000), ("a", 2000)])])

    assert (vowel.phoneme, vowel.start, vowel.end) == ("a", 0, 3000)


def test_words_the_match_cannot_place_are_estimated_between_their_neighbours(
    espeak: EspeakPhonemizer,
) -> None:
    sentence = "one two three four five"
    timed = timed_phonemes(aligned(espeak, sentence))
    token_phonemes = [[p for part in phonemes(espeak, t) for p in part] for t in sentence.split()]
    token_phonemes[2] = []  # "three": a word the phonemizer gave nothing for
    token_phonemes[3] = list("xxxxxxxxxxxxxxxxxxxxxxxx")  # "four": nothing like what was said

    spans = word_spans(token_phonemes, timed, RATE, [3.0] * 5)

    assert len(spans) == 5
    assert_in_order(spans, timed[0].start / RATE, timed[-1].end / RATE)


def test_unplaced_words_share_the_gap_or_a_neighbours_span() -> None:
    assert fill_unplaced([(0.0, 1.0), None, (2.0, 3.0)], [1, 1, 1], 0.0, 3.0)[1] == (1.0, 2.0)
    # No room between the neighbours: the word before shares its span with it.
    squeezed = fill_unplaced([(0.0, 1.0), None, (1.0, 2.0)], [1, 1, 1], 0.0, 2.0)
    assert squeezed[:2] == [(0.0, 0.5), (0.5, 1.0)] and squeezed[2] == (1.0, 2.0)
    # At the start, with no room: the word after shares its span.
    assert fill_unplaced([None, (0.0, 1.0)], [1, 3], 0.0, 1.0) == [(0.0, 0.25), (0.25, 1.0)]
    assert fill_unplaced([None, None], [1, 1], 0.0, 2.0) == [(0.0, 1.0), (1.0, 2.0)]


def tone_between_silences(before: float, sound: float, after: float, rate: int) -> bytes:
    time = np.arange(int(sound * rate)) / rate
    tone = (0.3 * 32767 * np.sin(2 * np.pi * 220 * time)).astype(np.int16)
    silence = [np.zeros(int(seconds * rate), dtype=np.int16) for seconds in (before, after)]
    return np.concatenate([silence[0], tone, silence[1]]).tobytes()


def test_estimated_words_sit_on_the_sound_with_pauses_at_punctuation() -> None:
    rate = 24_000
    samples = tone_between_silences(0.4, 3.0, 0.3, rate)
    text = "Rain falls, rivers run. Then seas rise"

    spans = estimated_word_spans(text, samples, rate)

    assert len(spans) == 7
    assert sound_span(samples, rate) == pytest.approx((0.4, 3.4), abs=0.011)
    assert_in_order(spans, 0.39, 3.41)
    assert spans[0][0] == pytest.approx(0.4, abs=0.011)
    assert spans[-1][1] == pytest.approx(3.4, abs=0.011)
    gaps = [two[0] - one[1] for one, two in pairwise(spans)]
    after_comma, after_stop, plain = gaps[1], gaps[3], gaps[0]
    assert plain == pytest.approx(0, abs=1e-9)
    assert 0 < after_comma < after_stop


def test_a_word_reaching_into_silence_is_trimmed_to_its_sound() -> None:
    rate = 24_000
    samples = tone_between_silences(0.5, 1.0, 0.5, rate)  # sound from 0.5 s to 1.5 s

    trimmed = trim_to_sound([(0.2, 0.9), (0.9, 1.8), (1.8, 1.9)], samples, rate)

    assert trimmed[0] == pytest.approx((0.5, 0.9), abs=0.011)
    assert trimmed[1] == pytest.approx((0.9, 1.5), abs=0.011)
    assert trimmed[2] == (1.8, 1.9)  # no sound in it at all: left as it was


def test_pauses_follow_the_mark_at_a_words_end() -> None:
    assert word_pauses('Yes, "really." e.g. this — Dr. that') == [
        COMMA_PAUSE, STOP_PAUSE, 0.0, COMMA_PAUSE, STOP_PAUSE, 0.0,
    ]  # fmt: skip


def test_numbers_and_symbols_weigh_more_than_their_characters() -> None:
    assert letter_weight("2024") > letter_weight("year")
    assert letter_weight("$3.50") > letter_weight("cost")
    assert letter_weight("—,") == 1.0  # never nothing


def test_silence_alone_is_one_span_of_its_own_length() -> None:
    assert sound_span(bytes(2 * 2400), 24_000) == (0.0, 0.1)
    assert sound_span(b"", 24_000) == (0.0, 0.0)


def test_the_narration_places_words_in_video_seconds_and_keeps_them(tmp_path: Path) -> None:
    one = SpokenAudio(bytes(2 * 16_000), 16_000, ((0.1, 0.4), (0.5, 0.9)))  # 1 s each
    two = SpokenAudio(bytes(2 * 16_000), 16_000, ((0.2, 0.6),))

    narration = assemble_narration(
        [[("Hello 🎉 there.", one)], [("Again.", two)]], 16_000, 2.5, tmp_path / "n.wav"
    )

    hello, again = narration.sentences
    assert hello.words == [SpokenWord("Hello", 2.6, 2.9), SpokenWord("there.", 3.0, 3.4)]
    second_start = 2.5 + 1.0 + PAUSE_BETWEEN_SCENES
    assert again.start == pytest.approx(second_start)
    assert again.words[0].start == pytest.approx(second_start + 0.2)
    assert Narration.from_json(json.loads(json.dumps(narration.to_json()))) == narration
    assert json.loads(words_json(narration))["words"][0] == {
        "text": "Hello", "start": 2.6, "end": 2.9,
    }  # fmt: skip


def test_a_narration_recorded_before_words_were_timed_gets_estimated_words() -> None:
    old = {
        "sentences": [{"text": "Rain falls, then stops.", "start": 1.0, "end": 3.0}],
        "duration": 3.5,
        "sample_rate": 22_050,
    }

    [sentence] = Narration.from_json(old).sentences

    assert [word.text for word in sentence.words] == ["Rain", "falls,", "then", "stops."]
    assert_in_order([(w.start, w.end) for w in sentence.words], 1.0, 3.0)


def test_words_timed_for_another_text_are_estimated_instead(tmp_path: Path) -> None:
    wrong = SpokenAudio(bytes(2 * 16_000), 16_000, ((0.1, 0.4),))  # one word for three

    narration = assemble_narration([[("One two three.", wrong)]], 16_000, 0.0, tmp_path / "n.wav")

    assert [word.text for word in narration.sentences[0].words] == ["One", "two", "three."]
