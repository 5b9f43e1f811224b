"""Stage 6: the static website in `public/`: an index of episodes and a page per episode with
a player, the show notes and the transcript (also as WebVTT for players and readers)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from . import feed
from .engine import Stage
from .jobs import ShowJob
from .render import environment, render, template_files
from .transcribe import load_transcript
from .writers import PUBLISHED, get_writer


def _page(job: ShowJob, env: Any, item: Any) -> str:
    episode, records = item.episode, item.records
    transcript = load_transcript(records["correct"].path("transcript"))
    return render(
        env,
        "episode.html",
        show=job.show,
        episode=episode,
        notes=records["notes"].path("notes").read_text(encoding="utf-8"),
        transcript=transcript,
        duration=records["tag"].data["duration"],
        audio_url=f"../../audio/{episode.slug}.mp3",
        root="../../",
    )


class Site(Stage):
    name = "site"
    version = 1

    def settings(self, job: ShowJob) -> dict[str, Any]:
        return feed.published_settings(job.show, job.episodes)

    def inputs(self, job: ShowJob) -> dict[str, Path]:
        files = {f"template:{name}": path for name, path in template_files(job.paths.templates).items()}
        files["artwork"] = job.show.artwork
        for item in job.episodes:
            files[f"notes:{item.episode.slug}"] = item.records["notes"].path("notes")
            files[f"transcript:{item.episode.slug}"] = item.records["correct"].path("transcript")
        return files

    def outputs(self, job: ShowJob) -> dict[str, Path]:
        public = job.paths.public
        files = {
            "index": public / "index.html",
            "style": public / "style.css",
            "artwork": public / f"artwork{job.show.artwork.suffix.lower()}",
        }
        for item in job.episodes:
            folder = public / "episodes" / item.episode.slug
            files[f"page:{item.episode.slug}"] = folder / "index.html"
            for kind, name in PUBLISHED.items():
                files[f"{kind}:{item.episode.slug}"] = folder / name
        return files

    def run(self, job: ShowJob, out: dict[str, Path]) -> dict[str, Any]:
        env = environment(job.paths.templates, job.show.language)
        episodes = sorted(job.episodes, key=lambda p: (p.episode.published, p.episode.number or 0), reverse=True)
        durations = {p.episode.slug: p.records["tag"].data["duration"] for p in episodes}
        out["index"].write_text(
            render(env, "index.html", show=job.show, episodes=[p.episode for p in episodes], durations=durations, root=""),
            encoding="utf-8",
        )
        shutil.copyfile(job.paths.templates / "style.css", out["style"])
        shutil.copyfile(job.show.artwork, out["artwork"])
        for item in episodes:
            slug = item.episode.slug
            out[f"page:{slug}"].write_text(_page(job, env, item), encoding="utf-8")
            transcript = load_transcript(item.records["correct"].path("transcript"))
            for kind in PUBLISHED:
                out[f"{kind}:{slug}"].write_text(get_writer(kind).write(transcript), encoding="utf-8")
        return {"pages": len(episodes) + 1}
