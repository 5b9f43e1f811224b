"""A transcript as a reader follows it: one paragraph per speaker's turn, one element per sentence.

Sentences come from `topics.sentences` (one speaker each, timed by their words), so the page,
the chapters and the quotes cut the transcript the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..records import Transcript
from .topics import Sentence, sentences


@dataclass(frozen=True)
class Turn:
    """What one speaker says before another speaks: their name is shown once, at its start."""

    speaker: str
    start: float
    sentences: tuple[Sentence, ...]


def turns(transcript: Transcript) -> list[Turn]:
    found: list[Turn] = []
    for sentence in sentences(transcript):
        if found and found[-1].speaker == sentence.speaker:
            last = found[-1]
            found[-1] = Turn(last.speaker, last.start, (*last.sentences, sentence))
        else:
            found.append(Turn(sentence.speaker, sentence.start, (sentence,)))
    return found
