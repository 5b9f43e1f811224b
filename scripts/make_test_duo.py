"""Regenerate tests/data/duo-host.m4a and duo-guest.m4a: a short French exchange, one file per speaker.

Each file holds one speaker's lines and silence while the other speaks, as a double-ender or a
call recorder produces. The tests use them to check speaker labels from multitrack episodes.
Needs espeak-ng (Debian: `apt-get install espeak-ng`) and the project installed:

    .venv/bin/python scripts/make_test_duo.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

from pipeline.audio import ffmpeg

with warnings.catch_warnings():  # pydub warns when ffmpeg is not on PATH; we hand it ours below
    warnings.simplefilter("ignore", RuntimeWarning)
    from pydub import AudioSegment

FOLDER = Path(__file__).resolve().parent.parent / "tests" / "data"
VOICES = {"host": "fr+m1", "guest": "fr+anika"}
LINES = [
    ("host", "Bonjour Inès, merci d'être venue dans le studio aujourd'hui."),
    ("guest", "Merci Camille, je suis ravie de parler du portage salarial."),
    ("host", "Alors, comment as-tu trouvé tes premiers clients ?"),
    ("guest", "Grâce au bouche à oreille, et à un espace de coworking à Lyon."),
]
GAP_MS = 700


def main() -> int:
    AudioSegment.converter = ffmpeg.executable()
    tracks = {who: AudioSegment.silent(duration=500, frame_rate=22050) for who in VOICES}
    with tempfile.TemporaryDirectory() as tmp:
        for index, (who, text) in enumerate(LINES):
            wav = Path(tmp) / f"{index}.wav"
            subprocess.run(["espeak-ng", "-v", VOICES[who], "-s", "130", "-w", str(wav), text], check=True)
            line = AudioSegment.from_wav(wav) + AudioSegment.silent(duration=GAP_MS, frame_rate=22050)
            for speaker in tracks:  # the one who speaks gets the line, the other the same length of silence
                tracks[speaker] += line if speaker == who else AudioSegment.silent(duration=len(line), frame_rate=22050)
    FOLDER.mkdir(parents=True, exist_ok=True)
    for who, audio in tracks.items():
        path = FOLDER / f"duo-{who}.m4a"
        audio.set_frame_rate(44100).export(path, format="ipod", codec="aac", bitrate="48k")
        print(f"{path}: {len(audio) / 1000:.1f} s, {path.stat().st_size / 1e3:.0f} kB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
