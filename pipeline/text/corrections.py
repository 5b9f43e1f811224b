"""A host's corrections to the transcript, kept in git as `episodes/<slug>/corrections.toml`.

Applied to Whisper's transcript after every transcription, so they survive a re-transcription;
editing them re-runs the correct stage (`stages/corrections.py`) and what follows, never Whisper.

    [replace]                      # words or phrases, whole words only, any case
    "Freelance Famile" = "Freelance.Family"
    "cower king" = "coworking"

    [speakers]                     # rename a speaker label
    "Camille" = "Camille Durand"

    [[fix]]                        # retype what was said between two times
    start = "00:26"
    end = "00:35"
    text = "Chaque semaine, je rencontre des freelances."
    speaker = "Camille Durand"     # optional: whose line it is

A fix replaces the words said between its times and no others; one that covers nothing Whisper
heard is published at its place all the same. Nothing is dropped silently: a fix over no heard
word and a phrase that matched nothing are handed on (`Corrected.unmatched`) for the host.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from pydantic import BaseModel, ConfigDict, Field

from ..errors import ConfigError
from ..records import Segment, Transcript, Word
from ..results import Unmatched
from ..times import TIME_PATTERN, parse_time, tenths
from .writers import spread

FILE = "corrections.toml"
# A host times a fix by ear, at a pause; Whisper's words reach into the pauses around them, or
# start before the voice does. Measured on real French readers (bench/fix_edges.py, 37 pauses):
# the gap Whisper left lies within 0.33 s of the real pause for 95 % of them, 0.51 s at most.
# So an edge within EDGE_REACH of a pause Whisper left cuts there.
EDGE_REACH = 0.5
# The shortest gap between two words that is a pause: 68 % of the real pauses leave one that
# long, and 3 % of the gaps within continuous speech are as long (bench/fix_edges.py).
PAUSE = 0.3
# Moving an edge takes in only words the fix's text has within this many words of that end.
EDGE_WORDS = 5


class _Fix(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: str = Field(pattern=TIME_PATTERN)
    end: str = Field(pattern=TIME_PATTERN)
    text: str
    speaker: str = ""  # whose line it is, when not the speaker of the turn it falls in


class Corrections(BaseModel):
    """What a corrections.toml holds."""

    model_config = ConfigDict(extra="forbid")
    replace: dict[str, str] = {}
    speakers: dict[str, str] = {}
    fix: list[_Fix] = []


def check_fixes(corrections: Corrections, path: Path) -> Corrections:
    """The fixes of a corrections.toml checked: each ends after it starts, and none overlaps another.

    Raises:
        ConfigError: naming the file and the fix.
    """
    for fix in corrections.fix:
        if parse_time(fix.end) <= parse_time(fix.start):
            raise ConfigError(f"{path}: 'fix': end {fix.end} is not after start {fix.start}")
    ordered = sorted(corrections.fix, key=lambda f: parse_time(f.start))
    for first, second in zip(ordered, ordered[1:]):
        if parse_time(second.start) < parse_time(first.end):
            raise ConfigError(f"{path}: 'fix': {second.start}-{second.end} overlaps {first.start}-{first.end}; make them one fix, or move their times apart")
    return corrections


def _pattern(phrase: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(phrase)}(?!\w)", re.IGNORECASE)


def _plain(text: str) -> str:
    return re.sub(r"[^\w']+", " ", text.casefold()).strip()


def _said_by(run: tuple[Word, ...], pattern: re.Pattern[str]) -> tuple[str, str] | None:
    """(what comes before, what comes after) the phrase when `run` says it, starting in its first
    word and ending in its last: a word may hold more than the phrase ("Freelance.Family" holds
    "Freelance"). The same `pattern` as the segment's text, so that text and words always agree
    ("C++" takes the word "C++" and never "C", "Freelance.Family" never "Freelance Family")."""
    said = "".join(w.text for w in run).lstrip()
    last_starts = len(said) - len(run[-1].text)
    found = pattern.search(said)
    if found and found.start() < len(run[0].text.lstrip()) and found.end() > last_starts:
        return said[: found.start()], said[found.end() :]
    return None


def _replace_words(words: tuple[Word, ...], phrase: str, replacement: str) -> tuple[Word, ...]:
    """Merge each run of words that says `phrase` into one word carrying `replacement`."""
    pattern = _pattern(phrase)
    most = len(phrase.split()) + 2  # words the phrase may span: Whisper splits "-vous" or "++" off
    result: list[Word] = []
    i = 0
    while i < len(words):
        for size in range(1, min(most, len(words) - i) + 1):
            run = words[i : i + size]
            around = _said_by(run, pattern)
            if around:
                lead = (" " if run[0].text.startswith(" ") else "") + around[0]
                rest = pattern.sub(replacement, around[1])  # as the text's substitution, every time in a word
                result.append(Word(run[0].start, run[-1].end, lead + replacement + rest, min(w.probability for w in run), run[0].speaker))
                i += size
                break
        else:
            result.append(words[i])
            i += 1
    return tuple(result)


@dataclass(frozen=True)
class Applied:
    """A transcript with the corrections made, and those that found nothing to correct."""

    transcript: Transcript
    unmatched: tuple[Unmatched, ...]


def apply(transcript: Transcript, corrections: Corrections, where: Path | str = FILE, people: tuple[str, ...] = ()) -> Applied:
    """The transcript with the corrections made.

    `people` are the episode's hosts and guests: the names a fix's `speaker` may take, besides
    the speakers of the transcript.

    Raises:
        ConfigError: a speaker to rename is nobody in the transcript (a typo would do nothing),
            a fix names a speaker who is nobody in the episode, or starts after its end.
    """
    heard = {s.speaker for s in transcript.segments}
    for name in corrections.speakers:
        if heard and name not in heard:
            raise ConfigError(f"{where}: 'speakers': {name!r} is not a speaker of this transcript ({', '.join(sorted(heard)) or 'none'})")
    known = (heard | set(people) | set(corrections.speakers) | set(corrections.speakers.values())) - {""}
    unmatched: list[Unmatched] = []
    # A segment without word timings is timed word by word in proportion to length, so that a
    # fix inside it takes its part and not the whole.
    segments = [s if s.words or not corrections.fix else replace(s, words=spread(s)) for s in transcript.segments]
    made: set[int] = set()
    if corrections.speakers:  # first, so that a fix's speaker is a name as published, never renamed
        rename = corrections.speakers
        segments = [
            replace(s, speaker=rename.get(s.speaker, s.speaker), words=tuple(replace(w, speaker=rename.get(w.speaker, w.speaker)) for w in s.words))
            for s in segments
        ]
    for fix in sorted(corrections.fix, key=lambda f: parse_time(f.start)):
        if fix.speaker and known and fix.speaker not in known:
            raise ConfigError(f"{where}: 'fix' at {fix.start}: speaker {fix.speaker!r} is nobody of this episode ({', '.join(sorted(known))})")
        if transcript.duration and parse_time(fix.start) >= transcript.duration:
            raise ConfigError(f"{where}: 'fix' at {fix.start}: starts after the episode's end ({tenths(transcript.duration)})")
        segments, missed = _retype(segments, fix, transcript.duration, made, people[0] if len(people) == 1 else "")
        if missed:
            unmatched.append(missed)
    for phrase, replacement in corrections.replace.items():
        pattern = _pattern(phrase)
        if not any(pattern.search(s.text) for s in segments):
            unmatched.append(Unmatched("replace", phrase))
            continue
        segments = [
            replace(s, text=pattern.sub(replacement, s.text), words=_replace_words(s.words, phrase, replacement)) if pattern.search(s.text) else s
            for s in segments
        ]
    return Applied(replace(transcript, segments=tuple(segments)), tuple(unmatched))


@dataclass(frozen=True)
class _Unit:
    """A word, or a segment without word timings: what a fix can take. A line an earlier fix
    made is `retyped`: no later fix takes it."""

    segment: int
    word: int | None
    start: float
    end: float
    speaker: str
    text: str
    retyped: bool = False

    @property
    def middle(self) -> float:
        return (self.start + self.end) / 2


BEFORE, INSIDE, AFTER = -1, 0, 1  # where a unit lies against a fix


def _units(segments: list[Segment], made: set[int]) -> list[_Unit]:
    units = []
    for i, segment in enumerate(segments):
        if segment.words:
            units += [_Unit(i, k, w.start, w.end, w.speaker or segment.speaker, _plain(w.text)) for k, w in enumerate(segment.words)]
        else:
            units.append(_Unit(i, None, segment.start, segment.end, segment.speaker, _plain(segment.text), id(segment) in made))
    return sorted(units, key=lambda u: u.start)


def _pauses(units: list[_Unit]) -> list[tuple[float, float]]:
    """The gaps of PAUSE or more between what was heard, the time before the first word and
    after the last included (a word that overlaps the next, as two tracks' words do, bridges it)."""
    pauses, heard_until = [], -math.inf
    for unit in units:
        if unit.start - heard_until >= PAUSE:
            pauses.append((heard_until, unit.start))
        heard_until = max(heard_until, unit.end)
    pauses.append((heard_until, math.inf))
    return pauses


def _cut(pause: tuple[float, float]) -> float:
    """Where an edge moved into `pause` cuts: its middle; before the first word, where that word
    starts; after the last word, past all that was heard (a last word Whisper timed with no length
    ends where that silence starts: a cut there would leave it out without asking `agrees`)."""
    a, b = pause
    return b if b == math.inf or a == -math.inf else (a + b) / 2


def _edge(
    at: float, units: list[_Unit], pauses: list[tuple[float, float]], inward: int, fix_words: set[str], allowed: Callable[[tuple[float, float]], bool]
) -> float:
    """Where a fix's edge cuts the words: in the longest pause within EDGE_REACH of `at`, else at
    `at` itself. `inward` is +1 for the start edge (the fix lies after it), -1 for the end.

    Moving the cut may take words in or leave words out. It does so only when the text agrees:
    a word taken in is one of the fix's own words at that end (Whisper timed it early or late),
    a word left out is not (it belongs to the line beside). So a word the host did not retype is
    never taken, and the pause `at` is in may be a comma's, with the sentence's a word away.
    """

    def agrees(pause: tuple[float, float]) -> bool:
        cut = _cut(pause)
        for unit in units:
            if min(at, cut) <= unit.middle < max(at, cut):
                taken_in = (cut < at) == (inward > 0)
                if taken_in and (unit.retyped or unit.text not in fix_words):
                    return False
                if not taken_in and unit.text in fix_words:
                    return False
        return True

    near = [p for p in pauses if allowed(p) and max(p[0] - at, at - p[1], 0.0) <= EDGE_REACH and agrees(p)]
    return _cut(max(near, key=lambda p: p[1] - p[0])) if near else at


def _retype(segments: list[Segment], fix: _Fix, duration: float, made: set[int], alone: str = "") -> tuple[list[Segment], Unmatched | None]:
    """The segments with the words said between the fix's times replaced by its text, in one
    segment of its own; the words around them stay in theirs, with their timings.

    A word is said between the times when its middle is; each edge is first moved into a pause
    Whisper left near it (see EDGE_REACH and `_edge`). A fix over no word heard is placed at its
    own times, as the line of the speaker heard nearest to it (or of `alone`, the one person of
    the episode). `made` holds the ids of the segments earlier fixes made; the new one joins it.
    """
    start, end = parse_time(fix.start), min(parse_time(fix.end), duration or math.inf)
    units = _units(segments, made)
    pauses = _pauses(units)
    tokens = _plain(fix.text).split()
    # The start edge may move only to a pause that ends inside the fix, the end edge only to one
    # that starts inside it: neither may carry the fix off the words it covers.
    cut_start = _edge(start, units, pauses, +1, set(tokens[:EDGE_WORDS]), lambda p: p[1] <= end)
    cut_end = _edge(end, units, pauses, -1, set(tokens[-EDGE_WORDS:]), lambda p: p[0] >= start)

    def where(u: _Unit) -> int:
        if u.retyped:
            return BEFORE if u.middle < start else AFTER
        return BEFORE if u.middle < cut_start else AFTER if u.middle >= cut_end else INSIDE

    side = {(u.segment, u.word): where(u) for u in units}
    inside = [u for u in units if side[u.segment, u.word] == INSIDE]
    before = [u for u in units if side[u.segment, u.word] == BEFORE]
    after = [u for u in units if side[u.segment, u.word] == AFTER]
    if inside:
        at = (min(u.start for u in inside), max(u.end for u in inside))
        speaker = fix.speaker or inside[0].speaker
    else:
        # Nothing heard there: the host's own times, kept off the words around.
        low = max((u.end for u in before), default=0.0)
        high = min((u.start for u in after), default=end)
        at = (max(start, low), min(end, high)) if max(start, low) < min(end, high) else (start, end)
        speaker = fix.speaker or _around(before, after, start, end) or alone
    retyped = Segment(round(at[0], 3), round(at[1], 3), fix.text.strip(), (), speaker)
    made.add(id(retyped))
    result: list[Segment] = [retyped]
    for i, segment in enumerate(segments):
        if not segment.words:
            if side[i, None] != INSIDE:
                result.append(segment)
            continue
        for place, run in itertools.groupby(enumerate(segment.words), key=lambda kw: side[i, kw[0]]):
            words = [w for _, w in run]
            if place == INSIDE:
                continue
            if len(words) == len(segment.words):
                result.append(segment)
            else:
                result.append(Segment(words[0].start, words[-1].end, "".join(w.text for w in words).strip(), tuple(words), segment.speaker))
    result.sort(key=lambda s: s.start)  # stable: the retyped line first among those starting with it
    missed = None if inside else Unmatched("fix", retyped.text, start, parse_time(fix.end), speaker)
    return result, missed


def _around(before: list[_Unit], after: list[_Unit], start: float, end: float) -> str:
    """The speaker of the turn a fix falls in: of the word heard nearest to it."""
    last = max(before, key=lambda u: u.end, default=None)
    first = min(after, key=lambda u: u.start, default=None)
    if last and (not first or start - last.end <= first.start - end):
        return last.speaker
    return first.speaker if first else ""


def describe(missed: Unmatched) -> str:
    """One line for the host about a correction that found nothing Whisper heard."""
    if missed.kind == "replace":
        return f"[replace] {missed.text!r} matched nothing in the transcript"
    who = f" as {missed.speaker}'s line" if missed.speaker else ""
    return (
        f"the fix at {tenths(missed.start)}-{tenths(missed.end)} covers nothing Whisper heard; published at its "
        f'place{who} (name its speaker with speaker = "..." if that is wrong)'
    )
