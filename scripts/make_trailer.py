"""Regenerate the bundled trailer, episodes/000-bande-annonce/bande-annonce.m4a.

Two synthetic French voices (espeak-ng: the host and a guest) read the lines below; pydub
splices them with short pauses, like a host joining takes, and exports AAC in .m4a, the
format an iPhone records. Needs espeak-ng (Debian: `apt-get install espeak-ng`) and the
project installed (`make build`), then:

    .venv/bin/python scripts/make_trailer.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import warnings

from pipeline.audio import ffmpeg

with warnings.catch_warnings():  # pydub warns when ffmpeg is not on PATH; we hand it ours below
    warnings.simplefilter("ignore", RuntimeWarning)
    from pydub import AudioSegment

OUTPUT = Path(__file__).resolve().parent.parent / "episodes" / "000-bande-annonce" / "bande-annonce.m4a"
VOICES = {"host": "fr+m1", "guest": "fr+anika"}  # the variants Whisper base understands best
WORDS_PER_MINUTE = 130
PAUSE_MS = 450

LINES = [
    ("host", "Bonjour et bienvenue dans Freelance Family, le podcast qui raconte le freelancing de l'intérieur."),
    ("host", "Je m'appelle Camille. Après un burn-out dans une entreprise de services numériques, je suis devenue indépendante, et j'ai acheté un micro."),
    ("guest", "Et moi, je suis Inès, développeuse freelance depuis six ans. Camille m'a tendu le micro dans un espace de coworking à Lyon."),
    ("host", "Chaque semaine, je rencontre des freelances, des hôtes de coworking, des sociétés de portage salarial, des startups et des collectifs."),
    ("guest", "On parle de ce qu'on vit vraiment : trouver ses premiers clients, fixer son tarif journalier, la solitude, et aussi la liberté."),
    ("host", "Pas de discours de l'extérieur, pas de recette miracle. Des histoires vraies, racontées par celles et ceux qui les vivent."),
    ("guest", "Alors, abonnez-vous dans votre application de podcast préférée."),
    ("host", "Freelance Family, premier épisode très bientôt. À tout de suite !"),
]


def speak(text: str, voice: str, folder: Path, index: int) -> AudioSegment:
    wav = folder / f"line{index:02d}.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(WORDS_PER_MINUTE), "-w", str(wav), text], check=True)
    return AudioSegment.from_wav(wav)


def main() -> int:
    AudioSegment.converter = ffmpeg.executable()  # pydub would otherwise look for ffmpeg on PATH
    with tempfile.TemporaryDirectory() as tmp:
        pause = AudioSegment.silent(duration=PAUSE_MS)
        trailer = AudioSegment.silent(duration=600)
        for index, (who, text) in enumerate(LINES):
            trailer += speak(text, VOICES[who], Path(tmp), index) + pause
        trailer = trailer.set_frame_rate(44100).set_channels(1)
        OUTPUT.parent.mkdir(parents=True, exist_ok=True)
        trailer.export(OUTPUT, format="ipod", codec="aac", bitrate="64k")
    print(f"{OUTPUT}: {len(trailer) / 1000:.1f} s, {OUTPUT.stat().st_size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
