"""Notable quotes of the episode, each attributed and timed, and the soundbite for the feed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..engine import Stage
from ..errors import StageError
from ..files import package_version
from ..jobs import EpisodeJob
from ..records import Transcript
from ..results import Chaptered, Corrected, Levelled, Quoted
from ..text import quotes, topics


class Quotes(Stage):
    name = "quotes"
    version = 3  # 2: a word glued to a full stop ("Freelance.Family") does not end a sentence; 3: 1.14 s is 1.14
    result = Quoted

    def settings(self, job: EpisodeJob) -> dict[str, Any]:
        return {
            "picks": job.episode.quotes.to_dict(),
            "hosts": [p.name for p in job.show.hosts],
            "duration": job.results[Levelled].duration,
            "language": topics.word_language(job.episode.spoken_language(job.show)),
            "chapters": [c.start for c in job.results[Chaptered].chapters],
            "yake": package_version("yake"),
        }

    def inputs(self, job: EpisodeJob) -> dict[str, Path]:
        return {"transcript": job.results[Corrected].transcript}

    def outputs(self, job: EpisodeJob) -> dict[str, Path]:
        return {}  # the quotes are the result itself, kept in the stage's record

    def run(self, job: EpisodeJob, out: dict[str, Path]) -> Quoted:
        found = topics.sentences(Transcript.load(job.results[Corrected].transcript))
        hosts = frozenset(p.name for p in job.show.hosts)
        language = topics.word_language(job.episode.spoken_language(job.show))
        try:
            sections = tuple(c.start for c in job.results[Chaptered].chapters)
            chosen = quotes.pick(found, job.episode.quotes, hosts, language, sections)
        except LookupError as e:
            where = job.episode.folder / "episode.toml"
            raise StageError(
                f"{where}: 'quotes.pin': {e.args[0]!r} is in no sentence of the transcript (a pin names a sentence, or part of one, as transcribed)"
            ) from None
        soundbite = quotes.soundbite(chosen[0], found, job.results[Levelled].duration) if chosen else None
        in_order = sorted(chosen, key=lambda s: s.start)
        return Quoted(quotes=tuple(quotes.as_quote(s) for s in in_order), soundbite=soundbite)
