"""The static website in `public/`: an index of episodes and a page per episode with
a player, the show notes and the transcript (also as WebVTT for players and readers)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from ..engine import Stage
from ..jobs import Published, ShowJob
from ..layout import INDEX, STYLE, PublicLayout
from ..render import environment, render
from ..results import Chaptered, Corrected, Levelled, Noted, Quoted, Written
from ..writers import PUBLISHED, get_writer
from . import feed
from .transcribe import load_transcript


def _links(layout: PublicLayout, page: str) -> dict[str, Any]:
    """What every template gets to link to the rest of the site, relative to the page it is on."""
    return {"href": lambda target: layout.link(target, page), "layout": layout, "feed_url": layout.feed_url}


def _page(job: ShowJob, env: Any, item: Published) -> str:
    episode, layout = item.episode, job.layout
    return render(
        env,
        "episode.html",
        show=job.show,
        episode=episode,
        notes=item.results[Noted].notes.read_text(encoding="utf-8"),
        transcript=load_transcript(item.results[Corrected].transcript),
        duration=item.results[Levelled].duration,
        chapters=item.results[Chaptered].chapters,
        quotes=item.results[Quoted].quotes,
        soundbite=item.results[Quoted].soundbite,
        **_links(layout, layout.page(episode.slug)),
    )


class Site(Stage):
    name = "site"
    version = 3  # 2: the HTML transcript and the episode's own image; 3: chapters.json and notes.md
    result = Written

    def settings(self, job: ShowJob) -> dict[str, Any]:
        return feed.published_settings(job.show, job.episodes)  # with the chapters, quotes and soundbite

    def inputs(self, job: ShowJob) -> dict[str, Path]:
        files = {f"template:{name}": path for name, path in job.paths.templates.files().items()}
        files["artwork"] = job.show.artwork
        for item in job.episodes:
            files[f"notes:{item.episode.slug}"] = item.results[Noted].notes
            files[f"notes-md:{item.episode.slug}"] = item.results[Noted].markdown
            files[f"chapters:{item.episode.slug}"] = item.results[Chaptered].file
            files[f"transcript:{item.episode.slug}"] = item.results[Corrected].transcript
            if item.episode.image:
                files[f"image:{item.episode.slug}"] = item.episode.image
        return files

    def outputs(self, job: ShowJob) -> dict[str, Path]:
        layout = job.layout
        files = {"index": layout.file(INDEX), "style": layout.file(STYLE), "artwork": layout.file(layout.artwork)}
        for item in job.episodes:
            slug = item.episode.slug
            files[f"page:{slug}"] = layout.file(layout.page(slug))
            files[f"chapters:{slug}"] = layout.file(layout.chapters(slug))
            files[f"notes-md:{slug}"] = layout.file(layout.notes_markdown(slug))
            for kind in PUBLISHED:
                files[f"{kind}:{slug}"] = layout.file(layout.transcript(slug, kind))
            if item.episode.image:
                files[f"image:{slug}"] = layout.file(layout.episode_image(slug, item.episode.image))
        return files

    def run(self, job: ShowJob, out: dict[str, Path]) -> Written:
        env = environment(job.paths.templates, job.show.language)
        episodes = sorted(job.episodes, key=lambda p: (p.episode.published, p.episode.number or 0), reverse=True)
        durations = {p.episode.slug: p.results[Levelled].duration for p in episodes}
        out["index"].write_text(
            render(env, "index.html", show=job.show, episodes=[p.episode for p in episodes], durations=durations,
                   **_links(job.layout, INDEX)),
            encoding="utf-8",
        )
        shutil.copyfile(job.paths.templates.path("style.css"), out["style"])
        shutil.copyfile(job.show.artwork, out["artwork"])
        for item in episodes:
            slug = item.episode.slug
            out[f"page:{slug}"].write_text(_page(job, env, item), encoding="utf-8")
            shutil.copyfile(item.results[Chaptered].file, out[f"chapters:{slug}"])
            shutil.copyfile(item.results[Noted].markdown, out[f"notes-md:{slug}"])
            transcript = load_transcript(item.results[Corrected].transcript)
            for kind in PUBLISHED:
                out[f"{kind}:{slug}"].write_text(get_writer(kind).write(transcript), encoding="utf-8")
            if item.episode.image:
                shutil.copyfile(item.episode.image, out[f"image:{slug}"])
        return Written(tuple(out.values()))
