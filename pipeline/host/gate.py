"""The publish gate: an episode a host should hear before listeners do is built but held out of
`public/` (state HELD) until it is fixed, or approved (`approved = true` in episode.toml, which
`podcast approve SLUG` writes).

The reasons are read from what the stages already measured (the normalise stage's loudness, the
transcribe stage's words and unsure passages); nothing is measured again here.

The feed's linter (`feed/lint.py`) holds an episode too: one whose item has an error in the feed as
built is taken out of it, and its reasons are kept in its build cache (FEED_HOLD) with a key of
what the item is made of, so the next builds hold it before it is tagged, until that changes.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from pathlib import Path

from .. import __version__
from ..audio import loudness
from ..config import EPISODE_FILE, SLUG
from ..errors import ConfigError
from ..files import HashCache, write_atomic
from ..records import Episode, Show, Transcript, Word
from ..results import Levelled, Noted, Passage, Results, Tagged, Transcribed, dump
from ..times import clock

# Loudness: normalise encodes again until the MP3 lands within AIM (0.3 LU) of the target and
# fails past the show's tolerance (0.5 LU by default). An MP3 more than 80 % of the tolerance off
# (0.4 LU) is one the encoder only just brought in: the host should hear it before it goes out.
LOUDNESS_BORDERLINE = 0.8
# Transcript, unsure: the share of the words' time inside Whisper's unsure passages (runs of words
# under 0.4 probability, see speech/confidence.py). The bundled trailer, transcribed by the
# bundled base model, measures 20 % (9.1 s of 45.5 s, tests/data/golden); held at twice that,
# where the recording is likely noisy, in another language, or two people at once, and the
# published transcript would mislead. Real speech sits far below: 2 % (1.6 s of 79 s of words)
# on two minutes of real French readers from ../shared/eval/fr-read (three SPPAS stories and
# three FLEURS sentences, joined, built as an episode).
DOUBTFUL_SHARE = 0.40
# ...judged only on episodes with half a minute of words at least: on a few seconds (the tests'
# synthetic voices, where Whisper echoes its prompt unsure), the share is a handful of words.
DOUBTFUL_MIN_SPEECH = 30.0
# Transcript, empty stretch: over a minute without a word. Normalise trims silence at both ends
# and an interview rarely pauses a minute, so such a stretch is music, a dropout or speech Whisper
# missed. It applies only to episodes with words: an episode where Whisper's voice detector found
# no speech at all (a show of tones in the tests, a music episode) has no transcript to judge.
WORDLESS_SECONDS = 60.0


def off_target(levelled: Levelled) -> float:
    """LU between the MP3's loudness and what normalise aimed at (rounded as loudness.off_target says)."""
    return loudness.off_target(levelled.integrated, levelled.report.target)


def hold_reasons(show: Show, episode: Episode, results: Results, hashes: HashCache | None = None) -> list[str]:
    """Why `episode` should wait for its host, from its normalise and transcribe results; [] lets it through.

    With `hashes` (a build's), what the transcript measured is kept beside it (`transcript_figures`).
    """
    if episode.approved:
        return []
    reasons: list[str] = []
    levelled = results.get(Levelled)
    if levelled:
        target = levelled.report.target  # what normalise aimed at, by the episode's channels
        if off_target(levelled) > LOUDNESS_BORDERLINE * show.loudness.tolerance:
            off = abs(levelled.integrated - target)  # as shown, beside the loudness rounded alike
            reasons.append(
                f"loudness {levelled.integrated:.1f} LUFS is {off:.1f} LU off the target {target:g} (tolerance ±{show.loudness.tolerance:g}): listen to it"
            )
    heard = results.get(Transcribed)
    if heard and heard.words and levelled:
        speech, unsure, stretches = transcript_figures(heard, levelled.duration, hashes)
        if speech >= DOUBTFUL_MIN_SPEECH and unsure / speech > DOUBTFUL_SHARE:
            reasons.append(f"{unsure / speech:.0%} of the speech is transcribed with low confidence (over {DOUBTFUL_SHARE:.0%}): check the transcript")
        for start, end in stretches:
            reasons.append(f"no words from {clock(start)} to {clock(end)} ({end - start:.0f} s): listen to it")
    return reasons


FIGURES_FILE = "gate.json"  # beside the transcript, in the episode's build cache
FIGURES_VERSION = 1  # one more when what transcript_figures measures changes


def transcript_figures(heard: Transcribed, duration: float, hashes: HashCache | None = None) -> tuple[float, float, list[tuple[float, float]]]:
    """(seconds of words, seconds of them unsure, wordless stretches) of the transcribe stage's transcript.

    Kept in FIGURES_FILE under the transcript's content hash, the duration and the passages they
    were measured with: every build asks, and the transcript of an hour takes longer to parse
    than the rest of a build with nothing to do (`podcast status` on a catalogue read them all).
    """
    key = {
        "version": FIGURES_VERSION,
        "transcript": hashes.sha256(heard.transcript) if hashes else "",
        "duration": duration,
        "doubtful": [[p.start, p.end] for p in heard.doubtful],
        "wordless_seconds": WORDLESS_SECONDS,
    }
    memo = heard.transcript.with_name(FIGURES_FILE)
    if hashes:
        try:
            saved = json.loads(memo.read_text(encoding="utf-8"))
            if saved["key"] == key:
                return saved["speech"], saved["unsure"], [tuple(s) for s in saved["wordless"]]
        except (FileNotFoundError, ValueError, KeyError, TypeError):
            pass
    transcript = Transcript.load(heard.transcript)
    words = sorted((w for s in transcript.segments for w in s.words), key=lambda w: w.start)
    speech = sum(w.end - w.start for w in words)
    unsure = unsure_seconds(words, heard.doubtful)
    stretches = wordless(sorted((w.start, w.end) for w in words), duration)
    if hashes:
        write_atomic(memo, json.dumps({"key": key, "speech": speech, "unsure": unsure, "wordless": stretches}))
    return speech, unsure, stretches


def unsure_seconds(words: list[Word], doubtful: tuple[Passage, ...]) -> float:
    """Seconds of the words (sorted by start) inside an unsure passage: speech against speech, pauses left out."""
    total, passages = 0.0, iter(sorted(doubtful, key=lambda p: p.start))
    passage = next(passages, None)
    for word in words:
        while passage and passage.end < word.end:
            passage = next(passages, None)
        if passage and passage.start <= word.start:
            total += word.end - word.start
    return total


def wordless(spans: list[tuple[float, float]], duration: float) -> list[tuple[float, float]]:
    """Stretches of over WORDLESS_SECONDS between words (and before the first, after the last)."""
    stretches, last = [], 0.0
    for start, end in [*spans, (duration, duration)]:
        if start - last > WORDLESS_SECONDS:
            stretches.append((last, start))
        last = max(last, end)
    return stretches


FEED_HOLD = "feed-hold.json"


def item_key(show: Show, episode: Episode, results: Results, hashes: HashCache) -> str:
    """What the episode's item in the feed is made of, before tagging: the show, the episode's
    settings, its results and notes, and the tool's version (a new linter may judge otherwise)."""
    made_of = {
        "version": __version__,
        "show": show.to_dict(),
        "episode": episode.metadata(),
        "results": [dump(r) for r in results if not isinstance(r, Tagged)],
        "notes": hashes.sha256(results[Noted].notes) if results.get(Noted) else "",
    }
    return hashlib.sha256(json.dumps(made_of, sort_keys=True, default=str).encode()).hexdigest()


def feed_hold(cache: Path, show: Show, episode: Episode, results: Results, hashes: HashCache) -> list[str]:
    """The linter's reasons to hold the episode, when they were found on what it still is made of."""
    path = cache / FEED_HOLD
    if episode.approved or not path.is_file():
        return []
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []  # unreadable: the linter judges the feed again
    return list(saved["reasons"]) if saved.get("key") == item_key(show, episode, results, hashes) else []


def save_feed_hold(cache: Path, show: Show, episode: Episode, results: Results, reasons: list[str], hashes: HashCache) -> None:
    key = item_key(show, episode, results, hashes)
    write_atomic(cache / FEED_HOLD, json.dumps({"key": key, "reasons": reasons}, ensure_ascii=False, indent=1))


# The value only: an indented key and a comment after it stay as the host typed them.
_APPROVED = re.compile(r"^([ \t]*approved[ \t]*=[ \t]*)(?:true|false)\b", re.MULTILINE)
_TABLE = re.compile(r"^[ \t]*\[", re.MULTILINE)


def approve(episodes: Path, slug: str) -> Path:
    """Write `approved = true` into the episode.toml of `episodes/<slug>`, the rest of the file as it was.

    Top-level keys must come before the first [table] in TOML: the line goes there, or replaces
    an `approved = ...` line already at the top level. (Text, not a TOML library: the file is
    the host's, comments and order included, and one line is all that changes.)

    Raises:
        ConfigError: `slug` names no episode, or the file cannot be edited safely.
    """
    if not SLUG.match(slug):
        raise ConfigError(f"{slug!r} is not an episode's folder name ('podcast status' lists the episodes)")
    path = episodes / slug / EPISODE_FILE
    if not path.is_file():
        raise ConfigError(f"{path}: no such file; is the slug right? ('podcast status' lists the episodes)")
    text = path.read_text(encoding="utf-8")
    table = _TABLE.search(text)
    top, rest = (text[: table.start()], text[table.start() :]) if table else (text, "")
    if _APPROVED.search(top):
        top = _APPROVED.sub(r"\1true", top, count=1)
    else:
        top = top.rstrip("\n") + "\napproved = true\n" + ("\n" if rest else "")
    # A "[" or "approved =" at the start of a line inside a multi-line string would fool the
    # search above: the file is written only if it reads as before plus the one key.
    try:
        before = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML ({e}); fix it, or add approved = true by hand") from e
    try:
        after = tomllib.loads(top + rest)
    except tomllib.TOMLDecodeError:
        after = None
    before["approved"] = True
    if after != before:
        raise ConfigError(f"{path}: could not add approved = true safely; add it by hand before the first [table]")
    write_atomic(path, top + rest)
    return path
