"""When each line of the trailer is said, and where Whisper put the words it heard right.

A test that runs the model cannot look for a word: which words Whisper hears moves with the CPU
(tests/data/whisper-elsewhere). What holds on every machine is when: each word Whisper heard as
the script says it (aligned with the script by jiwer) lies in the line that says it.
"""

from __future__ import annotations

import re
import runpy
import unicodedata

import jiwer

from pipeline.records import Transcript
from tests.conftest import REPO

# When each line of scripts/make_trailer.py is voiced in episodes/000-bande-annonce/bande-annonce.m4a
# (seconds): 20-ms frames over -50 dBFS, lines apart where the voice stops for 0.6 s or more
# (tests/speech/scripted.py's `stretches` with JOIN = 0.6 gives exactly these eight).
LINE_SPANS = ((0.6, 6.72), (7.66, 16.74), (17.7, 24.92), (25.86, 35.22), (36.16, 43.52), (44.5, 52.26), (53.2, 56.78), (57.7, 62.44))


# Words shorter than this are left out: a "de" or an "à" Whisper invents elsewhere aligns with one
# of the script's many (faster-whisper under CT2_FORCE_CPU_ISA=AVX512 wrote "Je vous invite à
# l'écran de l'écran" at the trailer's very end, 63.4 s, and its "à" and "de" aligned with the
# last line's, said a second earlier).
SHORTEST = 4


def _tokens(text: str) -> list[str]:
    """Lower-case words without punctuation, as tests/conftest.py's `word_error_rate` compares them."""
    text = unicodedata.normalize("NFC", text.lower()).replace("’", "'")
    return re.sub(r"[^\w']+", " ", text).split()


def heard_right(transcript: Transcript, shift: float = 0.0) -> list[tuple[int, float, float, str]]:
    """Each word of four letters or more Whisper heard as the script says it: (its line, its
    start, its end, the word).

    `shift` moves the lines' spans onto the transcript's timeline (a build trims the silence
    before the voice)."""
    lines = runpy.run_path(str(REPO / "scripts" / "make_trailer.py"))["LINES"]
    script: list[tuple[int, str]] = [(i, token) for i, (_, text) in enumerate(lines) for token in _tokens(text.replace("Freelance Family", "Freelance.Family"))]
    heard = [(w.start, w.end, token) for s in transcript.segments for w in s.words for token in _tokens(w.text)]
    if not heard:
        return []
    aligned = jiwer.process_words(" ".join(t for _, t in script), " ".join(t for _, _, t in heard))
    right = []
    for chunk in aligned.alignments[0]:
        if chunk.type == "equal":
            for k in range(chunk.ref_end_idx - chunk.ref_start_idx):
                line, token = script[chunk.ref_start_idx + k]
                start, end, _ = heard[chunk.hyp_start_idx + k]
                if len(token) >= SHORTEST:
                    right.append((line, start - shift, end - shift, token))
    return right


def off_their_line(words: list[tuple[int, float, float, str]], margin: float) -> list[tuple[int, float, float, str]]:
    """The words of `heard_right` that start or end more than `margin` seconds outside their line."""
    return [w for w in words if w[1] < LINE_SPANS[w[0]][0] - margin or w[2] > LINE_SPANS[w[0]][1] + margin]
