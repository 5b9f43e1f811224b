"""Who speaks when: tracks recorded one per speaker named and merged, or a single track told
apart by voice prints, and the transcript cut at each turn.

resemblyzer's voice encoder (its weights ship in its wheel) turns every 1.6 s of speech into a
voice print; k-means groups the prints into at most as many voices as the episode lists people
(hosts then guests), and voices are named in the order they first speak. Episodes recorded one track
per speaker already carry exact names from their tracks (`label`, `merge`).
"""

from __future__ import annotations

import warnings
from dataclasses import replace
from importlib.metadata import PackageNotFoundError
from pathlib import Path
from typing import TYPE_CHECKING

from ..audio import ffmpeg
from ..files import package_version
from ..records import Episode, Segment, Show, Transcript, Word

if TYPE_CHECKING:  # numpy is imported where it runs: 0.1 s of every `podcast status` otherwise
    import numpy as np

RATE = 16000  # resemblyzer's sampling rate
FRAMES = 160  # mel frames in one voice print: resemblyzer's `partials_n_frames`, 1.6 s
HOP = 160  # samples between mel frames (10 ms)
STEP = 0.4  # seconds between voice prints: four looks at each second of speech
CHUNK = 300.0  # seconds of audio decoded at once, so memory stays flat on long episodes
BATCH = 256  # voice prints through the encoder at once
LEVEL_DBFS = -30  # resemblyzer's `audio_norm_target_dBFS`: its mel is not logarithmic
# A turn shorter than this between two of the same other voice is a misheard word, not a turn.
SHORTEST_TURN = 1.0
# Cosine between the centres of two groups of voice prints above which they are one voice.
# Measured (bench/speakers.py's readers): different readers 0.41-0.63, one reader split in two 0.96.
SAME_VOICE = 0.8
SLIVER = 0.03  # a group with fewer prints than this share is stray prints, not a person


def speakers(show: Show, episode: Episode) -> tuple[str, ...]:
    """Everyone heard on a single-track episode, in the order they first speak."""
    people = [p.name for p in (*show.hosts, *episode.guests)]
    return tuple(dict.fromkeys([*episode.speaking_order, *people]))


def speech_spans(transcript: Transcript) -> list[tuple[float, float]]:
    """Where words are spoken, neighbouring words joined (gaps under half a second)."""
    spans: list[list[float]] = []
    for word in (w for s in transcript.segments for w in s.words):
        if spans and word.start - spans[-1][1] < 0.5:
            spans[-1][1] = max(spans[-1][1], word.end)
        else:
            spans.append([word.start, word.end])
    return [(a, b) for a, b in spans]


def voice_prints(path: Path, spans: list[tuple[float, float]], duration: float) -> tuple[np.ndarray, np.ndarray]:
    """(centres in seconds, L2-normed 256-d embeddings) of 1.6 s windows laid over the spans."""
    import numpy as np
    import torch

    with warnings.catch_warnings():  # webrtcvad's pkg_resources, resemblyzer's scipy: not ours to fix
        warnings.simplefilter("ignore", (UserWarning, DeprecationWarning))
        from resemblyzer import VoiceEncoder
        from resemblyzer.audio import normalize_volume, wav_to_mel_spectrogram

    encoder = VoiceEncoder("cpu", verbose=False)
    length = FRAMES * HOP / RATE
    centres: list[float] = []
    prints: list[np.ndarray] = []
    start = 0.0
    while start < duration:
        end = min(duration, start + CHUNK)
        inside = [(max(a, start), min(b, end)) for a, b in spans if b > start and a < end]
        if inside:
            audio = normalize_volume(ffmpeg.decode(path, RATE, start, end), LEVEL_DBFS)
            mel = wav_to_mel_spectrogram(audio)
            windows = []
            for a, b in inside:
                # Short spans get one window centred on them; long ones a window every STEP.
                first = max(start, min(a, (a + b - length) / 2))
                for t in np.arange(first, max(first, b - length) + 1e-6, STEP):
                    frame = int(round((min(t, end - length) - start) * RATE / HOP))
                    piece = mel[max(0, frame) : max(0, frame) + FRAMES]
                    if len(piece) == FRAMES:
                        windows.append(piece)
                        centres.append(max(start, min(t, end - length)) + length / 2)
            for i in range(0, len(windows), BATCH):
                with torch.no_grad():
                    prints.append(encoder(torch.from_numpy(np.stack(windows[i : i + BATCH]))).numpy())
        start = end
    return np.array(centres), (np.concatenate(prints) if prints else np.zeros((0, 256), np.float32))


def cluster(prints: np.ndarray, voices: int) -> np.ndarray:
    """A voice number for each print: k-means on the unit sphere (seeded, so builds repeat) into
    at most `voices` groups, then groups that are one voice merged back.

    k-means makes as many groups as it is asked for, even when a listed guest never speaks: a
    group whose centre is as close to another's as one voice is to itself, or that holds a
    sliver of the prints, is that other voice.
    """
    import numpy as np
    from sklearn.cluster import KMeans

    if len(prints) < voices:
        return np.zeros(len(prints), dtype=int)
    kmeans = KMeans(n_clusters=voices, n_init=10, random_state=0).fit(prints)
    labels = kmeans.labels_.copy()
    centres = kmeans.cluster_centers_ / np.linalg.norm(kmeans.cluster_centers_, axis=1, keepdims=True)
    similar = centres @ centres.T
    sizes = np.bincount(labels, minlength=voices)
    for group in np.argsort(sizes):  # smallest first, each into its nearest remaining neighbour
        others = [g for g in range(voices) if g != group and sizes[g] > 0]
        if not others or sizes[group] == 0:
            continue
        nearest = max(others, key=lambda g: similar[group, g])
        if similar[group, nearest] > SAME_VOICE or sizes[group] < SLIVER * len(prints):
            labels[labels == group] = nearest
            sizes[nearest] += sizes[group]
            sizes[group] = 0
    return np.unique(labels, return_inverse=True)[1]


def word_voices(words: list[Word], centres: np.ndarray, labels: np.ndarray, voices: int) -> list[int]:
    """Each word's voice: a vote of the prints whose window covers it, weighted by closeness."""
    import numpy as np

    half = FRAMES * HOP / RATE / 2
    chosen: list[int] = []
    for word in words:
        # Whisper often stretches a lone "?" over the pause into the next speaker's voice.
        if chosen and word.is_mark:
            chosen.append(chosen[-1])
            continue
        middle = (word.start + word.end) / 2
        near = np.abs(centres - middle)
        covering = near <= half
        if not covering.any():
            covering = near == near.min()
        votes = np.bincount(labels[covering], weights=half + 0.01 - np.minimum(near[covering], half), minlength=voices)
        chosen.append(int(votes.argmax()))
    return smooth(words, chosen)


def smooth(words: list[Word], chosen: list[int]) -> list[int]:
    """Fold a turn shorter than SHORTEST_TURN into its neighbours when both are the same voice."""
    runs: list[list[int]] = []  # [voice, first word, last word]
    for i, voice in enumerate(chosen):
        if runs and runs[-1][0] == voice:
            runs[-1][2] = i
        else:
            runs.append([voice, i, i])
    for k in range(1, len(runs) - 1):
        voice, a, b = runs[k]
        if runs[k - 1][0] == runs[k + 1][0] != voice and words[b].end - words[a].start < SHORTEST_TURN:
            runs[k][0] = runs[k - 1][0]
            chosen[a : b + 1] = [runs[k][0]] * (b - a + 1)
    return chosen


def cut_at_turns(transcript: Transcript, names: list[str]) -> Transcript:
    """Segments split wherever the speaker changes, each segment and word named.

    `names[i]` is the name of the i-th word's speaker, in transcript order.
    """
    segments: list[Segment] = []
    i = 0
    for segment in transcript.segments:
        run: list[Word] = []
        for word in segment.words:
            word = replace(word, speaker=names[i])
            i += 1
            if run and run[-1].speaker != word.speaker:
                segments.append(_segment(run))
                run = []
            run.append(word)
        if run:
            segments.append(_segment(run))
        elif not segment.words:
            segments.append(segment)
    return replace(transcript, segments=tuple(segments))


def _segment(words: list[Word]) -> Segment:
    return Segment(words[0].start, words[-1].end, "".join(w.text for w in words).strip(), tuple(words), words[0].speaker)


def diarize(transcript: Transcript, audio: Path, people: tuple[str, ...]) -> tuple[Transcript, dict[str, float]]:
    """The transcript with speakers named, and the seconds each person speaks.

    Raises:
        ImportError: resemblyzer (the `speakers` extra) is missing and there is more than one person.
    """
    words = [w for s in transcript.segments for w in s.words]
    if len(people) <= 1 or not words:
        named = label(transcript, people[0]) if people else transcript
        return named, ({people[0]: round(sum(w.end - w.start for w in words), 1)} if people else {})
    centres, prints = voice_prints(audio, speech_spans(transcript), transcript.duration)
    labels = cluster(prints, len(people))
    heard = int(labels.max()) + 1 if len(labels) else 1
    voices = word_voices(words, centres, labels, heard) if len(prints) else [0] * len(words)
    order = list(dict.fromkeys(voices))  # voices in the order they are first heard
    names = [people[order.index(v)] for v in voices]
    spoken = {p: 0.0 for p in people}
    for word, name in zip(words, names):
        spoken[name] += word.end - word.start
    return cut_at_turns(transcript, names), {p: round(s, 1) for p, s in spoken.items()}


def encoder_identity() -> str:
    try:
        return f"resemblyzer {package_version('resemblyzer')}, scikit-learn {package_version('scikit-learn')}"
    except PackageNotFoundError:
        return "missing"


def label(transcript: Transcript, speaker: str) -> Transcript:
    """Every segment and word of a one-speaker track, named after its speaker."""
    segments = tuple(replace(s, speaker=speaker, words=tuple(replace(w, speaker=speaker) for w in s.words)) for s in transcript.segments)
    return replace(transcript, segments=segments)


def merge(parts: list[Transcript]) -> Transcript:
    """Speaker tracks on one timeline: their segments in order of time."""
    segments = sorted((s for part in parts for s in part.segments), key=lambda s: (s.start, s.end))
    return replace(parts[0], segments=tuple(segments), duration=max(p.duration for p in parts))
