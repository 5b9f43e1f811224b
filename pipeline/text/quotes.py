"""Notable quotes of an episode, and the soundbite made from the best of them.

A quote is one whole sentence of one speaker (`topics.sentences`), so it can be read out of
context and attributed. The host pins or vetoes sentences in episode.toml (`[quotes]`).
"""

from __future__ import annotations

import math
import re

from ..feed.podcast_spec import SOUNDBITE_SECONDS
from ..records import QuotePicks
from ..results import Quote
from .topics import FILLERS, Sentence, key_phrases

MAX_QUOTES = 4
MIN_QUOTES = 2
# A quote reads as a statement, not a fragment or a paragraph: 12 to 30 words is one or two
# lines of a newsletter; the score falls off to nothing at 6 and at 45 words.
IDEAL_WORDS = (12, 30)
LIMIT_WORDS = (6, 45)
EPISODE_KEY_PHRASES = 20
# Quotes after the best must score at least this share of it: a weak sentence is no quote.
SHARE_OF_BEST = 0.3
HOST_WEIGHT = 0.5  # the guest is who listeners came for; the host's words come after theirs
# Podcasting 2.0 <podcast:soundbite>: the duration the tag page recommends, 15 to 120 seconds.
SOUNDBITE_MIN, SOUNDBITE_MAX = SOUNDBITE_SECONDS


def _normal(text: str) -> str:
    """Lower case, one space between words, no punctuation: how pins and vetoes are matched."""
    return " ".join(re.findall(r"\w+", text.casefold()))


def matches(sentence: Sentence, pattern: str) -> bool:
    """Whether a pin or veto names this sentence: all of it or a part, case and punctuation aside."""
    return _normal(pattern) in _normal(sentence.text)


def length_weight(words: int) -> float:
    """1 inside IDEAL_WORDS, falling linearly to 0 at LIMIT_WORDS."""
    (low, high), (floor, ceiling) = IDEAL_WORDS, LIMIT_WORDS
    if words < low:
        return max(0.0, (words - floor) / (low - floor))
    if words > high:
        return max(0.0, (ceiling - words) / (ceiling - high))
    return 1.0


def score(sentence: Sentence, phrases: list[str], hosts: frozenset[str]) -> float:
    """How quotable a sentence is; 0 when it must never be a quote.

    score = (0.2 + Σ 1/(rank+1) over the episode's key phrases it holds) × length × speaker

    - key phrases: YAKE's best `EPISODE_KEY_PHRASES` of the whole episode, the best weighing 1,
      the second 1/2…; a sentence about what the episode is about scores higher. The 0.2 lets a
      well-formed sentence without any stand in for a short episode.
    - length: `length_weight` of its word count.
    - speaker: `HOST_WEIGHT` for a host, so the guests' words come first (a host alone has all
      their sentences count half, which changes no order).
    - never: a question (a host's question is no statement), a sentence with a filler ("euh").
    """
    words = sentence.words
    if sentence.is_question or any(w in FILLERS for w in words):
        return 0.0
    text = f" {_normal(sentence.text)} "  # matched as pins are: "d'entreprise" holds "entreprise"
    held = sum(1 / (rank + 1) for rank, phrase in enumerate(phrases) if f" {_normal(phrase)} " in text)
    weight = HOST_WEIGHT if sentence.speaker in hosts else 1.0
    return (0.2 + held) * length_weight(len(words)) * weight


def pick(found: list[Sentence], picks: QuotePicks, hosts: frozenset[str], language: str = "fr", sections: tuple[float, ...] = ()) -> list[Sentence]:
    """Up to 4 quotes, best first: the pinned ones in the order given, then the best scored.

    The best of each chapter (`sections`: the chapters' starts) comes in first, so the quotes
    tell the whole episode; then the best of the rest, while they score at least
    `SHARE_OF_BEST` of the best (or fewer than 2 quotes are chosen).

    Raises:
        LookupError: a pin matches no sentence (the message names the pin).
    """
    allowed = [s for s in found if not any(matches(s, v) for v in picks.veto)]
    pinned: list[Sentence] = []
    for pin in picks.pin:
        hits = [s for s in allowed if matches(s, pin)]
        if not hits:
            raise LookupError(pin)
        if hits[0] not in pinned:
            pinned.append(hits[0])
    phrases = key_phrases(" ".join(s.text for s in found), language, top=EPISODE_KEY_PHRASES) if found else []
    scores = {i: score(s, phrases, hosts) for i, s in enumerate(allowed) if s not in pinned}
    ranked = sorted((i for i, value in scores.items() if value > 0), key=lambda i: -scores[i])
    chosen: list[int] = []
    quoted = {_section(s, sections) for s in pinned}
    for i in ranked:
        if len(pinned) + len(chosen) < MAX_QUOTES and _section(allowed[i], sections) not in quoted:
            chosen.append(i)
            quoted.add(_section(allowed[i], sections))
    best = scores[ranked[0]] if ranked else 0.0
    for i in ranked:
        enough = len(pinned) + len(chosen) >= MIN_QUOTES
        if len(pinned) + len(chosen) < MAX_QUOTES and i not in chosen and not (enough and scores[i] < SHARE_OF_BEST * best):
            chosen.append(i)
    return pinned + [allowed[i] for i in sorted(chosen, key=lambda i: -scores[i])]


def _section(sentence: Sentence, starts: tuple[float, ...]) -> int:
    """Which chapter a sentence is in (0 without chapters)."""
    return sum(1 for start in starts[1:] if sentence.start >= start)


def as_quote(sentence: Sentence) -> Quote:
    return Quote(start=round(sentence.start, 2), end=round(sentence.end, 2), speaker=sentence.speaker, text=sentence.text)


def soundbite(best: Sentence, found: list[Sentence], duration: float) -> Quote | None:
    """A 15–120 s span starting at the best quote, in whole sentences when they fit.

    It runs from the quote's first word to the end of the sentence that brings it to 15 s;
    at the end of the episode it starts earlier instead. Cut at 120 s when a sentence is longer.
    None when the episode is shorter than 15 s: a trailer of 40 s still gets one.
    """
    if duration < SOUNDBITE_MIN:
        return None
    start = best.start
    end = best.end
    for sentence in found:
        if sentence.start >= best.start and end - start < SOUNDBITE_MIN:
            end = max(end, sentence.end)
    end = min(max(end, start + SOUNDBITE_MIN), start + SOUNDBITE_MAX, duration)
    if end - start < SOUNDBITE_MIN:  # the episode ends too soon after the quote: start earlier
        start = max(0.0, end - SOUNDBITE_MIN)
    # To the hundredth, outwards, so rounding never takes the span under 15 s or out of the episode.
    # round() first: 1.14 * 100 is 113.99999999999999, which floor would make 1.13.
    start = math.floor(round(start * 100, 6)) / 100
    end = min(math.ceil(round(end * 100, 6)) / 100, duration, start + SOUNDBITE_MAX)
    return Quote(start=start, end=end, speaker=best.speaker, text=best.text)
