"""The episode's show notes, an HTML fragment rendered by jinja2 from `templates/notes.html`,
and the same notes in Markdown from `templates/notes.md`.

The HTML fragment goes into the feed (`content:encoded`) and onto the episode's web page; the
Markdown is for a newsletter or a video's description (chapter times as YouTube reads them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import results
from ..engine import Stage
from ..jobs import EpisodeJob
from ..records import Transcript
from ..results import Chaptered, Corrected, Levelled, Noted, Quoted
from ..site.render import environment, render

WORDS_PER_MINUTE_READ = 230  # a common figure for reading speed, for "n min to read"


def notes_context(job: EpisodeJob) -> dict[str, Any]:
    transcript = Transcript.load(job.results[Corrected].transcript)
    layout = job.layout
    words = sum(len(s.text.split()) for s in transcript.segments)
    return {
        "show": job.show,
        "episode": job.episode,
        "duration": job.results[Levelled].duration,
        "transcript_words": words,
        "reading_minutes": max(1, round(words / WORDS_PER_MINUTE_READ)) if words else 0,
        "page_url": layout.url(layout.episode(job.episode.slug)),
        "chapters": job.results[Chaptered].chapters,
        "chapters_automatic": job.results[Chaptered].automatic,
        "quotes": job.results[Quoted].quotes,
    }


class Notes(Stage):
    name = "notes"
    version = 3  # 2: chapters (also cut by topic) and quotes; a Markdown copy; 3: descriptions sanitised (nh3)
    result = Noted

    def settings(self, job: EpisodeJob) -> dict[str, Any]:
        return {
            "episode": job.episode.metadata(),
            "show": {"title": job.show.title, "hosts": job.show.to_dict()["hosts"], "language": job.show.language, "base_url": job.show.base_url},
            "duration": job.results[Levelled].duration,
            "chapters": results.dump(job.results[Chaptered])["chapters"],
            "quotes": results.dump(job.results[Quoted]),
        }

    def inputs(self, job: EpisodeJob) -> dict[str, Path]:
        files = {f"template:{name}": path for name, path in job.paths.templates.files().items()}
        return {**files, "transcript": job.results[Corrected].transcript}

    def outputs(self, job: EpisodeJob) -> dict[str, Path]:
        return {"notes": job.cache / "notes.html", "markdown": job.cache / "notes.md"}

    def run(self, job: EpisodeJob, out: dict[str, Path]) -> Noted:
        env = environment(job.paths.templates, job.show.language)
        context = notes_context(job)
        out["notes"].write_text(render(env, "notes.html", **context), encoding="utf-8")
        out["markdown"].write_text(render(env, "notes.md", **context), encoding="utf-8")
        return Noted(out["notes"], out["markdown"])
