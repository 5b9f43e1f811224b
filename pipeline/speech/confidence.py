"""How sure Whisper was of its words: the passages a host should listen to again."""

from __future__ import annotations

from ..records import Transcript, Word
from ..results import Passage

LOW_CONFIDENCE = 0.4  # word probability under which a host should listen again
VERY_LOW_CONFIDENCE = 0.15  # a word this unsure is worth a look even alone


def doubtful_passages(transcript: Transcript) -> list[Passage]:
    """Runs of low-probability words, for a host to review.

    A lone unsure word is usually a short one Whisper spelt right anyway ("qui", "un"); only
    runs of two or more, or a single very unsure word, are worth a host's time.
    """
    passages: list[Passage] = []
    for segment in transcript.segments:
        run: list[Word] = []
        for word in (*segment.words, None):
            if word is not None and word.probability < LOW_CONFIDENCE:
                run.append(word)
                continue
            if len(run) > 1 or (run and run[0].probability < VERY_LOW_CONFIDENCE):
                passages.append(Passage(run[0].start, run[-1].end, "".join(w.text for w in run).strip()))
            run = []
    return passages
