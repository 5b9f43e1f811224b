"""faster-whisper against openai-whisper, side by side on the same clips and the same weights.

Both engines run through the project's own `Transcriber` (same decoding, windows, voice
detection and guards), with the bundled base model: openai-whisper loads it converted from
CTranslate2, so only the engine differs. Each engine runs in a child process of its own, so
its peak memory is its own. Reported per engine: model load, wall time and real-time factor
on `../shared/eval/fr-read`, peak RSS, word error rate (one normaliser for both sides, as
`../shared/eval/README.md` says), words written on the trap set (silence, room noise, hum and
tones, music: must be 0), and on `../shared/eval/stereo-en` the share of words given to the
right channel's speaker. Ratios are faster-whisper / openai-whisper.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/transcribe.py
    .venv/bin/python bench/transcribe.py --only faster-whisper --beam-size 8 --compute-type float32
    CT2_FORCE_CPU_ISA=AVX2 .venv/bin/python bench/transcribe.py   # the kernels of a CPU without AVX-512
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EVAL = REPO.parent / "shared" / "eval"
sys.path.insert(0, str(REPO))

from pipeline.audio import ffmpeg  # noqa: E402
from pipeline.records import Transcription  # noqa: E402
from pipeline.speech.transcriber import load  # noqa: E402

FILLERS = {"euh", "hum", "heu", "hein", "bah", "ben"}


def normalise(text: str) -> str:
    """The eval README's normaliser: lower case, NFC, one apostrophe, no punctuation, no fillers."""
    text = unicodedata.normalize("NFC", text.lower()).replace("’", "'").replace("`", "'")
    text = re.sub(r"[^\w\s']|_", " ", text)
    text = re.sub(r"(?<!\w)'|'(?!\w)", " ", text)  # quotes, not elisions
    return " ".join(w for w in text.split() if w not in FILLERS)


def clips() -> list[Path]:
    return sorted(p for p in (EVAL / "fr-read").iterdir() if p.suffix in (".wav", ".ogg"))


def child(engine: str, beam_size: int, vad: bool, compute_type: str = "auto") -> dict:
    """Everything measured inside one engine's process."""
    from tests.speech.test_hallucinations import RATE, trap
    from tests.conftest import write_wav

    started = time.perf_counter()
    transcriber = load(Transcription(engine=engine, beam_size=beam_size, vad=vad, compute_type=compute_type), REPO)
    loaded = time.perf_counter() - started
    texts, audio_seconds = {}, 0.0
    started = time.perf_counter()
    for clip in clips():
        transcript = transcriber.transcribe(clip, "fr")
        texts[clip.stem] = transcript.text
        audio_seconds += transcript.duration
    wall = time.perf_counter() - started
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with tempfile.TemporaryDirectory() as scratch:
        trap_words = {}
        for kind in ("silence", "room noise", "hum and tones", "music"):
            path = write_wav(Path(scratch) / f"{kind}.wav", trap(kind), RATE)
            trap_words[kind] = sum(len(s.words) for s in transcriber.transcribe(path, "fr").segments)
        channels = {}
        stereo = EVAL / "stereo-en" / "stereo_diarization.wav"
        for i, side in enumerate(("LEFT", "RIGHT")):
            mono = Path(scratch) / f"{side}.wav"
            ffmpeg.run(["-i", str(stereo), "-af", f"pan=mono|c0=c{i}", str(mono)], about=mono)
            transcript = transcriber.transcribe(mono, "en")
            channels[side] = [w.text for s in transcript.segments for w in s.words]
    return {"load": loaded, "wall": wall, "audio": audio_seconds, "rss_mb": rss_mb, "texts": texts, "trap_words": trap_words, "channels": channels}


def word_error_rate(texts: dict[str, str]) -> tuple[float, int]:
    """Total edits over total reference words, all clips together."""
    import jiwer

    references = [normalise((EVAL / "fr-read" / f"{stem}.txt").read_text(encoding="utf-8")) for stem in texts]
    hypotheses = [normalise(texts[stem]) or "<rien>" for stem in texts]
    result = jiwer.process_words(references, hypotheses)
    edits = result.substitutions + result.deletions + result.insertions
    return edits / (result.hits + result.substitutions + result.deletions), edits


def attribution(channels: dict[str, list[str]]) -> float:
    """Share of the words heard on each channel that belong to that channel's speaker's line."""
    lines = dict(
        re.match(r"(LEFT|RIGHT)[^:]*:\s*(.*)", line).groups()
        for line in (EVAL / "stereo-en" / "stereo_diarization.txt").read_text().splitlines()
        if line.strip()
    )
    right = total = 0
    for side, words in channels.items():
        own = set(normalise(lines[side]).split())
        for word in (normalise(w) for w in words):
            if word:
                total += 1
                right += word in own
    return right / total if total else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("faster-whisper", "openai-whisper"))
    parser.add_argument("--beam-size", type=int, default=5)
    parser.add_argument("--no-vad", action="store_true")
    parser.add_argument(
        "--compute-type",
        default="auto",
        choices=("auto", "int8", "int8_float32", "float32"),
        help="faster-whisper's CPU type; run under CT2_FORCE_CPU_ISA=AVX2 or AVX512 to compare CPUs",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        json.dump(child(args.child, args.beam_size, not args.no_vad, args.compute_type), sys.stdout)
        return
    if not (EVAL / "fr-read").is_dir():
        sys.exit(f"no evaluation audio at {EVAL}: this benchmark needs ../shared/eval beside the project")
    engines = [args.only] if args.only else ["faster-whisper", "openai-whisper"]
    results = {}
    for engine in engines:
        command = [sys.executable, __file__, "--child", engine, "--beam-size", str(args.beam_size), "--compute-type", args.compute_type]
        command += ["--no-vad"] if args.no_vad else []
        print(f"{engine}…", file=sys.stderr, flush=True)
        results[engine] = json.loads(subprocess.run(command, check=True, capture_output=True, text=True, cwd=REPO).stdout)

    isa = os.environ.get("CT2_FORCE_CPU_ISA", "the CPU's own")
    print(
        f"{len(clips())} clips of fr-read, beam {args.beam_size}, {args.compute_type} compute type, {isa} kernels, "
        f"VAD {'off' if args.no_vad else 'on'}, bundled base weights\n"
    )
    print("| engine | load s | wall s | RTF | peak RSS MB | WER fr-read | trap words | stereo-en attribution |")
    print("|---|---|---|---|---|---|---|---|")
    for engine, r in results.items():
        wer, edits = word_error_rate(r["texts"])
        r["wer"] = wer
        traps = sum(r["trap_words"].values())
        print(
            f"| {engine} | {r['load']:.1f} | {r['wall']:.1f} | {r['wall'] / r['audio']:.3f} | {r['rss_mb']:.0f} "
            f"| {wer:.1%} ({edits} edits) | {traps} | {attribution(r['channels']):.0%} |"
        )
    if len(results) == 2:
        fast, ref = results["faster-whisper"], results["openai-whisper"]
        print(
            f"\nfaster-whisper / openai-whisper: wall {fast['wall'] / ref['wall']:.2f} "
            f"({ref['wall'] / fast['wall']:.1f}× faster), peak RSS {fast['rss_mb'] / ref['rss_mb']:.2f}, "
            f"WER {fast['wer'] / ref['wer']:.2f}"
        )
    for engine, r in results.items():
        print(f"\n{engine} trap set: {r['trap_words']}")


if __name__ == "__main__":
    main()
