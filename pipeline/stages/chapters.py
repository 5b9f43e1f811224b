"""The episode's chapters: episode.toml's when it gives them, else cut by topic from the transcript.

One list feeds the notes, the MP3's chapter frames, the episode page and chapters.json, the
Podcasting 2.0 JSON chapters file the feed points to (`podcast:chapters`, written by `feed/chapters.py`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..engine import Stage
from ..feed.chapters import chapters_json
from ..files import package_version
from ..jobs import EpisodeJob
from ..records import Transcript
from ..results import Chaptered, Corrected, Levelled
from ..text import topics


class Chapters(Stage):
    name = "chapters"
    # 2: a word glued to a full stop ("Freelance.Family") does not end a sentence
    # 3: an episode in English is cut with English stop words (it was cut with French ones)
    version = 3
    result = Chaptered

    def settings(self, job: EpisodeJob) -> dict[str, Any]:
        return {
            "chapters": [c.to_dict() for c in job.episode.chapters],
            "duration": job.results[Levelled].duration,
            "language": topics.word_language(job.episode.spoken_language(job.show)),
            "yake": package_version("yake"),
            # The cut's parameters: a new default re-cuts every episode's chapters.
            "cut": {
                "window": topics.WINDOW_SENTENCES,
                "min_depth": topics.MIN_DEPTH,
                "min_section": [topics.MIN_SECTION_SECONDS, topics.SECTION_FRACTION, topics.MAX_MIN_SECTION_SECONDS],
            },
        }

    def inputs(self, job: EpisodeJob) -> dict[str, Path]:
        return {"transcript": job.results[Corrected].transcript}

    def outputs(self, job: EpisodeJob) -> dict[str, Path]:
        # Not chapters.json: the engine keeps this stage's record under that name.
        return {"chapters": job.cache / "chapters.p20.json"}

    def run(self, job: EpisodeJob, out: dict[str, Path]) -> Chaptered:
        given = job.episode.chapters
        if given:
            found, automatic = given, False
        else:
            transcript = Transcript.load(job.results[Corrected].transcript)
            language = topics.word_language(job.episode.spoken_language(job.show))
            found = topics.chapters(transcript, job.results[Levelled].duration, language)
            automatic = True
        out["chapters"].write_text(chapters_json(found), encoding="utf-8")
        return Chaptered(chapters=found, automatic=automatic, file=out["chapters"])
