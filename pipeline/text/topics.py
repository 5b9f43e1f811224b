"""Topics of a transcript: its sentences, where the subject changes, and what each part is about.

The cut is TextTiling (Hearst, "TextTiling: Segmenting Text into Multi-paragraph Subtopic
Passages", Computational Linguistics 23(1), 1997) over sentences instead of fixed token runs:
at each gap between two sentences, the content words of the few sentences before are compared
with those of the few after (cosine of word counts). A change of subject is a valley of that
similarity; its *depth* (how far the similarity climbs back on each side) says how sure the
valley is. The deepest valleys become boundaries, snapped to a question or a change of speaker nearby (an
interviewer's question opens a new subject) and kept a minimum length apart.

Key phrases come from YAKE (Campos et al., 2020), unsupervised and with its own French stop
list, which also decides which words count as content words here.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import Iterable

from ..records import Chapter, Segment, Transcript

# Sentence ends. "…" and "?!" combinations included; a decimal point ("3.5") is not an end
# because it is followed by a digit, not by a space.
SENTENCE_END = re.compile(r"[.?!…]+[»\"”)]*$")
WORD = re.compile(r"\w+(?:['’]\w+)*")

# 3 sentences on each side of a gap: about one answer of an interview, enough content words to
# compare. On the only real French at hand (bench/chapters.py: read clips of 20-40 s a topic,
# 1-2 content words shared within a topic) windows of 1 to 4 found as many planted changes
# (0 or 1 of 3, what random cuts find): it cannot choose; 3 finds the planted topics of the tests.
WINDOW_SENTENCES = 3
# A valley shallower than this (in cosine similarity) is two sentences that happen to share a
# word or not, not a change of subject. Read speech shares few words even within a topic: on
# bench/chapters.py's Whisper transcript of real read French (paragraphs), 0.1 kept none of the
# valleys at planted changes, 0.05 (and 0.03, 0) found 1 of 3; the other arrangements, the same
# at every depth. Hearst's own cut-off (below) decides the rest.
MIN_DEPTH = 0.05
# A chapter is somewhere a listener jumps to: shorter than 30 s it is a sentence or two, which
# a list of chapters does not help with (on bench/chapters.py's real topics of 21-39 s, 45 s
# left no chapter at all, 20 and 30 s the same ones). Longer episodes get longer minimum
# sections (a tenth of the episode, up to 3 minutes) so an hour-long interview gets a dozen
# chapters at most, not 60.
MIN_SECTION_SECONDS = 30.0
MAX_MIN_SECTION_SECONDS = 180.0
SECTION_FRACTION = 0.1
# Words a French transcript spells out while saying nothing: YAKE's stop list has some (euh,
# bah) but not all, and a quote with any of them reads as a hesitation, not a statement.
FILLERS = frozenset({"euh", "heu", "euhm", "hum", "hmm", "mmh", "bah", "ben", "hein", "bref"})


@dataclass(frozen=True)
class Sentence:
    """One sentence of one speaker, with the times of its first and last word."""

    start: float
    end: float
    speaker: str
    text: str

    @property
    def is_question(self) -> bool:
        return self.text.rstrip(' »"”)').endswith("?")

    @property
    def words(self) -> list[str]:
        return WORD.findall(self.text.lower())


def word_language(language: str) -> str:
    """The language of the words, for YAKE's stop lists: "fr" of "fr-CA"."""
    return language.split("-")[0]


@cache
def _yake_stop_words(language: str) -> frozenset[str]:
    import yake

    return frozenset(yake.KeywordExtractor(lan=language).stopword_set)


def content_words(text: str, language: str = "fr") -> list[str]:
    """The words that carry a subject: lower case, YAKE's stop words and numbers out.

    A plural "s" or "x" is taken off longer words, so "freelances" and "freelance" count as one
    word; that is the only stemming (French inflection beyond it rarely changes the subject).
    """
    stop = _yake_stop_words(language)
    words = []
    for word in WORD.findall(text.lower()):
        word = re.sub(r"^\w{1,2}['’]", "", word)  # l'entreprise → entreprise, qu'un → un
        if len(word) < 3 or word in stop or word.isdigit() or word in FILLERS:
            continue
        if len(word) > 4 and word[-1] in "sx":
            word = word[:-1]
        words.append(word)
    return words


def _pieces(segment: Segment) -> Iterable[tuple[float, float, str, str]]:
    """(start, end, text, speaker) of each word of a segment; a segment without word timings is
    one piece per clause, its times shared out by length, the first with a leading space."""
    if segment.words:
        for word in segment.words:
            yield word.start, word.end, word.text, word.speaker or segment.speaker
        return
    parts = re.findall(r"[^.?!…]+[.?!…]*", segment.text) or [segment.text]
    total = sum(len(p) for p in parts) or 1
    at = segment.start
    for i, part in enumerate(parts):
        length = (segment.end - segment.start) * len(part) / total
        spaced = part if i or part[:1].isspace() else " " + part  # apart from the segment before
        yield at, at + length, spaced, segment.speaker
        at += length


def sentences(transcript: Transcript) -> list[Sentence]:
    """The transcript as sentences, each one speaker's.

    A sentence ends at final punctuation or where the speaker changes. A transcript without
    any final punctuation (normalised text, such as a reference transcript) ends one at each
    segment instead.
    """
    punctuated = any(SENTENCE_END.search(s.text.strip()) for s in transcript.segments)
    found: list[Sentence] = []
    words: list[tuple[float, float, str]] = []
    speaker = ""

    def close() -> None:
        text = "".join(w[2] for w in words).strip()
        text = re.sub(r"\s+", " ", text)
        if text and any(c.isalnum() for c in text):
            found.append(Sentence(words[0][0], words[-1][1], speaker, text))
        words.clear()

    ended = False  # the last word ended a sentence: it closes unless the next is glued to it
    for segment in transcript.segments:
        for n, (start, end, text, who) in enumerate(_pieces(segment)):
            # A word without a leading space belongs to the one before (" j" + "'ai"), as Whisper
            # means it: " Freelance." + "Family" is a name, not the end of a sentence. A new
            # segment's first word is never glued to the segment before.
            if words and (who != speaker or (ended and (n == 0 or text[:1].isspace()))):
                close()
            speaker = who
            words.append((start, end, text))
            ended = bool(SENTENCE_END.search(text.strip()))
        if not punctuated:
            close()
    close()
    return found


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    dot = sum(count * b[word] for word, count in a.items())
    norm = math.sqrt(sum(c * c for c in a.values()) * sum(c * c for c in b.values()))
    return dot / norm if norm else 0.0


def gap_similarities(bags: list[Counter[str]], window: int) -> list[float]:
    """Cohesion at each gap i (between sentence i-1 and i), for i in 1..len-1: the cosine of the
    content words of the `window` sentences before with those of the `window` after."""
    similarities = []
    for gap in range(1, len(bags)):
        before = sum(bags[max(0, gap - window) : gap], Counter())
        after = sum(bags[gap : gap + window], Counter())
        similarities.append(_cosine(before, after))
    return similarities


def depth_scores(similarities: list[float]) -> list[float]:
    """Hearst's depth of each valley: how far the similarity rises to the highest point reached
    climbing left, plus the same on the right. A gap that is no valley (lower than a neighbour
    on either side) scores 0: on a slope, the subject is drifting, not changing there. A flat
    valley floor (windows sharing no word at all over several gaps) is one valley, scored at
    its middle."""
    depths = []
    for i, here in enumerate(similarities):
        neighbours = similarities[max(0, i - 1) : i] + similarities[i + 1 : i + 2]
        if any(n < here for n in neighbours) or i != _floor_middle(similarities, i):
            depths.append(0.0)
            continue
        left = here
        for value in reversed(similarities[:i]):
            if value < left:
                break
            left = value
        right = here
        for value in similarities[i + 1 :]:
            if value < right:
                break
            right = value
        depths.append((left - here) + (right - here))
    return depths


def _floor_middle(values: list[float], i: int) -> int:
    """The middle of the run of gaps around `i` that have the same value as it."""
    first = last = i
    while first > 0 and values[first - 1] == values[i]:
        first -= 1
    while last < len(values) - 1 and values[last + 1] == values[i]:
        last += 1
    return (first + last) // 2


def _smoothed(values: list[float]) -> list[float]:
    """A moving average over three gaps, as Hearst smooths before scoring depths: one sentence
    sharing a word by chance must not split a valley in two."""
    if len(values) < 3:
        return list(values)
    return [statistics.fmean(values[max(0, i - 1) : i + 2]) for i in range(len(values))]


def minimum_section(duration: float) -> float:
    """The shortest chapter allowed in an episode of `duration` seconds (see MIN_SECTION_SECONDS)."""
    return min(MAX_MIN_SECTION_SECONDS, max(MIN_SECTION_SECONDS, duration * SECTION_FRACTION))


def _snap(gap: int, found: list[Sentence]) -> int:
    """The gap moved by at most one sentence to where a speaker starts a turn with a question
    (an interviewer opening a subject), else to any change of speaker, else left where it is."""

    def turn(i: int) -> bool:
        return 0 < i < len(found) and found[i].speaker != found[i - 1].speaker

    nearby = (gap, gap - 1, gap + 1)
    for candidate in nearby:
        if turn(candidate) and found[candidate].is_question:
            return candidate
    return next((c for c in nearby if turn(c)), gap)


def boundaries(
    found: list[Sentence],
    duration: float,
    window: int = WINDOW_SENTENCES,
    min_seconds: float | None = None,
    min_depth: float = MIN_DEPTH,
    language: str = "fr",
) -> list[int]:
    """Indices of the sentences that open a new topic (never 0), in order, the windows compared
    by their content words in `language` ("en": "the" and "is" are no content).

    Valleys deeper than Hearst's cut-off (the mean of the valleys' depths minus half their
    standard deviation) and than `MIN_DEPTH` are taken deepest first, each only if every section
    stays at least `min_seconds` long (default: `minimum_section(duration)`), counted from the
    episode's start and to its end.
    """
    if len(found) < 2 * window:
        return []
    min_seconds = minimum_section(duration) if min_seconds is None else min_seconds
    bags = [Counter(content_words(s.text, language)) for s in found]
    depths = depth_scores(_smoothed(gap_similarities(bags, window)))
    valleys = [d for d in depths if d > 0]
    if not valleys:
        return []
    cutoff = max(min_depth, statistics.fmean(valleys) - statistics.pstdev(valleys) / 2)
    chosen: list[int] = []
    for depth, gap in sorted(((d, i + 1) for i, d in enumerate(depths)), key=lambda x: -x[0]):
        if depth < cutoff:
            break
        gap = _snap(gap, found)
        starts = sorted({0.0, duration, *(found[g].start for g in chosen), found[gap].start})
        if gap in chosen or any(b - a < min_seconds for a, b in zip(starts, starts[1:])):
            continue
        chosen.append(gap)
    return sorted(chosen)


def key_phrases(text: str, language: str = "fr", top: int = 5) -> list[str]:
    """YAKE's best key phrases of `text` (up to three words each), best first.

    Elided words are split off first ("qu'un" → "qu' un"), so YAKE sees its stop words in them
    and no phrase starts with "qu'un" or "l'".
    """
    import yake

    extractor = yake.KeywordExtractor(lan=language, n=3, top=top, dedup_lim=0.7)
    spaced = re.sub(r"(\w)['’](\w)", r"\1' \2", text)
    return [phrase.replace("' ", "'") for phrase, _score in extractor.extract_keywords(spaced)]


def title(text: str, used: set[str], language: str = "fr") -> str:
    """A chapter's title: of YAKE's ten best key phrases of the section, the one whose words the
    section comes back to most often (YAKE's order among equals), with the next when it is a
    single word ("Coworking, vraie communauté"), or a longer phrase holding it instead
    ("Portage salarial"); never a phrase another chapter's title already holds."""
    counts = Counter(content_words(text, language))
    phrases = [p for p in key_phrases(text, language, top=10) if p.lower() not in used]
    if not phrases:  # nothing but stop words: the section's first words say what it is
        opening = text.split()[:5]
        return " ".join(opening) + "…" if opening else ""

    def recurrence(phrase: str) -> int:
        return min((counts[w] for w in content_words(phrase, language)), default=0)

    phrases.sort(key=recurrence, reverse=True)  # stable: YAKE's order among equals
    chosen = phrases[:1]
    if len(chosen[0].split()) == 1:
        # "Portage" alone says little: "portage salarial" if YAKE found it, else a second phrase.
        longer = [p for p in phrases[1:] if chosen[0].lower() in p.lower().split() and recurrence(p) > 1]
        others = [p for p in phrases[1:] if chosen[0].lower() not in p.lower().split()]
        chosen = longer[:1] or chosen + others[:1]
    used.update(p.lower() for p in chosen)
    joined = ", ".join(chosen)
    return joined[0].upper() + joined[1:]


def chapters(
    transcript: Transcript,
    duration: float,
    language: str = "fr",
    window: int = WINDOW_SENTENCES,
    min_seconds: float | None = None,
) -> tuple[Chapter, ...]:
    """Chapters cut by topic, the first at 0, each titled from its key phrases.

    An episode with a single topic, or too little speech to compare windows, gets none: one
    chapter spanning the whole episode tells a listener nothing.
    """
    found = sentences(transcript)
    cuts = boundaries(found, duration, window, min_seconds, language=language)
    if not cuts:
        return ()
    used: set[str] = set()
    result = []
    for first, last in zip([0, *cuts], [*cuts, len(found)]):
        section = found[first:last]
        # Start in the pause before the first word, so a player does not clip its first syllable.
        start = 0.0 if first == 0 else max(found[first - 1].end, section[0].start - 0.5)
        result.append(Chapter(start=round(start, 2), title=title(" ".join(s.text for s in section), used, language)))
    return tuple(result)
