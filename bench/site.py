"""Time the site stage on many long episodes: 50 episodes with a scripted hour of transcript each.

The recordings are 3-s tones (levelling an hour of audio 50 times is not what is measured); a
scripted transcriber 'hears' an hour of French in each, a sentence every few seconds, host and
guest taking turns. Prints the site stage's time on the first build, after editing one
episode's title, and which pages that edit rewrote.

    .venv/bin/python bench/site.py [--episodes 50] [--hours 1]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pytest  # noqa: E402

from pipeline.build import build  # noqa: E402
from pipeline.records import Segment, Transcript, Word  # noqa: E402
from tests.conftest import new_show, speechlike, write_wav  # noqa: E402

VOCABULARY = (
    "freelance portage salarial coworking client tarif journalier facture mission contrat liberté "
    "solitude réseau collectif startup indépendant projet équipe semaine année conseil prospection "
    "devis urssaf comptable statut entreprise communauté espace bureau café rencontre"
).split()


class HearsAnHour:
    """A transcript of `hours` hours: sentences of 8–20 words, 0.4 s a word, turns of 1–6 sentences."""

    def __init__(self, hours: float):
        self.hours = hours

    def transcribe(self, path, language, prompt="", progress=None):
        rng = random.Random(path.parent.name)
        segments, at, speaker = [], 0.0, "Camille Durand"
        while at < self.hours * 3600:
            for _ in range(rng.randint(1, 6)):
                words = [rng.choice(VOCABULARY) for _ in range(rng.randint(8, 20))]
                words[0] = words[0].capitalize()
                words[-1] += "."
                timed = tuple(Word(at + i * 0.4, at + i * 0.4 + 0.35, " " + w) for i, w in enumerate(words))
                segments.append(Segment(at, timed[-1].end, " ".join(words), timed, speaker))
                at = timed[-1].end + 0.6
            speaker = "Invité" if speaker == "Camille Durand" else "Camille Durand"
        return Transcript(language, at, tuple(segments))


def site_seconds(root: Path) -> float:
    return json.loads((root / ".build" / "show" / "site.json").read_text())["seconds"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=50)
    parser.add_argument("--hours", type=float, default=1.0)
    args = parser.parse_args()
    from pipeline.stages import diarize, transcribe

    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as patch:
        root = new_show(Path(tmp) / "show")
        for n in range(1, args.episodes + 1):
            folder = root / "episodes" / f"{n:03d}-episode"
            folder.mkdir()
            write_wav(folder / "enregistrement.wav", speechlike(3, -20, noise=0, seed=n))
            (folder / "episode.toml").write_text(
                f"title = 'Épisode {n}'\npublished = 2026-01-01T{n % 24:02d}:00:00+01:00\nnumber = {n}\n"
                f"[[guests]]\nname = 'Invité {n % 20}'\nkind = 'freelance'\n",
                encoding="utf-8",
            )
        patch.setattr(transcribe, "load", lambda *a, **k: HearsAnHour(args.hours))
        # The transcript names its speakers; voices of a tone are not what is measured.
        patch.setattr(diarize.Diarize, "run", _keep_speakers)
        started = time.perf_counter()
        report = build(root)
        if not report.ok:
            print(report.failures, report.findings[:3])
            return 1
        first_build = time.perf_counter() - started
        first = site_seconds(root)
        public = root / "public"
        pages = sorted(public.rglob("*.html"))
        before = {p: p.stat().st_mtime_ns for p in pages}
        toml = root / "episodes" / "002-episode" / "episode.toml"
        toml.write_text(toml.read_text(encoding="utf-8").replace("Épisode 2'", "Épisode deux'"), encoding="utf-8")
        build(root)
        again = site_seconds(root)
        rewritten = [str(p.relative_to(public)) for p in pages if p.stat().st_mtime_ns != before[p]]
        page = public / "episodes" / "001-episode" / "index.html"
        html = page.stat().st_size
        weight = sum(f.stat().st_size for f in (page, public / "style.css", public / "player.js"))
    print(f"{args.episodes} episodes of {args.hours:g} h of transcript; whole first build {first_build:.1f} s")
    print(f"site stage, first build        {first:6.2f} s  ({len(pages)} HTML files)")
    print(f"site stage, one title edited   {again:6.2f} s  (rewrote {len(rewritten)}: {', '.join(rewritten)})")
    print(f"an episode page: {html / 1e3:.0f} kB of HTML, {weight / 1e3:.0f} kB with CSS and JS")
    return 0


def _keep_speakers(self, job, out):
    """The diarize stage for a transcript whose speakers are already named: it is kept as it is."""
    import shutil

    from pipeline.results import Diarized, Transcribed

    shutil.copyfile(job.results[Transcribed].transcript, out["transcript"])
    return Diarized(out["transcript"], {}, "")


if __name__ == "__main__":
    sys.exit(main())
